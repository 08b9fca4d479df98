"""Local processes against a Dask cluster of two local workers, on a nested-CV search.

Run from the repository root:  python bench/cluster.py [--trials 6]

It evaluates the shipped tuned recipe (recipes/credit_tuned.yaml: logistic regression and
LightGBM, Bayesian search, 5 outer × 3 inner folds) on sample_data/credit.csv — every
model's nested cross-validation, the bulk of ``mlwb fit`` — once with joblib's local
processes (n_jobs=2) and once on a Dask ``LocalCluster`` of two single-threaded worker
processes started by mlwb (execution.backend: dask, workers: 2), and prints each wall time,
the overhead ratio and the fits per second. Starting the cluster (about two seconds) is
timed apart; joblib's local processes are started by a warm-up run first, so neither side
pays for starting its workers. The scores of both runs must be identical: the seed
decides, not the backend.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from mlwb.cluster import Execution
from mlwb.data import load_dataset
from mlwb.parallel import use_execution
from mlwb.plan import plan_run
from mlwb.recipe import load_recipe
from mlwb.workflows.cross_validation import evaluate_models

ROOT = Path(__file__).resolve().parent.parent


def run(execution: Execution, trials: int) -> tuple[float, float, int, dict[str, float]]:
    """(seconds to start the backend, seconds to evaluate, fits, roc_auc per model)."""
    recipe = load_recipe(
        ROOT / "recipes" / "credit_tuned.yaml", [f"search.trials={trials}", "n_jobs=2"]
    )
    dataset = load_dataset(ROOT / "sample_data" / "credit.csv", recipe)
    started = time.perf_counter()
    with use_execution(execution, recipe.n_jobs):
        ready = time.perf_counter()
        plan = plan_run(recipe, dataset)
        evaluation = evaluate_models(plan)
        done = time.perf_counter()
    results = evaluation.results
    fits = sum(r.tuning.fits if r.tuning else len(r.folds) for r in results)
    return ready - started, done - ready, fits, {r.name: r.score("roc_auc") for r in results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=6, help="trials per search")
    args = parser.parse_args()
    run(Execution("local"), 1)  # warm-up: joblib's reusable worker processes
    _, local, fits, scores = run(Execution("local"), args.trials)
    start, dask, dask_fits, dask_scores = run(Execution("dask", workers=2), args.trials)
    assert scores == dask_scores, f"scores differ: local {scores}, dask {dask_scores}"
    assert fits == dask_fits
    shown = ", ".join(f"{name} {score:.4f}" for name, score in scores.items())
    print(
        f"credit_tuned.yaml, bayes {args.trials} trials, 5 outer x 3 inner folds, {fits} fits; "
        f"roc_auc {shown} (identical on both backends)"
    )
    print(f"local processes (n_jobs=2): {local:6.1f} s  ({fits / local:.1f} fits/s)")
    print(
        f"dask, 2 local workers:      {dask:6.1f} s  ({fits / dask:.1f} fits/s; "
        f"cluster start {start:.1f} s more)"
    )
    print(f"overhead ratio dask / local: {dask / local:.2f}x")


if __name__ == "__main__":
    main()
