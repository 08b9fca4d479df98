"""Console rendering of a ``FitResult``: per-model metric tables and the best model."""

from __future__ import annotations

import math

from rich.table import Table
from rich.text import Text

from mlwb.metrics import METRICS
from mlwb.report.console import Output
from mlwb.report.plan_view import step_chain
from mlwb.results import FitResult, ModelResult


def fmt(value: float, digits: int = 4) -> str:
    """A score for display; NaN shows as ``n/a``."""
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def fmt_signed(value: float, digits: int = 4) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:+.{digits}f}"


def mean_std(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "n/a"
    return f"{mean:.4f} ± {std:.4f}" if not math.isnan(std) else f"{mean:.4f}"


def _header(result: FitResult) -> Text:
    data = result.dataset
    text = Text()
    text.append(result.name, style="bold")
    text.append(f" — {data.task} task on {data.source}: {data.rows} rows, target '{data.target}'")
    if data.positive is not None:
        count = data.class_counts.get(str(data.positive), 0)
        share = count / data.rows if data.rows else 0.0
        text.append(f" (positive '{data.positive}': {count} rows, {share:.1%})")
    elif data.classes:
        text.append(f" ({len(data.classes)} classes)")
    text.append(
        f"\nvalidation: {result.validation} · primary metric: {result.primary}", style="dim"
    )
    return text


def model_table(model: ModelResult, result: FitResult, output: Output) -> Table:
    """Metric | validation mean ± std | train mean | gap, for one model."""
    best = " (best)" if model.name == result.best else ""
    title = Text(f"{model.name}{best}", style="bold green" if best else "bold")
    title.append(f"  fit {model.fit_seconds:.1f} s", style="dim")
    if model.steps:
        title.append(f"\n{step_chain(model.steps)}", style="dim")
    table = Table(title=title, title_justify="left", box=output.table_box, pad_edge=False)
    table.add_column("metric")
    table.add_column("validation", justify="right")
    table.add_column("train", justify="right")
    table.add_column("gap", justify="right")
    for metric in result.metrics:
        summary = model.summary[metric]
        direction = "↑" if METRICS[metric].greater_is_better else "↓"
        name = f"{metric} {direction}" if not output.plain else metric
        style = "bold" if metric == result.primary else ""
        table.add_row(
            name,
            mean_std(summary.mean, summary.std),
            fmt(summary.train_mean),
            fmt_signed(summary.gap),
            style=style,
        )
    return table


def leaderboard_table(result: FitResult, output: Output) -> Table:
    """Models ranked on the primary metric."""
    ranked = sorted(
        result.models,
        key=lambda m: (
            math.isnan(m.score(result.primary)),
            -m.score(result.primary)
            if METRICS[result.primary].greater_is_better
            else m.score(result.primary),
        ),
    )
    table = Table(
        title=Text(f"leaderboard ({result.primary})", style="bold"),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
    )
    table.add_column("rank", justify="right")
    table.add_column("model")
    table.add_column(result.primary, justify="right")
    table.add_column("train", justify="right")
    table.add_column("fit s", justify="right")
    for rank, model in enumerate(ranked, start=1):
        summary = model.summary[result.primary]
        table.add_row(
            str(rank),
            model.name,
            mean_std(summary.mean, summary.std),
            fmt(summary.train_mean),
            f"{model.fit_seconds:.1f}",
            style="bold green" if model.name == result.best else "",
        )
    return table


def render_fit(result: FitResult, output: Output) -> None:
    """Print the fit results to stdout."""
    console = output.out
    console.print(_header(result))
    console.print()
    for model in result.models:
        console.print(model_table(model, result, output))
        console.print()
    if len(result.models) > 1:
        console.print(leaderboard_table(result, output))
        console.print()
    best = result.model(result.best).summary[result.primary]
    line = Text("best model: ", style="bold")
    line.append(result.best, style="bold green")
    line.append(f" — {result.primary} {mean_std(best.mean, best.std)}")
    if result.final is not None:
        line.append(f"; refit on all {result.dataset.rows} rows")
    console.print(line)
    final = result.final
    if final is not None and final.features:
        shown = ", ".join(final.features[:12]) + (" …" if len(final.features) > 12 else "")
        width = f" of {final.encoded_features} encoded" if final.encoded_features else ""
        console.print(
            Text(f"features into the model ({len(final.features)}{width}): {shown}", style="dim"),
            soft_wrap=True,
        )
    if result.run_dir:
        console.print(Text(f"run folder: {result.run_dir}", style="dim"))
