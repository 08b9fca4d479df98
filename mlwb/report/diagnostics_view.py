"""Console rendering of ``diagnostics.json``: the learning-curve chart and verdict, the
validation curve, the confusion matrix and the top importances."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text

from mlwb.report.console import Output
from mlwb.report.textchart import Series, line_chart

CHART_WIDTH = 78
TRAIN_MARK, VALID_MARK = "●", "○"


def _chart_text(rows: list[tuple[str, str]], output: Output) -> Text:
    text = Text()
    for line, style in rows:
        piece = Text(line + "\n", style=style)
        if not output.plain:
            piece.highlight_regex(TRAIN_MARK, "cyan")
            piece.highlight_regex(VALID_MARK, "magenta")
        text.append_text(piece)
    text.rstrip()
    return text


def learning_curve_view(curve: dict[str, Any], output: Output) -> Group:
    """The chart (train and validation against rows), the verdict and its remedies."""
    metric = curve["metric"]
    rows = line_chart(
        curve["sizes"],
        [
            Series("train", TRAIN_MARK, curve["train_mean"]),
            Series("validation", VALID_MARK, curve["valid_mean"]),
        ],
        width=CHART_WIDTH,
        x_label="training rows",
        y_label=metric,
    )
    verdict = curve["verdict"]
    heading = Text(f"learning curve — {curve['model']}", style="bold")
    spread = ", ".join(f"{s:.3f}" for s in curve["valid_std"][-1:])
    summary = Text(
        f"validation {metric} ± std across folds at full size: "
        f"{curve['valid_mean'][-1]:.4f} ± {spread}",
        style="dim",
    )
    text = Text()
    style = "green" if verdict["kind"] == "good_fit" else "yellow"
    text.append("verdict: ", style="bold")
    text.append(verdict["headline"], style=f"bold {style}")
    text.append(f" — {verdict['evidence']}\n")
    for remedy in verdict["remedies"]:
        text.append(f"  • {remedy}\n")
    text.append(f"rule: {verdict['rule']}", style="dim")
    if curve.get("skipped"):
        sizes = ", ".join(map(str, curve["skipped"]))
        text.append(f"\nnot drawn: {sizes} training rows (a fold could not be fitted)", style="dim")
    return Group(heading, _chart_text(rows, output), summary, text)


def validation_curve_view(curve: dict[str, Any], output: Output) -> Group:
    values = curve["values"]
    numeric = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
    x = [
        math.log10(v)
        if numeric and min(values) > 0 and max(values) / min(values) > 50
        else (v if numeric else i)
        for i, v in enumerate(values)
    ]
    rows = line_chart(
        x,
        [
            Series("train", TRAIN_MARK, curve["train_mean"]),
            Series("validation", VALID_MARK, curve["valid_mean"]),
        ],
        width=CHART_WIDTH,
        x_label=f"{curve['param']} = " + ", ".join(str(v) for v in values),
        y_label=curve["metric"],
    )
    heading = Text(f"validation curve — {curve['model']}.{curve['param']}", style="bold")
    return Group(heading, _chart_text(rows, output))


def confusion_view(
    classification: dict[str, Any],
    output: Output,
    title: str = "confusion matrix (out-of-fold, rows: actual, columns: predicted",
) -> Group:
    classes = classification["classes"]
    matrix = classification["confusion"]
    threshold = classification.get("threshold")
    title += f", threshold {threshold:.3f})" if threshold is not None else ")"
    table = Table(box=output.table_box, pad_edge=False)
    table.add_column("actual \\ predicted")
    for name in classes:
        table.add_column(name, justify="right")
    for name, row in zip(classes, matrix, strict=True):
        total = sum(row) or 1
        table.add_row(name, *[f"{v} ({v / total:.0%})" for v in row])
    return Group(Text(title, style="bold"), table)


def importance_view(importance: dict[str, Any], top: int, output: Output) -> Group:
    metric = importance.get("metric")
    what = (
        f"permutation importance: {metric} lost when a column is shuffled"
        if importance["kind"] == "permutation"
        else f"importance — {importance['kind']}"
    )
    table = Table(box=output.table_box, pad_edge=False)
    table.add_column("feature", no_wrap=True)
    table.add_column("mean", justify="right")
    if importance["kind"] == "permutation":
        table.add_column("± std", justify="right")
    table.add_column("", no_wrap=True)
    shown = list(zip(importance["features"], importance["mean"], importance["std"], strict=True))[
        :top
    ]
    largest = max((abs(m) for _, m, _ in shown), default=1.0) or 1.0
    for feature, mean, std in shown:
        bar = "█" * max(0, round(20 * mean / largest)) if mean > 0 else ""
        cells = [feature, f"{mean:.4f}"]
        if importance["kind"] == "permutation":
            cells.append(f"{std:.4f}")
        table.add_row(*cells, Text(bar, style="cyan"))
    return Group(Text(what, style="bold"), table)


def render_diagnostics(diagnostics: dict[str, Any], output: Output, top: int = 10) -> None:
    """Print every diagnostic present in ``diagnostics`` (the ``diagnostics.json`` dict)."""
    console = output.out
    for curve in diagnostics.get("learning_curves") or []:
        console.print(learning_curve_view(curve, output), soft_wrap=False)
        console.print()
    if diagnostics.get("validation_curve"):
        console.print(validation_curve_view(diagnostics["validation_curve"], output))
        console.print()
    if diagnostics.get("classification"):
        console.print(confusion_view(diagnostics["classification"], output))
        console.print()
    for key in ("permutation", "model_importance"):
        if diagnostics.get(key):
            console.print(importance_view(diagnostics[key], top, output))
            console.print()
