"""Statistical tests on paired cross-validation scores.

Fold scores of two models evaluated on the same folds are paired, but the folds share
training rows, so the ordinary paired t-test underestimates the variance and calls far too
many differences significant. Nadeau and Bengio's corrected resampled t-test inflates the
variance by the overlap (``n_test / n_train``):

    t = mean(d) / sqrt((1 / J + n_test / n_train) · var(d)),    df = J − 1

where ``d`` are the J paired fold differences (k folds × r repeats).

C. Nadeau and Y. Bengio, "Inference for the Generalization Error", Machine Learning 52,
239–281 (2003), section 4.2; see also Bouckaert and Frank, "Evaluating the Replicability of
Significance Tests for Comparing Learning Algorithms", PAKDD 2004.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class TTest:
    """The corrected resampled t-test of ``a − b`` on paired fold scores."""

    mean_difference: float
    t: float
    p_value: float
    df: int


def corrected_resampled_ttest(
    a: Sequence[float], b: Sequence[float], test_train_ratio: float
) -> TTest:
    """Two-sided test that the paired scores ``a`` and ``b`` have the same mean.

    ``test_train_ratio`` is ``n_test / n_train`` of the folds (for k-fold: 1 / (k − 1)).
    Folds where either score is undefined (NaN) are left out.
    """
    from scipy import stats

    diffs = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    diffs = diffs[np.isfinite(diffs)]
    j = len(diffs)
    if j < 2:
        return TTest(float(diffs.mean()) if j else math.nan, math.nan, math.nan, max(j - 1, 0))
    mean = float(diffs.mean())
    variance = float(diffs.var(ddof=1))
    corrected = (1.0 / j + test_train_ratio) * variance
    if corrected <= 0.0:
        # Identical differences in every fold: no spread to test against.
        if mean == 0.0:
            return TTest(0.0, 0.0, 1.0, j - 1)
        return TTest(mean, math.copysign(math.inf, mean), 0.0, j - 1)
    t = mean / math.sqrt(corrected)
    p = float(2.0 * stats.t.sf(abs(t), df=j - 1))
    return TTest(mean, float(t), min(p, 1.0), j - 1)


def holm(p_values: Mapping[str, float]) -> dict[str, float]:
    """Holm's step-down adjusted p-values (family-wise error), NaN left as NaN.

    Sorted ascending, the i-th of m p-values is multiplied by (m − i + 1); adjusted
    values are made monotone and capped at 1.
    """
    defined = sorted(
        ((p, name) for name, p in p_values.items() if not math.isnan(p)), key=lambda x: x[0]
    )
    m = len(defined)
    adjusted: dict[str, float] = {name: math.nan for name, p in p_values.items() if math.isnan(p)}
    running = 0.0
    for i, (p, name) in enumerate(defined):
        running = max(running, min(1.0, (m - i) * p))
        adjusted[name] = running
    return adjusted


@dataclass(frozen=True)
class FriedmanTest:
    """Do several models differ at all (ranks within each fold)?"""

    statistic: float
    p_value: float
    models: tuple[str, ...]
    folds: int


def friedman(scores: Mapping[str, Sequence[float]]) -> FriedmanTest | None:
    """scipy's Friedman test over models (≥ 3) with folds as blocks; None when undefined.

    Folds where any model's score is NaN are left out; with fewer than two complete folds
    there is nothing to test.
    """
    from scipy import stats

    if len(scores) < 3:
        return None
    names = tuple(scores)
    matrix = np.array([np.asarray(scores[n], dtype=float) for n in names])
    complete = np.isfinite(matrix).all(axis=0)
    matrix = matrix[:, complete]
    if matrix.shape[1] < 2:
        return None
    if np.all(matrix == matrix[0]):
        return FriedmanTest(0.0, 1.0, names, int(matrix.shape[1]))
    result = stats.friedmanchisquare(*matrix)
    return FriedmanTest(float(result.statistic), float(result.pvalue), names, int(matrix.shape[1]))
