"""Cross-validation of one pipeline: per-fold train and validation scores, out-of-fold
predictions, timings, and the library warnings each fold raised.

This is what ``cross_validate`` does, written as a fold function so that each fold is
predicted once and every metric (and, later, every threshold) is computed from those
predictions; the folds themselves come from scikit-learn's splitters and the fitting from
``clone``/``fit``. Folds run in joblib processes when ``n_jobs`` allows.
"""

from __future__ import annotations

import dataclasses
import os
import time
import warnings
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.events import EventSink, StepDone, ignore_events
from mlwb.metrics import METRICS, MetricContext, Predictions, compute_metrics
from mlwb.parallel import run_parallel
from mlwb.results import FoldResult, OutOfFold
from mlwb.threshold import DecisionPlan, decision_checks, inner_pipeline

# Library warnings that say nothing the user can act on during cross-validation.
_QUIET_WARNINGS = (
    "Found unknown categories",
    "X does not have valid feature names",
    "is ill-defined and being set to 0.0",
)


@dataclass(frozen=True)
class Parallelism:
    """How ``n_jobs`` is spent: processes across folds × threads inside each model."""

    workers: int
    threads: int


def resolve_n_jobs(n_jobs: int) -> int:
    """``-1`` means every core this process may use."""
    if n_jobs > 0:
        return n_jobs
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def plan_parallelism(n_jobs: int, tasks: int) -> Parallelism:
    """Spread ``n_jobs`` over ``tasks`` parallel units so workers × threads ≤ n_jobs."""
    total = resolve_n_jobs(n_jobs)
    workers = max(1, min(total, tasks))
    return Parallelism(workers=workers, threads=max(1, total // workers))


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


def boosting_rounds(model: Any) -> int | None:
    """Rounds kept by early stopping in the model step (None when it did not stop early)."""
    pipeline = inner_pipeline(model)
    final = pipeline[-1] if hasattr(pipeline, "steps") else pipeline
    rounds = getattr(final, "best_iteration_", None)
    return int(rounds) if rounds is not None else None


def _n_features(model: Any) -> int | None:
    """Number of columns the final estimator saw (after preprocessing and selection)."""
    pipeline = inner_pipeline(model)
    final = pipeline[-1] if hasattr(pipeline, "steps") else pipeline
    count = getattr(final, "n_features_in_", None)
    return int(count) if count is not None else None


def _describe_warning(item: warnings.WarningMessage) -> str:
    message = str(item.message).strip().splitlines()[0]
    return f"{item.category.__name__}: {message[:160]}"


def fit_fold(
    pipeline: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    index: int,
    metrics: Sequence[str],
    context: MetricContext,
    threads: int = 1,
    decision: DecisionPlan | None = None,
) -> tuple[FoldResult, np.ndarray, np.ndarray | None]:
    """Fit a clone on ``train``, score it on both sides; return the fold and test output.

    ``decision`` wraps the pipeline in calibration and threshold tuning (fitted on the
    training rows only). OpenMP and BLAS pools (HistGradientBoosting, numpy) are capped at
    ``threads`` so that parallel folds never oversubscribe the machine.
    """
    from threadpoolctl import threadpool_limits

    model = decision.wrap(clone(pipeline)) if decision else clone(pipeline)
    with warnings.catch_warnings(record=True) as caught, threadpool_limits(limits=threads):
        warnings.simplefilter("always")
        started = time.perf_counter()
        model.fit(X.iloc[train], y[train])
        fitted = time.perf_counter()
        test_labels, test_proba = predict_scores(
            model, X.iloc[test], context.task, context.positive
        )
        predicted = time.perf_counter()
        train_labels, train_proba = predict_scores(
            model, X.iloc[train], context.task, context.positive
        )
        checks = (
            decision_checks(model, pipeline, decision, X, y, train, test, test_proba, context)
            if decision
            else {}
        )
    context = dataclasses.replace(context, n_features=_n_features(model))
    notes = tuple(
        dict.fromkeys(
            _describe_warning(w)
            for w in caught
            if not any(q in str(w.message) for q in _QUIET_WARNINGS)
        )
    )
    fold = FoldResult(
        index=index,
        train_rows=len(train),
        test_rows=len(test),
        train_scores=compute_metrics(
            metrics, as_predictions(y[train], train_labels, train_proba, context), context
        ),
        test_scores=compute_metrics(
            metrics, as_predictions(y[test], test_labels, test_proba, context), context
        ),
        fit_seconds=fitted - started,
        predict_seconds=predicted - fitted,
        warnings=notes,
        rounds=boosting_rounds(model),
        **checks,
    )
    return fold, test_labels, test_proba


FoldOutput = tuple[Any, ...]  # (FoldResult, test labels, test probabilities, *extras)


def run_folds(
    name: str,
    function: Callable[..., FoldOutput],
    jobs: Sequence[tuple[Any, ...]],
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    n_rows: int,
    task: str,
    workers: int = 1,
    events: EventSink = ignore_events,
    positive: int = 1,
) -> tuple[tuple[FoldResult, ...], OutOfFold, tuple[str, ...], list[tuple[Any, ...]]]:
    """Run ``function(*job)`` for every fold (in processes when ``workers`` > 1) and gather
    fold results, out-of-fold predictions, library warnings and any extra outputs.

    With repeated splits a row is predicted once per repeat: its out-of-fold probabilities
    (or values) are averaged.
    """
    outputs = run_parallel(function, jobs, workers)
    folds: list[FoldResult] = []
    extras: list[tuple[Any, ...]] = []
    oof_fold = np.full(n_rows, -1, dtype=np.int64)
    sums = np.zeros(n_rows)
    counts = np.zeros(n_rows)
    oof_labels = np.full(n_rows, np.nan)
    oof_scores: np.ndarray | None = None
    for (_, test), (fold, labels, proba, *rest) in zip(splits, outputs, strict=True):
        folds.append(fold)
        extras.append(tuple(rest))
        first = oof_fold[test] < 0
        oof_fold[test[first]] = fold.index
        counts[test] += 1
        if proba is not None:
            if oof_scores is None:
                oof_scores = np.zeros((n_rows, proba.shape[1]))
            oof_scores[test] += proba
        else:
            sums[test] += labels
        oof_labels[test] = labels
        events(StepDone(name, len(folds), len(splits), f"fold {fold.index + 1}"))
    seen = counts > 0
    if oof_scores is not None:
        oof_scores[seen] /= counts[seen, None]
        oof_scores[~seen] = np.nan
        repeated = counts > 1  # averaged over repeats: decide at the folds' mean threshold
        thresholds = [f.threshold for f in folds if f.threshold is not None]
        threshold = float(np.mean(thresholds)) if thresholds else None
        oof_labels[repeated] = labels_at(oof_scores[repeated], positive, threshold)
    elif task == "regression":
        oof_labels[seen] = sums[seen] / counts[seen]
    tally = Counter(w for f in folds for w in f.warnings)
    notes = tuple(f"{name}: {w} (in {c} of {len(folds)} folds)" for w, c in tally.items())
    labels_out = (
        oof_labels
        if task == "regression"
        else np.where(seen, np.nan_to_num(oof_labels), -1).astype(np.int64)
    )
    return tuple(folds), OutOfFold(oof_fold, labels_out, oof_scores), notes, extras


def cross_validate_pipeline(
    name: str,
    pipeline: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    metrics: Sequence[str],
    context: MetricContext,
    workers: int = 1,
    events: EventSink = ignore_events,
    threads: int = 1,
    decision: DecisionPlan | None = None,
) -> tuple[tuple[FoldResult, ...], OutOfFold, tuple[str, ...]]:
    """Evaluate ``pipeline`` on ``splits``: fold results, out-of-fold output, warnings."""
    jobs = [
        (pipeline, X, y, train, test, i, metrics, context, threads, decision)
        for i, (train, test) in enumerate(splits)
    ]
    folds, oof, notes, _ = run_folds(
        name, fit_fold, jobs, splits, len(y), context.task, workers, events, context.positive
    )
    return folds, oof, notes


def metric_directions(metrics: Sequence[str]) -> dict[str, bool]:
    """``{metric: greater_is_better}`` for ``metrics``."""
    return {m: METRICS[m].greater_is_better for m in metrics}
