"""``mlwb schema``."""

from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import DebugOption, QuietOption, run_guarded
from mlwb.report.console import make_output


def schema_command(
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the schema to this file instead of stdout."),
    ] = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Print the JSON Schema of the recipe format (for editor completion).

    Editors use it to complete keys, show their descriptions and flag mistakes; the README
    shows the VS Code setup.
    """
    output = make_output(False, quiet)

    def body() -> int:
        import json
        import sys

        from mlwb.outputs import check_output_file, write_output
        from mlwb.recipe.json_schema import recipe_json_schema

        if out is not None:
            check_output_file(out, "--out")
        text = json.dumps(recipe_json_schema(), indent=2, ensure_ascii=False) + "\n"
        if out is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            write_output(out, text, "--out")
            output.notice(f"wrote {out}")
        return 0

    run_guarded(output, debug, body)
