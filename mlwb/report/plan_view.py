"""Rendering of what ``mlwb validate`` checked: a valid recipe, or a run plan with its
fit count (``mlwb validate``, ``mlwb fit --plan``) — as console tables or one JSON
document."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text

from mlwb.documents import plan_document, recipe_document
from mlwb.pipeline import PipelineStep
from mlwb.plan import ModelPlan, RunPlan, WorkEstimate
from mlwb.recipe import Recipe, resolved_yaml
from mlwb.report.console import Output
from mlwb.report.json_out import print_json


def step_chain(steps: tuple[PipelineStep, ...]) -> str:
    """``impute → SMOTENC → encode → mutual_info → lightgbm`` (without 'prepare')."""
    return " → ".join(s.label or s.name for s in steps if s.name != "prepare")


def _model_table(model: ModelPlan, output: Output) -> Table:
    table = Table(
        title=Text(model.name, style="bold"),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
        show_header=True,
    )
    table.add_column("step")
    table.add_column("what it does")
    table.add_column("learns from", justify="left")
    for step in model.steps:
        table.add_row(step.name, step.what, "training rows" if step.learns else "—")
    return table


def render_plan(plan: RunPlan, output: Output) -> None:
    """Print what a fit would do, model by model, without fitting anything."""
    console = output.out
    data = plan.dataset
    roles = data.roles
    header = Text()
    header.append(f"{plan.recipe.name}", style="bold")
    header.append(
        f" — plan for {data.source}: {data.n_rows} rows, {plan.task} task "
        f"({data.target.reason}), target '{data.target_name}'"
    )
    console.print(header)
    counts = f"{len(roles.numeric)} numeric, {len(roles.categorical)} categorical"
    if roles.ordinal:
        counts += f", {len(roles.ordinal)} ordinal"
    if roles.datetime:
        counts += f", {len(roles.datetime)} datetime"
    console.print(f"columns: {counts}, {len(roles.dropped)} dropped")
    for column in roles.dropped:
        console.print(Text(f"  dropped {column.name}: {column.reason}", style="dim"))
    for name in roles.datetime:
        parts = ", ".join(roles.date_parts[name])
        console.print(Text(f"  datetime {name}: the model gets its {parts}", style="dim"))
    console.print(f"validation: {plan.outer.description}")
    console.print(f"metrics: {', '.join(plan.metrics)} (primary: {plan.primary})")
    if plan.sampler is not None:
        console.print(f"imbalance: {plan.sampler.describe()}")
    console.print()
    for model in plan.models:
        console.print(_model_table(model, output))
        console.print(Text("columns:", style="bold"))
        for line in model.preprocessing:
            console.print(Text(f"  {line}"), soft_wrap=True)
        console.print()


def render_work(work: WorkEstimate, output: Output) -> None:
    """The number of fits (per model, final, diagnostics) and the rough time estimate."""
    bound = "" if work.exact else "at most "
    text = Text("fits: ", style="bold")
    text.append(f"{bound}{work.total} in all — ")
    parts = []
    for model in work.models:
        detail = (
            f"{model.search_fits} search + {model.refits} refits"
            if model.search_fits
            else f"{model.refits}"
        )
        parts.append(f"{model.name} {detail}")
    text.append("cross-validation " + ", ".join(parts))
    text.append(f"; final model up to {work.final}")
    if work.diagnostics:
        text.append(f"; diagnostics about {work.diagnostics}")
    output.out.print(text, soft_wrap=True)
    if work.seconds is not None:
        output.out.print(
            Text(
                f"estimated time: ~{_duration(work.seconds)} on {work.workers} "
                f"worker(s) (rough: one fit per model timed on a sample, scaled by rows)",
                style="dim",
            ),
            soft_wrap=True,
        )


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _render_budget(plan: RunPlan, output: Output) -> None:
    """How the time budget is shared, and the portfolio each searched model starts from."""
    output.out.print(f"budget: {plan.budget.describe()}", highlight=False, markup=False)
    for model in plan.models:
        if model.portfolio is None:
            continue
        sources = "; ".join(c.source for c in model.portfolio.configurations)
        then = (
            f"then {model.portfolio.trials} Bayesian trials"
            if model.portfolio.trials is not None
            else "then Bayesian trials while the budget lasts"
            if model.portfolio.space.searched
            else "no space to search beyond it"
        )
        output.out.print(
            f"  {model.name}: portfolio of {len(model.portfolio.configurations)} ({sources}), "
            f"{then}",
            highlight=False,
            markup=False,
        )
    if plan.ensemble:
        output.out.print(
            "  ensemble: greedy selection on the models' out-of-fold predictions, weights "
            "chosen per fold on the other folds",
            highlight=False,
            markup=False,
        )


def show_recipe(path: Path, recipe: Recipe, output: Output) -> None:
    """A valid recipe: the ``recipe`` document, or "valid" and the recipe with every
    default filled in."""
    if output.json:
        print_json(recipe_document(recipe))
    elif output.show_results:
        output.out.print(f"{path}: valid recipe", highlight=False)
        output.out.print(resolved_yaml(recipe), highlight=False, markup=False)


def show_plan(plan: RunPlan, work: WorkEstimate, output: Output) -> None:
    """The plan's notices, then the ``plan`` document or the plan and fit count as tables
    (``mlwb validate RECIPE DATA`` and ``mlwb fit --plan`` alike)."""
    for notice in plan.dataset.notices + plan.notices:
        output.notice(notice)
    if output.json:
        print_json(plan_document(plan, work))
    elif output.show_results:
        render_plan(plan, output)
        render_work(work, output)
        _render_budget(plan, output)
