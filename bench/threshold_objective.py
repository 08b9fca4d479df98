"""Threshold tuning with mlwb's count-based F1 against scikit-learn's ``f1_score``.

Run from the repository root:  python bench/threshold_objective.py [--repeats 3]

TunedThresholdClassifierCV scores every candidate threshold (200) on every inner fold; with
scikit-learn's ``f1_score`` its input validation dominates the fit. This times one tuner
(logistic regression in mlwb's pipeline for the credit sample, 5 inner folds) with each
scorer, prints the median wall times and their ratio, and checks both chose the same
threshold.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import f1_score, make_scorer
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV

from mlwb.data import load_dataset
from mlwb.evaluation import fbeta
from mlwb.plan import plan_run
from mlwb.recipe import recipe_from_mapping

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    repeats = parser.parse_args().repeats
    recipe = recipe_from_mapping(
        {"target": "default", "models": {"logistic_regression": {}}, "n_jobs": 1}
    )
    plan = plan_run(recipe, load_dataset(ROOT / "sample_data" / "credit.csv", recipe))
    pipeline = plan.model("logistic_regression").pipeline
    X, y = plan.dataset.X, plan.dataset.y
    positive = plan.dataset.target.positive_index
    scorers = {
        "scikit-learn f1_score": make_scorer(f1_score, pos_label=positive, zero_division=0),
        "mlwb fbeta (counts)": make_scorer(fbeta, pos_label=positive),
    }
    times: dict[str, float] = {}
    chosen: dict[str, float] = {}
    for name, scorer in scorers.items():
        runs = []
        for _ in range(repeats):
            tuner = TunedThresholdClassifierCV(
                pipeline,
                scoring=scorer,
                thresholds=200,
                cv=StratifiedKFold(5, shuffle=True, random_state=0),
                random_state=0,
            )
            started = time.perf_counter()
            tuner.fit(X, y)
            runs.append(time.perf_counter() - started)
        times[name] = statistics.median(runs)
        chosen[name] = float(tuner.best_threshold_)
        print(f"{name:24s} {times[name]:6.2f} s  threshold {chosen[name]:.4f}")
    slow, fast = times.values()
    print(f"ratio: {slow / fast:.2f}x faster with the count-based objective")
    assert np.isclose(*chosen.values()), "the two scorers chose different thresholds"


if __name__ == "__main__":
    main()
