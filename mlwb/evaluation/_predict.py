"""Reading a fitted model: labels and probabilities, and what the model step kept.

Every fold, search, curve and saved-model evaluation turns a model's output into metric
inputs the same way: binary labels at the model's own tuned threshold (or the most probable
class), the positive class's probability column for binary metrics, the matrix otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from mlwb.metrics import MetricContext, Predictions, compute_metrics


def labels_at(proba: np.ndarray, positive: int, threshold: float | None) -> np.ndarray:
    """Class codes from probabilities: the positive class when its probability reaches the
    threshold (binary), the most probable class otherwise."""
    if threshold is None or proba.shape[1] != 2:
        return proba.argmax(axis=1)
    return np.where(proba[:, positive] >= threshold, positive, 1 - positive)


def predict_scores(
    model: Any, X: pd.DataFrame, task: str, positive: int = 1
) -> tuple[np.ndarray, np.ndarray | None]:
    """Labels (codes or values) and probability matrix (classification) for ``X``; a tuned
    decision threshold inside ``model`` decides binary labels."""
    if task == "regression":
        return np.asarray(model.predict(X), dtype=float), None
    proba = np.asarray(model.predict_proba(X), dtype=float)
    threshold = getattr(model, "best_threshold_", None)
    return labels_at(proba, positive, None if threshold is None else float(threshold)), proba


def as_predictions(
    y_true: np.ndarray, labels: np.ndarray, proba: np.ndarray | None, context: MetricContext
) -> Predictions:
    """Metric inputs: the positive-class column for binary tasks, the matrix otherwise."""
    if proba is None:
        return Predictions(y_true, labels, None)
    scores = proba[:, context.positive] if context.task == "binary" else proba
    return Predictions(y_true, labels, scores)


def inner_pipeline(fitted: Any) -> Any:
    """The fitted model pipeline inside the decision layer (and inside the label decoder):
    for feature names, rounds and importances."""
    model = getattr(fitted, "pipeline_", fitted)
    if hasattr(model, "best_threshold_"):
        model = model.estimator_
    calibrated = getattr(model, "calibrated_classifiers_", None)
    if calibrated:
        model = calibrated[0].estimator
    return model


def model_step(fitted: Any) -> Any:
    """The fitted estimator at the end of the pipeline (after preprocessing, selection)."""
    pipeline = inner_pipeline(fitted)
    return pipeline[-1] if hasattr(pipeline, "steps") else pipeline


def boosting_rounds(model: Any) -> int | None:
    """Rounds kept by early stopping in the model step (None when it did not stop early)."""
    rounds = getattr(model_step(model), "best_iteration_", None)
    return int(rounds) if rounds is not None else None


def n_features(model: Any) -> int | None:
    """Number of columns the final estimator saw (after preprocessing and selection)."""
    count = getattr(model_step(model), "n_features_in_", None)
    return int(count) if count is not None else None


class MetricScorer:
    """A scikit-learn scorer (``scorer(estimator, X, y)``) for any mlwb metric, for the
    library machinery that takes one (successive halving, permutation importance).

    scikit-learn maximises scores, so a lower-is-better metric is negated here and the sign
    is undone when results are read back.
    """

    def __init__(self, metric: str, context: MetricContext, greater_is_better: bool) -> None:
        self.metric = metric
        self.context = context
        self.sign = 1.0 if greater_is_better else -1.0

    def __call__(self, estimator: Any, X: pd.DataFrame, y: np.ndarray) -> float:
        labels, proba = predict_scores(estimator, X, self.context.task, self.context.positive)
        predictions = as_predictions(np.asarray(y), labels, proba, self.context)
        value = compute_metrics([self.metric], predictions, self.context)[self.metric]
        return self.sign * value if not math.isnan(value) else float("nan")
