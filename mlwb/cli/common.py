"""What every command shares: option types, console setup, and the one place errors
become a message and an exit code."""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from mlwb import interrupts
from mlwb.cli.stopping import StopSignals, kill_workers, shutdown_workers, stop_request
from mlwb.errors import ExitCode, MlwbError, RecipeError

if TYPE_CHECKING:  # Rich's console is imported by the command that draws, not by --help
    from mlwb.report.console import Output

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document on stdout and nothing else there.")
]
QuietOption = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress, notes or tables; errors only.")
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show the full traceback when something fails.")
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY.PATH=VALUE",
        help="Override a recipe key (YAML value), e.g. --set search.trials=40. Repeatable.",
    ),
]
SeedOption = Annotated[
    int | None, typer.Option("--seed", help="Seed for every random choice (recipe: seed).")
]
NJobsOption = Annotated[
    int | None,
    typer.Option(
        "--n-jobs", help="Processes and threads to use; -1 for all cores (recipe: n_jobs)."
    ),
]
BackendOption = Annotated[
    str | None,
    typer.Option(
        "--backend",
        metavar="local|dask|ray",
        help="Run folds and trials on this machine or as tasks on a cluster "
        "(recipe: execution.backend).",
    ),
]
AddressOption = Annotated[
    str | None,
    typer.Option(
        "--address",
        metavar="URL",
        help="The cluster's scheduler, e.g. tcp://127.0.0.1:8786; without it a local "
        "cluster is started (recipe: execution.address).",
    ),
]
BudgetOption = Annotated[
    str | None,
    typer.Option(
        "--budget",
        metavar="SECONDS|none",
        help="Seconds for the whole command; the run plans its work to it and says what it "
        "cut. Default: 60 when the recipe names no models (recipe: budget).",
    ),
]
OutDirOption = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="Run folder (default: runs/<name>-<UTC timestamp>)."),
]
GateOption = Annotated[
    list[str] | None,
    typer.Option(
        "--gate",
        metavar="METRIC>=VALUE",
        help="A quality gate, e.g. --gate 'roc_auc>=0.8' (also <=, >, <, ==); exit 4 when "
        "not met. Repeatable.",
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Replace the run folder if it already exists.")
]


def recipe_overrides(
    sets: list[str] | None, seed: int | None, n_jobs: int | None, budget: str | None = None
) -> list[str]:
    """``--set`` values plus ``--seed``/``--n-jobs``/``--budget`` as the same overrides."""
    overrides = list(sets or [])
    if seed is not None:
        overrides.append(f"seed={seed}")
    if n_jobs is not None:
        overrides.append(f"n_jobs={n_jobs}")
    if budget is not None:
        overrides.append(f"budget={budget}")
    return overrides


def execution_overrides(backend: str | None, address: str | None) -> list[str]:
    """``--backend``/``--address`` as recipe overrides (validated with the recipe)."""
    overrides = [f"execution.backend={backend}"] if backend is not None else []
    if address is not None:
        overrides.append(f"execution.address={address}")
    return overrides


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so the final flush cannot fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass


def _stopped(output: Output) -> int:
    """The one line and exit code of a run stopped by a signal."""
    request = stop_request()
    kill_workers()
    output.error(f"{request.word}; nothing was written")
    return request.exit_code


def run_guarded(output: Output, debug: bool, body: Callable[[], int | None]) -> NoReturn:
    """Run a command's body and exit with its code; map every failure to one line.

    Once a stop was requested, whatever the unwinding raises (a pool whose workers were
    just stopped reports them as lost, a fold reports its model as failed) is a
    consequence of the stop, not a failure of its own: the exit is 130 or 143.
    """
    try:
        with StopSignals(debug):
            code = int(body() or ExitCode.OK)
            interrupts.check()  # a stop whose exception was swallowed still stops
    except KeyboardInterrupt:
        code = _stopped(output)
    except BrokenPipeError:
        _silence_stdout()
        code = int(ExitCode.OK)
    except Exception as error:  # noqa: BLE001 - the last line of defence
        if interrupts.stop_requested():
            code = _stopped(output)
        elif isinstance(error, MlwbError):
            details = error.details if isinstance(error, RecipeError) else ()
            output.error(error.message, error.hint, details)
            code = int(error.exit_code)
        else:
            message = str(error).strip().splitlines()[0] if str(error).strip() else ""
            output.error(
                f"internal error: {type(error).__name__}: {message}",
                "this is a bug in mlwb; run again with --debug for the traceback and report it",
            )
            code = int(ExitCode.INTERNAL)
        if debug:
            traceback.print_exc(file=sys.stderr)
    shutdown_workers()
    raise typer.Exit(code)
