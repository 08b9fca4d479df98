"""How much of the learning curve and permutation importance an allowance of seconds buys.

Both refit the model — the curve at several training sizes on every fold, the importance
once per fold, then predicting the held-out rows once per column and repeat — so on wide
data or with a slow model they can cost many times the evaluation itself (150 rows × 1,500
columns took a quarter of an hour for the importance alone). Their cost is estimated from
the model's measured fold fit and predict times, and what does not fit in the allowance is
scaled down in this order, each step said in a note: importance with fewer repeats, on a
sample of the held-out rows and on fewer folds; importance left to the model's own
(gains or coefficients); a learning curve at four sizes on three folds; no learning curve.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np

from mlwb.plan import LEARNING_SIZES
from mlwb.results import ModelResult

FEW_SIZES = (0.2, 0.5, 0.8, 1.0)
FEW_FOLDS = 3
FEW_REPEATS = 2
SAMPLE_ROWS = 500  # held-out rows per fold the reduced importance shuffles


@dataclass(frozen=True)
class DiagnosticsBudget:
    """What to compute: ``curve_sizes`` None = no learning curve; ``permutation`` False =
    the model's own importance only; the rest bounds the permutation importance."""

    curve_sizes: tuple[float, ...] | None = LEARNING_SIZES
    curve_folds: int | None = None  # None: every outer fold
    permutation: bool = True
    repeats: int = 5
    max_rows: int | None = None  # held-out rows sampled per fold (None: all)
    importance_folds: int | None = None
    notes: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class FitCosts:
    """Measured costs of one model: a fold's fit, and predicting one fold's held-out rows
    (``test_rows`` of them; the fold trained on ``train_rows``)."""

    fit: float
    predict: float
    test_rows: float
    train_rows: float = 0.0

    @classmethod
    def of(cls, result: ModelResult) -> FitCosts:
        folds = result.folds
        return cls(
            float(np.mean([f.fit_seconds for f in folds])) if folds else 0.0,
            float(np.mean([f.predict_seconds for f in folds])) if folds else 0.0,
            float(np.mean([f.test_rows for f in folds])) if folds else 0.0,
            float(np.mean([f.train_rows for f in folds])) if folds else 0.0,
        )


def curve_seconds(costs: FitCosts, sizes: tuple[float, ...], folds: int, workers: int) -> float:
    """A learning curve: per size and fold, a fit on that share of the training rows and
    predictions of both the rows it trained on and the held-out rows (on wide data the
    predictions, not the fits, are most of it)."""
    ratio = costs.train_rows / costs.test_rows if costs.test_rows > 0 else 0.0
    predicts = sum(costs.predict * (1.0 + size * ratio) for size in sizes)
    return (costs.fit * float(sum(sizes)) + predicts) * folds / max(workers, 1)


def importance_seconds(
    costs: FitCosts,
    columns: int,
    repeats: int,
    folds: int,
    rows: float | None,
    workers: int,
) -> float:
    """Permutation importance: a fit per fold, then ``columns × repeats`` predictions of
    the held-out rows (scaled to ``rows`` of them when sampled)."""
    share = 1.0 if rows is None or costs.test_rows <= 0 else min(1.0, rows / costs.test_rows)
    per_fold = costs.fit + columns * repeats * costs.predict * share
    return per_fold * folds / max(workers, 1)


def plan_diagnostics(
    allowance: float | None,
    costs: FitCosts,
    curves: int,
    columns: int,
    folds: int,
    workers: int,
    want_curve: bool,
    want_permutation: bool,
) -> DiagnosticsBudget:
    """The diagnostics that fit in ``allowance`` seconds (None: everything asked for).

    The importance may use what the curve leaves, and at most half the allowance while a
    curve is wanted; then the curve gets what the importance left.
    """
    sizes = LEARNING_SIZES if want_curve else None
    full_curve = curve_seconds(costs, LEARNING_SIZES, folds, workers) * curves if want_curve else 0
    full_importance = (
        importance_seconds(costs, columns, 5, folds, None, workers) if want_permutation else 0
    )
    plan = DiagnosticsBudget(sizes, permutation=want_permutation)
    if allowance is None or full_curve + full_importance <= allowance:
        return plan
    notes: list[str] = []
    spent = 0.0
    if want_permutation:
        few_folds = min(folds, FEW_FOLDS)
        reduced = importance_seconds(costs, columns, FEW_REPEATS, few_folds, SAMPLE_ROWS, workers)
        room = allowance - min(full_curve, allowance / 2)
        if full_importance <= room:
            spent = full_importance
        elif reduced <= room:
            spent = reduced
            plan = dataclasses.replace(
                plan, repeats=FEW_REPEATS, max_rows=SAMPLE_ROWS, importance_folds=few_folds
            )
            notes.append(
                f"permutation importance reduced to fit the time: {FEW_REPEATS} repeats on at "
                f"most {SAMPLE_ROWS} held-out rows of {few_folds} folds ({columns} columns)"
            )
        else:
            plan = dataclasses.replace(plan, permutation=False)
            notes.append(
                f"permutation importance skipped ({columns} columns would take about "
                f"{full_importance:.0f} s); the model's own importance is shown"
            )
    if want_curve and full_curve > allowance - spent:
        few_folds = min(folds, FEW_FOLDS)
        few = curve_seconds(costs, FEW_SIZES, few_folds, workers) * curves
        if few <= allowance - spent:
            plan = dataclasses.replace(plan, curve_sizes=FEW_SIZES, curve_folds=few_folds)
            notes.append(
                f"learning curve reduced to fit the time: {len(FEW_SIZES)} sizes on "
                f"{few_folds} folds"
            )
        else:
            plan = dataclasses.replace(plan, curve_sizes=None)
            notes.append(f"learning curve skipped (it would take about {full_curve:.0f} s)")
    return dataclasses.replace(plan, notes=tuple(notes))
