"""``mlwb worker``'s console lines: one per searched model."""

from __future__ import annotations

from collections.abc import Sequence

from mlwb.report.console import Output
from mlwb.results import WorkerModel


def render_worker(models: Sequence[WorkerModel], output: Output) -> None:
    """What the shared studies hold now that this worker stopped."""
    for m in models:
        output.out.print(
            f"{m.name}: {m.studies} outer-fold studies searched, "
            f"{m.complete} of {m.trials} trials complete (all processes)",
            highlight=False,
        )
