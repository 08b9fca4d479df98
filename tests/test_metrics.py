"""The metric catalogue agrees with scikit-learn and handles undefined cases as NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from mlwb.errors import RecipeError
from mlwb.metrics import (
    DEFAULT_METRICS,
    METRICS,
    MetricContext,
    Predictions,
    better,
    check_metric_for_task,
    compute_metrics,
)

rng = np.random.default_rng(7)


def binary_case(positive: int = 1):
    y = rng.integers(0, 2, 200)
    p1 = np.clip(y * 0.3 + rng.uniform(0, 0.7, 200), 0, 1)
    scores = p1 if positive == 1 else 1 - p1
    labels = np.where(scores >= 0.5, positive, 1 - positive)
    return Predictions(y, labels, scores), MetricContext("binary", 2, positive)


def test_binary_metrics_agree_with_sklearn():
    p, ctx = binary_case()
    got = compute_metrics(
        [*DEFAULT_METRICS["binary"], "accuracy", "mcc", "log_loss", "specificity", "fbeta"],
        p,
        ctx,
    )
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(p.y_true, p.scores))
    assert got["average_precision"] == pytest.approx(
        skm.average_precision_score(p.y_true, p.scores)
    )
    assert got["f1"] == pytest.approx(skm.f1_score(p.y_true, p.labels))
    assert got["precision"] == pytest.approx(skm.precision_score(p.y_true, p.labels))
    assert got["recall"] == pytest.approx(skm.recall_score(p.y_true, p.labels))
    assert got["balanced_accuracy"] == pytest.approx(
        skm.balanced_accuracy_score(p.y_true, p.labels)
    )
    assert got["brier"] == pytest.approx(skm.brier_score_loss(p.y_true, p.scores))
    assert got["log_loss"] == pytest.approx(skm.log_loss(p.y_true, p.scores))
    assert got["mcc"] == pytest.approx(skm.matthews_corrcoef(p.y_true, p.labels))
    tn, fp, _, _ = skm.confusion_matrix(p.y_true, p.labels).ravel()
    assert got["specificity"] == pytest.approx(tn / (tn + fp))
    assert got["fbeta"] == pytest.approx(got["f1"])


def test_positive_class_zero_is_respected():
    """When the class of interest has code 0, precision/recall/AUC are about class 0."""
    p, ctx = binary_case(positive=0)
    got = compute_metrics(["roc_auc", "recall", "average_precision"], p, ctx)
    is_positive = p.y_true == 0
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(is_positive, p.scores))
    assert got["recall"] == pytest.approx(skm.recall_score(p.y_true, p.labels, pos_label=0))
    assert got["average_precision"] == pytest.approx(
        skm.average_precision_score(is_positive, p.scores)
    )


def test_multiclass_metrics_agree_with_sklearn():
    y = rng.integers(0, 3, 300)
    proba = rng.dirichlet([1, 1, 1], 300)
    proba[np.arange(300), y] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    labels = proba.argmax(axis=1)
    p, ctx = Predictions(y, labels, proba), MetricContext("multiclass", 3)
    got = compute_metrics(
        [
            "roc_auc",
            "f1_macro",
            "f1_weighted",
            "precision_micro",
            "log_loss",
            "brier",
            "accuracy",
            "f1",
        ],
        p,
        ctx,
    )
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert got["f1_macro"] == pytest.approx(skm.f1_score(y, labels, average="macro"))
    assert got["f1"] == got["f1_macro"]
    assert got["f1_weighted"] == pytest.approx(skm.f1_score(y, labels, average="weighted"))
    assert got["precision_micro"] == pytest.approx(skm.precision_score(y, labels, average="micro"))
    assert got["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    assert got["brier"] == pytest.approx(skm.brier_score_loss(y, proba))


def test_regression_metrics_agree_with_sklearn():
    y = rng.normal(10, 3, 100)
    pred = y + rng.normal(0, 1, 100)
    got = compute_metrics(
        ["rmse", "mae", "mse", "r2", "mape", "medae", "adjusted_r2"],
        Predictions(y, pred),
        MetricContext("regression", n_features=4),
    )
    assert got["rmse"] == pytest.approx(skm.root_mean_squared_error(y, pred))
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y, pred))
    assert got["r2"] == pytest.approx(skm.r2_score(y, pred))
    assert got["mape"] == pytest.approx(skm.mean_absolute_percentage_error(y, pred))
    r2 = got["r2"]
    assert got["adjusted_r2"] == pytest.approx(1 - (1 - r2) * 99 / (100 - 4 - 1))


def test_undefined_metrics_are_nan_not_errors():
    y = np.zeros(10, dtype=int)
    got = compute_metrics(
        ["roc_auc", "f1"], Predictions(y, y, np.full(10, 0.2)), MetricContext("binary")
    )
    assert math.isnan(got["roc_auc"])
    assert got["f1"] == 0.0


def test_directions_and_better():
    assert METRICS["roc_auc"].greater_is_better and not METRICS["brier"].greater_is_better
    assert better("rmse", 1.0, 2.0) and not better("r2", 0.1, 0.2)
    assert better("roc_auc", 0.6, math.nan) and not better("roc_auc", math.nan, 0.9)


def test_metric_task_checks_name_the_key():
    with pytest.raises(
        RecipeError, match=r"metrics\[0\]: metric 'rmse' does not apply to a binary"
    ):
        check_metric_for_task("rmse", "binary", "metrics[0]")
    with pytest.raises(RecipeError, match="did you mean roc_auc"):
        check_metric_for_task("rocauc", "binary", "metrics[0]")


def test_defaults_apply_to_their_task():
    for task, names in DEFAULT_METRICS.items():
        for name in names:
            assert task in METRICS[name].tasks
