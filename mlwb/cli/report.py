"""``mlwb report RUN``."""

from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import DebugOption, QuietOption, run_guarded
from mlwb.errors import UsageError
from mlwb.report.console import make_output

FORMATS = ("console", "markdown", "html")


def report_command(
    run: Annotated[
        Path, typer.Argument(help="A run folder written by mlwb fit.", show_default=False)
    ],
    format_: Annotated[
        list[str] | None,
        typer.Option(
            "--format",
            "-f",
            help="console, markdown or html (repeatable; default: all three).",
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Folder for report.md / report.html (default: the run folder).",
        ),
    ] = None,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Rebuild a run's report from its folder alone: console, report.md (+ SVG figures),
    report.html (self-contained)."""
    output = make_output(False, quiet)

    def body() -> int:
        from mlwb.artifacts.run_folder import read_run_folder
        from mlwb.report.summary_view import render_run
        from mlwb.report.writer import write_reports
        from mlwb.suggest import did_you_mean

        formats = format_ or list(FORMATS)
        for name in formats:
            if name not in FORMATS:
                raise UsageError(
                    f"--format {name!r}: not a report format{did_you_mean(name, FORMATS)}",
                    "console, markdown or html",
                )
        documents = read_run_folder(run)
        metrics, diagnostics = documents.metrics, documents.diagnostics
        written = write_reports(
            out or run, metrics, diagnostics, formats, option="--out" if out else "RUN"
        )
        for path in written:
            output.notice(f"wrote {path}")
        if "console" in formats and output.show_results:
            render_run(metrics, diagnostics, output)
        return 0

    run_guarded(output, debug, body)
