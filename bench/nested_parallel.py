"""Speed-up of n_jobs=2 over n_jobs=1 on a nested-CV search, and fits per second.

Run from the repository root:  python bench/nested_parallel.py [--repeats 3]

It evaluates one tuned model (random forest, Bayesian search) with nested cross-validation
on the credit sample, in this process, once per setting and repeat, and prints the median
wall time of each setting, the speed-up, and how many model fits per second each achieved.
The numbers of both settings are checked to be identical (the seed decides, not n_jobs).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from mlwb.data import load_dataset
from mlwb.plan import plan_run
from mlwb.recipe import recipe_from_mapping
from mlwb.workflows.cross_validation import evaluate_model

ROOT = Path(__file__).resolve().parent.parent
RECIPE = {
    "name": "bench-nested",
    "target": "default",
    "columns": {"drop": ["customer_id"]},
    "search": {"strategy": "bayes", "trials": 10, "pruning": False},
    "validation": {"outer": {"folds": 4}, "inner": {"folds": 3}},
    "models": {
        "random_forest": {
            "n_estimators": 100,
            "max_depth": {"int": [2, 16]},
            "min_samples_leaf": {"int": [1, 20]},
        }
    },
}


def run(n_jobs: int) -> tuple[float, int, float]:
    recipe = recipe_from_mapping({**RECIPE, "n_jobs": n_jobs})
    dataset = load_dataset(ROOT / "sample_data" / "credit.csv", recipe)
    plan = plan_run(recipe, dataset)
    started = time.perf_counter()
    result = evaluate_model(plan, plan.model("random_forest"), lambda event: None)
    seconds = time.perf_counter() - started
    assert result.tuning is not None
    return seconds, result.tuning.fits, result.score("roc_auc")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    run(2)  # warm-up: imports, worker processes
    timings: dict[int, list[float]] = {1: [], 2: []}
    fits = {}
    scores = {}
    for _ in range(args.repeats):
        for jobs in (1, 2):
            seconds, fits[jobs], scores[jobs] = run(jobs)
            timings[jobs].append(seconds)
    assert scores[1] == scores[2], f"results differ with n_jobs: {scores}"
    one, two = statistics.median(timings[1]), statistics.median(timings[2])
    print(
        f"nested CV, random forest, bayes 10 trials, 4 outer x 3 inner folds, "
        f"{fits[1]} fits, roc_auc {scores[1]:.4f} (identical for both settings)"
    )
    print(f"n_jobs=1: {one:.2f} s median of {args.repeats}  ({fits[1] / one:.1f} fits/s)")
    print(f"n_jobs=2: {two:.2f} s median of {args.repeats}  ({fits[2] / two:.1f} fits/s)")
    print(f"speed-up n_jobs=2 / n_jobs=1: {one / two:.2f}x")


if __name__ == "__main__":
    main()
