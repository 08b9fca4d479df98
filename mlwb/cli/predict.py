"""``mlwb predict MODEL DATA``."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import DebugOption, JsonOption, QuietOption, run_guarded
from mlwb.report.console import make_output

TrustPickleOption = Annotated[
    bool,
    typer.Option(
        "--trust-pickle",
        help="Load a model.joblib (a pickle: loading it runs any code it holds). Only for "
        "files from a source you trust; model.skops needs no such trust.",
    ),
]


def predict_command(
    model: Annotated[
        Path,
        typer.Argument(
            help="model.skops (or model.joblib), or the run folder holding it.",
            show_default=False,
        ),
    ],
    data: Annotated[
        str,
        typer.Argument(help="The CSV file of rows to predict ('-' for stdin).", show_default=False),
    ],
    out: Annotated[
        str,
        typer.Option("--out", "-o", help="Where to write the predictions CSV ('-' for stdout)."),
    ] = "-",
    keep: Annotated[
        list[str] | None,
        typer.Option(
            "--keep", help="Copy this input column into the output (e.g. an id). Repeatable."
        ),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold",
            min=0.0,
            max=1.0,
            help="Binary models: predict the positive class from this probability (default: the "
            "threshold saved with the model).",
        ),
    ] = None,
    trust_pickle: TrustPickleOption = False,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Predict labels and probabilities (or values) for new rows with a saved model.

    The rows are checked against the data contract saved with the model first: missing
    columns and text in numeric columns are errors; extra columns are ignored.
    """
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.documents import predict_document, predictions_csv
        from mlwb.outputs import check_output_file, write_output
        from mlwb.report.json_out import print_json
        from mlwb.workflows.predict import load_and_predict

        if out != "-":  # before loading the model: a bad --out fails at once
            check_output_file(Path(out), "--out")
        result = load_and_predict(model, data, tuple(keep or ()), threshold, trust_pickle)
        for notice in result.notices:
            output.notice(notice)
        if out == "-":
            if output.json:
                print_json(predict_document(result))
            else:
                sys.stdout.write(predictions_csv(result))
                sys.stdout.flush()
            return 0
        write_output(Path(out), predictions_csv(result), "--out")
        if output.json:
            print_json(predict_document(result, out=out))
        elif not output.quiet:
            output.notice(f"wrote {len(result.frame)} predictions to {out}")
        return 0

    run_guarded(output, debug, body)
