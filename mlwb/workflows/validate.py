"""``mlwb validate RECIPE DATA`` and ``mlwb fit --plan``: what a fit of the recipe on the
data would do — the plan, the number of fits, a rough time — without fitting it.

One workflow for both commands, so ``fit --plan`` shows exactly what ``validate`` shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mlwb.plan import RunPlan, WorkEstimate, count_fits, estimate_seconds, plan_from_file
from mlwb.recipe.schema import Recipe


@dataclass(frozen=True)
class PlannedRun:
    """A run planned on its data and counted: every step of every model, and the fits
    (with the time estimate) the run would make."""

    plan: RunPlan
    work: WorkEstimate


def plan_recipe(recipe: Recipe, data: str | Path) -> PlannedRun:
    """Read ``data``, plan ``recipe`` on it, count the fits and estimate the time (one
    timed fit per model on a sample: the only fitting done)."""
    plan = plan_from_file(recipe, data)
    return PlannedRun(plan, estimate_seconds(plan, count_fits(plan)))
