"""``mlwb compare``: models of a recipe on identical folds, or earlier runs side by side.

``RECIPE DATA``: the same plan as ``mlwb fit`` (same seed, same splits, nested when tuned),
so a model's row here is the row ``fit`` would print; no final model is refit unless asked
(``refit``). ``RUN RUN…``: the run folders read through the one run-folder reader, then
diffed and checked by ``mlwb.compare.rundiff``.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlwb.artifacts import RunFolder, check_output_dir, default_run_dir
from mlwb.artifacts.run_folder import read_run_folder
from mlwb.compare.gates import Gate
from mlwb.compare.leaderboard import CompareResult, build_leaderboard
from mlwb.compare.rundiff import MaxDrop, RunComparison, compare_runs, run_order, run_record
from mlwb.data.dataset import Dataset
from mlwb.documents import compare_document, compare_leaderboard_frame
from mlwb.events import EventSink, StageFinished, StageStarted, ignore_events
from mlwb.parallel import use_execution
from mlwb.plan._time import RunClock, TimeBudget
from mlwb.recipe.schema import Recipe
from mlwb.results import FinalFit
from mlwb.tasks import Task
from mlwb.workflows.final import fit_final
from mlwb.workflows.fit import (
    assemble_result,
    evaluate_stage,
    prepare_run,
    recipe_execution,
    write_run,
)

# Fast settings: a compare of the zoo on a few thousand rows takes about a minute.
_TREES = {"n_estimators": 100}
_NONLINEAR: dict[str, dict[str, Any]] = {
    "knn": {},
    "random_forest": _TREES,
    "extra_trees": _TREES,
    "hist_gradient_boosting": {},
    "lightgbm": _TREES,
    "xgboost": _TREES,
}
COMPARE_ZOO: dict[Task, dict[str, dict[str, Any]]] = {
    "binary": {"logistic_regression": {}, "gaussian_nb": {}, **_NONLINEAR},
    "regression": {"linear_regression": {}, "ridge": {}, **_NONLINEAR},
}
COMPARE_ZOO["multiclass"] = COMPARE_ZOO["binary"]
KNN_MAX_ROWS = 20_000  # beyond this, k-nearest neighbours is slow to predict: left out


def default_zoo(task: Task, dataset: Dataset) -> dict[str, dict[str, Any]]:
    """The models compare runs when the recipe names none."""
    zoo = dict(COMPARE_ZOO[task])
    if dataset.n_rows > KNN_MAX_ROWS:
        zoo.pop("knn")
    return zoo


def run_compare(
    recipe: Recipe,
    data_path: str | Path,
    out: Path | None = None,
    force: bool = False,
    events: EventSink = ignore_events,
    gates: tuple[Gate, ...] = (),
    refit: bool = False,
    started: float | None = None,
) -> CompareResult:
    """Evaluate, rank and test every model; write the run folder (a model only with
    ``refit``), with every parallel step where the recipe's ``execution:`` says; the time
    budget counts from ``started`` (``time.monotonic()``)."""
    started = time.monotonic() if started is None else started
    with use_execution(recipe_execution(recipe), recipe.n_jobs):
        return _run_compare(recipe, data_path, out, force, events, gates, refit, started)


def _run_compare(
    recipe: Recipe,
    data_path: str | Path,
    out: Path | None,
    force: bool,
    events: EventSink,
    gates: tuple[Gate, ...],
    refit: bool,
    started: float,
) -> CompareResult:
    target_dir = out or default_run_dir(f"{recipe.name or 'compare'}-compare")
    check_output_dir(target_dir, force)
    clock = RunClock(TimeBudget(None), started=started)
    plan = prepare_run(recipe, data_path, events, gates=gates, default_models=default_zoo)
    clock.budget = plan.budget
    evaluation = evaluate_stage(plan, events, clock)
    results, best = evaluation.results, evaluation.best
    final: FinalFit | None = None
    if refit:
        events(StageStarted("refit", best))
        started = time.perf_counter()
        final = fit_final(plan, best, events, evaluation, clock)
        events(StageFinished("refit", time.perf_counter() - started))
    fitted = assemble_result(plan, evaluation, final, target_dir, tuple(clock.cuts))
    compared = CompareResult(fitted, build_leaderboard(results, plan.primary, best))
    events(StageStarted("write", str(target_dir)))
    started = time.perf_counter()
    with RunFolder(target_dir, force) as folder:
        write_run(folder, plan, fitted, final, str(data_path), compare_document(compared))
        folder.write_csv("leaderboard.csv", compare_leaderboard_frame(compared))
    events(StageFinished("write", time.perf_counter() - started))
    return compared


def compare_run_folders(
    paths: Sequence[Path],
    baseline: Path | None = None,
    max_drops: Sequence[MaxDrop] = (),
    gates: Sequence[Gate] = (),
) -> RunComparison:
    """Read the run folders (the baseline first when it is not among them), diff them
    against the baseline, and check every gate and max-drop.

    A missing folder or an unreadable ``metrics.json`` is a ``DataError`` (exit 3) naming
    the path: a check is never passed because a run could not be read.
    """
    ordered = run_order(paths, baseline)
    records = [
        run_record(path, read_run_folder(path, with_diagnostics=False).metrics) for path in ordered
    ]
    base = ordered.index(baseline) if baseline is not None else 0
    return compare_runs(records, base, max_drops, gates)
