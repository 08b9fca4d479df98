"""``mlwb compare … --md FILE``: the comparison as Markdown for a pull-request comment.

The first line is a stable ``<!-- mlwb:compare -->`` marker so a CI job can find and update
its previous comment; every table is followed by a blank line; the text stays under 60 000
characters (GitHub's comment limit is 65 536).
"""

from __future__ import annotations

import math

from mlwb.compare.leaderboard import CompareResult
from mlwb.compare.rundiff import RunComparison
from mlwb.metrics import METRICS
from mlwb.models.baseline import BASELINE
from mlwb.report.compare_view import fmt_p, versus_best
from mlwb.report.fit_view import fmt, fmt_signed, mean_std
from mlwb.report.markdown import render_markdown
from mlwb.report.sections import Section, Table

MARKER = "<!-- mlwb:compare -->"


def _checks(lines: list[tuple[bool, str]]) -> list[str]:
    return [f"{'✅' if passed else '❌'} {line}" for passed, line in lines]


def leaderboard_markdown(result: CompareResult) -> str:
    fitted, board = result.fit, result.leaderboard
    headers = ["rank", "model", f"{fitted.primary} ± std", "Δ best", "p (Holm)", "vs best"]
    others = [m for m in fitted.metrics if m != fitted.primary]
    headers += [*others, "fit s", "predict s"]
    rows = []
    for rank, name in enumerate(board.order, start=1):
        model = fitted.model(name)
        summary = model.summary[fitted.primary]
        item = board.significance.get(name)
        mark, _ = versus_best(board, name, plain=False)
        label = f"**{name}**" if name == board.best else name
        rows.append(
            [
                str(rank),
                f"{label} (baseline)" if name == BASELINE else label,
                mean_std(summary.mean, summary.std),
                "—" if item is None else fmt_signed(item.difference),
                "—" if item is None else fmt_p(item.p_holm),
                mark,
                *[fmt(model.summary[m].mean, 3) for m in others],
                f"{model.fit_seconds:.1f}",
                f"{model.predict_seconds:.2f}",
            ]
        )
    data = fitted.dataset
    blocks: list = [
        f"`{data.source}` — {data.rows} rows, {data.task}; validation: {fitted.validation}.",
        Table(headers, rows),
        f"Δ best and p: {board.method}; *tied*: not significantly worse than `{board.best}`.",
    ]
    if board.friedman is not None:
        test = board.friedman
        verdict = "the models differ" if test.p_value < board.alpha else "no evidence they differ"
        blocks.append(
            f"Friedman test across {len(test.models)} models over {test.folds} folds: "
            f"χ² = {test.statistic:.2f}, p = {fmt_p(test.p_value)} — {verdict}."
        )
    if fitted.gates:
        blocks.append(_checks([(g.passed, f"{g.gate} — {g.reason}") for g in fitted.gates]))
    return render_markdown(f"mlwb compare: {fitted.name}", [Section("Leaderboard", blocks)], MARKER)


def _delta_cell(metric: str, value: float | None, delta: float | None) -> str:
    if value is None:
        return "missing"
    if delta is None or math.isnan(delta):
        return fmt(value)
    arrow = ""
    if delta != 0 and metric in METRICS:
        arrow = " ▲" if (delta > 0) == METRICS[metric].greater_is_better else " ▼"
    return f"{fmt(value)} ({fmt_signed(delta)}{arrow})"


def run_comparison_markdown(comparison: RunComparison) -> str:
    headers = ["metric"] + [
        f"`{run.path}`" + (" (baseline)" if run.path == comparison.baseline else "")
        for run in comparison.runs
    ]
    rows = [
        [metric]
        + [
            _delta_cell(
                metric,
                run.scores.get(metric),
                comparison.deltas.get(run.path, {}).get(metric),
            )
            for run in comparison.runs
        ]
        for metric in comparison.metrics
    ]
    blocks: list = [
        Table(headers, rows),
        "Scores: " + "; ".join(f"`{r.path}`: {r.source}" for r in comparison.runs) + ".",
    ]
    checks = [(d.passed, f"{d.check} — {d.reason}") for d in comparison.drops]
    checks += [(g.passed, f"{g.gate} — {g.reason}") for _, g in comparison.gates]
    if checks:
        verdict = "all checks passed" if comparison.passed else "**a check failed**"
        blocks += [f"Checks: {verdict}.", _checks(checks)]
    if comparison.notices:
        blocks.append([f"note: {n}" for n in comparison.notices])
    return render_markdown("mlwb compare: runs", [Section("Runs", blocks)], MARKER)
