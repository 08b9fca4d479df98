"""The decision layer of a classifier: probability calibration and the decision threshold.

Both are scikit-learn meta-estimators wrapped around the model's pipeline —
``CalibratedClassifierCV`` and ``TunedThresholdClassifierCV`` — so each learns from the
rows it is fitted on only: inside cross-validation, the training fold, through its own
inner folds; the fold being scored never influences the calibration or the threshold.

Threshold objectives are scorers evaluated at every candidate threshold on the inner
out-of-fold probabilities. A constrained objective (precision ≥ v while maximising recall,
or the reverse) scores a threshold that misses the constraint below zero, so a fitted
tuner whose ``best_score_`` is negative says "the constraint could not be met here".
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np
from sklearn.metrics import make_scorer

from mlwb.evaluation._fold import fit_on_fold
from mlwb.evaluation._predict import as_predictions, labels_at
from mlwb.metrics import compute_metrics
from mlwb.results import DecisionSummary, FoldResult

CONSTRAINED = ("min_precision", "min_recall")


def constrained_score(
    y_true: np.ndarray, y_pred: np.ndarray, *, pos_label: int, kind: str, value: float
) -> float:
    """Recall with precision ≥ value (``min_precision``), or precision with recall ≥ value
    (``min_recall``); a threshold missing the constraint scores (achieved − value) − 1 < 0."""
    tp = np.sum((y_pred == pos_label) & (y_true == pos_label))
    predicted = np.sum(y_pred == pos_label)
    actual = np.sum(y_true == pos_label)
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    constrained, optimised = (precision, recall) if kind == "min_precision" else (recall, precision)
    return float(optimised) if constrained >= value else float(constrained - value - 1.0)


def negative_cost(
    y_true: np.ndarray, y_pred: np.ndarray, *, pos_label: int, fp: float, fn: float
) -> float:
    """Minus the expected cost per row of the decisions (scikit-learn maximises scores)."""
    positive = y_true == pos_label
    decided = y_pred == pos_label
    false_pos = np.sum(decided & ~positive)
    false_neg = np.sum(~decided & positive)
    return -float(fp * false_pos + fn * false_neg) / len(y_true)


def _counts(y_true: np.ndarray, y_pred: np.ndarray, pos_label: int) -> tuple[int, ...]:
    """tn, fp, fn, tp with numpy alone: the objectives run at 200 thresholds per inner fold,
    where scikit-learn's input validation (milliseconds a call) dominated the whole fit."""
    actual = np.asarray(y_true) == pos_label
    decided = np.asarray(y_pred) == pos_label
    tp = int(np.count_nonzero(actual & decided))
    fp = int(np.count_nonzero(~actual & decided))
    fn = int(np.count_nonzero(actual & ~decided))
    return len(actual) - tp - fp - fn, fp, fn, tp


def fbeta(y_true: np.ndarray, y_pred: np.ndarray, *, pos_label: int, beta: float = 1.0) -> float:
    """F-beta of the positive class (0 when undefined), equal to scikit-learn's
    ``fbeta_score(..., zero_division=0)``."""
    _, fp, fn, tp = _counts(y_true, y_pred, pos_label)
    b2 = beta * beta
    denominator = (1 + b2) * tp + b2 * fn + fp
    return float((1 + b2) * tp / denominator) if denominator and tp else 0.0


def youden_j(y_true: np.ndarray, y_pred: np.ndarray, *, pos_label: int) -> float:
    """Sensitivity + specificity − 1."""
    tn, fp, fn, tp = _counts(y_true, y_pred, pos_label)
    sensitivity = tp / (tp + fn) if tp + fn else 0.0
    specificity = tn / (tn + fp) if tn + fp else 0.0
    return float(sensitivity + specificity - 1.0)


@dataclass(frozen=True)
class DecisionPlan:
    """Calibration and threshold tuning for one run's classifiers."""

    task: str
    objective: str = "none"
    beta: float = 1.0
    value: float | None = None
    cost_fp: float = 1.0
    cost_fn: float = 1.0
    positive: int = 1
    calibration: str = "none"
    folds: int = 5
    seed: int = 0
    time_ordered: bool = False

    @property
    def tunes_threshold(self) -> bool:
        return self.task == "binary" and self.objective != "none"

    @property
    def calibrates(self) -> bool:
        return self.task != "regression" and self.calibration != "none"

    def __bool__(self) -> bool:
        return self.tunes_threshold or self.calibrates

    def _cv(self) -> Any:
        from sklearn.model_selection import StratifiedKFold, TimeSeriesSplit

        if self.time_ordered:
            return TimeSeriesSplit(n_splits=self.folds)
        return StratifiedKFold(self.folds, shuffle=True, random_state=self.seed)

    def objective_function(self) -> Callable[[np.ndarray, np.ndarray], float]:
        """The objective on labels at one threshold: ``f(y_true, y_pred) -> score``."""
        p = self.positive
        if self.objective == "f1":
            return partial(fbeta, pos_label=p)
        if self.objective == "fbeta":
            return partial(fbeta, beta=self.beta, pos_label=p)
        if self.objective == "youden":
            return partial(youden_j, pos_label=p)
        if self.objective in CONSTRAINED:
            return partial(
                constrained_score, pos_label=p, kind=self.objective, value=float(self.value or 0.0)
            )
        if self.objective == "cost":
            return partial(negative_cost, pos_label=p, fp=self.cost_fp, fn=self.cost_fn)
        raise ValueError(f"unknown threshold objective {self.objective!r}")

    def scorer(self) -> Any:
        """The objective as a scikit-learn scorer (for ``TunedThresholdClassifierCV``)."""
        function = self.objective_function()
        return make_scorer(function.func, **function.keywords)

    def choose_threshold(self, y: np.ndarray, proba: np.ndarray) -> tuple[float, float]:
        """The threshold maximising the objective on given out-of-fold probabilities, and
        its score: the same 200 evenly spaced candidates and first-best rule as
        ``TunedThresholdClassifierCV``, for models whose out-of-fold probabilities already
        exist (the budgeted search's candidates and ensembles)."""
        positive = proba[:, self.positive]
        candidates = np.linspace(positive.min(), positive.max(), num=200)
        objective = self.objective_function()
        scores = [
            objective(y, np.where(positive >= t, self.positive, 1 - self.positive))
            for t in candidates
        ]
        best = int(np.argmax(scores))
        return float(candidates[best]), float(scores[best])

    def wrap(self, pipeline: Any) -> Any:
        """``pipeline`` inside calibration and threshold tuning, as the plan asks."""
        from sklearn.calibration import CalibratedClassifierCV
        from sklearn.model_selection import TunedThresholdClassifierCV

        estimator = pipeline
        if self.calibrates:
            estimator = CalibratedClassifierCV(estimator, method=self.calibration, cv=self._cv())
        if self.tunes_threshold:
            estimator = TunedThresholdClassifierCV(
                estimator,
                scoring=self.scorer(),
                response_method="predict_proba",
                thresholds=200,
                cv=self._cv(),
                refit=True,
                random_state=self.seed,
            )
        return estimator

    def describe(self, on_oof: bool = False) -> str:
        """One line for reports; ``on_oof``: the threshold of a model decided on
        out-of-fold probabilities (the budgeted search, the ensemble)."""
        parts = []
        if self.calibrates:
            parts.append(f"{self.calibration} calibration on {self.folds} inner folds")
        if self.tunes_threshold:
            what = {
                "f1": "F1",
                "fbeta": f"F{self.beta:g}",
                "youden": "Youden's J",
                "min_precision": f"recall with precision ≥ {self.value}",
                "min_recall": f"precision with recall ≥ {self.value}",
                "cost": f"minus the cost (FP {self.cost_fp:g}, FN {self.cost_fn:g})",
            }
            where = (
                "the other outer folds' out-of-fold probabilities"
                if on_oof
                else f"{self.folds} inner folds' out-of-fold probabilities"
            )
            parts.append(f"threshold maximising {what[self.objective]} on {where}")
        return "; ".join(parts)


def fitted_threshold(model: Any) -> float | None:
    """The decision threshold a fitted model applies (None: argmax / not binary)."""
    threshold = getattr(model, "best_threshold_", None)
    return float(threshold) if threshold is not None else None


def constraint_met(model: Any, plan: DecisionPlan) -> bool | None:
    """For a constrained objective: whether the fitted threshold meets the constraint."""
    if plan.objective not in CONSTRAINED:
        return None
    score = getattr(model, "best_score_", math.nan)
    return bool(score >= 0)


DEFAULT_CONTRAST = ("precision", "recall", "f1")
CALIBRATION_METRICS = ("brier", "log_loss")


def decision_checks(
    model: Any,
    pipeline: Any,
    plan: DecisionPlan,
    X: Any,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    proba: np.ndarray | None,
    context: Any,
    threads: int = 1,
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """What a fold reports about its decision layer: the threshold it chose, the contrast
    metrics at 0.5, whether a constraint was met, and the scores before calibration (from
    the same pipeline fitted without it on the same training rows); with the library
    warnings of that extra fit."""
    checks: dict[str, Any] = {}
    notes: tuple[str, ...] = ()
    if proba is None:
        return checks, notes
    tuned_labels = labels_at(proba, plan.positive, fitted_threshold(model))
    scored = as_predictions(y[test], tuned_labels, proba, context)
    if plan.tunes_threshold:
        checks["threshold"] = fitted_threshold(model)
        at_half = as_predictions(y[test], labels_at(proba, plan.positive, 0.5), proba, context)
        checks["at_default"] = compute_metrics(DEFAULT_CONTRAST, at_half, context)
        checks["at_threshold"] = compute_metrics(DEFAULT_CONTRAST, scored, context)
        checks["constraint_met"] = constraint_met(model, plan)
    if plan.calibrates:
        bare = fit_on_fold(
            pipeline,
            X,
            y,
            train,
            test,
            context.task,
            context.positive,
            threads,
            record_warnings=True,
        )
        notes = bare.notes
        checks["uncalibrated"] = compute_metrics(
            CALIBRATION_METRICS,
            as_predictions(y[test], bare.test_labels, bare.test_proba, context),
            context,
        )
        checks["calibrated"] = compute_metrics(CALIBRATION_METRICS, scored, context)
    return checks, notes


def decision_summary(plan: DecisionPlan, folds: Any) -> DecisionSummary:
    """Fold-level decision checks gathered for reports (see ``DecisionSummary``)."""

    def mean_of(dicts: list[dict[str, float]], names: tuple[str, ...]) -> dict[str, float]:
        return {n: float(np.nanmean([d[n] for d in dicts])) for n in names} if dicts else {}

    thresholds = tuple(f.threshold for f in folds if f.threshold is not None)
    defaults = [f.at_default for f in folds if f.at_default]
    tuned = [f.at_threshold for f in folds if f.at_threshold]
    before = [f.uncalibrated for f in folds if f.uncalibrated]
    after = [f.calibrated for f in folds if f.calibrated]
    return DecisionSummary(
        objective=plan.objective if plan.tunes_threshold else "none",
        calibration=plan.calibration if plan.calibrates else "none",
        thresholds=thresholds,
        at_threshold=mean_of(tuned, DEFAULT_CONTRAST) or None,
        at_default=mean_of(defaults, DEFAULT_CONTRAST) or None,
        unmet_folds=tuple(f.index + 1 for f in folds if f.constraint_met is False),
        before=mean_of(before, CALIBRATION_METRICS) or None,
        after=mean_of(after, CALIBRATION_METRICS) or None,
        description=plan.describe(),
    )


def oof_thresholds(
    plan: DecisionPlan,
    y: np.ndarray,
    scores: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    ordered: bool = False,
) -> list[tuple[float, float]]:
    """For each split, the threshold chosen on the *other* splits' out-of-fold
    probabilities (the earlier ones when time-ordered), with its score there — the
    decision layer of a model whose out-of-fold probabilities exist already (the budgeted
    search's choices, the greedy ensemble), cross-fitted like them: the rows a threshold
    is scored on never chose it. The first time-ordered split, without a past, keeps 0.5."""
    chosen = []
    for k, (_, test) in enumerate(splits):
        others = [t for j, (_, t) in enumerate(splits) if j != k and (not ordered or j < k)]
        rows = np.unique(np.concatenate(others)) if others else np.zeros(0, dtype=int)
        rows = rows[~np.isin(rows, test)]
        rows = rows[~np.isnan(scores[rows]).any(axis=1)]
        chosen.append(plan.choose_threshold(y[rows], scores[rows]) if len(rows) else (0.5, 0.0))
    return chosen


def decided_fold(
    fold: FoldResult,
    plan: DecisionPlan,
    y_test: np.ndarray,
    proba: np.ndarray,
    threshold: float,
    score: float,
    metrics: Sequence[str],
    context: Any,
) -> tuple[FoldResult, np.ndarray]:
    """``fold`` scored at ``threshold`` instead of 0.5, with the decision checks a tuned
    fold reports (the contrast at 0.5, whether a constraint was met), and its labels."""
    labels = labels_at(proba, plan.positive, threshold)
    scored = as_predictions(y_test, labels, proba, context)
    at_half = as_predictions(y_test, labels_at(proba, plan.positive, 0.5), proba, context)
    decided = dataclasses.replace(
        fold,
        test_scores=compute_metrics(metrics, scored, context),
        threshold=threshold,
        at_default=compute_metrics(DEFAULT_CONTRAST, at_half, context),
        at_threshold=compute_metrics(DEFAULT_CONTRAST, scored, context),
        constraint_met=(score >= 0) if plan.objective in CONSTRAINED else None,
    )
    return decided, labels
