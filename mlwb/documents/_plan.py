"""The ``mlwb validate --json`` documents: a valid recipe, or the plan of a run on a CSV
with the number of fits it will make — everything a fit would do, nothing fitted."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mlwb.documents._common import header

if TYPE_CHECKING:
    from mlwb.plan import RunPlan, WorkEstimate
    from mlwb.recipe.schema import Recipe


def recipe_document(recipe: Recipe) -> dict[str, Any]:
    """``mlwb validate RECIPE --json``: the recipe is valid; here it is with every default
    filled in (the keys are the recipe format's, described by ``mlwb schema``)."""
    return {
        **header("recipe"),
        "valid": True,
        "recipe": recipe.model_dump(mode="json", by_alias=True),
    }


def _fits_document(work: WorkEstimate) -> dict[str, Any]:
    return {
        "evaluation": work.evaluation,
        "final": work.final,
        "diagnostics": work.diagnostics,
        "total": work.total,
        "exact": work.exact,
        "per_model": {
            m.name: {
                "search_fits": m.search_fits,
                "refits": m.refits,
                "final_fits": m.final_fits,
                "exact": m.exact,
            }
            for m in work.models
        },
        "estimated_seconds": work.seconds,
        "workers": work.workers,
    }


def plan_document(plan: RunPlan, work: WorkEstimate) -> dict[str, Any]:
    """``mlwb validate RECIPE DATA --json`` (and ``mlwb fit --plan --json``): the data as
    read, each model's pipeline, and ``fits`` — how many fits the run makes, per model, and
    the rough time estimate."""
    dataset = plan.dataset
    return {
        **header("plan"),
        "name": plan.recipe.name,
        "dataset": {
            "source": dataset.source,
            "rows": dataset.n_rows,
            "target": dataset.target_name,
            "task": plan.task,
            "task_reason": dataset.target.reason,
            "classes": list(dataset.target.classes),
            "class_counts": {str(k): v for k, v in dataset.target.class_counts().items()},
            "positive": dataset.positive_label,
            "columns": [
                {"name": c.name, "role": c.role, "reason": c.reason} for c in dataset.roles.columns
            ],
        },
        "validation": plan.outer.description,
        "metrics": list(plan.metrics),
        "primary_metric": plan.primary,
        "models": {
            model.name: {
                "params": model.params,
                "preprocessing": list(model.preprocessing),
                "pipeline": [
                    {"step": s.name, "what": s.what, "learns": s.learns} for s in model.steps
                ],
            }
            for model in plan.models
        },
        "notices": list(dataset.notices + plan.notices),
        "fits": _fits_document(work),
        "search": plan.recipe.search.strategy,
        "ensemble": plan.ensemble,
        "budget": {
            "seconds": plan.budget.seconds,
            "source": plan.budget.source,
            "diagnostics_seconds": plan.budget.diagnostics,
            "shared": plan.budget.describe(),
        },
    }
