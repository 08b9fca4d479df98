"""How much work a plan is: the number of model fits, and a rough time estimate.

Counted the way the evaluation runs: every outer fold fits each model once, or — when the
model is tuned — runs a search of ``trials × inner folds`` fits and refits the winner; a
decision layer multiplies each of those refits (calibration fits one model per inner fold,
threshold tuning fits one per inner fold and refits once); the final model repeats the
search (when tuned) and the refit on all rows. Pruning, a time budget and successive
halving can only lower the number, so it is then reported as an upper bound.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from mlwb.models.baseline import BASELINE
from mlwb.plan._models import ModelPlan
from mlwb.plan._run import RunPlan

SAMPLE_ROWS = 500
# The shares of the largest training fold a learning curve is fitted at (the smallest is
# raised on data with a rare class, so that every subset holds some of it).
LEARNING_SIZES = (0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 1.0)


@dataclass(frozen=True)
class ModelWork:
    """Fits of one model: in the outer folds (searches included) and as the final model."""

    name: str
    search_fits: int
    refits: int
    final_fits: int
    exact: bool

    @property
    def evaluation_fits(self) -> int:
        return self.search_fits + self.refits


@dataclass(frozen=True)
class WorkEstimate:
    """Fits of a whole run; ``final`` is the most the final model can take (its model is
    not known before the evaluation); ``seconds`` a rough estimate (None when not timed)."""

    models: tuple[ModelWork, ...]
    final: int
    diagnostics: int
    exact: bool
    seconds: float | None = None
    workers: int = 1

    @property
    def evaluation(self) -> int:
        return sum(m.evaluation_fits for m in self.models)

    @property
    def total(self) -> int:
        return self.evaluation + self.final + self.diagnostics


def decision_factor(plan: RunPlan, model: ModelPlan) -> int:
    """Pipeline fits in one fit of the model wrapped in the decision layer."""
    decide = plan.decision
    if not decide or model.spec.family == "dummy":
        return 1
    factor = decide.folds if decide.calibrates else 1
    return factor * (decide.folds + 1) if decide.tunes_threshold else factor


def _search(model: ModelPlan) -> tuple[int, bool]:
    """Fits of one search (trials × inner folds) and whether that is exact."""
    tuning = model.tuning
    if tuning is None:
        return 0, True
    settings = tuning.settings
    trials = settings.trials
    if settings.strategy == "grid":
        size = tuning.space.size() or trials
        trials = min(size, trials) if settings.cap_grid else size
    exact = (
        settings.strategy != "halving"
        and settings.timeout is None
        and not (settings.pruning and settings.strategy == "bayes")
    )
    return trials * tuning.inner.n_splits, exact


def count_fits(plan: RunPlan, diagnostics: bool = True) -> WorkEstimate:
    """The fits ``mlwb fit`` will run for ``plan`` (``diagnostics``: with the learning
    curve and permutation importance the recipe asks for)."""
    outer = len(plan.splits)
    models = []
    for model in plan.models:
        if model.portfolio is not None:
            # the budgeted search: each configuration is one fit per outer fold; with a
            # budget the number of configurations is what the time allows (at most this)
            configurations = len(model.portfolio.configurations) + (model.portfolio.trials or 0)
            models.append(ModelWork(model.name, 0, configurations * outer, 1, not plan.budget))
            continue
        search, exact = _search(model)
        factor = decision_factor(plan, model)
        models.append(
            ModelWork(
                model.name,
                search * outer,
                outer * factor,
                search + factor,
                exact and not plan.budget,
            )
        )
    candidates = [m for m in models if m.name != BASELINE] or models
    final = max(m.final_fits for m in candidates)
    extra = 0
    config = plan.recipe.diagnostics
    if diagnostics:
        curves = len(candidates) if config.learning_curve == "all" else 1
        extra += curves * len(LEARNING_SIZES) * outer if config.learning_curve else 0
        extra += outer if config.importance == "permutation" else 0
        extra += len(config.validation_curve.values) * outer if config.validation_curve else 0
    return WorkEstimate(
        tuple(models),
        final,
        extra,
        all(m.exact for m in models) and not extra,
        workers=plan.parallelism.workers,
    )


def _time_one(model: ModelPlan, plan: RunPlan, rows: np.ndarray) -> float:
    from sklearn.base import clone

    X, y = plan.dataset.X.iloc[rows], plan.dataset.y[rows]
    started = time.perf_counter()
    try:
        clone(model.pipeline).fit(X, y)
    except Exception:  # noqa: BLE001 - a rough estimate: a failing sample fit costs nothing
        return 0.0
    return time.perf_counter() - started


def estimate_seconds(plan: RunPlan, work: WorkEstimate) -> WorkEstimate:
    """``work`` with a rough time: one fit of each model on ``SAMPLE_ROWS`` rows of the
    first training fold, scaled linearly by rows and multiplied by its fits, divided
    among the parallel workers."""
    import dataclasses

    train = plan.splits[0][0]
    rng = np.random.default_rng(plan.recipe.seed)
    sample = np.sort(rng.choice(train, size=min(SAMPLE_ROWS, len(train)), replace=False))
    scale = len(train) / len(sample)
    seconds = 0.0
    worst_final = 0.0
    for model, counted in zip(plan.models, work.models, strict=True):
        one = _time_one(model, plan, sample) * scale
        seconds += one * counted.evaluation_fits
        if model.name != BASELINE:
            worst_final = max(worst_final, one * counted.final_fits)
    seconds += worst_final + work.diagnostics * (worst_final / max(work.final, 1))
    return dataclasses.replace(work, seconds=seconds / max(plan.parallelism.workers, 1))
