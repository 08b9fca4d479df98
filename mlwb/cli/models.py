"""``mlwb models``."""

from typing import Annotated

import typer

from mlwb.cli.common import DebugOption, JsonOption, QuietOption, run_guarded
from mlwb.errors import UsageError
from mlwb.report.console import make_output

TASKS = ("binary", "multiclass", "regression")


def models_command(
    task: Annotated[
        str | None,
        typer.Option("--task", help="Only models for this task: binary, multiclass or regression."),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """List the model catalogue: tasks, scaling, categoricals, class weights, losses and the
    default search space of every model; then the feature-selection methods (features.select)
    and the metrics, with the tasks each applies to."""
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.documents import catalogue_document
        from mlwb.report.json_out import print_json
        from mlwb.report.models_view import render_models
        from mlwb.suggest import did_you_mean

        if task is not None and task not in TASKS:
            raise UsageError(
                f"--task {task!r}: not a task{did_you_mean(task, TASKS)}",
                "use binary, multiclass or regression",
            )
        document = catalogue_document(task)
        if output.json:
            print_json(document)
        elif output.show_results:
            render_models(document, output)
        return 0

    run_guarded(output, debug, body)
