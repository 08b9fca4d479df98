"""Diagnostics of a run, computed by the core and returned as data (rendered in report/).

Everything here describes the best model (or, with ``learning_curve: all``, every model):
learning curve and bias–variance verdict, validation curve, confusion matrix and curves
from the out-of-fold predictions, residuals, and feature importance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from mlwb.diagnose.bounds import FitCosts, plan_diagnostics
from mlwb.diagnose.curves import (
    ClassificationCurves,
    LearningCurve,
    RegressionPoints,
    ValidationCurve,
    classification_curves,
    learning_curve_for,
    regression_points,
    validation_curve_for,
)
from mlwb.diagnose.importance import Importance, model_importance, permutation_importance_for
from mlwb.diagnose.verdict import Verdict, VerdictRuleValues, judge
from mlwb.evaluation import ParamRouter
from mlwb.events import EventSink, Notice, StageFinished, StageStarted, ignore_events
from mlwb.metrics import METRICS
from mlwb.models.baseline import BASELINE
from mlwb.plan import RunPlan
from mlwb.results import FinalFit, ModelResult


@dataclass(frozen=True)
class DiagnosticsResult:
    """All diagnostics of one run (``diagnostics.json``)."""

    model: str
    metric: str
    learning_curves: tuple[LearningCurve, ...] = ()
    validation_curve: ValidationCurve | None = None
    classification: ClassificationCurves | None = None
    regression: RegressionPoints | None = None
    permutation: Importance | None = None
    model_importance: Importance | None = None
    notes: tuple[str, ...] = ()  # what was scaled down or left out to fit the time


def _baseline(results: tuple[ModelResult, ...], metric: str) -> float:
    dummy = next((r for r in results if r.name == BASELINE), None)
    return dummy.score(metric) if dummy is not None else math.nan


def _configured(plan: RunPlan, name: str, final: FinalFit) -> Any:
    """The estimator a curve or importance refits: the final configuration for the best
    model, the planned pipeline (with the decision layer) for the others — without the
    threshold tuner when the primary metric reads probabilities only (it cannot change
    them, and it costs a cross-validation per fit)."""
    if name == final.name:
        estimator = final.configured
    else:
        model = plan.model(name)
        decide = plan.decision if plan.decision and model.spec.family != "dummy" else None
        estimator = decide.wrap(model.pipeline) if decide else model.pipeline
    if METRICS[plan.primary].needs != "labels" and hasattr(estimator, "thresholds"):
        return estimator.estimator
    return estimator


def run_diagnostics(
    plan: RunPlan,
    results: tuple[ModelResult, ...],
    best: str,
    final: FinalFit,
    events: EventSink = ignore_events,
    allowance: float | None = None,
) -> DiagnosticsResult:
    """Compute what ``plan.recipe.diagnostics`` asks for, the learning curve and the
    permutation importance within ``allowance`` seconds together (None: no bound; see
    ``bounds``), saying in notices what was scaled down or left out."""
    config = plan.recipe.diagnostics
    dataset = plan.dataset
    metric, context = plan.primary, plan.metric_context
    workers, threads, seed = plan.parallelism.workers, plan.parallelism.threads, plan.recipe.seed
    rule = VerdictRuleValues(
        config.verdict.max_gap, config.verdict.min_skill, config.verdict.rising
    )
    planned = {m.name for m in plan.models}
    names = (
        [r.name for r in results if r.name != BASELINE and (r.name in planned or r.name == best)]
        if config.learning_curve == "all"
        else [best]
    )
    bounded = plan_diagnostics(
        allowance,
        FitCosts.of(next(r for r in results if r.name == best)),
        len(names),
        dataset.X.shape[1],
        len(plan.splits),
        workers,
        bool(config.learning_curve),
        config.importance == "permutation",
    )
    for note in bounded.notes:
        events(Notice(note))
    curve_splits = plan.splits[: bounded.curve_folds] if bounded.curve_folds else plan.splits
    curves: list[LearningCurve] = []
    if bounded.curve_sizes is not None:
        for name in names:
            events(StageStarted("learning curve", name))
            curves.append(
                learning_curve_for(
                    name,
                    _configured(plan, name, final),
                    dataset.X,
                    dataset.y,
                    curve_splits,
                    metric,
                    context,
                    _baseline(results, metric),
                    rule,
                    workers,
                    seed,
                    events=events,
                    threads=threads,
                    sizes=bounded.curve_sizes,
                )
            )
    validation = None
    if config.validation_curve is not None:
        wanted = config.validation_curve
        model = plan.model(wanted.model)
        routed = next(iter(ParamRouter(model.pipeline)({wanted.param: None})))
        events(StageStarted("validation curve", f"{wanted.model}.{wanted.param}"))
        validation = validation_curve_for(
            wanted.model,
            model.pipeline,
            wanted.param,
            routed,
            wanted.values,
            dataset.X,
            dataset.y,
            plan.splits,
            metric,
            context,
            workers,
            threads,
        )
    chosen = next(r for r in results if r.name == best)
    classification = regression = None
    if plan.task == "regression":
        regression = regression_points(dataset.y, chosen.oof.labels, seed=seed)
    else:
        threshold = getattr(final.model, "threshold_", None) if plan.task == "binary" else None
        classification = classification_curves(
            dataset.y,
            chosen.oof.labels,
            chosen.oof.scores,
            dataset.target.classes,
            dataset.target.positive_index,
            threshold,
        )
    permutation = None
    if config.importance == "permutation" and bounded.permutation:
        events(StageStarted("importance", best))
        folds = bounded.importance_folds
        permutation = permutation_importance_for(
            _configured(plan, best, final),
            dataset.X,
            dataset.y,
            plan.splits[:folds] if folds else plan.splits,
            metric,
            context,
            workers,
            seed,
            threads,
            bounded.repeats,
            bounded.max_rows,
        )
    own = model_importance(final.model) if config.importance != "none" else None
    events(StageFinished("diagnose", 0.0))
    return DiagnosticsResult(
        best,
        metric,
        tuple(curves),
        validation,
        classification,
        regression,
        permutation,
        own,
        bounded.notes,
    )


__all__ = [
    "DiagnosticsResult",
    "Importance",
    "LearningCurve",
    "ValidationCurve",
    "Verdict",
    "judge",
    "run_diagnostics",
]
