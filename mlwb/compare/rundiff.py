"""``mlwb compare RUN RUN …``: earlier runs side by side, with gates for CI.

Each run contributes the scores its own gates were checked on — the holdout scores when it
kept a holdout, else the cross-validation means of its best model — so a run diff and the
run's own gates agree on what "the score" is. Deltas are against the baseline run (the
first unless chosen). A gate that cannot be evaluated fails: an unreadable run is an error,
a metric a run lacks fails its gate, and a CI job never passes because nothing was checked.

The run folders are read by ``mlwb.artifacts.run_folder.read_run_folder`` (the one reader,
shared with ``mlwb report``); this module works on the documents it returns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlwb.compare.gates import Gate, GateResult, check_gates
from mlwb.errors import DataError, UsageError
from mlwb.metrics import METRICS
from mlwb.suggest import did_you_mean

_MAX_DROP = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)\s*$")


@dataclass(frozen=True)
class RunRecord:
    """What a run folder says about itself (from its ``metrics.json``)."""

    path: str
    name: str
    kind: str
    task: str
    best: str
    primary: str
    source: str
    scores: dict[str, float]
    data_sha256: str
    validation: str


@dataclass(frozen=True)
class MaxDrop:
    """``--max-drop roc_auc=0.01``: the most a metric may get worse than the baseline."""

    metric: str
    limit: float

    def __str__(self) -> str:
        return f"{self.metric} drop <= {self.limit:g}"


@dataclass(frozen=True)
class DropResult:
    """A max-drop check of one run against the baseline; ``drop`` is None when a score is
    missing (and then the check fails)."""

    check: MaxDrop
    run: str
    drop: float | None
    passed: bool

    @property
    def reason(self) -> str:
        if self.drop is None:
            return f"cannot be evaluated: {self.check.metric} missing in {self.run} or the baseline"
        verdict = "passed" if self.passed else "failed"
        return f"{verdict}: {self.check.metric} fell by {self.drop:.4f} in {self.run}"


@dataclass(frozen=True)
class RunComparison:
    """Runs side by side: scores, deltas against the baseline, and every check."""

    runs: tuple[RunRecord, ...]
    baseline: str
    metrics: tuple[str, ...]
    deltas: dict[str, dict[str, float | None]]
    drops: tuple[DropResult, ...]
    gates: tuple[tuple[str, GateResult], ...]
    notices: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return all(d.passed for d in self.drops) and all(g.passed for _, g in self.gates)


def parse_max_drop(texts: Sequence[str]) -> list[MaxDrop]:
    """``--max-drop METRIC=AMOUNT`` options, checked (a ``UsageError`` naming the option)."""
    checks = []
    for text in texts:
        match = _MAX_DROP.match(text)
        if not match:
            raise UsageError(
                f"--max-drop {text!r}: expected METRIC=AMOUNT", "e.g. --max-drop roc_auc=0.01"
            )
        metric = match.group(1)
        if metric not in METRICS:
            raise UsageError(
                f"--max-drop {text!r}: unknown metric '{metric}'{did_you_mean(metric, METRICS)}"
            )
        checks.append(MaxDrop(metric, float(match.group(2))))
    return checks


def _scores(document: Mapping[str, Any]) -> tuple[str, dict[str, float]]:
    best = document["best_model"]
    if document.get("holdout"):
        return f"holdout of {best}", {k: float(v) for k, v in document["holdout"].items()}
    summary = document["models"][best]["summary"]
    return (
        f"cross-validation mean of {best}",
        {m: float(s["mean"]) if s["mean"] is not None else math.nan for m, s in summary.items()},
    )


def run_record(path: Path, metrics: Mapping[str, Any]) -> RunRecord:
    """The record of the run folder at ``path`` from its ``metrics.json`` document (as the
    run-folder reader returns it); ``DataError`` (exit 3) when the document lacks a key a
    run's document has, or has it of the wrong type."""
    try:
        source, scores = _scores(metrics)
        return RunRecord(
            path=str(path),
            name=str(metrics.get("name") or path.name),
            kind=metrics["kind"],
            task=metrics["dataset"]["task"],
            best=metrics["best_model"],
            primary=metrics["primary_metric"],
            source=source,
            scores=scores,
            data_sha256=metrics["dataset"]["sha256"],
            validation=metrics.get("validation") or "",
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise DataError(
            f"{path / 'metrics.json'}: unreadable run record ({type(error).__name__}: {error})",
            "re-run mlwb fit to write it again",
        ) from error


def run_order(paths: Sequence[Path], baseline: Path | None = None) -> list[Path]:
    """The runs to compare, the baseline first when it is not among ``paths``; a
    ``UsageError`` when a folder is given twice (it would be diffed against itself)."""
    ordered = list(paths)
    if baseline is not None and baseline not in ordered:
        ordered.insert(0, baseline)
    seen: set[Path] = set()
    for path in ordered:
        if path.resolve() in seen:
            raise UsageError(f"{path}: the same run folder is given twice", "compare distinct runs")
        seen.add(path.resolve())
    return ordered


def _drop(metric: str, baseline: float | None, value: float | None) -> float | None:
    """How much worse ``value`` is than ``baseline`` (positive: worse), in metric units."""
    if baseline is None or value is None or math.isnan(baseline) or math.isnan(value):
        return None
    return baseline - value if METRICS[metric].greater_is_better else value - baseline


def _notices(runs: Sequence[RunRecord], base: RunRecord) -> list[str]:
    notices = []
    for run in runs:
        if run is base:
            continue
        if run.data_sha256 != base.data_sha256:
            notices.append(
                f"{run.path} was fitted on other data than {base.path} (sha256 differs): "
                "the scores are not measured on the same rows"
            )
        if run.validation != base.validation:
            notices.append(
                f"{run.path} was validated differently ({run.validation}) than {base.path} "
                f"({base.validation})"
            )
        if run.task != base.task:
            notices.append(f"{run.path} is a {run.task} run, {base.path} a {base.task} run")
    return notices


def compare_runs(
    runs: Sequence[RunRecord],
    baseline: int = 0,
    max_drops: Sequence[MaxDrop] = (),
    gates: Sequence[Gate] = (),
) -> RunComparison:
    """Diff the runs against ``runs[baseline]`` and check every gate.

    Gates apply to every run but the baseline (to the only run when there is one); max-drop
    checks compare every other run with the baseline.
    """
    base = runs[baseline]
    others = [r for r in runs if r is not base]
    metrics: list[str] = []
    for run in runs:
        metrics += [m for m in run.scores if m not in metrics]
    deltas = {
        run.path: {
            m: (run.scores[m] - base.scores[m]) if m in run.scores and m in base.scores else None
            for m in metrics
        }
        for run in others
    }
    drops = []
    for run in others:
        for check in max_drops:
            drop = _drop(check.metric, base.scores.get(check.metric), run.scores.get(check.metric))
            drops.append(
                DropResult(check, run.path, drop, drop is not None and drop <= check.limit)
            )
    gated = others or [base]
    checked = [
        (run.path, result)
        for run in gated
        for result in check_gates(gates, run.scores, f"{run.source}, {run.path}")
    ]
    return RunComparison(
        tuple(runs),
        base.path,
        tuple(metrics),
        deltas,
        tuple(drops),
        tuple(checked),
        tuple(_notices(runs, base)),
    )


def failure_message(comparison: RunComparison) -> str | None:
    """One line naming every failed check, or None when all passed."""
    failed = [f"{d.check} — {d.reason}" for d in comparison.drops if not d.passed]
    failed += [f"{g.gate} — {g.reason}" for _, g in comparison.gates if not g.passed]
    return "quality gate failed: " + "; ".join(failed) if failed else None
