"""The one fold function: fit an estimator on a fold's training rows, predict its test
rows (and, when asked, its training rows), and time both.

Cross-validation, the inner folds of a search, learning and validation curves, permutation
importance and the decision layer's before/after check all fit through this function, so
a fold is fitted one way everywhere: a fresh clone, the library threads capped (parallel
folds never oversubscribe the machine), and the library warnings either recorded as notes
or silenced.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.evaluation._predict import predict_scores

# Library warnings that say nothing the user can act on during cross-validation.
_QUIET_WARNINGS = (
    "Found unknown categories",
    "X does not have valid feature names",
    "is ill-defined and being set to 0.0",
)


@dataclass(frozen=True)
class FoldFit:
    """An estimator fitted on one fold, its predictions and timings.

    ``train_labels``/``train_proba`` are None unless training-row predictions were asked
    for; ``notes`` are the distinct library warnings raised (when recorded).
    """

    model: Any
    test_labels: np.ndarray
    test_proba: np.ndarray | None
    train_labels: np.ndarray | None
    train_proba: np.ndarray | None
    fit_seconds: float
    predict_seconds: float
    notes: tuple[str, ...] = ()


def _describe_warning(item: warnings.WarningMessage) -> str:
    message = str(item.message).strip().splitlines()[0]
    return f"{item.category.__name__}: {message[:160]}"


def _notes(caught: Sequence[warnings.WarningMessage]) -> tuple[str, ...]:
    return tuple(
        dict.fromkeys(
            _describe_warning(w)
            for w in caught
            if not any(q in str(w.message) for q in _QUIET_WARNINGS)
        )
    )


def fit_on_fold(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    task: str,
    positive: int = 1,
    threads: int = 1,
    params: dict[str, Any] | None = None,
    predict_train: bool | np.ndarray = False,
    record_warnings: bool = False,
) -> FoldFit:
    """Fit a clone of ``estimator`` (with ``params`` set) on rows ``train``, predict rows
    ``test`` (and ``train`` with ``predict_train``: ``True`` for every training row, or
    the training rows to predict, for a training score on a sample).

    OpenMP and BLAS pools (HistGradientBoosting, numpy) are capped at ``threads``; the
    model libraries' own thread counts are set by the catalogue from the same plan.
    """
    from threadpoolctl import threadpool_limits

    model = clone(estimator)
    if params:
        model.set_params(**params)
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=threads):
        warnings.simplefilter("always" if record_warnings else "ignore")
        started = time.perf_counter()
        model.fit(X.iloc[train], y[train])
        fitted = time.perf_counter()
        test_labels, test_proba = predict_scores(model, X.iloc[test], task, positive)
        predicted = time.perf_counter()
        scored = train if predict_train is True else predict_train
        train_labels, train_proba = (
            predict_scores(model, X.iloc[scored], task, positive)
            if predict_train is not False
            else (None, None)
        )
    return FoldFit(
        model,
        test_labels,
        test_proba,
        train_labels,
        train_proba,
        fitted - started,
        predicted - fitted,
        _notes(caught) if record_warnings else (),
    )


def fit_on_all_rows(
    estimator: Any,
    X: Any,
    y: np.ndarray,
    classes: tuple[Any, ...] | None,
    positive_index: int,
    threshold: float | None,
    threads: int,
) -> tuple[Any, float]:
    """The final fit: ``estimator`` fitted on every development row with ``threads``
    threads — a classifier (``classes`` given) inside ``DecodedClassifier``, which predicts
    the recipe's labels at ``threshold`` — and the seconds it took. Runs in the main
    process or, alongside the folds, in a worker (so it takes the data, not the plan)."""
    from threadpoolctl import threadpool_limits

    from mlwb.models.decoded import DecodedClassifier

    started = time.perf_counter()
    with threadpool_limits(limits=threads):
        if classes is None:
            final: Any = clone(estimator).fit(X, y)
        else:
            final = DecodedClassifier(
                estimator, classes, positive_index, threshold if threshold is not None else 0.5
            )
            final.fit(X, np.asarray(classes, dtype=object)[y])
    return final, time.perf_counter() - started
