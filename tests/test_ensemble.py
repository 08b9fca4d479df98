"""Greedy ensemble selection and its cross-fitted (honest) estimate."""

from __future__ import annotations

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold

from mlwb.evaluation._ensemble import (
    blend,
    cross_fitted_ensemble,
    greedy_weights,
    metric_objective,
)
from mlwb.metrics import MetricContext

BINARY = MetricContext(task="binary", n_classes=2, positive=1)


def as_proba(p: np.ndarray) -> np.ndarray:
    return np.column_stack([1 - p, p])


def signal_and_noise(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    good = np.clip(0.5 + 0.3 * (y - 0.5) + rng.normal(0, 0.2, n), 0, 1)
    noise = rng.uniform(size=n)
    return y, as_proba(good), as_proba(noise)


def test_greedy_selection_drops_a_model_that_only_adds_noise():
    y, good, noise = signal_and_noise()
    weights = greedy_weights([good, noise], y, metric_objective("roc_auc", BINARY))
    assert weights.tolist() == [1.0, 0.0]


def test_greedy_selection_combines_models_that_are_right_in_different_places():
    rng = np.random.default_rng(1)
    n = 800
    y = rng.integers(0, 2, n)
    half = np.arange(n) < n // 2
    # each model is informative on one half of the rows and noise on the other
    a = np.where(half, 0.5 + 0.4 * (y - 0.5), rng.uniform(size=n))
    b = np.where(~half, 0.5 + 0.4 * (y - 0.5), rng.uniform(size=n))
    objective = metric_objective("roc_auc", BINARY)
    weights = greedy_weights([as_proba(a), as_proba(b)], y, objective)
    assert 0.25 <= weights[0] <= 0.75 and abs(weights.sum() - 1) < 1e-12
    mixed = blend([as_proba(a), as_proba(b)], weights)
    assert roc_auc_score(y, mixed[:, 1]) > max(roc_auc_score(y, a), roc_auc_score(y, b))


def test_regression_objective_is_signed_so_that_higher_is_better():
    y = np.linspace(0, 10, 50)
    objective = metric_objective("rmse", MetricContext(task="regression"))
    assert objective(y, y) > objective(y, y + 1)


def test_fold_weights_never_see_the_fold_they_are_scored_on():
    """A 'model' that is perfect on fold 0's rows and noise everywhere else would win any
    selection that looked at fold 0; chosen on the other folds it gets no weight there, and
    fold 0's ensemble score stays that of the honest model."""
    y, good, noise = signal_and_noise(n=500, seed=3)
    splits = list(StratifiedKFold(5, shuffle=True, random_state=0).split(np.zeros(len(y)), y))
    leaky = noise.copy()
    test0 = splits[0][1]
    leaky[test0] = as_proba(y[test0].astype(float))  # knows fold 0's labels
    members = [[good, leaky]] * len(splits)
    objective = metric_objective("roc_auc", BINARY)
    honest = cross_fitted_ensemble(members, y, splits, objective)
    assert honest.fold_weights[0].tolist() == [1.0, 0.0]
    fold0 = roc_auc_score(y[test0], honest.predictions[test0, 1])
    assert abs(fold0 - roc_auc_score(y[test0], good[test0, 1])) < 1e-12 and fold0 < 0.99
    # the same selection on all rows, fold 0 included, is fooled:
    weights_everywhere = greedy_weights([good, leaky], y, objective)
    assert weights_everywhere[1] > 0
    leaked = blend([good, leaky], weights_everywhere)
    assert roc_auc_score(y[test0], leaked[test0, 1]) > fold0


def test_time_ordered_folds_choose_on_the_past_only():
    """A 'model' that is perfect on the last two blocks (the future of fold 1) would be
    chosen by any selection that looked ahead; with time order, fold 1 chooses on block 1."""
    y, good, noise = signal_and_noise(n=1200, seed=4)
    blocks = np.array_split(np.arange(1200), 4)
    splits = [(np.concatenate(blocks[:k]), blocks[k]) for k in range(1, 4)]
    future = np.concatenate(blocks[2:])
    seer = noise.copy()
    seer[future] = as_proba(y[future].astype(float))
    members = [[good, seer]] * len(splits)
    objective = metric_objective("roc_auc", BINARY)
    ordered = cross_fitted_ensemble(members, y, splits, objective, ordered=True)
    assert ordered.fold_weights[0].tolist() == [1.0, 0.0]  # no past: the first model alone
    assert ordered.fold_weights[1][1] < 0.1  # chosen on block 1, where the seer is noise
    assert np.isnan(ordered.predictions[blocks[0]]).all()  # never tested: no prediction
    looking_ahead = cross_fitted_ensemble(members, y, splits, objective, ordered=False)
    assert looking_ahead.fold_weights[1][1] > 0.25
    assert looking_ahead.fold_weights[0].tolist() == [0.0, 1.0]  # fold 0 sees the future
