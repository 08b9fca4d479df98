"""``mlwb init DATA --target COL``."""

from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import DebugOption, ForceOption, QuietOption, run_guarded
from mlwb.report.console import make_output


def init_command(
    data: Annotated[str, typer.Argument(help="The CSV file.", show_default=False)],
    target: Annotated[
        str, typer.Option("--target", "-t", help="The column to predict.", show_default=False)
    ],
    out: Annotated[
        str,
        typer.Option("--out", "-o", help="Where to write the recipe ('-' for stdout)."),
    ] = "-",
    name: Annotated[
        str | None, typer.Option("--name", help="The recipe's name (default: the file's).")
    ] = None,
    force: ForceOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Write a commented starter recipe for DATA.

    The recipe states the inferred task and every column's role with the reason, and picks
    preprocessing, validation and models suited to the data's size.
    """
    output = make_output(False, quiet)

    def body() -> int:
        import sys

        from mlwb.outputs import check_output_file, write_output
        from mlwb.workflows.init import starter_recipe

        destination = Path(out) if out != "-" else None
        if destination is not None:  # an existing recipe is someone's work: only with --force
            check_output_file(destination, "--out", replace=force)
        recipe = starter_recipe(data, target, name)
        for notice in recipe.notices:
            output.notice(notice)
        if destination is None:
            sys.stdout.write(recipe.text)
            sys.stdout.flush()
        else:
            write_output(destination, recipe.text, "--out", replace=force)
            output.notice(
                f"wrote {out} ({recipe.task}, {recipe.rows} rows); next: mlwb validate {out} {data}"
            )
        return 0

    run_guarded(output, debug, body)
