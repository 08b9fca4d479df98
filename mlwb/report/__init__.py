"""Rendering: Rich console output, progress on stderr, JSON on stdout."""
