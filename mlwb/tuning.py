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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.errors import ModelFailed
from mlwb.evaluate import fit_fold, run_folds
from mlwb.events import EventSink, TrialDone, ignore_events
from mlwb.metrics import MetricContext
from mlwb.models.adapter import route_params
from mlwb.results import FoldResult, OutOfFold, TuningSummary
from mlwb.search import SearchResult, SearchSettings, SearchSpace, run_search
from mlwb.search.storage import prepare_studies
from mlwb.splitters import SplitData, SplitPlan
from mlwb.threshold import DecisionPlan


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
    names = [tuning.settings_for(f"outer {i + 1}", i + 1).study_name for i in range(folds)]
    direction = "maximize" if settings.greater_is_better else "minimize"
    prepare_studies(settings.storage, [n for n in names if n], direction, settings.resume)
    return dataclasses.replace(tuning, settings=dataclasses.replace(settings, prepared=True))


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
        ParamRouter(pipeline),
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
    scope = f"outer {index + 1}"
    result = search_or_fail(
        model,
        pipeline,
        tuning,
        X.iloc[train],
        y[train],
        data.subset(train),
        context,
        scope,
        index + 1,
        1,
        threads,
    )
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
