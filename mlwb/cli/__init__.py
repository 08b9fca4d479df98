"""The command line: a thin Typer shell over the core, one module per command."""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from typing import Annotated

import typer

import mlwb
from mlwb.cli import compare, evaluate, fit, init, models, predict, report, schema, validate, worker

EXIT_CODES = (
    "Exit codes: 0 success · 1 internal error (a bug) · 2 invalid command line or recipe "
    "(or a missing optional package) · 3 invalid data, data contract, model file or run folder · "
    "4 a quality gate failed · 130 interrupted (SIGINT) · 143 terminated (SIGTERM)."
)

app = typer.Typer(
    name="mlwb",
    help="mlwb — a workbench for honest, reproducible machine learning on tabular data.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
    # Plain help text: Typer's Rich help imports Rich's Markdown, tracebacks and tables
    # (three times the CPU of importing Typer) on every --help; mlwb's own output still
    # uses Rich where it draws tables.
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlwb {mlwb.__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """mlwb — a workbench for honest, reproducible machine learning on tabular data."""


app.command("fit", epilog=EXIT_CODES)(fit.fit_command)
app.command("compare", epilog=EXIT_CODES)(compare.compare_command)
app.command("predict", epilog=EXIT_CODES)(predict.predict_command)
app.command("evaluate", epilog=EXIT_CODES)(evaluate.evaluate_command)
app.command("init", epilog=EXIT_CODES)(init.init_command)
app.command("validate", epilog=EXIT_CODES)(validate.validate_command)
app.command("schema", epilog=EXIT_CODES)(schema.schema_command)
app.command("models", epilog=EXIT_CODES)(models.models_command)
app.command("report", epilog=EXIT_CODES)(report.report_command)
app.command("worker", epilog=EXIT_CODES)(worker.worker_command)


def main() -> None:
    """Console-script entry point.

    The process ends with ``os._exit`` once the command is done and its output flushed:
    tearing the interpreter down — every module of scikit-learn, SciPy and pandas, every
    object of the run — takes a quarter of a second and does nothing a finished command
    needs. Its files are closed by then, worker processes stopped, a cluster client
    closed, and joblib's resource tracker removes its temporary files when this process
    ends, however it ends. With a thread of its own still running (a library's), the
    interpreter ends the usual way, which waits for it.
    """
    try:
        app()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):  # sys.exit("message"): the message, and exit code 1
        sys.stderr.write(f"{code}\n")
        code = 1
    status = code if isinstance(code, int) else 0
    if any(
        t.is_alive() and not t.daemon
        for t in threading.enumerate()
        if t is not threading.main_thread()
    ):
        sys.exit(status)
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to say
            stream.flush()
    os._exit(status)
