"""Successive halving: scikit-learn's HalvingGridSearchCV / HalvingRandomSearchCV.

Every candidate starts on a small share of the rows; each round keeps the best third and
gives them three times as many rows. A finite space is halved as a grid, an infinite one
by sampling ``trials`` candidates from scipy distributions.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.parallel import library_parallelism
from mlwb.search.base import SearchResult, SearchSettings, TrialRecord
from mlwb.search.space import SearchSpace


def halving_search(
    pipeline: Any,
    route: Callable[[dict[str, Any]], dict[str, Any]],
    space: SearchSpace,
    X: pd.DataFrame,
    y: np.ndarray,
    splitter: Any,
    groups: np.ndarray | None,
    settings: SearchSettings,
    scorer: Any,
    scope: str,
    workers: int = 1,
) -> SearchResult:
    """Run successive halving on ``X``; the best configuration by mean inner score.

    ``scorer`` is a scikit-learn scorer that maximises (lower-is-better metrics negated).
    """
    from sklearn.experimental import enable_halving_search_cv  # noqa: F401
    from sklearn.model_selection import HalvingGridSearchCV, HalvingRandomSearchCV

    started = time.perf_counter()
    names = {route({name: None}).popitem()[0]: name for name in space.searched}
    fixed = route(dict(space.fixed))
    base = clone(pipeline).set_params(**fixed)
    common = dict(
        cv=splitter,
        scoring=scorer,
        factor=3,
        error_score=np.nan,
        refit=False,
        n_jobs=workers,
        random_state=settings.seed,
    )
    if space.is_finite:
        grid = {routed: space.grid()[name] for routed, name in names.items()}
        search: Any = HalvingGridSearchCV(base, grid, **common)
    else:
        distributions = {routed: space.distributions()[name] for routed, name in names.items()}
        search = HalvingRandomSearchCV(base, distributions, n_candidates=settings.trials, **common)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with library_parallelism(workers):
            search.fit(X, y, groups=groups)
    error = next(
        (
            _first_error(str(w.message))
            for w in caught
            if type(w.message).__name__ == "FitFailedWarning"
        ),
        "",
    )
    results = search.cv_results_
    sign = 1.0 if settings.greater_is_better else -1.0
    splits = search.n_splits_
    records = []
    for i, routed_params in enumerate(results["params"]):
        score = float(results["mean_test_score"][i])
        params = {**space.fixed, **{names[k]: v for k, v in routed_params.items()}}
        failed = math.isnan(score)
        records.append(
            TrialRecord(
                scope=scope,
                number=i,
                state="failed" if failed else "complete",
                value=sign * score,
                params=params,
                folds=splits,
                seconds=float(results["mean_fit_time"][i]) * splits,
                error=error if failed else "",
                resources=int(results["n_resources"][i]),
            )
        )
    last_round = max(results["iter"])
    finalists = [
        r
        for r, it in zip(records, results["iter"], strict=True)
        if it == last_round and r.state == "complete"
    ]
    seconds = time.perf_counter() - started
    if not finalists:
        return SearchResult(scope, {}, math.nan, tuple(records), len(records) * splits, seconds)
    best = max(finalists, key=lambda r: sign * r.value)
    return SearchResult(
        scope, best.params, best.value, tuple(records), len(records) * splits, seconds
    )


def _first_error(text: str) -> str:
    """The exception line of scikit-learn's FitFailedWarning (which embeds a traceback)."""
    for line in reversed(text.splitlines()):
        stripped = line.strip()
        head = stripped.split(":", 1)[0]
        if head.endswith(("Error", "Exception")) and " " not in head:
            return stripped[:300]
    return text.strip().splitlines()[0][:300] if text.strip() else ""
