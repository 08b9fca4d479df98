"""Nested cross-validation: the inner loop tunes, the outer loop estimates.

For each outer split the search runs on the outer-training rows only, with the inner
splitter; the best configuration is refit on those rows and scored on the outer-test rows,
which the search never saw. The mean of those scores is the honest estimate of the whole
procedure ("search, then fit"); the mean of the inner best scores is the optimistic number
a search reports, and their difference is shown as the optimism gap.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.errors import ModelFailed
from mlwb.evaluation._decision import DecisionPlan
from mlwb.evaluation._fold import fit_on_fold
from mlwb.evaluation._predict import MetricScorer, as_predictions
from mlwb.evaluation._split import SplitData, SplitPlan
from mlwb.evaluation._validation import fit_fold, run_folds
from mlwb.events import EventSink, TrialDone, ignore_events
from mlwb.metrics import MetricContext, compute_metrics
from mlwb.models.adapter import route_params
from mlwb.parallel import run_parallel
from mlwb.results import FoldResult, OutOfFold, TuningSummary
from mlwb.search import SearchResult, SearchSettings, SearchSpace
from mlwb.search.storage import fail_orphaned_trials, prepare_studies


class ParamRouter:
    """Recipe parameter names -> the pipeline's ``set_params`` names (``model__…``)."""

    def __init__(self, pipeline: Any) -> None:
        self.model = pipeline.named_steps["model"]

    def __call__(self, params: dict[str, Any]) -> dict[str, Any]:
        return {f"model__{k}": v for k, v in route_params(self.model, params).items()}


@dataclass(frozen=True)
class TuningPlan:
    """What to search for one model, and how."""

    space: SearchSpace
    settings: SearchSettings
    inner: SplitPlan

    def settings_for(self, scope: str, seed_offset: int) -> SearchSettings:
        """Per-search settings: its own seed and study name."""
        name = (
            None
            if self.settings.study_name is None
            else f"{self.settings.study_name}-{scope.replace(' ', '')}"
        )
        return dataclasses.replace(
            self.settings, seed=self.settings.seed + seed_offset, study_name=name
        )


def prepare_outer_studies(tuning: TuningPlan, folds: int) -> TuningPlan:
    """Create the storage and every outer fold's study here, in the main process, before
    the folds' workers open them (they raced on creating the schema)."""
    settings = tuning.settings
    if not settings.storage or settings.strategy == "halving":
        return tuning
    direction = "maximize" if settings.greater_is_better else "minimize"
    prepare_studies(settings.storage, outer_study_names(tuning, folds), direction, settings.resume)
    return dataclasses.replace(tuning, settings=dataclasses.replace(settings, prepared=True))


def outer_study_names(tuning: TuningPlan, folds: int) -> list[str]:
    """The study of each outer fold's search (none without a study name)."""
    names = [tuning.settings_for(f"outer {i + 1}", i + 1).study_name for i in range(folds)]
    return [name for name in names if name]


def score_configuration(
    pipeline: Any,
    params: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    metric: str,
    context: MetricContext,
    threads: int = 1,
) -> float:
    """One inner fold of a search: ``pipeline`` with ``params`` (pipeline names) fitted on
    ``train`` through the fold function, ``metric`` on ``test``."""
    fold = fit_on_fold(pipeline, X, y, train, test, context.task, context.positive, threads, params)
    predictions = as_predictions(y[test], fold.test_labels, fold.test_proba, context)
    return compute_metrics([metric], predictions, context)[metric]


def _fold_scores(
    pipeline: Any,
    route: ParamRouter,
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    metric: str,
    context: MetricContext,
    workers: int,
    threads: int,
) -> Callable[[dict[str, Any]], Iterator[float]]:
    """What a search strategy calls to score a configuration: its inner folds one by one
    (so pruning can stop early), or all at once in ``workers`` processes."""

    def scores(params: dict[str, Any]) -> Iterator[float]:
        routed = route(params)
        jobs = [
            (pipeline, routed, X, y, train, test, metric, context, threads)
            for train, test in splits
        ]
        if workers > 1:
            yield from list(run_parallel(score_configuration, jobs, workers))
        else:
            for job in jobs:
                yield score_configuration(*job)

    return scores


def run_search(
    pipeline: Any,
    space: SearchSpace,
    X: pd.DataFrame,
    y: np.ndarray,
    inner: SplitPlan,
    data: SplitData,
    settings: SearchSettings,
    context: MetricContext,
    scope: str,
    workers: int = 1,
    threads: int = 1,
    on_trial: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """Search ``space`` for ``pipeline`` on rows ``X``/``y`` with the inner splitter."""
    route = ParamRouter(pipeline)
    if settings.strategy == "halving":
        from mlwb.search.halving import halving_search

        scorer = MetricScorer(settings.metric, context, settings.greater_is_better)
        return halving_search(
            pipeline,
            route,
            space,
            X,
            y,
            inner.splitter,
            data.groups,
            settings,
            scorer,
            scope,
            workers,
        )
    from mlwb.search.optuna_search import optuna_search

    splits = list(inner.split(X, y, data))
    scores = _fold_scores(pipeline, route, X, y, splits, settings.metric, context, workers, threads)
    return optuna_search(space, scores, settings, scope, on_trial)


def search_or_fail(
    model: str,
    pipeline: Any,
    tuning: TuningPlan,
    X: pd.DataFrame,
    y: np.ndarray,
    data: SplitData,
    context: MetricContext,
    scope: str,
    seed_offset: int,
    workers: int,
    threads: int,
    events: EventSink = ignore_events,
) -> SearchResult:
    """One search; ``ModelFailed`` with the first library error when every trial failed."""

    def progress(done: int, total: int) -> None:
        events(TrialDone(model, scope, done, total))

    result = run_search(
        pipeline,
        tuning.space,
        X,
        y,
        tuning.inner,
        data,
        tuning.settings_for(scope, seed_offset),
        context,
        scope,
        workers,
        threads,
        progress,
    )
    if not result.best_params and tuning.space:
        first = next((t.error for t in result.trials if t.error), "no trial completed")
        raise ModelFailed(
            f"{model}: every configuration failed in the {scope} search "
            f"({len(result.trials)} trials); first error: {first}"
        )
    return result


def search_outer_fold(
    model: str,
    pipeline: Any,
    tuning: TuningPlan,
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    index: int,
    data: SplitData,
    context: MetricContext,
    threads: int,
) -> SearchResult:
    """The search of outer fold ``index`` on its training rows (its own study and seed):
    what ``tune_outer_fold`` refits from, and what ``mlwb worker`` lends trials to."""
    return search_or_fail(
        model,
        pipeline,
        tuning,
        X.iloc[train],
        y[train],
        data.subset(train),
        context,
        f"outer {index + 1}",
        index + 1,
        1,
        threads,
    )


def tune_outer_fold(
    model: str,
    pipeline: Any,
    tuning: TuningPlan,
    X: pd.DataFrame,
    y: np.ndarray,
    train: np.ndarray,
    test: np.ndarray,
    index: int,
    data: SplitData,
    metrics: Sequence[str],
    context: MetricContext,
    threads: int,
    decision: DecisionPlan | None = None,
) -> tuple[FoldResult, np.ndarray, np.ndarray | None, SearchResult]:
    """Search on the outer-training rows, refit the best there, score the outer-test rows."""
    result = search_outer_fold(model, pipeline, tuning, X, y, train, index, data, context, threads)
    tuned = clone(pipeline).set_params(**ParamRouter(pipeline)(result.best_params))
    fold, labels, proba = fit_fold(
        tuned, X, y, train, test, index, metrics, context, threads, decision
    )
    fold = dataclasses.replace(
        fold, best_params=result.best_params, inner_score=result.best_score, fits=result.fits + 1
    )
    return fold, labels, proba, result


def nested_cross_validate(
    model: str,
    pipeline: Any,
    tuning: TuningPlan,
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Sequence[tuple[np.ndarray, np.ndarray]],
    data: SplitData,
    metrics: Sequence[str],
    context: MetricContext,
    workers: int = 1,
    threads: int = 1,
    events: EventSink = ignore_events,
    decision: DecisionPlan | None = None,
) -> tuple[tuple[FoldResult, ...], OutOfFold, tuple[str, ...], tuple[SearchResult, ...]]:
    """Nested cross-validation of ``pipeline`` over the outer ``splits``."""
    tuning = prepare_outer_studies(tuning, len(splits))
    jobs = [
        (model, pipeline, tuning, X, y, train, test, i, data, metrics, context, threads, decision)
        for i, (train, test) in enumerate(splits)
    ]
    try:
        folds, oof, notes, extras = run_folds(
            model,
            tune_outer_fold,
            jobs,
            splits,
            len(y),
            context.task,
            workers,
            events,
            context.positive,
        )
    except KeyboardInterrupt:
        # The workers are stopped by now; a trial one of them could not record is failed
        # here rather than left RUNNING in a storage others read.
        if tuning.settings.prepared and tuning.settings.storage:
            fail_orphaned_trials(tuning.settings.storage, outer_study_names(tuning, len(splits)))
        raise
    return folds, oof, notes, tuple(extra[0] for extra in extras)


def tuning_summary(
    tuning: TuningPlan,
    folds: Sequence[FoldResult],
    outer_mean: float,
    searches: Sequence[SearchResult],
) -> TuningSummary:
    """Inner (optimistic) against outer (honest) scores, fits and trials."""
    settings = tuning.settings
    inner = [f.inner_score for f in folds if f.inner_score is not None]
    inner_mean = float(np.nanmean(inner)) if inner else math.nan
    sign = 1.0 if settings.greater_is_better else -1.0
    trials = [t for s in searches for t in s.trials]
    return TuningSummary(
        strategy=settings.strategy,
        metric=settings.metric,
        space=tuning.space.describe(),
        inner_mean=inner_mean,
        optimism=sign * (inner_mean - outer_mean),
        fits=sum(f.fits for f in folds),
        trials=len(trials),
        pruned=sum(t.state == "pruned" for t in trials),
        failed=sum(t.state == "failed" for t in trials),
        seconds=sum(s.seconds for s in searches),
    )
