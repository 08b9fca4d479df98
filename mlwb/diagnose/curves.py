"""Curves and tables computed from cross-validation: learning and validation curves,
confusion matrix, ROC, precision–recall and reliability curves, residuals.

Learning and validation curves refit the model (scikit-learn's ``learning_curve`` and
``validation_curve`` on the run's own outer folds); the others read the out-of-fold
predictions the evaluation already made, so they describe exactly the numbers reported.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlwb.diagnose.verdict import Verdict, VerdictRuleValues, judge
from mlwb.evaluation import MetricScorer
from mlwb.events import EventSink, Notice, ignore_events
from mlwb.metrics import METRICS, MetricContext

LEARNING_SIZES = (0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)
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

    def frame(self) -> pd.DataFrame:
        """One row per size (``learning_curve.csv``)."""
        return pd.DataFrame(
            {
                "model": self.model,
                "train_size": self.sizes,
                f"train_{self.metric}": self.train_mean,
                "train_std": self.train_std,
                f"validation_{self.metric}": self.valid_mean,
                "validation_std": self.valid_std,
            }
        )


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

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "model": self.model,
                self.param: [str(v) for v in self.values],
                f"train_{self.metric}": self.train_mean,
                f"validation_{self.metric}": self.valid_mean,
                "validation_std": self.valid_std,
            }
        )


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


# The exception line closing a traceback: "ValueError: Expected n_neighbors <= …".
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*(?:Error|Exception)\b.*?: .+$", re.MULTILINE)


def _failure_reason(caught: Sequence[warnings.WarningMessage]) -> str:
    """The last exception line of scikit-learn's ``FitFailedWarning`` (whose text is the
    failing fits' tracebacks), or "" when there is none."""
    from sklearn.exceptions import FitFailedWarning

    for item in caught:
        if issubclass(item.category, FitFailedWarning):
            lines = _EXCEPTION_LINE.findall(str(item.message))
            if lines:
                return lines[-1].strip()[:200]
    return ""


def _recording_fit_failures(call: Callable[[], Any]) -> tuple[Any, str]:
    """Run a scikit-learn curve function with ``error_score=nan``, keeping its
    ``FitFailedWarning`` (a traceback per failure, printed raw otherwise) as a reason;
    every other warning is passed on unchanged."""
    from sklearn.exceptions import FitFailedWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitFailedWarning)
        result = call()
    for item in caught:
        if not issubclass(item.category, FitFailedWarning):
            warnings.warn_explicit(item.message, item.category, item.filename, item.lineno)
    return result, _failure_reason(caught)


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
) -> LearningCurve:
    """scikit-learn's ``learning_curve`` on the run's outer folds, with the verdict.

    At the smallest sizes a random subset can lack what a step needs (SMOTE's neighbours
    of the rarest class, a class at all): those fits fail, their points are left out, and
    one notice says how many and why — never the library's traceback.
    """
    from sklearn.model_selection import learning_curve

    spec = METRICS[metric]
    scorer = MetricScorer(metric, context, spec.greater_is_better)
    smallest = min(len(train) for train, _ in splits)
    low = min(1.0, max(LEARNING_SIZES[0], _smallest_share(y, smallest, context.task)))
    sizes = np.unique(np.r_[low, [size for size in LEARNING_SIZES if size > low]])
    (counts, train, valid), reason = _recording_fit_failures(
        lambda: learning_curve(
            estimator,
            X,
            y,
            train_sizes=sizes,
            cv=list(splits),
            scoring=scorer,
            n_jobs=workers,
            shuffle=True,
            random_state=seed,
            error_score=np.nan,
        )
    )
    sign = 1.0 if spec.greater_is_better else -1.0
    train, valid = sign * np.asarray(train, float), sign * np.asarray(valid, float)
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
) -> ValidationCurve:
    """scikit-learn's ``validation_curve`` over ``values`` of one parameter."""
    from sklearn.model_selection import validation_curve

    spec = METRICS[metric]
    scorer = MetricScorer(metric, context, spec.greater_is_better)
    (train, valid), _ = _recording_fit_failures(
        lambda: validation_curve(
            estimator,
            X,
            y,
            param_name=routed,
            param_range=list(values),
            cv=list(splits),
            scoring=scorer,
            n_jobs=workers,
            error_score=np.nan,
        )
    )
    sign = 1.0 if spec.greater_is_better else -1.0
    train, valid = sign * np.asarray(train, float), sign * np.asarray(valid, float)
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
