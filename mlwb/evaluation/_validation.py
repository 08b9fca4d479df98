"""Cross-validation of one pipeline: per-fold train and validation scores, out-of-fold
predictions, timings, and the library warnings each fold raised.

This is what ``cross_validate`` does, on the one fold function (``fit_on_fold``) so that
each fold is predicted once and every metric (and every threshold) is computed from those
predictions; the folds themselves come from scikit-learn's splitters. Folds run in worker
processes through the parallel seam when ``n_jobs`` allows.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.evaluation._decision import DecisionPlan, decision_checks
from mlwb.evaluation._fold import fit_on_fold
from mlwb.evaluation._predict import as_predictions, boosting_rounds, labels_at, n_features
from mlwb.events import EventSink, StepDone, ignore_events
from mlwb.metrics import METRICS, MetricContext, compute_metrics
from mlwb.parallel import run_parallel
from mlwb.results import FoldResult, OutOfFold

# The training score (the "train" column and the gap) is computed on at most this many
# training rows, drawn with a fixed seed: predicting every training row of every fold costs
# as much as predicting the test rows again (on 40,000 rows, a tenth of the fit's time),
# while a gap is read against the folds' spread. Measured: on 32,000 training rows the
# 2,000-row figure was within 0.3 % of the full one, a quarter of the folds' spread.
TRAIN_SCORE_ROWS = 2_000


def train_score_rows(train: np.ndarray, index: int) -> np.ndarray:
    """The training rows a fold's training score is computed on: all of them, or a sorted
    sample of ``TRAIN_SCORE_ROWS`` (seeded by the fold's index) on large data."""
    if len(train) <= TRAIN_SCORE_ROWS:
        return train
    rng = np.random.default_rng(index)
    return np.sort(rng.choice(train, TRAIN_SCORE_ROWS, replace=False))


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
    """Fit ``pipeline`` on ``train``, score it on both sides; return the fold and its test
    output. ``decision`` wraps the pipeline in calibration and threshold tuning (fitted on
    the training rows only)."""
    estimator = decision.wrap(clone(pipeline)) if decision else pipeline
    scored = train_score_rows(train, index)
    fold = fit_on_fold(
        estimator,
        X,
        y,
        train,
        test,
        context.task,
        context.positive,
        threads,
        predict_train=scored,
        record_warnings=True,
    )
    checks: dict[str, Any] = {}
    notes = fold.notes
    if decision:
        checks, extra = decision_checks(
            fold.model, pipeline, decision, X, y, train, test, fold.test_proba, context, threads
        )
        notes = tuple(dict.fromkeys((*notes, *extra)))
    context = dataclasses.replace(context, n_features=n_features(fold.model))
    assert fold.train_labels is not None
    result = FoldResult(
        index=index,
        train_rows=len(train),
        test_rows=len(test),
        train_scores=compute_metrics(
            metrics,
            as_predictions(y[scored], fold.train_labels, fold.train_proba, context),
            context,
        ),
        test_scores=compute_metrics(
            metrics, as_predictions(y[test], fold.test_labels, fold.test_proba, context), context
        ),
        fit_seconds=fold.fit_seconds,
        predict_seconds=fold.predict_seconds,
        warnings=notes,
        rounds=boosting_rounds(fold.model),
        **checks,
    )
    return result, fold.test_labels, fold.test_proba


FoldOutput = tuple[Any, ...]  # (FoldResult, test labels, test probabilities, *extras)


@dataclass
class SideJob:
    """One more job for the folds' workers, run after the folds are handed out: it fills
    the worker that would otherwise sit idle in the last round (five folds on two
    workers). ``output`` holds its result once the folds are done."""

    function: Callable[..., Any]
    args: tuple[Any, ...]
    output: Any = None


def _call(function: Callable[..., Any], args: tuple[Any, ...]) -> Any:
    return function(*args)


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
    side: SideJob | None = None,
) -> tuple[tuple[FoldResult, ...], OutOfFold, tuple[str, ...], list[tuple[Any, ...]]]:
    """Run ``function(*job)`` for every fold (in processes when ``workers`` > 1) and gather
    fold results, out-of-fold predictions, library warnings and any extra outputs; run
    ``side`` in the same pool after them.

    With repeated splits a row is predicted once per repeat: its out-of-fold probabilities
    (or values) are averaged.
    """
    calls = [(function, job) for job in jobs] + ([(side.function, side.args)] if side else [])
    pending = run_parallel(_call, calls, workers)
    outputs = itertools.islice(pending, len(jobs))
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
    if side is not None:
        (side.output,) = list(pending)
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
    side: SideJob | None = None,
) -> tuple[tuple[FoldResult, ...], OutOfFold, tuple[str, ...]]:
    """Evaluate ``pipeline`` on ``splits``: fold results, out-of-fold output, warnings
    (and ``side`` run in the same pool)."""
    jobs = [
        (pipeline, X, y, train, test, i, metrics, context, threads, decision)
        for i, (train, test) in enumerate(splits)
    ]
    folds, oof, notes, _ = run_folds(
        name,
        fit_fold,
        jobs,
        splits,
        len(y),
        context.task,
        workers,
        events,
        context.positive,
        side,
    )
    return folds, oof, notes


def metric_directions(metrics: Sequence[str]) -> dict[str, bool]:
    """``{metric: greater_is_better}`` for ``metrics``."""
    return {m: METRICS[m].greater_is_better for m in metrics}
