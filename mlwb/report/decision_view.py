"""Console rendering of the decision layer (thresholds, calibration) and of quality gates."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

from mlwb.compare.gates import GateResult
from mlwb.results import ModelResult


def _f(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.3f}"


def decision_block(model: ModelResult) -> Text | None:
    """Thresholds per outer fold with the contrast at 0.5, and calibration before/after."""
    decision = model.decision
    if decision is None:
        return None
    text = Text()
    if decision.thresholds:
        how = decision.description.split("; ")[-1].removeprefix("threshold ")
        text.append(f"decision threshold: {how}\n", style="bold")
        shown = ", ".join(f"{t:.3f}" for t in decision.thresholds)
        text.append(f"  chosen per outer fold: {shown}\n")
        tuned, half = decision.at_threshold or {}, decision.at_default or {}
        text.append(
            "  at the tuned threshold: "
            + ", ".join(f"{m} {_f(tuned.get(m))}" for m in ("precision", "recall", "f1"))
            + "\n"
        )
        text.append(
            "  at 0.5, for contrast:   "
            + ", ".join(f"{m} {_f(half.get(m))}" for m in ("precision", "recall", "f1"))
        )
        if decision.unmet_folds:
            folds = ", ".join(map(str, decision.unmet_folds))
            text.append(
                f"\n  the constraint could not be met on outer fold(s) {folds}: "
                "there the threshold comes as close to it as it can",
                style="yellow",
            )
    if decision.before and decision.after:
        if decision.thresholds:
            text.append("\n")
        text.append(
            f"{decision.calibration} calibration (before → after, validation means): ", style="bold"
        )
        text.append(
            ", ".join(
                f"{m} {_f(decision.before[m])} → {_f(decision.after[m])}"
                for m in ("brier", "log_loss")
            )
        )
    return text


def gates_block(results: Sequence[GateResult]) -> Text | None:
    """One line per gate: passed or failed, with the value it was checked against."""
    if not results:
        return None
    text = Text("gates\n", style="bold")
    for result in results:
        mark, style = ("✓", "green") if result.passed else ("✗", "bold red")
        text.append(f"  {mark} {result.gate} — {result.reason}\n", style=style)
    text.rstrip()
    return text
