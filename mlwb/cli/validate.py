"""``mlwb validate RECIPE [DATA]``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from mlwb.cli.common import (
    DebugOption,
    JsonOption,
    QuietOption,
    SetOption,
    recipe_overrides,
    run_guarded,
)
from mlwb.report.console import Output, make_output

if TYPE_CHECKING:
    from mlwb.recipe import Recipe


def validate_command(
    recipe: Annotated[Path, typer.Argument(help="The YAML recipe.", show_default=False)],
    data: Annotated[
        str | None,
        typer.Argument(help="A CSV file to check the recipe against.", show_default=False),
    ] = None,
    set_: SetOption = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Check a recipe (and its fit to a CSV) and print the plan, without training.

    With DATA: the task, column roles, folds and, per model, every pipeline step and which
    columns get which treatment. Exit 0 when valid, 2 for recipe errors, 3 for data errors.
    """
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.recipe import load_recipe, resolved_yaml

        loaded = load_recipe(recipe, recipe_overrides(set_, None, None))
        if data is None:
            if output.json:
                from mlwb.report.json_out import print_json

                print_json(
                    {
                        "schema_version": 1,
                        "kind": "recipe",
                        "valid": True,
                        "recipe": loaded.model_dump(mode="json", by_alias=True),
                    }
                )
            elif output.show_results:
                output.out.print(f"{recipe}: valid recipe", highlight=False)
                output.out.print(resolved_yaml(loaded), highlight=False, markup=False)
            return 0
        show_plan(loaded, data, output)
        return 0

    run_guarded(output, debug, body)


def show_plan(loaded: Recipe, data: str, output: Output) -> None:
    """Plan ``loaded`` on ``data`` and print it (shared with ``mlwb fit --plan``)."""
    from mlwb.documents import plan_document
    from mlwb.plan import budget_summary, count_fits, estimate_seconds, plan_from_file
    from mlwb.report.json_out import print_json
    from mlwb.report.plan_view import render_budget, render_plan

    plan = plan_from_file(loaded, data)
    for notice in plan.dataset.notices + plan.notices:
        output.notice(notice)
    budget = estimate_seconds(plan, count_fits(plan))
    if output.json:
        print_json({**plan_document(plan), "fits": budget_summary(budget)})
    elif output.show_results:
        render_plan(plan, output)
        render_budget(budget, output)
