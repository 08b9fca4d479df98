"""Console rendering of nested cross-validation: honest outer scores against the
optimistic inner ones, and the parameters chosen in each outer fold."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from mlwb.report.console import Output
from mlwb.results import FitResult, ModelResult


def fmt_value(value: Any) -> str:
    """Parameters for people: 3 significant digits for floats."""
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def fmt_params(params: dict[str, Any] | None, limit: int = 6) -> str:
    if not params:
        return "—"
    items = [f"{k}={fmt_value(v)}" for k, v in params.items()]
    return ", ".join(items[:limit]) + (" …" if len(items) > limit else "")


def _score(value: float | None) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:.4f}"


def tuning_block(model: ModelResult, result: FitResult, output: Output) -> Group | None:
    """The nested-CV summary and per-fold choices of one tuned model."""
    tuning = model.tuning
    if tuning is None:
        return None
    outer = model.summary[tuning.metric]
    counts = f"{tuning.trials} trials"
    if tuning.pruned:
        counts += f", {tuning.pruned} pruned"
    if tuning.failed:
        counts += f", {tuning.failed} failed"
    text = Text()
    text.append(
        f"nested CV ({tuning.strategy} search: {counts}, {tuning.fits} fits, "
        f"{tuning.seconds:.1f} s)\n",
        style="bold",
    )
    text.append(f"  outer {tuning.metric} {_score(outer.mean)} — the honest estimate\n")
    text.append(
        f"  inner best, mean over outer folds {_score(tuning.inner_mean)} — "
        "optimistic: chosen on the same rows it is scored on\n"
    )
    text.append(
        f"  optimism gap {tuning.optimism:+.4f}", style="yellow" if tuning.optimism > 0.02 else ""
    )
    table = Table(box=output.table_box, pad_edge=False)
    table.add_column("outer fold", justify="right")
    table.add_column("inner best", justify="right")
    table.add_column("outer", justify="right")
    table.add_column("chosen parameters", overflow="fold")
    for fold in model.folds:
        table.add_row(
            str(fold.index + 1),
            _score(fold.inner_score),
            _score(fold.test_scores.get(tuning.metric)),
            fmt_params(fold.best_params),
        )
    return Group(text, table)
