"""The final model: the best configuration (searched again on all development rows when
the model is tuned), refit on those rows, and scored once on the holdout if there is one."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.base import clone

from mlwb.evaluation import (
    ParamRouter,
    SideJob,
    as_predictions,
    fit_on_all_rows,
    inner_pipeline,
    search_or_fail,
)
from mlwb.events import EventSink, ignore_events
from mlwb.metrics import compute_metrics
from mlwb.models.baseline import BASELINE
from mlwb.parallel import plan_parallelism, resolve_n_jobs
from mlwb.plan import ModelPlan, RunPlan
from mlwb.plan._models import with_threads
from mlwb.plan._time import REPORT_SECONDS, RunClock
from mlwb.results import FinalFit, ModelResult
from mlwb.search import SearchResult
from mlwb.workflows.cross_validation import Evaluation
from mlwb.workflows.ensemble import ENSEMBLE


def model_features(final: Any) -> tuple[int | None, tuple[str, ...]]:
    """Width of the encoded feature table, and the features the model itself receives
    (after selection) — read from the fitted pipeline (nothing for an ensemble, whose
    members each have their own)."""
    pipeline = inner_pipeline(final)
    if not hasattr(pipeline, "named_steps"):
        return None, ()
    encoded = None
    if "encode" in pipeline.named_steps:
        encoded = len(pipeline.named_steps["encode"].get_feature_names_out())
    model = pipeline[-1]
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(model, "feature_name_", None)
    return encoded, tuple(str(n) for n in names) if names is not None else ()


def _fold_rounds(result: ModelResult | None) -> float | None:
    """The boosting rounds early stopping kept in the outer folds, on average."""
    if result is None:
        return None
    rounds = [f.rounds for f in result.folds if f.rounds is not None]
    return float(np.mean(rounds)) if rounds else None


def refit_rounds(plan: RunPlan, model: ModelPlan, rounds: float | None) -> dict[str, Any]:
    """Recipe parameters that refit a boosting model on all rows without an early-stopping
    split: the rounds early stopping kept in cross-validation, scaled by the rows (a fold
    fit saw the training rows less the validation share; the final fit sees every row)."""
    if rounds is None or model.spec.rounds_param is None:
        return {}
    step = model.pipeline.named_steps["model"]
    fraction = float(getattr(step, "validation_fraction", 0.0) or 0.0)
    fitted = np.mean([len(train) for train, _ in plan.splits]) * (1.0 - fraction)
    scaled = max(1, round(rounds * plan.dataset.n_rows / max(fitted, 1.0)))
    return {model.spec.rounds_param: int(scaled), "early_stopping_rounds": None}


def _configure(pipeline: Any, params: dict[str, Any]) -> Any:
    return clone(pipeline).set_params(**ParamRouter(pipeline)(params)) if params else pipeline


def _member(
    plan: RunPlan,
    name: str,
    evaluation: Evaluation | None,
    events: EventSink,
    clock: RunClock | None = None,
) -> tuple[Any, SearchResult | None, int | None]:
    """One model's final configuration (searched again on all rows when tuned by nested
    cross-validation), without the decision layer, with its refit rounds."""
    model = plan.model(name)
    budgeted = evaluation.budgeted if evaluation is not None else None
    search = None
    if budgeted is not None and name in budgeted.best_params:
        params = dict(budgeted.best_params[name])
        rounds = refit_rounds(plan, model, budgeted.best_rounds.get(name))
    elif model.tuning is not None:
        inner_folds = model.tuning.inner.n_splits
        parallel = plan_parallelism(plan.recipe.n_jobs, inner_folds)
        tuning = model.tuning
        if clock is not None and clock.budget:
            # half of what is left before the diagnostics and the report
            left = clock.remaining() - (clock.budget.diagnostics or 0.0) - REPORT_SECONDS
            seconds = max(1.0, 0.5 * left)
            if tuning.settings.timeout is None or tuning.settings.timeout > seconds:
                clock.cut(f"final search of {name} limited to {seconds:.0f} s by the budget")
                settings = dataclasses.replace(tuning.settings, timeout=seconds)
                tuning = dataclasses.replace(tuning, settings=settings)
        search = search_or_fail(
            name,
            model.pipeline,
            tuning,
            plan.dataset.X,
            plan.dataset.y,
            plan.split_data,
            plan.metric_context,
            "final",
            0,
            parallel.workers,
            parallel.threads,
            events,
        )
        params = dict(search.best_params)
        result = evaluation.result(name) if evaluation is not None else None
        rounds = refit_rounds(plan, model, _fold_rounds(result))
    else:
        params = {}
        result = evaluation.result(name) if evaluation is not None else None
        rounds = refit_rounds(plan, model, _fold_rounds(result))
    pipeline = _configure(model.pipeline, {**params, **rounds})
    spec_param = model.spec.rounds_param
    return pipeline, search, (rounds.get(spec_param) if spec_param else None)


def _ensemble(
    plan: RunPlan, evaluation: Evaluation, events: EventSink, clock: RunClock | None = None
) -> tuple[Any, dict[str, int]]:
    """The weighted ensemble of its members' final configurations: scikit-learn's soft
    voting (a weighted average of probabilities, or of predictions for regression)."""
    from sklearn.ensemble import VotingClassifier, VotingRegressor

    members, weights, rounds = [], [], {}
    for name, weight in evaluation.ensemble_weights.items():
        pipeline, _, kept = _member(plan, name, evaluation, events, clock)
        members.append((name, pipeline))
        weights.append(weight)
        if kept is not None:
            rounds[name] = kept
    if plan.task == "regression":
        return VotingRegressor(members, weights=weights), rounds
    return VotingClassifier(members, voting="soft", weights=weights), rounds


def _oof_threshold(plan: RunPlan, evaluation: Evaluation, name: str) -> float | None:
    """For a model whose decision comes from out-of-fold probabilities (an ensemble, or a
    model of the budgeted search): the threshold best on all of them."""
    decide = plan.decision
    if decide is None or not decide.tunes_threshold:
        return None
    result = evaluation.result(name)
    scores = result.oof.scores
    if scores is None:
        return None
    seen = ~np.isnan(scores).any(axis=1)
    threshold, _ = decide.choose_threshold(plan.dataset.y[seen], scores[seen])
    return threshold


def _final_estimator(
    plan: RunPlan,
    name: str,
    evaluation: Evaluation | None,
    events: EventSink,
    clock: RunClock | None = None,
) -> tuple[Any, SearchResult | None, dict[str, int], float | None]:
    """The unfitted final estimator with its decision layer, the final search (when
    nested), the refit rounds by model, and a threshold chosen on out-of-fold predictions
    (when the decision is made that way)."""
    model = None if name == ENSEMBLE else plan.model(name)
    decide = (
        plan.decision if plan.decision and (model is None or model.spec.family != "dummy") else None
    )
    if name == ENSEMBLE:
        assert evaluation is not None
        estimator, rounds = _ensemble(plan, evaluation, events, clock)
        return estimator, None, rounds, _oof_threshold(plan, evaluation, name)
    decide = plan.decision if plan.decision and plan.model(name).spec.family != "dummy" else None
    pipeline, search, kept = _member(plan, name, evaluation, events, clock)
    rounds = {name: kept} if kept is not None else {}
    budgeted = evaluation.budgeted if evaluation is not None else None
    if budgeted is not None and name in budgeted.best_params:
        return pipeline, search, rounds, _oof_threshold(plan, evaluation, name)  # type: ignore[arg-type]
    return (decide.wrap(pipeline) if decide else pipeline), search, rounds, None


def score_holdout(plan: RunPlan, final: Any) -> dict[str, float] | None:
    """Every metric of the final model on the rows kept back (scored once, here), at the
    final model's own decision threshold."""
    holdout = plan.holdout
    if holdout is None:
        return None
    context = plan.metric_context
    if plan.task == "regression":
        labels, proba = np.asarray(final.predict(holdout.X), dtype=float), None
    else:
        proba = np.asarray(final.predict_proba(holdout.X), dtype=float)
        labels = final.predict_codes(holdout.X)
    return compute_metrics(plan.metrics, as_predictions(holdout.y, labels, proba, context), context)


def _refit_args(plan: RunPlan, estimator: Any, threshold: float | None, threads: int) -> tuple:
    dataset = plan.dataset
    classes = None if plan.task == "regression" else tuple(dataset.target.classes)
    positive = 0 if classes is None else dataset.target.positive_index
    return (estimator, dataset.X, dataset.y, classes, positive, threshold, threads)


@dataclass(frozen=True)
class EarlyRefit:
    """The final fit of ``name``, run alongside its outer folds (``job.output`` once they
    are done): a worker that would sit idle in the last round fits the final model."""

    name: str
    job: SideJob


def _known_before_evaluation(plan: RunPlan) -> str | None:
    """The model whose final estimator nothing in the evaluation can change — the one
    model besides the baseline, with no search, no early stopping (whose rounds the folds
    decide) and no ensemble — when its folds leave a worker idle in their last round."""
    workers = plan.parallelism.workers
    if workers <= 1 or len(plan.splits) % workers == 0 or plan.budgeted_search:
        return None
    models = [m for m in plan.models if m.name != BASELINE]
    if len(models) != 1 or models[0].tuning is not None or models[0].portfolio is not None:
        return None
    model = models[0]
    step = getattr(model.pipeline, "named_steps", {}).get("model")
    if model.spec.rounds_param and getattr(step, "early_stopping_rounds", None) is not None:
        return None
    return model.name


def early_refit(plan: RunPlan) -> EarlyRefit | None:
    """The final fit to run alongside the folds, when it is known before them."""
    name = _known_before_evaluation(plan)
    if name is None:
        return None
    estimator, _, _, threshold = _final_estimator(plan, name, None, ignore_events)
    job = SideJob(
        fit_on_all_rows, _refit_args(plan, estimator, threshold, plan.parallelism.threads)
    )
    return EarlyRefit(name, job)


def fit_final(
    plan: RunPlan,
    name: str,
    events: EventSink = ignore_events,
    evaluation: Evaluation | None = None,
    clock: RunClock | None = None,
    early: EarlyRefit | None = None,
) -> FinalFit:
    """Search (if tuned) and refit ``name`` on all development rows; score the holdout.

    Boosting models are refit on every row with the rounds early stopping kept in
    cross-validation, scaled by the rows, rather than stopping early again on a split the
    final model would never learn from. The refit uses every core ``n_jobs`` gives this
    process (the folds each had a share). ``early`` is the same fit done alongside the
    folds: it is used when the evaluation left the estimator as it was planned.
    """
    started = time.perf_counter()
    estimator, search, rounds, threshold = _final_estimator(plan, name, evaluation, events, clock)
    unchanged = search is None and not rounds and threshold is None
    if early is not None and early.name == name and early.job.output is not None and unchanged:
        final, seconds = early.job.output
    else:
        threads = resolve_n_jobs(plan.recipe.n_jobs)  # this process's cores, even on a cluster
        alone = with_threads(estimator, plan.parallelism.threads, threads)
        final, _ = fit_on_all_rows(*_refit_args(plan, alone, threshold, threads))
        seconds = time.perf_counter() - started
    return FinalFit(
        final,
        seconds,
        search,
        score_holdout(plan, final),
        name,
        estimator,
        rounds,
    )
