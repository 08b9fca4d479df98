"""Progress on stderr from the core's events: bars on a terminal, one line per phase in CI."""

from __future__ import annotations

from types import TracebackType

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.text import Text

from mlwb.events import (
    Event,
    ModelFinished,
    ModelStarted,
    Notice,
    StageFinished,
    StageStarted,
    StepDone,
    TrialDone,
)
from mlwb.report.console import Output


def _format_score(value: float) -> str:
    return "n/a" if value != value else f"{value:.4f}"


class ProgressReporter:
    """An ``EventSink`` that draws progress; use it as a context manager around the work."""

    def __init__(self, output: Output) -> None:
        self.output = output
        self.live = output.err.is_terminal and not output.quiet and not output.err.no_color
        self.progress: Progress | None = None
        self.tasks: dict[str, TaskID] = {}

    def __enter__(self) -> ProgressReporter:
        if self.live:
            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.output.err,
                transient=False,
            )
            self.progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.progress is not None:
            self.progress.stop()

    def _line(self, text: Text | str) -> None:
        if self.output.quiet:
            return
        if self.progress is not None:
            self.progress.console.print(text, soft_wrap=True)
        else:
            self.output.err.print(text, soft_wrap=True)

    def __call__(self, event: Event) -> None:
        if isinstance(event, Notice):
            if self.progress is not None:
                label = "warning: " if event.level == "warning" else "note: "
                style = "yellow" if event.level == "warning" else "cyan"
                self._line(Text(label, style=style) + Text(event.message))
            else:
                self.output.notice(event.message, event.level)
        elif isinstance(event, StageStarted):
            detail = f": {event.detail}" if event.detail else ""
            self._line(Text(f"{event.stage}{detail}", style="bold"))
        elif isinstance(event, StageFinished):
            return
        elif isinstance(event, ModelStarted):
            if self.progress is not None:
                self.tasks[event.model] = self.progress.add_task(
                    f"{event.model} ({event.index}/{event.total})", total=event.steps
                )
        elif isinstance(event, StepDone):
            if self.progress is not None and event.model in self.tasks:
                self.progress.update(self.tasks[event.model], completed=event.done)
        elif isinstance(event, TrialDone):
            if self.progress is not None and event.model in self.tasks:
                self.progress.update(
                    self.tasks[event.model],
                    description=f"{event.model} · {event.scope} search: "
                    f"trial {event.done}/{event.total}",
                )
        elif isinstance(event, ModelFinished):
            summary = (
                f"{event.model}: {event.metric} {_format_score(event.score)} "
                f"({event.seconds:.1f} s)"
            )
            if self.progress is not None and event.model in self.tasks:
                self.progress.update(self.tasks[event.model], description=summary)
            else:
                self._line(f"  {summary}")
