"""Feature importance: permutation importance on held-out folds, and the model's own.

Permutation importance is measured on the columns of the file (the whole pipeline is
refit per outer fold and each column shuffled in that fold's held-out rows), in the units
of the primary metric: how much worse the score gets when the column carries no
information. The model's own importance (tree gains, absolute coefficients) is on the
encoded features the model sees, and is shown for contrast.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlwb.evaluation import MetricScorer, fit_on_fold, inner_pipeline
from mlwb.metrics import METRICS, MetricContext
from mlwb.parallel import run_parallel

REPEATS = 5


@dataclass(frozen=True)
class Importance:
    """Features, best first, with mean and std of their importance."""

    kind: str
    metric: str | None
    features: tuple[str, ...]
    mean: tuple[float, ...]
    std: tuple[float, ...]


def _fold_importance(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    scorer: MetricScorer,
    seed: int,
    context: MetricContext,
    threads: int = 1,
    repeats: int = REPEATS,
    max_rows: int | None = None,
) -> np.ndarray:
    """Fit on the fold's training rows (the fold function), then shuffle each column of
    its held-out rows ``REPEATS`` times (scikit-learn's ``permutation_importance``)."""
    from sklearn.inspection import permutation_importance

    fold = fit_on_fold(estimator, X, y, train, test, context.task, context.positive, threads)
    if max_rows is not None and len(test) > max_rows:
        test = np.sort(np.random.default_rng(seed).choice(test, max_rows, replace=False))
    result = permutation_importance(
        fold.model, X.iloc[test], y[test], scoring=scorer, n_repeats=repeats, random_state=seed
    )
    return np.asarray(result.importances)


def permutation_importance_for(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    metric: str,
    context: MetricContext,
    workers: int,
    seed: int,
    threads: int = 1,
    repeats: int = REPEATS,
    max_rows: int | None = None,
) -> Importance:
    """Score drop per shuffled column over every outer fold's held-out rows (``repeats``
    shuffles; at most ``max_rows`` of them per fold when given)."""
    scorer = MetricScorer(metric, context, METRICS[metric].greater_is_better)
    jobs = [
        (estimator, X, y, train, test, scorer, seed + i, context, threads, repeats, max_rows)
        for i, (train, test) in enumerate(splits)
    ]
    parts = list(run_parallel(_fold_importance, jobs, workers))
    drops = np.concatenate(parts, axis=1)  # features × (folds · repeats), sign-corrected
    mean, std = np.nanmean(drops, axis=1), np.nanstd(drops, axis=1)
    order = np.argsort(-mean, kind="stable")
    return Importance(
        "permutation",
        metric,
        tuple(str(X.columns[i]) for i in order),
        tuple(float(mean[i]) for i in order),
        tuple(float(std[i]) for i in order),
    )


def model_importance(final: Any) -> Importance | None:
    """The fitted model's own importance on its encoded features, when it has one."""
    pipeline = inner_pipeline(final)
    model = pipeline[-1] if hasattr(pipeline, "steps") else pipeline
    names = getattr(model, "feature_names_in_", None)
    try:
        values = getattr(model, "feature_importances_", None)
    except (AttributeError, ValueError):  # a property of a model that has none
        values = None
    kind = "model (gain / impurity)"
    if values is None and hasattr(model, "coef_"):
        coef = np.atleast_2d(np.asarray(model.coef_, dtype=float))
        values, kind = np.abs(coef).mean(axis=0), "model (|coefficient|, scaled features)"
    if values is None or names is None or len(values) != len(names):
        return None
    values = np.asarray(values, dtype=float)
    order = np.argsort(-values, kind="stable")
    return Importance(
        kind,
        None,
        tuple(str(names[i]) for i in order),
        tuple(float(values[i]) for i in order),
        tuple(0.0 for _ in order),
    )
