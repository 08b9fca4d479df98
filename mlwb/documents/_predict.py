"""What ``mlwb predict`` writes: the predictions as CSV, or one JSON document.

The JSON document has two forms: with the predictions on stdout it carries them (one
object per row); with ``--out FILE`` the CSV goes to the file and the document says where.
"""

from __future__ import annotations

from typing import Any

from mlwb.documents._common import header
from mlwb.documents._csv import frame_to_csv
from mlwb.results import PredictionTable


def predict_document(table: PredictionTable, out: str | None = None) -> dict[str, Any]:
    """``mlwb predict --json``: the predictions themselves, or (``out``) where they went."""
    if out is not None:
        return {
            **header("predict"),
            "model": table.model,
            "rows": len(table.frame),
            "threshold": table.threshold,
            "out": out,
        }
    return {
        **header("predict"),
        "model": table.model,
        "task": table.task,
        "threshold": table.threshold,
        "rows": len(table.frame),
        "predictions": table.frame.to_dict(orient="records"),
    }


def predictions_csv(table: PredictionTable) -> str:
    """The predictions as CSV text, numbers as the run folder writes them (6 significant
    digits)."""
    return frame_to_csv(table.frame)
