"""Scoring one configuration on inner folds, and the same as a scikit-learn scorer."""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.evaluate import as_predictions, predict_scores
from mlwb.metrics import MetricContext, compute_metrics
from mlwb.parallel import run_parallel


def score_fold(
    pipeline: Any,
    settings: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    metric: str,
    context: MetricContext,
    threads: int = 1,
) -> float:
    """Fit a clone with ``settings`` on ``train``; the metric on ``test``."""
    from threadpoolctl import threadpool_limits

    model = clone(pipeline)
    if settings:
        model.set_params(**settings)
    with warnings.catch_warnings(), threadpool_limits(limits=threads):
        warnings.simplefilter("ignore")
        model.fit(X.iloc[train], y[train])
        labels, proba = predict_scores(model, X.iloc[test], context.task, context.positive)
    predictions = as_predictions(y[test], labels, proba, context)
    return compute_metrics([metric], predictions, context)[metric]


def score_folds(
    pipeline: Any,
    settings: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    metric: str,
    context: MetricContext,
    workers: int,
    threads: int,
) -> list[float]:
    """The metric on every inner fold (in processes when ``workers`` > 1)."""
    jobs = [
        (pipeline, settings, X, y, train, test, metric, context, threads) for train, test in splits
    ]
    return list(run_parallel(score_fold, jobs, workers))


class MetricScorer:
    """A scikit-learn scorer (``scorer(estimator, X, y)``) for any mlwb metric.

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
