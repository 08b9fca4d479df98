"""A line chart drawn with characters: two series against one axis, labelled, and never
wider than asked (so it does not wrap in an 80-column terminal)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    """One line: its label, its mark, and its points."""

    label: str
    mark: str
    values: Sequence[float]
    style: str = ""


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def line_chart(
    x: Sequence[float],
    series: Sequence[Series],
    width: int = 72,
    height: int = 12,
    x_label: str = "",
    y_label: str = "",
) -> list[tuple[str, str]]:
    """Chart rows as ``(text, style)`` pairs, each at most ``width`` characters.

    Points are placed on a grid and joined column by column with the series' mark; where
    two series share a cell, the later one is drawn (the legend says which is which).
    """
    values = [v for s in series for v in s.values if not math.isnan(v)]
    low, high = (min(values), max(values)) if values else (0.0, 1.0)
    if high - low < 1e-12:
        low, high = low - 0.5, high + 0.5
    pad = (high - low) * 0.05
    low, high = low - pad, high + pad
    labels = [_fmt(high), _fmt((low + high) / 2), _fmt(low)]
    margin = max(len(t) for t in labels) + 1
    plot = max(10, width - margin - 1)
    grid = [[" "] * plot for _ in range(height)]
    owner = [[-1] * plot for _ in range(height)]
    x0, x1 = min(x), max(x)
    span = (x1 - x0) or 1.0

    def column(value: float) -> int:
        return round((value - x0) / span * (plot - 1))

    def row(value: float) -> int:
        return round((high - value) / (high - low) * (height - 1))

    for index, line in enumerate(series):
        points = [
            (column(a), row(b)) for a, b in zip(x, line.values, strict=True) if not math.isnan(b)
        ]
        for (c0, r0), (c1, r1) in itertools.pairwise(points):
            for c in range(c0, c1 + 1):
                t = (c - c0) / (c1 - c0) if c1 != c0 else 0.0
                r = round(r0 + (r1 - r0) * t)
                grid[r][c], owner[r][c] = "·", index
        for c, r in points:
            grid[r][c], owner[r][c] = line.mark, index
    rows: list[tuple[str, str]] = []
    if y_label:
        rows.append((y_label[:width], "dim"))
    for r in range(height):
        tick = (
            labels[0]
            if r == 0
            else labels[1]
            if r == height // 2
            else labels[2]
            if r == height - 1
            else ""
        )
        rows.append((f"{tick:>{margin - 1}} │" + "".join(grid[r]), ""))
    rows.append((" " * (margin - 1) + " └" + "─" * plot, ""))
    left, right = _fmt(x0), _fmt(x1)
    axis = " " * (margin + 1) + left + " " * max(1, plot - len(left) - len(right)) + right
    rows.append((axis[:width], ""))
    if x_label:
        rows.append(((" " * (margin + 1) + x_label)[:width], "dim"))
    legend = "   ".join(f"{s.mark} {s.label}" for s in series)
    rows.append(((" " * (margin + 1) + legend)[:width], ""))
    return rows
