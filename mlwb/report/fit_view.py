"""Console rendering of a ``FitResult``: per-model metric tables and the best model."""

from __future__ import annotations

import math

from rich.console import Group
from rich.table import Table
from rich.text import Text

from mlwb.metrics import METRICS
from mlwb.models.baseline import BASELINE
from mlwb.report.console import Output
from mlwb.report.decision_view import decision_block, gates_block
from mlwb.report.plan_view import step_chain
from mlwb.report.tuning_view import fmt_params, tuning_block
from mlwb.results import EnsembleTest, FitResult, ModelResult


def fmt(value: float, digits: int = 4) -> str:
    """A score for display; NaN shows as ``n/a``."""
    return "n/a" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def fmt_signed(value: float, digits: int = 4) -> str:
    return "n/a" if value is None or math.isnan(value) else f"{value:+.{digits}f}"


def mean_std(mean: float, std: float) -> str:
    if math.isnan(mean):
        return "n/a"
    return f"{mean:.4f} ± {std:.4f}" if not math.isnan(std) else f"{mean:.4f}"


def fit_header(result: FitResult) -> Text:
    """The run's name, data, task, validation and primary metric."""
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
        f"\nvalidation: {result.validation}"
        + (f" · tuned on inner {result.inner}" if result.inner else "")
        + f" · primary metric: {result.primary}"
        + (f" · budget {result.budget:g} s" if result.budget is not None else ""),
        style="dim",
    )
    return text


def model_heading(model: ModelResult, result: FitResult) -> Text:
    """Name, role, fit time, pipeline chain and early-stopping rounds of one model."""
    role = " (best)" if model.name == result.best else ""
    if model.name == BASELINE:
        role = " (baseline: the floor to beat)"
    heading = Text(f"{model.name}{role}", style="bold green" if role == " (best)" else "bold")
    heading.append(f"  {model.total_seconds:.1f} s", style="dim")
    if model.steps:
        heading.append(f"\n{step_chain(model.steps)}", style="dim")
    if model.rounds:
        low, high = min(model.rounds), max(model.rounds)
        span = f"{low}" if low == high else f"{low}–{high}"
        heading.append(f"\nearly stopping kept {span} rounds", style="dim")
    return heading


def model_table(model: ModelResult, result: FitResult, output: Output) -> Group:
    """The heading, then metric | validation mean ± std | train mean | gap."""
    table = Table(box=output.table_box, pad_edge=False)
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
    return Group(model_heading(model, result), table)


DETAILED_MODELS = 4  # up to this many models, each gets its own metric table
HEADERS = {
    "average_precision": "pr_auc",
    "balanced_accuracy": "bal_acc",
    "precision": "prec",
    "log_loss": "logloss",
}


def ranked_models(result: FitResult) -> list[ModelResult]:
    """Models best first on the primary metric (NaN last)."""
    sign = -1.0 if METRICS[result.primary].greater_is_better else 1.0
    return sorted(
        result.models,
        key=lambda m: (math.isnan(m.score(result.primary)), sign * m.score(result.primary)),
    )


def leaderboard_table(result: FitResult, output: Output) -> Table:
    """Models ranked on the primary metric, one column per metric (validation means)."""
    table = Table(
        title=Text(f"leaderboard (ranked by {result.primary}, validation mean)", style="bold"),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
    )
    table.add_column("rank", justify="right")
    table.add_column("model", no_wrap=True)
    table.add_column(f"{result.primary} ± std", justify="right", no_wrap=True)
    tuned = any(m.tuning is not None for m in result.models)
    if tuned:
        table.add_column("inner", justify="right", no_wrap=True)
        table.add_column("optimism", justify="right", no_wrap=True)
    room = (output.out.width - 52 - (20 if tuned else 0)) // 10
    others = [m for m in result.metrics if m != result.primary][: max(room, 0)]
    for metric in others:
        table.add_column(HEADERS.get(metric, metric), justify="right", no_wrap=True)
    table.add_column("time s", justify="right")
    for rank, model in enumerate(ranked_models(result), start=1):
        summary = model.summary[result.primary]
        table.add_row(
            str(rank),
            f"{model.name} (baseline)" if model.name == BASELINE else model.name,
            mean_std(summary.mean, summary.std),
            *(
                [fmt(model.tuning.inner_mean), fmt_signed(model.tuning.optimism)]
                if tuned and model.tuning
                else ["—", "—"]
                if tuned
                else []
            ),
            *[fmt(model.summary[m].mean, 3) for m in others],
            f"{model.total_seconds:.1f}",
            style="bold green" if model.name == result.best else "",
        )
    return table


def ensemble_line(test: EnsembleTest) -> Text:
    """The ensemble's honest estimate against the best single model, and what was saved."""
    p = "n/a" if math.isnan(test.p_value) else f"{test.p_value:.3f}"
    alone = f"not saved: {test.against} alone is at least as good"
    verdict = "saved as the model" if test.saved else alone
    return Text(
        f"ensemble vs {test.against}: {test.metric} {fmt_signed(test.difference)} "
        f"(cross-fitted weights; corrected resampled t-test p = {p}); {verdict}",
        style="bold" if test.saved else "",
    )


def render_fit(result: FitResult, output: Output) -> None:
    """Print the fit results to stdout."""
    console = output.out
    console.print(fit_header(result), soft_wrap=True)
    console.print()
    detailed = (
        result.models if len(result.models) <= DETAILED_MODELS else [result.model(result.best)]
    )
    for model in detailed:
        console.print(model_table(model, result, output))
        console.print()
        for block in (decision_block(model), tuning_block(model, result, output)):
            if block is not None:
                console.print(block, soft_wrap=True)
                console.print()
    if len(result.models) > 1:
        console.print(leaderboard_table(result, output))
        console.print()
    if result.ensemble is not None:
        console.print(ensemble_line(result.ensemble), soft_wrap=True)
    best = result.model(result.best).summary[result.primary]
    line = Text("best model: ", style="bold")
    line.append(result.best, style="bold green")
    line.append(f" — {result.primary} {mean_std(best.mean, best.std)}")
    final = result.final
    if final is not None and final.inner_score is not None:
        line.append(
            f"; final search on all {result.dataset.rows} rows chose "
            f"{fmt_params(final.params)} (inner {final.inner_score:.4f}), refit"
        )
    elif final is not None:
        line.append(f"; refit on all {result.dataset.rows} rows")
    console.print(line, soft_wrap=True)
    if result.holdout:
        scores = ", ".join(f"{m} {fmt(v)}" for m, v in result.holdout.items())
        console.print(
            Text(
                f"holdout ({result.dataset.holdout_rows} rows kept back, scored once): {scores}",
                style="bold",
            ),
            soft_wrap=True,
        )
    if final is not None and final.features:
        shown = ", ".join(final.features[:12]) + (" …" if len(final.features) > 12 else "")
        width = f" of {final.encoded_features} encoded" if final.encoded_features else ""
        console.print(
            Text(f"features into the model ({len(final.features)}{width}): {shown}", style="dim"),
            soft_wrap=True,
        )
    gates = gates_block(result.gates)
    if gates is not None:
        console.print(gates, soft_wrap=True)
    if result.run_dir:
        console.print(Text(f"run folder: {result.run_dir}", style="dim"))
