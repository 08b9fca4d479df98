"""``mlwb evaluate MODEL DATA``."""

from pathlib import Path
from typing import Annotated

import typer

from mlwb.cli.common import DebugOption, GateOption, JsonOption, QuietOption, run_guarded
from mlwb.cli.predict import TrustPickleOption
from mlwb.report.console import make_output


def evaluate_command(
    model: Annotated[
        Path,
        typer.Argument(
            help="model.skops (or model.joblib), or the run folder holding it.",
            show_default=False,
        ),
    ],
    data: Annotated[
        str,
        typer.Argument(
            help="A labelled CSV the model has not seen ('-' for stdin).", show_default=False
        ),
    ],
    gate: GateOption = None,
    trust_pickle: TrustPickleOption = False,
    json_: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Score a saved model on labelled rows (an external test set).

    The rows are checked against the model's data contract (as in predict); the metrics
    are the run's own, at the decision threshold saved with the model. --gate fails the
    command with exit 4.
    """
    output = make_output(json_, quiet)

    def body() -> int:
        from mlwb.compare.gates import command_line_gates, failure_message
        from mlwb.documents import evaluation_document
        from mlwb.errors import GateFailed
        from mlwb.report.evaluate_view import render_evaluation
        from mlwb.report.json_out import print_json
        from mlwb.workflows.evaluate import load_and_evaluate

        result = load_and_evaluate(model, data, command_line_gates(gate or []), trust_pickle)
        for notice in result.notices:
            output.notice(notice)
        if output.json:
            print_json(evaluation_document(result))
        elif output.show_results:
            render_evaluation(result, output)
        failed = failure_message(result.gates)
        if failed:
            raise GateFailed(failed)
        return 0

    run_guarded(output, debug, body)
