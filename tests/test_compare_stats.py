"""The statistics behind ``mlwb compare``: the corrected resampled t-test, Holm, Friedman,
and the tie marks of the leaderboard."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlwb.compare.leaderboard import build_leaderboard
from mlwb.compare.stats import corrected_resampled_ttest, friedman, holm
from mlwb.results import FoldResult, ModelResult, OutOfFold, summarise

A = [0.80, 0.82, 0.78, 0.85, 0.81]
B = [0.78, 0.80, 0.79, 0.80, 0.78]


def _t4_two_sided(t: float) -> float:
    """Two-sided p of Student's t with 4 degrees of freedom, in closed form (independent of
    scipy): F(t) = 1/2 + (3/4)·x·(1 − x²/3) with x = t / √(t² + 4)."""
    x = t / math.sqrt(t * t + 4)
    cdf = 0.5 + 0.75 * x - 0.25 * x**3
    return 2 * (1 - cdf)


def test_corrected_t_test_matches_the_hand_computation():
    # d = [.02, .02, -.01, .05, .03]: mean .022, sample variance .00188 / 4 = .00047;
    # 5 folds of 5-fold CV: n_test / n_train = 1/4, so the variance is scaled by 1/5 + 1/4.
    t_hand = 0.022 / math.sqrt((1 / 5 + 1 / 4) * 0.00047)
    result = corrected_resampled_ttest(A, B, test_train_ratio=0.25)
    assert result.df == 4
    assert result.mean_difference == pytest.approx(0.022)
    assert result.t == pytest.approx(t_hand) == pytest.approx(1.51275, abs=1e-5)
    assert result.p_value == pytest.approx(_t4_two_sided(t_hand), rel=1e-9)
    assert result.p_value == pytest.approx(0.2049, abs=1e-4)


def test_the_correction_is_more_conservative_than_the_naive_paired_test():
    from scipy import stats

    naive = stats.ttest_rel(A, B).pvalue  # 0.086: the folds' overlap is ignored
    corrected = corrected_resampled_ttest(A, B, 0.25).p_value
    assert corrected > naive
    assert corrected_resampled_ttest(A, B, 0.0).p_value == pytest.approx(naive)


def test_identical_scores_are_not_different_and_constant_gaps_are():
    assert corrected_resampled_ttest(A, A, 0.25).p_value == 1.0
    shifted = [a - 0.01 for a in A]
    result = corrected_resampled_ttest(A, shifted, 0.25)
    assert result.p_value == pytest.approx(0.0, abs=1e-9)
    assert result.mean_difference == pytest.approx(0.01)


def test_nan_folds_are_left_out_and_one_fold_is_untestable():
    result = corrected_resampled_ttest([*A, math.nan], [*B, 0.5], 0.25)
    assert result.df == 4
    assert math.isnan(corrected_resampled_ttest([0.8], [0.7], 0.25).p_value)


def test_holm_adjusts_step_down_and_keeps_nan():
    adjusted = holm({"a": 0.01, "b": 0.04, "c": 0.03, "d": math.nan})
    assert adjusted["a"] == pytest.approx(0.03)  # 3 × 0.01
    assert adjusted["c"] == pytest.approx(0.06)  # 2 × 0.03
    assert adjusted["b"] == pytest.approx(0.06)  # max(1 × 0.04, 0.06): monotone
    assert math.isnan(adjusted["d"])
    assert holm({"a": 0.6, "b": 0.7})["a"] == 1.0  # capped


def test_friedman_needs_three_models_and_sees_consistent_ranks():
    assert friedman({"x": A, "y": B}) is None
    test = friedman({"x": [1, 2, 3, 4], "y": [2, 3, 4, 5], "z": [0, 1, 2, 3]})
    assert test is not None
    assert test.statistic == pytest.approx(8.0)  # perfectly consistent ranks, k=3, n=4
    assert test.p_value == pytest.approx(math.exp(-4.0))  # chi² with 2 df: exp(−x/2)


def _model(name: str, scores: list[float]) -> ModelResult:
    folds = tuple(
        FoldResult(i, 80, 20, {"roc_auc": s}, {"roc_auc": s}, 0.1, 0.01)
        for i, s in enumerate(scores)
    )
    oof = OutOfFold(np.zeros(1, int), np.zeros(1, int), None)
    return ModelResult(name, {}, (), folds, summarise(folds, ("roc_auc",), {"roc_auc": True}), oof)


def test_ties_are_marked_on_constructed_fold_scores():
    best = [0.90, 0.91, 0.89, 0.92, 0.90]
    noisy_close = [0.91, 0.88, 0.90, 0.90, 0.89]  # 0.006 below with fold noise: tied
    clearly_worse = [0.80, 0.81, 0.79, 0.82, 0.80]  # 0.10 below in every fold: worse
    results = (
        _model("close", noisy_close),
        _model("best", best),
        _model("worse", clearly_worse),
    )
    board = build_leaderboard(results, "roc_auc", "best")
    assert board.order == ("best", "close", "worse")
    assert board.significance["close"].tied
    assert not board.significance["worse"].tied
    assert board.significance["worse"].difference == pytest.approx(-0.10)
    assert board.significance["worse"].p_holm < 0.05
    assert board.test_train_ratio == pytest.approx(0.25)
    assert board.friedman is not None and board.friedman.folds == 5


def test_ties_follow_the_metric_direction_for_losses():
    def loss_model(name: str, scores: list[float]) -> ModelResult:
        folds = tuple(
            FoldResult(i, 80, 20, {"log_loss": s}, {"log_loss": s}, 0.1, 0.01)
            for i, s in enumerate(scores)
        )
        oof = OutOfFold(np.zeros(1, int), np.zeros(1, int), None)
        summary = summarise(folds, ("log_loss",), {"log_loss": False})
        return ModelResult(name, {}, (), folds, summary, oof)

    results = (
        loss_model("low", [0.30, 0.31, 0.29, 0.30, 0.32]),
        loss_model("high", [0.50, 0.52, 0.49, 0.51, 0.50]),
    )
    board = build_leaderboard(results, "log_loss", "low")
    assert board.order == ("low", "high")
    assert board.significance["high"].difference < 0  # worse, whatever the direction
    assert not board.significance["high"].tied
