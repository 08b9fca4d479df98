""" "Did you mean …?" for unknown names: recipe keys, model names, columns, metrics."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def nearest(name: str, candidates: Iterable[str], cutoff: float = 0.7) -> str | None:
    """The candidate closest to ``name`` (case-insensitive), or None when none is close."""
    options = [str(c) for c in candidates]
    by_lower = {c.lower(): c for c in options}
    matches = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=cutoff)
    return by_lower[matches[0]] if matches else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """``"; did you mean X?"`` when a close candidate exists, else an empty string."""
    match = nearest(name, candidates)
    return f"; did you mean {match}?" if match else ""


def listing(names: Iterable[str], limit: int = 12) -> str:
    """A short comma-separated listing, cut with "…" after ``limit`` names."""
    items = [str(n) for n in names]
    shown = ", ".join(items[:limit])
    return shown + (f", … ({len(items)} in all)" if len(items) > limit else "")
