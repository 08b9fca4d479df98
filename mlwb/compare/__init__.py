"""Comparing models (leaderboards with significance tests) and runs (diffs with gates)."""
