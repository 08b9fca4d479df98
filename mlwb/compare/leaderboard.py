"""The comparison leaderboard: every model's fold scores tested against the best one's."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mlwb.compare.stats import FriedmanTest, corrected_resampled_ttest, friedman, holm
from mlwb.metrics import METRICS
from mlwb.models.baseline import BASELINE
from mlwb.results import FitResult, ModelResult

ALPHA = 0.05


@dataclass(frozen=True)
class Significance:
    """One model against the best on the primary metric's paired fold scores.

    ``difference`` is the model's mean minus the best's, in the metric's units (negative
    for a worse model whatever the metric's direction is, since it is signed so that
    positive is better). ``tied``: not significantly worse than the best after Holm's
    correction at ``alpha``.
    """

    model: str
    difference: float
    t: float
    p_value: float
    p_holm: float
    tied: bool


@dataclass(frozen=True)
class Leaderboard:
    """Models ranked on the primary metric, with significance against the best."""

    metric: str
    best: str
    order: tuple[str, ...]
    significance: dict[str, Significance]
    friedman: FriedmanTest | None
    alpha: float
    test_train_ratio: float
    method: str


@dataclass(frozen=True)
class CompareResult:
    """What ``mlwb compare RECIPE DATA`` produced: the evaluation (as ``fit`` reports it,
    with ``final`` None unless the best model was refit) and the leaderboard with its tests.

    A core type beside the leaderboard, so the documents and the report read it without
    importing the workflow that made it.
    """

    fit: FitResult
    leaderboard: Leaderboard


def fold_scores(result: ModelResult, metric: str) -> np.ndarray:
    return np.array([f.test_scores.get(metric, math.nan) for f in result.folds], dtype=float)


def _ratio(results: tuple[ModelResult, ...]) -> float:
    folds = results[0].folds
    train = float(np.mean([f.train_rows for f in folds]))
    test = float(np.mean([f.test_rows for f in folds]))
    return test / train if train else math.nan


def rank(results: tuple[ModelResult, ...], metric: str, best: str) -> tuple[str, ...]:
    """Models best first on ``metric`` (NaN last); ``best`` leads even on an exact tie."""
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0

    def key(result: ModelResult) -> tuple[int, int, float]:
        score = result.score(metric)
        return (
            result.name != best,
            math.isnan(score),
            -sign * score if not math.isnan(score) else 0.0,
        )

    return tuple(r.name for r in sorted(results, key=key))


def build_leaderboard(
    results: tuple[ModelResult, ...], metric: str, best: str, alpha: float = ALPHA
) -> Leaderboard:
    """Corrected resampled t-test of every model against ``best``, Holm-adjusted; a
    Friedman test across the recipe's models (not the baseline) when there are 3 or more."""
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0
    ratio = _ratio(results)
    reference = sign * fold_scores(next(r for r in results if r.name == best), metric)
    tests = {
        r.name: corrected_resampled_ttest(sign * fold_scores(r, metric), reference, ratio)
        for r in results
        if r.name != best
    }
    adjusted = holm({name: test.p_value for name, test in tests.items()})
    significance = {
        name: Significance(
            name,
            test.mean_difference,
            test.t,
            test.p_value,
            adjusted[name],
            tied=not math.isnan(adjusted[name]) and adjusted[name] >= alpha,
        )
        for name, test in tests.items()
    }
    candidates = {r.name: fold_scores(r, metric) for r in results if r.name != BASELINE}
    return Leaderboard(
        metric,
        best,
        rank(results, metric, best),
        significance,
        friedman(candidates),
        alpha,
        ratio,
        f"corrected resampled t-test (Nadeau & Bengio 2003) on {len(reference)} paired folds, "
        f"n_test/n_train = {ratio:.3f}, Holm-adjusted across {len(tests)} models, "
        f"alpha = {alpha:g}",
    )
