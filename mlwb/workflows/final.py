"""The final model: the best configuration (searched again on all development rows when
the model is tuned), refit on those rows, and scored once on the holdout if there is one."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.base import clone

from mlwb.evaluation import (
    ParamRouter,
    as_predictions,
    inner_pipeline,
    predict_scores,
    search_or_fail,
)
from mlwb.events import EventSink, ignore_events
from mlwb.metrics import compute_metrics
from mlwb.models.decoded import DecodedClassifier
from mlwb.plan import RunPlan
from mlwb.results import FinalFit
from mlwb.search import SearchResult


def model_features(final: Any) -> tuple[int | None, tuple[str, ...]]:
    """Width of the encoded feature table, and the features the model itself receives
    (after selection) — read from the fitted pipeline."""
    pipeline = inner_pipeline(final)
    encoded = None
    if "encode" in pipeline.named_steps:
        encoded = len(pipeline.named_steps["encode"].get_feature_names_out())
    model = pipeline[-1]
    names = getattr(model, "feature_names_in_", None)
    if names is None:
        names = getattr(model, "feature_name_", None)
    return encoded, tuple(str(n) for n in names) if names is not None else ()


def _final_search(plan: RunPlan, name: str, events: EventSink) -> tuple[Any, SearchResult | None]:
    model = plan.model(name)
    decide = plan.decision if plan.decision and model.spec.family != "dummy" else None
    if model.tuning is None:
        return (decide.wrap(model.pipeline) if decide else model.pipeline), None
    inner_folds = model.tuning.inner.n_splits
    from mlwb.parallel import plan_parallelism

    parallel = plan_parallelism(plan.recipe.n_jobs, inner_folds)
    result = search_or_fail(
        name,
        model.pipeline,
        model.tuning,
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
    tuned = clone(model.pipeline).set_params(**ParamRouter(model.pipeline)(result.best_params))
    return (decide.wrap(tuned) if decide else tuned), result


def score_holdout(plan: RunPlan, final: Any) -> dict[str, float] | None:
    """Every metric of the final model on the rows kept back (scored once, here)."""
    holdout = plan.holdout
    if holdout is None:
        return None
    pipeline = getattr(final, "pipeline_", final)
    labels, proba = predict_scores(pipeline, holdout.X, plan.task, plan.metric_context.positive)
    context = plan.metric_context
    return compute_metrics(plan.metrics, as_predictions(holdout.y, labels, proba, context), context)


def fit_final(plan: RunPlan, name: str, events: EventSink = ignore_events) -> FinalFit:
    """Search (if tuned) and refit ``name`` on all development rows; score the holdout."""
    from threadpoolctl import threadpool_limits

    started = time.perf_counter()
    pipeline, search = _final_search(plan, name, events)
    dataset = plan.dataset
    with threadpool_limits(limits=plan.parallelism.threads * plan.parallelism.workers):
        if plan.task == "regression":
            final: Any = clone(pipeline).fit(dataset.X, dataset.y)
        else:
            classes = dataset.target.classes
            final = DecodedClassifier(pipeline, classes, dataset.target.positive_index)
            final.fit(dataset.X, np.asarray(classes, dtype=object)[dataset.y])
    return FinalFit(
        final, time.perf_counter() - started, search, score_holdout(plan, final), name, pipeline
    )
