"""Evaluating every planned model on the same outer folds (nested when tuned)."""

from __future__ import annotations

import re
import time

from mlwb.errors import MlwbError, ModelFailed, RecipeError
from mlwb.evaluation import (
    cross_validate_pipeline,
    decision_summary,
    metric_directions,
    nested_cross_validate,
    tuning_summary,
)
from mlwb.events import EventSink, ModelFinished, ModelStarted, Notice, ignore_events
from mlwb.metrics import Predictions, better, compute_metrics
from mlwb.models.baseline import BASELINE
from mlwb.models.probe import library_reason
from mlwb.plan import ModelPlan, RunPlan
from mlwb.results import MetricSummary, ModelResult, OutOfFold, summarise


def _names(param: str, text: str) -> bool:
    """True when a library message names ``param`` the way libraries do: quoted
    (scikit-learn ``'n_estimators'``, CatBoost ``"depth"``), in parentheses (LightGBM's
    ``Check failed: (num_leaves) > (1)``), after "Parameter" (XGBoost's ``value -2 for
    Parameter max_depth``), assigned (``C=``) or as the subject of "must"/"should"."""
    name = re.escape(param)
    pattern = (
        rf"""['"`(\[]{name}['"`)\]]|(?<![\w.]){name}\s*=|[Pp]arameter\s+{name}\b"""
        rf"|(?<![\w.]){name}\s+(?:must|should)\b"
    )
    return re.search(pattern, text) is not None


def translate_failure(model: ModelPlan, error: Exception) -> MlwbError:
    """A library error as an mlwb error: a recipe error when it names a parameter the
    recipe set, else a model failure naming the model.

    Most rejected values are found while planning (``models.probe``); what remains here
    are values only the real data shows to be wrong, and genuine failures.
    """
    text = library_reason(error)
    for param in model.params if isinstance(model.params, dict) else ():
        if _names(param, text):
            return RecipeError(
                f"models.{model.name}.{param}: rejected while fitting: {text}",
                "set a value the library accepts; its documentation gives the valid values",
            )
    return ModelFailed(f"{model.name} failed while fitting: {type(error).__name__}: {text}")


def _pooled(
    plan: RunPlan, oof: OutOfFold, summary: dict[str, MetricSummary]
) -> dict[str, MetricSummary]:
    """Leave-one-out folds hold one row: score the pooled out-of-fold predictions instead."""
    context = plan.metric_context
    scores = None
    if oof.scores is not None:
        scores = oof.scores[:, context.positive] if plan.task == "binary" else oof.scores
    pooled = compute_metrics(plan.metrics, Predictions(plan.dataset.y, oof.labels, scores), context)
    return {
        m: MetricSummary(pooled[m], float("nan"), s.train_mean, s.gap) for m, s in summary.items()
    }


def evaluate_model(plan: RunPlan, model: ModelPlan, events: EventSink) -> ModelResult:
    """Cross-validate one model — nested cross-validation when it has a search space."""
    dataset = plan.dataset
    workers, threads = plan.parallelism.workers, plan.parallelism.threads
    searches: tuple = ()
    decision = plan.decision if model.spec.family != "dummy" else None
    try:
        if model.tuning is not None:
            folds, oof, warnings, searches = nested_cross_validate(
                model.name,
                model.pipeline,
                model.tuning,
                dataset.X,
                dataset.y,
                plan.splits,
                plan.split_data,
                plan.metrics,
                plan.metric_context,
                workers,
                threads,
                events,
                decision,
            )
        else:
            folds, oof, warnings = cross_validate_pipeline(
                model.name,
                model.pipeline,
                dataset.X,
                dataset.y,
                plan.splits,
                plan.metrics,
                plan.metric_context,
                workers,
                events,
                threads,
                decision,
            )
    except (KeyboardInterrupt, MlwbError):
        raise
    except Exception as error:
        raise translate_failure(model, error) from error
    summary = summarise(folds, plan.metrics, metric_directions(plan.metrics))
    if plan.outer.method == "leave_one_out":
        summary = _pooled(plan, oof, summary)
    decided = decision_summary(decision, folds) if decision else None
    tuning = None
    if model.tuning is not None:
        tuning = tuning_summary(model.tuning, folds, summary[plan.primary].mean, searches)
    return ModelResult(
        name=model.name,
        params=model.params,
        preprocessing=model.preprocessing,
        folds=folds,
        summary=summary,
        oof=oof,
        warnings=warnings,
        steps=model.steps,
        tuning=tuning,
        trials=tuple(t for s in searches for t in s.trials),
        decision=decided,
    )


def evaluate_models(plan: RunPlan, events: EventSink = ignore_events) -> tuple[ModelResult, ...]:
    """Evaluate every planned model on the same outer folds."""
    results = []
    for index, model in enumerate(plan.models):
        events(ModelStarted(model.name, index + 1, len(plan.models), len(plan.splits)))
        started = time.perf_counter()
        result = evaluate_model(plan, model, events)
        for warning in result.warnings:
            events(Notice(warning, "warning"))
        unmet = result.decision.unmet_folds if result.decision else ()
        if unmet:
            events(
                Notice(
                    f"{model.name}: threshold.value could not be met on outer fold(s) "
                    f"{', '.join(map(str, unmet))}; the threshold there comes as close "
                    "as it can",
                    "warning",
                )
            )
        failed = result.tuning.failed if result.tuning else 0
        if failed:
            first = next(t.error for t in result.trials if t.error)
            events(
                Notice(
                    f"{model.name}: {failed} of {result.tuning.trials} trials failed and "
                    f"were skipped (first: {first})",
                    "warning",
                )
            )
        events(
            ModelFinished(
                model.name, plan.primary, result.score(plan.primary), time.perf_counter() - started
            )
        )
        results.append(result)
    return tuple(results)


def pick_best(results: tuple[ModelResult, ...], metric: str) -> str:
    """The model with the best validation mean on ``metric`` (first listed on ties).

    The baseline is the floor the others are measured against, never the pick, unless it
    is the only model.
    """
    candidates = [r for r in results if r.name != BASELINE] or list(results)
    best = candidates[0]
    for result in candidates[1:]:
        if better(metric, result.score(metric), best.score(metric)):
            best = result
    return best.name
