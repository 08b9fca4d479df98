"""``mlwb fit RECIPE DATA``."""

import time
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from mlwb.cli.common import (
    AddressOption,
    BackendOption,
    BudgetOption,
    DebugOption,
    ForceOption,
    GateOption,
    JsonOption,
    NJobsOption,
    OutDirOption,
    QuietOption,
    SeedOption,
    SetOption,
    execution_overrides,
    recipe_overrides,
    run_guarded,
)
from mlwb.report.console import make_output

ModelFormatOption = Annotated[
    Literal["skops", "joblib"] | None,
    typer.Option(
        "--model-format",
        help="The model file: skops (model.skops, safe to load; the default) or joblib "
        "(model.joblib, a pickle for joblib.load; predict and evaluate then need "
        "--trust-pickle). Recipe: artifacts.format.",
        show_default=False,
    ),
]


def with_model_format(overrides: list[str], model_format: str | None) -> list[str]:
    """``--model-format`` as the recipe override it stands for."""
    return overrides + ([f"artifacts.format={model_format}"] if model_format else [])


def fit_command(
    recipe: Annotated[Path, typer.Argument(help="The YAML recipe.", show_default=False)],
    data: Annotated[str, typer.Argument(help="The CSV file ('-' for stdin).", show_default=False)],
    out: OutDirOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    gate: GateOption = None,
    seed: SeedOption = None,
    n_jobs: NJobsOption = None,
    budget: BudgetOption = None,
    backend: BackendOption = None,
    address: AddressOption = None,
    model_format: ModelFormatOption = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    no_report: Annotated[
        bool,
        typer.Option("--no-report", help="Write no report.md / report.html (recipe: report)."),
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(
            "--resume",
            help="Continue an interrupted search from the trials saved in search.storage "
            "instead of starting over.",
        ),
    ] = False,
    plan: Annotated[
        bool,
        typer.Option(
            "--plan",
            help="Print the plan (steps per model, column treatments) and exit without fitting.",
        ),
    ] = False,
    debug: DebugOption = False,
) -> None:
    """Cross-validate the recipe's models, refit the best, write a run folder.

    Every model is evaluated on the same folds; the best on the primary metric is refit on
    all rows and saved with its metrics, out-of-fold predictions and the resolved recipe.
    """
    started = time.monotonic()  # the time budget counts from here
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.artifacts import model_key
        from mlwb.compare.gates import command_line_gates, failure_message
        from mlwb.documents import diagnostics_document, fit_document
        from mlwb.errors import GateFailed
        from mlwb.recipe import load_recipe
        from mlwb.report.diagnostics_view import render_diagnostics
        from mlwb.report.fit_view import render_fit
        from mlwb.report.json_out import print_json
        from mlwb.report.progress import ProgressReporter
        from mlwb.report.writer import write_reports
        from mlwb.workflows.fit import run_fit

        overrides = with_model_format(recipe_overrides(set_, seed, n_jobs, budget), model_format)
        overrides += execution_overrides(backend, address)
        loaded = load_recipe(recipe, overrides)
        gates = tuple(command_line_gates(gate or []))
        model_key()  # a set but empty MLWB_MODEL_KEY fails now, not after the training
        if plan:
            from mlwb.report.plan_view import show_plan
            from mlwb.workflows.validate import plan_recipe

            planned = plan_recipe(loaded, data)
            show_plan(planned.plan, planned.work, output)
            return 0
        formats = [] if no_report else list(loaded.report)
        top = loaded.diagnostics.top

        def write(folder: Path, metrics: dict[str, Any], diagnostics: dict[str, Any]) -> None:
            write_reports(folder, metrics, diagnostics, formats, top)

        with ProgressReporter(output) as progress:
            result = run_fit(
                loaded,
                data,
                out,
                force,
                events=progress,
                resume=resume,
                gates=gates,
                report=write,
                started=started,
            )
        if output.json:
            print_json(fit_document(result))
        elif output.show_results and "console" in loaded.report:
            render_fit(result, output)
            render_diagnostics(diagnostics_document(result.diagnostics), output, min(top, 10))
        failed = failure_message(result.gates)
        if failed:
            raise GateFailed(failed, f"the run folder was written: {result.run_dir}")
        return 0

    run_guarded(output, debug, body)
