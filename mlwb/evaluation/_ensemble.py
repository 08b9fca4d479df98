"""Greedy ensemble selection (Caruana et al., 2004) on out-of-fold predictions, and the
cross-fitting that keeps its estimate honest.

Selection starts from an empty ensemble and adds, with replacement, the model whose
predictions most improve the primary metric of the averaged predictions; the weights are how
often each model was added, at the best step seen (AutoGluon's ``WeightedEnsemble`` works
this way). Chosen on the very rows it is then scored on, the ensemble would flatter itself:
so for each outer fold the weights are chosen on the out-of-fold predictions of the *other*
folds only and applied to the fold's own predictions, exactly as a nested search chooses a
configuration without the fold it is scored on. The final weights use every row.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mlwb.evaluation._predict import as_predictions, labels_at
from mlwb.metrics import METRICS, MetricContext, compute_metrics

ENSEMBLE_SIZE = 25  # selection steps: weights are multiples of 1/25 at most
Splits = Sequence[tuple[np.ndarray, np.ndarray]]
# Averaged predictions → the primary metric, signed so that higher is better.
Objective = Callable[[np.ndarray, np.ndarray], float]


def metric_objective(metric: str, context: MetricContext) -> Objective:
    """``objective(y, averaged)``: the metric on averaged probabilities (labels: the most
    probable class) or averaged values, signed so that higher is better."""
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0

    def objective(y: np.ndarray, averaged: np.ndarray) -> float:
        if context.task == "regression":
            predictions = as_predictions(y, averaged, None, context)
        else:
            labels = labels_at(averaged, context.positive, None)
            predictions = as_predictions(y, labels, averaged, context)
        value = compute_metrics([metric], predictions, context)[metric]
        return sign * value if np.isfinite(value) else -np.inf

    return objective


def greedy_weights(
    predictions: Sequence[np.ndarray],
    y: np.ndarray,
    objective: Objective,
    size: int = ENSEMBLE_SIZE,
) -> np.ndarray:
    """Weights (summing to 1) over ``predictions`` by greedy selection with replacement.

    Ties go to a model already in the ensemble, then to the earlier one (the caller lists
    the strongest single model first), so the result is deterministic; the ensemble of the
    best step is kept, so adding a model never makes the result worse on these rows.
    """
    count = len(predictions)
    chosen = np.zeros(count)
    total = np.zeros_like(np.asarray(predictions[0], dtype=float))
    best_score, best_counts = -np.inf, chosen.copy()
    for step in range(1, size + 1):
        scores = np.array([objective(y, (total + p) / step) for p in predictions])
        top = np.flatnonzero(scores == scores.max())
        used = [i for i in top if chosen[i] > 0]
        pick = int(used[0] if used else top[0])
        chosen[pick] += 1
        total = total + predictions[pick]
        if scores[pick] > best_score:
            best_score, best_counts = scores[pick], chosen.copy()
    return best_counts / best_counts.sum()


def blend(predictions: Sequence[np.ndarray], weights: np.ndarray) -> np.ndarray:
    """The weighted average of ``predictions``."""
    return sum(w * np.asarray(p, dtype=float) for w, p in zip(weights, predictions, strict=True))


@dataclass(frozen=True)
class CrossFittedEnsemble:
    """The ensemble's honest out-of-fold predictions and the weights each fold used."""

    predictions: np.ndarray  # rows × classes (or rows): each row from its own fold's weights;
    # NaN for rows no split tests (the first block of time-ordered splits)
    fold_weights: tuple[np.ndarray, ...]


def cross_fitted_ensemble(
    members: Sequence[Sequence[np.ndarray]],
    y: np.ndarray,
    splits: Splits,
    objective: Objective,
    ordered: bool = False,
    size: int = ENSEMBLE_SIZE,
) -> CrossFittedEnsemble:
    """For each split, weights chosen on the out-of-fold rows of the other splits and
    applied to the split's own test rows.

    ``members[k]`` are the models' out-of-fold predictions over all rows as fold ``k`` should
    combine them (each model's configuration chosen without fold ``k`` too). With
    time-ordered splits only earlier splits are used — later ones are the future — and the
    first split, which has none, takes the first model alone.
    """
    template = np.asarray(members[0][0], dtype=float)
    sums = np.zeros_like(template)
    counts = np.zeros(len(y))
    weights: list[np.ndarray] = []
    for k, (_, test) in enumerate(splits):
        others = [t for j, (_, t) in enumerate(splits) if j != k and (not ordered or j < k)]
        rows = np.unique(np.concatenate(others)) if others else np.zeros(0, dtype=int)
        rows = rows[~np.isin(rows, test)]
        if len(rows) == 0:
            w = np.eye(len(members[k]))[0]
        else:
            w = greedy_weights([np.asarray(p)[rows] for p in members[k]], y[rows], objective, size)
        weights.append(w)
        sums[test] += blend([np.asarray(p)[test] for p in members[k]], w)
        counts[test] += 1
    shape = (-1,) + (1,) * (sums.ndim - 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        combined = sums / counts.reshape(shape)  # repeated splits: the repeats' mean
    return CrossFittedEnsemble(combined, tuple(weights))
