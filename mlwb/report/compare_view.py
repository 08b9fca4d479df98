"""Console rendering of ``mlwb compare``: the leaderboard with significance, run diffs."""

from __future__ import annotations

import math

from rich.table import Table
from rich.text import Text

from mlwb.compare.leaderboard import CompareResult, Leaderboard
from mlwb.compare.rundiff import RunComparison
from mlwb.metrics import METRICS
from mlwb.models.baseline import BASELINE
from mlwb.report.console import Output
from mlwb.report.decision_view import gates_block
from mlwb.report.fit_view import HEADERS, fit_header, fmt, fmt_signed, mean_std


def fmt_p(value: float) -> str:
    if value is None or math.isnan(value):
        return "n/a"
    return "<0.001" if value < 0.001 else f"{value:.3f}"


def versus_best(board: Leaderboard, name: str, plain: bool) -> tuple[str, str]:
    """The mark of ``name`` against the best, and its style."""
    if name == board.best:
        return "best", "bold green"
    item = board.significance[name]
    if math.isnan(item.p_holm):
        return "untested", "dim"
    if item.tied:
        return ("tied" if plain else "≈ tied"), "green"
    return "worse", ""


def leaderboard_view(result: CompareResult, output: Output) -> Table:
    """Rank, model, primary mean ± std, difference and Holm p against the best, the mark,
    the other metrics, and fit / predict time over the outer folds."""
    fitted, board = result.fit, result.leaderboard
    table = Table(
        title=Text(
            f"leaderboard (ranked by {fitted.primary}; significance against {board.best})",
            style="bold",
        ),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
    )
    for header, justify in (
        ("rank", "right"),
        ("model", "left"),
        (f"{fitted.primary} ± std", "right"),
        ("Δ best", "right"),
        ("p (Holm)", "right"),
        ("vs best", "left"),
    ):
        table.add_column(header, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    room = (output.out.width - 112) // 9
    others = [m for m in fitted.metrics if m != fitted.primary][: max(room, 0)]
    for metric in others:
        table.add_column(HEADERS.get(metric, metric), justify="right", no_wrap=True)
    table.add_column("fit s", justify="right")
    table.add_column("pred s", justify="right")
    for rank, name in enumerate(board.order, start=1):
        model = fitted.model(name)
        summary = model.summary[fitted.primary]
        mark, style = versus_best(board, name, output.plain)
        item = board.significance.get(name)
        table.add_row(
            str(rank),
            f"{name} (baseline)" if name == BASELINE else name,
            mean_std(summary.mean, summary.std),
            "—" if item is None else fmt_signed(item.difference),
            "—" if item is None else fmt_p(item.p_holm),
            Text(mark, style=style),
            *[fmt(model.summary[m].mean, 3) for m in others],
            f"{model.fit_seconds:.1f}",
            f"{model.predict_seconds:.2f}",
            style="bold" if name == board.best else "",
        )
    return table


def friedman_line(board: Leaderboard) -> Text | None:
    test = board.friedman
    if test is None:
        return None
    differ = test.p_value < board.alpha
    text = Text("Friedman test ", style="bold")
    text.append(
        f"across {len(test.models)} models over {test.folds} folds: χ² = "
        f"{test.statistic:.2f}, p = {fmt_p(test.p_value)} — "
    )
    text.append(
        "the models differ" if differ else "no evidence that the models differ at all",
        style="bold" if differ else "yellow",
    )
    return text


def render_compare(result: CompareResult, output: Output) -> None:
    """Print the compare results to stdout."""
    console = output.out
    board = result.leaderboard
    console.print(fit_header(result.fit), soft_wrap=True)
    console.print()
    console.print(leaderboard_view(result, output))
    tied = [n for n, s in board.significance.items() if s.tied]
    note = Text(f"Δ best and p: {board.method}. ", style="dim")
    note.append(
        f"tied: not significantly worse than {board.best} — "
        + (", ".join(tied) if tied else "none"),
        style="dim",
    )
    console.print(note, soft_wrap=True)
    friedman = friedman_line(board)
    if friedman is not None:
        console.print(friedman, soft_wrap=True)
    gates = gates_block(result.fit.gates)
    if gates is not None:
        console.print(gates, soft_wrap=True)
    fitted = result.fit
    if fitted.final is not None:
        console.print(Text(f"refit {fitted.best} on all {fitted.dataset.rows} rows", style="dim"))
    if fitted.run_dir:
        console.print(Text(f"run folder: {fitted.run_dir}", style="dim"))


def _arrow(metric: str, delta: float | None, plain: bool) -> tuple[str, str]:
    if delta is None or math.isnan(delta) or delta == 0:
        return "", ""
    better = (delta > 0) == METRICS[metric].greater_is_better if metric in METRICS else None
    if better is None:
        return "", ""
    if plain:
        return (" better", "") if better else (" worse", "")
    return (" ▲", "green") if better else (" ▼", "red")


def run_comparison_view(comparison: RunComparison, output: Output) -> Table:
    """One row per metric, one column per run; other runs show the delta to the baseline."""
    table = Table(
        title=Text(f"runs compared (Δ against {comparison.baseline})", style="bold"),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
    )
    table.add_column("metric", no_wrap=True)
    for run in comparison.runs:
        label = f"{run.path}\n{run.best}"
        table.add_column(label, justify="right", no_wrap=True)
    for metric in comparison.metrics:
        cells: list[Text] = []
        for run in comparison.runs:
            value = run.scores.get(metric)
            if value is None:
                cells.append(Text("missing", style="red"))
                continue
            cell = Text(fmt(value))
            delta = comparison.deltas.get(run.path, {}).get(metric)
            if run.path != comparison.baseline and delta is not None:
                arrow, style = _arrow(metric, delta, output.plain)
                cell.append(f" ({fmt_signed(delta)}{arrow})", style=style)
            cells.append(cell)
        table.add_row(metric, *cells)
    return table


def checks_block(comparison: RunComparison) -> Text | None:
    """One line per max-drop check and gate: passed or failed, and why."""
    lines = [(d.passed, f"{d.check} — {d.reason}") for d in comparison.drops]
    lines += [(g.passed, f"{g.gate} — {g.reason}") for _, g in comparison.gates]
    if not lines:
        return None
    text = Text("checks\n", style="bold")
    for passed, line in lines:
        mark, style = ("✓", "green") if passed else ("✗", "bold red")
        text.append(f"  {mark} {line}\n", style=style)
    text.rstrip()
    return text


def render_run_comparison(comparison: RunComparison, output: Output) -> None:
    console = output.out
    console.print(run_comparison_view(comparison, output))
    sources = {run.path: run.source for run in comparison.runs}
    console.print(
        Text(
            "scores: " + "; ".join(f"{path}: {source}" for path, source in sources.items()),
            style="dim",
        ),
        soft_wrap=True,
    )
    checks = checks_block(comparison)
    if checks is not None:
        console.print(checks, soft_wrap=True)
