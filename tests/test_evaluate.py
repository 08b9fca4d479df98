"""Cross-validation: out-of-fold coverage, per-fold scores, warnings, parallelism, honesty."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import build_pipeline
from sklearn.model_selection import StratifiedKFold

from mlwb.data import dataset_from_table
from mlwb.data.reading import RawTable
from mlwb.evaluation import cross_validate_pipeline
from mlwb.events import EventLog, StepDone
from mlwb.metrics import MetricContext
from mlwb.parallel import plan_parallelism, resolve_n_jobs
from mlwb.recipe import recipe_from_mapping


def noise_dataset(n: int = 150, features: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n, features)), columns=[f"f{i}" for i in range(features)])
    frame["y"] = pd.Series(rng.choice(["a", "b"], n), dtype="str")
    recipe = recipe_from_mapping({"target": "y"})
    return recipe, dataset_from_table(RawTable(frame, "noise.csv", "0", "utf-8", ","), recipe)


def run(model: str, recipe, dataset, folds: int = 5, workers: int = 1, events=None, **params):
    pipeline = build_pipeline(model, recipe, dataset, **params)
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(dataset.X, dataset.y))
    context = MetricContext("binary", 2, dataset.target.positive_index)
    return splits, cross_validate_pipeline(
        model,
        pipeline,
        dataset.X,
        dataset.y,
        splits,
        ["roc_auc", "accuracy"],
        context,
        workers,
        events or (lambda e: None),
    )


def test_out_of_fold_predictions_cover_every_row_once():
    recipe, dataset = noise_dataset()
    splits, (folds, oof, _) = run("logistic_regression", recipe, dataset)
    assert len(folds) == 5
    for i, (train, test) in enumerate(splits):
        assert (oof.fold[test] == i).all()
        assert folds[i].train_rows == len(train) and folds[i].test_rows == len(test)
    assert (oof.fold >= 0).all()
    assert np.allclose(oof.scores.sum(axis=1), 1)
    assert set(np.unique(oof.labels)) <= {0, 1}


def test_scores_on_noise_are_at_chance_out_of_sample_but_not_in_sample():
    recipe, dataset = noise_dataset()
    _, (folds, _, _) = run("random_forest", recipe, dataset, n_estimators=50)
    test_auc = np.mean([f.test_scores["roc_auc"] for f in folds])
    train_auc = np.mean([f.train_scores["roc_auc"] for f in folds])
    assert abs(test_auc - 0.5) < 0.12
    assert train_auc > 0.95  # the forest memorises; only the validation score is honest


def test_progress_events_and_library_warnings_are_reported():
    recipe, dataset = noise_dataset()
    log = EventLog()
    _, (_, _, warnings) = run("logistic_regression", recipe, dataset, events=log, max_iter=1)
    steps = [e for e in log.events if isinstance(e, StepDone)]
    assert [s.done for s in steps] == [1, 2, 3, 4, 5]
    assert any("ConvergenceWarning" in w and "of 5 folds" in w for w in warnings)


def test_parallel_folds_give_the_same_numbers():
    recipe, dataset = noise_dataset()
    _, (serial, oof1, _) = run("lightgbm", recipe, dataset, n_estimators=20)
    _, (parallel, oof2, _) = run("lightgbm", recipe, dataset, workers=2, n_estimators=20)
    assert [f.test_scores for f in serial] == [f.test_scores for f in parallel]
    assert np.array_equal(oof1.scores, oof2.scores)


@pytest.mark.parametrize(("n_jobs", "tasks"), [(1, 5), (2, 5), (4, 2), (8, 3), (-1, 5)])
def test_parallelism_never_oversubscribes(n_jobs, tasks):
    plan = plan_parallelism(n_jobs, tasks)
    total = resolve_n_jobs(n_jobs)
    assert plan.workers * plan.threads <= total
    assert plan.workers <= tasks and plan.workers >= 1 and plan.threads >= 1


def test_the_training_score_uses_every_row_or_a_fixed_sample_on_large_data():
    from mlwb.evaluation._validation import TRAIN_SCORE_ROWS, train_score_rows

    small = np.arange(0, 2 * TRAIN_SCORE_ROWS, 3)
    assert train_score_rows(small, 0) is small
    large = np.arange(3 * TRAIN_SCORE_ROWS) * 2
    sample = train_score_rows(large, 1)
    assert len(sample) == TRAIN_SCORE_ROWS and np.all(np.diff(sample) > 0)
    assert set(sample) <= set(large)
    assert np.array_equal(sample, train_score_rows(large, 1))  # the same seed, the same rows
    assert not np.array_equal(sample, train_score_rows(large, 2))
