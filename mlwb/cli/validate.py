"""``mlwb validate RECIPE [DATA]``."""

from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import (
    DebugOption,
    JsonOption,
    QuietOption,
    SetOption,
    recipe_overrides,
    run_guarded,
)
from mlwb.report.console import make_output


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
        from mlwb.recipe import load_recipe
        from mlwb.report.plan_view import show_plan, show_recipe
        from mlwb.workflows.validate import plan_recipe

        loaded = load_recipe(recipe, recipe_overrides(set_, None, None))
        if data is None:
            show_recipe(recipe, loaded, output)
        else:
            planned = plan_recipe(loaded, data)
            show_plan(planned.plan, planned.work, output)
        return 0

    run_guarded(output, debug, body)
