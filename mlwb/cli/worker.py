"""``mlwb worker RECIPE DATA``."""

from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import (
    AddressOption,
    BackendOption,
    DebugOption,
    JsonOption,
    NJobsOption,
    QuietOption,
    SeedOption,
    SetOption,
    execution_overrides,
    recipe_overrides,
    run_guarded,
)
from mlwb.report.console import make_output


def worker_command(
    recipe: Annotated[Path, typer.Argument(help="The YAML recipe.", show_default=False)],
    data: Annotated[str, typer.Argument(help="The CSV file.", show_default=False)],
    set_: SetOption = None,
    seed: SeedOption = None,
    n_jobs: NJobsOption = None,
    backend: BackendOption = None,
    address: AddressOption = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Run trials of a shared search (search.storage: postgresql://…) beside a fit.

    Start 'mlwb fit RECIPE DATA --resume' once and this command on any machine that
    reaches the database, with the same recipe and data: the outer folds' studies share
    their trials (each process with its own sampler seed), a killed process's trial is run
    again, and the fit process alone searches the final model and refits it.
    """
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.documents import worker_document
        from mlwb.recipe import load_recipe
        from mlwb.report.json_out import print_json
        from mlwb.report.progress import ProgressReporter
        from mlwb.report.worker_view import render_worker
        from mlwb.workflows.worker import run_worker

        overrides = recipe_overrides(set_, seed, n_jobs) + execution_overrides(backend, address)
        loaded = load_recipe(recipe, overrides)
        with ProgressReporter(output) as progress:
            models = run_worker(loaded, data, events=progress)
        if output.json:
            print_json(worker_document(models))
        elif output.show_results:
            render_worker(models, output)
        return 0

    run_guarded(output, debug, body)
