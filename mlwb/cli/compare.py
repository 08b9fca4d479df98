"""``mlwb compare RECIPE DATA`` and ``mlwb compare RUN RUN …``."""

import time
from pathlib import Path
from typing import Annotated

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
from mlwb.cli.fit import ModelFormatOption, with_model_format
from mlwb.errors import UsageError
from mlwb.report.console import Output, make_output

RECIPE_SUFFIXES = (".yaml", ".yml")


def is_recipe_mode(targets: list[str]) -> bool:
    """``compare RECIPE DATA`` when the first argument is a YAML file, else run folders."""
    first = Path(targets[0])
    return first.suffix.lower() in RECIPE_SUFFIXES and not first.is_dir()


def compare_command(
    targets: Annotated[
        list[str],
        typer.Argument(
            help="RECIPE DATA (evaluate the recipe's models), or RUN RUN … (run folders).",
            show_default=False,
            metavar="RECIPE DATA | RUN RUN…",
        ),
    ],
    out: OutDirOption = None,
    force: ForceOption = False,
    set_: SetOption = None,
    seed: SeedOption = None,
    n_jobs: NJobsOption = None,
    budget: BudgetOption = None,
    backend: BackendOption = None,
    address: AddressOption = None,
    refit: Annotated[
        bool,
        typer.Option("--fit", help="RECIPE DATA: also refit the best model and save it."),
    ] = False,
    model_format: ModelFormatOption = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="RUN…: the run the others are diffed against (default: the first)."
        ),
    ] = None,
    max_drop: Annotated[
        list[str] | None,
        typer.Option(
            "--max-drop",
            metavar="METRIC=AMOUNT",
            help="RUN…: exit 4 when METRIC got worse than the baseline by more than AMOUNT, "
            "e.g. --max-drop roc_auc=0.01. Repeatable.",
        ),
    ] = None,
    gate: GateOption = None,
    md: Annotated[
        Path | None,
        typer.Option(
            "--md", help="Also write the comparison as Markdown (for a pull-request comment)."
        ),
    ] = None,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Compare models on identical folds with significance tests, or runs side by side.

    RECIPE DATA: every model of the recipe (a default zoo when it names none) on the same
    outer folds; the leaderboard gives mean ± std, time, and a corrected resampled t-test
    against the best (Holm-adjusted, ties marked), plus a Friedman test with 3+ models.

    RUN RUN …: the runs' scores side by side with deltas against the first (or --baseline);
    --max-drop and --gate fail the command with exit 4, and a check that cannot be
    evaluated fails too.
    """
    started = time.monotonic()  # the time budget counts from here
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.outputs import check_output_file

        if md is not None:  # before the comparison, which may take minutes
            check_output_file(md, "--md")
        if is_recipe_mode(targets):
            if len(targets) != 2:
                raise UsageError(
                    f"compare {targets[0]}: expected RECIPE DATA, got {len(targets)} arguments",
                    "mlwb compare recipe.yaml data.csv",
                )
            if baseline is not None or max_drop:
                raise UsageError(
                    "--baseline and --max-drop compare run folders",
                    "mlwb compare RUN RUN … --max-drop roc_auc=0.01",
                )
            if model_format and not refit:
                raise UsageError(
                    "--model-format: compare saves no model without --fit",
                    f"mlwb compare {targets[0]} {targets[1]} --fit --model-format {model_format}",
                )
            return _compare_recipe(targets[0], targets[1], output)
        used = [
            name
            for name, value in (
                ("--set", set_),
                ("--seed", seed),
                ("--n-jobs", n_jobs),
                ("--backend", backend),
                ("--address", address),
                ("--fit", refit),
                ("--model-format", model_format),
                ("--out", out),
                ("--force", force),
            )
            if value
        ]
        if used:
            raise UsageError(
                f"{', '.join(used)}: only for mlwb compare RECIPE DATA; "
                f"{targets[0]} is not a .yaml recipe",
                "give RECIPE DATA to evaluate models, or run folders to compare runs",
            )
        return _compare_runs([Path(t) for t in targets], output)

    def _compare_recipe(recipe: str, data: str, output: Output) -> int:
        from mlwb.compare.gates import command_line_gates, failure_message
        from mlwb.documents import compare_document
        from mlwb.errors import GateFailed
        from mlwb.outputs import write_output
        from mlwb.recipe import load_recipe
        from mlwb.report.compare_markdown import leaderboard_markdown
        from mlwb.report.compare_view import render_compare
        from mlwb.report.json_out import print_json
        from mlwb.report.progress import ProgressReporter
        from mlwb.workflows.compare import run_compare

        overrides = with_model_format(recipe_overrides(set_, seed, n_jobs, budget), model_format)
        overrides += execution_overrides(backend, address)
        loaded = load_recipe(Path(recipe), overrides)
        gates = tuple(command_line_gates(gate or []))
        if refit:
            from mlwb.artifacts import model_key

            model_key()  # a set but empty MLWB_MODEL_KEY fails now, not after the training
        with ProgressReporter(output) as progress:
            result = run_compare(
                loaded, data, out, force, events=progress, gates=gates, refit=refit, started=started
            )
        if md is not None:
            write_output(md, leaderboard_markdown(result), "--md")
        if output.json:
            print_json(compare_document(result))
        elif output.show_results:
            render_compare(result, output)
        failed = failure_message(result.fit.gates)
        if failed:
            raise GateFailed(failed, f"the run folder was written: {result.fit.run_dir}")
        return 0

    def _compare_runs(paths: list[Path], output: Output) -> int:
        from mlwb.compare.gates import command_line_gates
        from mlwb.compare.rundiff import failure_message, parse_max_drop
        from mlwb.documents import run_comparison_document
        from mlwb.errors import GateFailed
        from mlwb.outputs import write_output
        from mlwb.report.compare_markdown import run_comparison_markdown
        from mlwb.report.compare_view import render_run_comparison
        from mlwb.report.json_out import print_json
        from mlwb.workflows.compare import compare_run_folders

        checks = parse_max_drop(max_drop or [])
        gates = command_line_gates(gate or [])
        comparison = compare_run_folders(paths, baseline, checks, gates)
        for notice in comparison.notices:
            output.notice(notice, "warning")
        if md is not None:
            write_output(md, run_comparison_markdown(comparison), "--md")
        if output.json:
            print_json(run_comparison_document(comparison))
        elif output.show_results:
            render_run_comparison(comparison, output)
        failed = failure_message(comparison)
        if failed:
            raise GateFailed(failed)
        return 0

    run_guarded(output, debug, body)
