"""Hyper-parameter search behind one interface: grid, random, Bayesian and halving."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from mlwb.metrics import MetricContext
from mlwb.search.base import SearchResult, SearchSettings, TrialRecord, is_better
from mlwb.search.space import SearchSpace
from mlwb.splitters import SplitData, SplitPlan


def run_search(
    pipeline: Any,
    route: Callable[[dict[str, Any]], dict[str, Any]],
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
    if settings.strategy == "halving":
        from mlwb.search.halving import halving_search

        splitter = inner.splitter
        return halving_search(
            pipeline, route, space, X, y, splitter, data.groups, settings, context, scope, workers
        )
    from mlwb.search.optuna_search import optuna_search

    splits = list(inner.split(X, y, data))
    return optuna_search(
        pipeline, route, space, X, y, splits, settings, context, scope, workers, threads, on_trial
    )


__all__ = [
    "SearchResult",
    "SearchSettings",
    "SearchSpace",
    "TrialRecord",
    "is_better",
    "run_search",
]
