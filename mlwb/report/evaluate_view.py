"""Console rendering of ``mlwb evaluate``: metrics on the external rows, confusion matrix."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text

from mlwb.metrics import METRICS
from mlwb.report.console import Output
from mlwb.report.decision_view import gates_block
from mlwb.report.diagnostics_view import confusion_view
from mlwb.report.fit_view import fmt
from mlwb.results import ExternalEvaluation


def render_evaluation(result: ExternalEvaluation, output: Output) -> None:
    """The metrics beside the cross-validated estimate, the confusion matrix (classifiers)
    and the gates the command checked."""
    console = output.out
    heading = Text(f"{result.model}", style="bold")
    heading.append(f" on {result.source}: {result.rows} rows, {result.task}")
    if result.threshold is not None:
        heading.append(f", decision threshold {result.threshold:.3f} (saved with the model)")
    console.print(heading, soft_wrap=True)
    table = Table(box=output.table_box, pad_edge=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("cross-validated", justify="right")
    for metric, value in result.metrics.items():
        direction = "" if output.plain else (" ↑" if METRICS[metric].greater_is_better else " ↓")
        cv = fmt(result.cv_score) if metric == result.primary and result.cv_score else ""
        table.add_row(
            f"{metric}{direction}",
            fmt(value),
            cv,
            style="bold" if metric == result.primary else "",
        )
    console.print(table)
    if result.confusion is not None:
        console.print(
            confusion_view(
                {
                    "classes": [str(c) for c in result.classes],
                    "confusion": result.confusion,
                    "threshold": result.threshold,
                },
                output,
                "confusion matrix (rows: actual, columns: predicted",
            )
        )
    block = gates_block(result.gates)
    if block is not None:
        console.print(block, soft_wrap=True)
