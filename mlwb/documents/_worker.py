"""What ``mlwb worker --json`` prints: each searched model's outer-fold studies."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mlwb.documents._common import header
from mlwb.results import WorkerModel


def worker_document(models: Sequence[WorkerModel]) -> dict[str, Any]:
    """Per model: its studies, their trials (from every process sharing them) and how
    many completed."""
    return {
        **header("worker"),
        "models": [
            {"name": m.name, "studies": m.studies, "trials": m.trials, "complete": m.complete}
            for m in models
        ],
    }
