"""Evaluating every planned model on the same outer folds (nested when tuned)."""

from __future__ import annotations

import dataclasses
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from sklearn.base import clone

from mlwb.errors import MlwbError, ModelFailed, RecipeError
from mlwb.evaluation import (
    SideJob,
    cross_validate_pipeline,
    decided_fold,
    decision_summary,
    metric_directions,
    nested_cross_validate,
    oof_thresholds,
    run_folds,
    tuning_summary,
)
from mlwb.events import EventSink, ModelFinished, ModelStarted, Notice, ignore_events
from mlwb.metrics import Predictions, better, compute_metrics
from mlwb.models.baseline import BASELINE
from mlwb.models.probe import library_reason
from mlwb.plan import ModelPlan, RunPlan
from mlwb.plan._time import RunClock
from mlwb.results import MetricSummary, ModelResult, OutOfFold, summarise
from mlwb.workflows.budgeted import BudgetedEvaluation, evaluate_budgeted
from mlwb.workflows.ensemble import ensemble_result, members_of


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


def evaluate_model(
    plan: RunPlan, model: ModelPlan, events: EventSink, side: SideJob | None = None
) -> ModelResult:
    """Cross-validate one model — nested cross-validation when it has a search space;
    ``side`` runs in the same pool as its folds (the final fit, when known ahead)."""
    dataset = plan.dataset
    workers, threads = plan.parallelism.workers, plan.parallelism.threads
    searches: tuple = ()
    decision = plan.decision if model.spec.family != "dummy" else None
    pipeline = model.pipeline
    if model.spec.family == "dummy":
        # The baseline's folds take milliseconds; in worker processes they would cost
        # shipping the data to each one. It ignores the features, so its folds skip
        # preparing them (the data is prepared already; the saved baseline keeps the step).
        workers = 1
        if "prepare" in getattr(pipeline, "named_steps", {}):
            pipeline = clone(pipeline).set_params(prepare="passthrough")
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
                pipeline,
                dataset.X,
                dataset.y,
                plan.splits,
                plan.metrics,
                plan.metric_context,
                workers,
                events,
                threads,
                decision,
                side,
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


@dataclass(frozen=True)
class Evaluation:
    """Every model's result (the ensemble's last when there is one), the best model, and
    what the final fit needs from a budgeted search and from the ensemble."""

    results: tuple[ModelResult, ...]
    best: str
    budgeted: BudgetedEvaluation | None = None
    ensemble_weights: dict[str, float] = field(default_factory=dict)

    def result(self, name: str) -> ModelResult:
        return next(r for r in self.results if r.name == name)


def evaluate_models(
    plan: RunPlan,
    events: EventSink = ignore_events,
    clock: RunClock | None = None,
    sides: Mapping[str, SideJob] | None = None,
) -> Evaluation:
    """Evaluate every planned model on the same outer folds (the budgeted search for the
    models it plans), add the greedy ensemble when asked, and pick the best. ``sides``:
    a job to run in the pool of a model's folds, by model."""
    clock = clock or RunClock(plan.budget)
    if plan.budget and not plan.budgeted_search:
        # the refit of a model not known yet: a fifth of the budget, with the diagnostics'
        # share and the report's time
        clock.reserve = 0.2 * (plan.budget.seconds or 0.0) + (plan.budget.diagnostics or 0.0)
    ordinary = [m for m in plan.models if m.portfolio is None]
    results = list(_evaluate_ordinary(plan, ordinary, events, clock, sides or {}))
    budgeted = None
    weights: dict[str, float] = {}
    if plan.budgeted_search:
        baseline = next((r for r in results if r.name == BASELINE), None)
        budgeted = evaluate_budgeted(plan, clock, baseline, events)
        results.extend(decide_on_oof(plan, r) for r in budgeted.results)
        weights = budgeted.ensemble_weights
    elif plan.ensemble:
        members = [r for r in results if r.name != BASELINE]
        if len(members) > 1:
            ensemble, weights = ensemble_result(plan, members_of(plan, members))
            results.append(decide_on_oof(plan, ensemble))
    final = tuple(results)
    return Evaluation(final, pick_best(final, plan.primary), budgeted, weights)


def decide_on_oof(plan: RunPlan, result: ModelResult) -> ModelResult:
    """A model decided on out-of-fold probabilities (the budgeted search's choices, the
    ensemble) with the plan's threshold objective: each fold at the threshold chosen on
    the other folds, scored and summarised again."""
    decide = plan.decision
    scores = result.oof.scores
    if decide is None or not decide.tunes_threshold or scores is None:
        return result
    y = plan.dataset.y
    chosen = oof_thresholds(decide, y, scores, plan.splits, plan.split_data.ordered)
    outputs = []
    for fold, (_, test), (threshold, score) in zip(result.folds, plan.splits, chosen, strict=True):
        proba = scores[test]
        decided, labels = decided_fold(
            fold, decide, y[test], proba, threshold, score, plan.metrics, plan.metric_context
        )
        outputs.append((decided, labels, proba))
    folds, oof, _, _ = run_folds(
        result.name,
        lambda k: outputs[k],
        [(k,) for k in range(len(outputs))],
        plan.splits,
        len(y),
        plan.task,
        1,
        positive=plan.metric_context.positive,
    )
    return dataclasses.replace(
        result,
        folds=folds,
        oof=oof,
        summary=summarise(folds, plan.metrics, metric_directions(plan.metrics)),
        decision=decision_summary(decide, folds),
    )


def _within_budget(plan: RunPlan, model: ModelPlan, clock: RunClock, left: int) -> ModelPlan:
    """A tuned model whose searches share what the budget leaves for the evaluation: each
    outer fold's search stops at its share of the time (Optuna's ``timeout``)."""
    if not clock.budget or model.tuning is None:
        return model
    workers = max(plan.parallelism.workers, 1)
    share = max(clock.evaluation_left(), 1.0) / max(left, 1)
    seconds = max(1.0, 0.9 * share * workers / max(len(plan.splits), 1))
    settings = model.tuning.settings
    if settings.timeout is not None and settings.timeout <= seconds:
        return model
    clock.cut(f"search of {model.name} limited to {seconds:.0f} s per outer fold by the budget")
    tuning = dataclasses.replace(
        model.tuning, settings=dataclasses.replace(settings, timeout=seconds)
    )
    return dataclasses.replace(model, tuning=tuning)


def _evaluate_ordinary(
    plan: RunPlan,
    models: list[ModelPlan],
    events: EventSink,
    clock: RunClock,
    sides: Mapping[str, SideJob],
) -> tuple[ModelResult, ...]:
    """The models evaluated one after another on the outer folds (nested when tuned); with
    a budget, a model not started before the evaluation's time is up is left out (at least
    one model besides the baseline always runs)."""
    results: list[ModelResult] = []
    for index, model in enumerate(models):
        evaluated = [r for r in results if r.name != BASELINE]
        if model.name != BASELINE and evaluated and clock.budget and clock.evaluation_left() <= 0:
            clock.cut(f"{model.name} skipped: budget")
            events(Notice(f"{model.name} skipped: budget"))
            continue
        events(ModelStarted(model.name, index + 1, len(models), len(plan.splits)))
        started = time.perf_counter()
        left = sum(m.name != BASELINE for m in models[index:])
        model = _within_budget(plan, model, clock, left)
        result = evaluate_model(plan, model, events, sides.get(model.name))
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
