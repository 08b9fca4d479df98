"""Curves and tables computed from cross-validation: learning and validation curves,
confusion matrix, ROC, precision–recall and reliability curves, residuals.

Learning and validation curves refit the model on the run's own outer folds (the points
scikit-learn's ``learning_curve`` and ``validation_curve`` would fit, each through the fold
function and the parallel seam); the others read the out-of-fold predictions the
evaluation already made, so they describe exactly the numbers reported.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlwb.diagnose.verdict import Verdict, VerdictRuleValues, judge
from mlwb.evaluation import as_predictions, fit_on_fold
from mlwb.events import EventSink, Notice, ignore_events
from mlwb.metrics import METRICS, MetricContext, compute_metrics
from mlwb.parallel import run_parallel
from mlwb.plan import LEARNING_SIZES

CURVE_POINTS = 60


@dataclass(frozen=True)
class LearningCurve:
    """Train and validation score (mean, std over folds) against training-set size."""

    model: str
    metric: str
    sizes: tuple[int, ...]
    train_mean: tuple[float, ...]
    train_std: tuple[float, ...]
    valid_mean: tuple[float, ...]
    valid_std: tuple[float, ...]
    baseline: float
    verdict: Verdict
    skipped: tuple[int, ...] = ()  # sizes where a fold could not be fitted (e.g. rare class)
    note: str = ""  # why, when fits failed: one line for the user


@dataclass(frozen=True)
class ValidationCurve:
    """Train and validation score against the values of one hyper-parameter."""

    model: str
    param: str
    metric: str
    values: tuple[Any, ...]
    train_mean: tuple[float, ...]
    valid_mean: tuple[float, ...]
    valid_std: tuple[float, ...]


@dataclass(frozen=True)
class ClassificationCurves:
    """Confusion matrix at the decision threshold; ROC, PR and reliability curves (binary)."""

    classes: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]
    threshold: float | None = None
    roc_fpr: tuple[float, ...] = ()
    roc_tpr: tuple[float, ...] = ()
    roc_point: tuple[float, float] | None = None
    pr_recall: tuple[float, ...] = ()
    pr_precision: tuple[float, ...] = ()
    pr_point: tuple[float, float] | None = None
    reliability_predicted: tuple[float, ...] = ()
    reliability_observed: tuple[float, ...] = ()


@dataclass(frozen=True)
class RegressionPoints:
    """Out-of-fold predictions against the truth (a sample when there are many rows)."""

    actual: tuple[float, ...]
    predicted: tuple[float, ...]


def _curve_point(
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    metric: str,
    context: MetricContext,
    threads: int,
    params: dict[str, Any] | None = None,
) -> tuple[float, float, str]:
    """One point of a curve: the metric on the training and the held-out rows of one fit
    (through the fold function), or NaN and the library's reason when the fit fails — at
    the smallest sizes a random subset can lack what a step needs."""
    try:
        fold = fit_on_fold(
            estimator,
            X,
            y,
            train,
            test,
            context.task,
            context.positive,
            threads,
            params,
            predict_train=True,
        )
    except Exception as error:  # noqa: BLE001 - a failed point is reported, not fatal
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return math.nan, math.nan, f"{type(error).__name__}: {text}"[:200]
    assert fold.train_labels is not None
    scores = [
        compute_metrics([metric], as_predictions(y[rows], labels, proba, context), context)[metric]
        for rows, labels, proba in (
            (train, fold.train_labels, fold.train_proba),
            (test, fold.test_labels, fold.test_proba),
        )
    ]
    return scores[0], scores[1], ""


def _curve_points(
    jobs: list[tuple[Any, ...]], folds: int, workers: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """Every point's train and held-out score as (points × folds) arrays, and the most
    common failure reason ("" when nothing failed)."""
    points = list(run_parallel(_curve_point, jobs, workers))
    train = np.array([p[0] for p in points], dtype=float).reshape(folds, -1).T
    valid = np.array([p[1] for p in points], dtype=float).reshape(folds, -1).T
    reasons = Counter(p[2] for p in points if p[2])
    return train, valid, reasons.most_common(1)[0][0] if reasons else ""


def _training_sizes(shares: np.ndarray, largest: int) -> np.ndarray:
    """Shares of the largest training fold as row counts (at least 1, each once), as
    scikit-learn's ``learning_curve`` counts them."""
    return np.unique(np.clip((shares * largest).astype(int), 1, largest))


def _thin(x: np.ndarray, y: np.ndarray) -> tuple[tuple[float, ...], tuple[float, ...]]:
    if len(x) > CURVE_POINTS * 4:
        keep = np.unique(np.linspace(0, len(x) - 1, CURVE_POINTS * 4).astype(int))
        x, y = x[keep], y[keep]
    return tuple(float(v) for v in x), tuple(float(v) for v in y)


def learning_curve_for(
    name: str,
    estimator: Any,
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    metric: str,
    context: MetricContext,
    baseline: float,
    rule: VerdictRuleValues,
    workers: int,
    seed: int,
    events: EventSink = ignore_events,
    threads: int = 1,
    sizes: Sequence[float] = LEARNING_SIZES,
) -> LearningCurve:
    """The learning curve on the run's outer folds, with the verdict: for each fold, the
    first *n* rows of a seeded shuffle of its training rows (scikit-learn's
    ``learning_curve`` with ``shuffle=True``), fitted through the fold function.

    At the smallest sizes a random subset can lack what a step needs (SMOTE's neighbours
    of the rarest class, a class at all): those fits fail, their points are left out, and
    one notice says how many and why — never the library's traceback.
    """
    from sklearn.utils import check_random_state

    spec = METRICS[metric]
    smallest = min(len(train) for train, _ in splits)
    low = min(1.0, max(sizes[0], _smallest_share(y, smallest, context.task)))
    shares = np.unique(np.r_[low, [size for size in sizes if size > low]])
    counts = _training_sizes(shares, len(splits[0][0]))
    rng = check_random_state(seed)
    jobs = []
    for train, test in splits:
        shuffled = rng.permutation(train)
        jobs.extend((estimator, X, y, shuffled[:n], test, metric, context, threads) for n in counts)
    train, valid, reason = _curve_points(jobs, len(splits), workers)
    # A size where any fold failed (a subset without enough rows of a class for the sampler
    # or the model) would average over different folds than its neighbours: drop it, say so.
    failed = np.isnan(train) | np.isnan(valid)
    complete = ~failed.any(axis=1)
    if not complete.any():
        complete[-1] = True
    skipped = tuple(int(c) for c in np.asarray(counts)[~complete])
    note = ""
    if failed.any():
        where = ", ".join(map(str, skipped)) or "the largest"
        because = f" ({reason})" if reason else ""
        note = (
            f"learning curve of {name}: {int(failed.sum())} of {failed.size} fits failed "
            f"at {where} training rows{because}; those points are left out"
        )
        events(Notice(note, "warning"))
    counts, train, valid = np.asarray(counts)[complete], train[complete], valid[complete]
    tm, vm = np.nanmean(train, axis=1), np.nanmean(valid, axis=1)
    verdict = judge(list(tm), list(vm), baseline, spec.best, rule)
    return LearningCurve(
        name,
        metric,
        tuple(int(c) for c in counts),
        tuple(map(float, tm)),
        tuple(map(float, np.nanstd(train, axis=1))),
        tuple(map(float, vm)),
        tuple(map(float, np.nanstd(valid, axis=1))),
        baseline,
        verdict,
        skipped,
        note,
    )


def _smallest_share(y: np.ndarray, smallest: int, task: str) -> float:
    """The smallest training share whose random subset can be expected to hold a few rows
    of every class (6 of the rarest), so small sizes do not fail for want of a class."""
    if task == "regression":
        return 10 / smallest
    _, counts = np.unique(y, return_counts=True)
    rarest = counts.min() / counts.sum()
    return max(6 / (rarest * smallest), 4 * len(counts) / smallest)


def validation_curve_for(
    name: str,
    estimator: Any,
    param: str,
    routed: str,
    values: Sequence[Any],
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    metric: str,
    context: MetricContext,
    workers: int,
    threads: int = 1,
) -> ValidationCurve:
    """The score over ``values`` of one parameter on the outer folds (scikit-learn's
    ``validation_curve``, through the fold function)."""
    jobs = [
        (estimator, X, y, train, test, metric, context, threads, {routed: value})
        for train, test in splits
        for value in values
    ]
    train, valid, _ = _curve_points(jobs, len(splits), workers)
    return ValidationCurve(
        name,
        param,
        metric,
        tuple(values),
        tuple(map(float, np.nanmean(train, axis=1))),
        tuple(map(float, np.nanmean(valid, axis=1))),
        tuple(map(float, np.nanstd(valid, axis=1))),
    )


def classification_curves(
    y: np.ndarray,
    labels: np.ndarray,
    scores: np.ndarray | None,
    classes: Sequence[Any],
    positive: int | None,
    threshold: float | None,
) -> ClassificationCurves:
    """Confusion matrix from the out-of-fold labels; curves from the probabilities."""
    from sklearn.calibration import calibration_curve
    from sklearn.metrics import confusion_matrix, precision_recall_curve, roc_curve

    known = labels >= 0
    matrix = confusion_matrix(y[known], labels[known], labels=list(range(len(classes))))
    names = tuple(str(c) for c in classes)
    result = ClassificationCurves(names, tuple(tuple(int(v) for v in row) for row in matrix))
    if scores is None or len(classes) != 2 or positive is None:
        return result
    p = scores[known, positive]
    truth = y[known] == positive
    cut = 0.5 if threshold is None else threshold
    fpr, tpr, _ = roc_curve(truth, p)
    precision, recall, _ = precision_recall_curve(truth, p)
    decided = p >= cut
    tp = float(np.sum(decided & truth))
    point_roc = (
        float(np.sum(decided & ~truth) / max(np.sum(~truth), 1)),
        tp / max(float(np.sum(truth)), 1.0),
    )
    point_pr = (tp / max(float(np.sum(truth)), 1.0), tp / max(float(np.sum(decided)), 1.0))
    observed, predicted = calibration_curve(truth, p, n_bins=10, strategy="quantile")
    roc_x, roc_y = _thin(fpr, tpr)
    pr_x, pr_y = _thin(recall[::-1], precision[::-1])
    return ClassificationCurves(
        names,
        result.confusion,
        cut,
        roc_x,
        roc_y,
        point_roc,
        pr_x,
        pr_y,
        point_pr,
        tuple(map(float, predicted)),
        tuple(map(float, observed)),
    )


def regression_points(
    y: np.ndarray, predicted: np.ndarray, limit: int = 2000, seed: int = 0
) -> RegressionPoints:
    """Actual against out-of-fold predicted values (at most ``limit`` rows, sampled)."""
    rows = np.arange(len(y))
    if len(rows) > limit:
        rows = np.sort(np.random.default_rng(seed).choice(rows, limit, replace=False))
    return RegressionPoints(tuple(map(float, y[rows])), tuple(map(float, predicted[rows])))
