"""The ``mlwb evaluate --json`` document: a saved model scored on labelled rows."""

from __future__ import annotations

from typing import Any

from mlwb.documents._common import gate_document, gates_passed, header
from mlwb.results import ExternalEvaluation


def evaluation_document(result: ExternalEvaluation) -> dict[str, Any]:
    """The ``mlwb evaluate --json`` document, with the gates the command checked."""
    return {
        **header("evaluate"),
        "model": result.model,
        "task": result.task,
        "data": result.source,
        "rows": result.rows,
        "threshold": result.threshold,
        "metrics": result.metrics,
        "primary_metric": result.primary,
        "cv_score": result.cv_score,
        "classes": list(result.classes),
        "confusion_matrix": [list(r) for r in result.confusion] if result.confusion else None,
        "gates": [gate_document(g) for g in result.gates],
        "passed": gates_passed(result.gates),
        "notices": list(result.notices),
    }
