"""The progress-callback protocol the core reports through.

The core never prints. Long operations accept an ``EventSink`` (any callable taking an
``Event``) and call it as work advances; the command line turns events into progress bars
on stderr, a test can collect them in a list, and a library user can ignore them. This is
Optuna's ``callbacks=`` seam rather than a progress bar inside the library.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

NoticeLevel = Literal["info", "warning"]


@dataclass(frozen=True)
class StageStarted:
    """A named phase begins (``"read data"``, ``"evaluate"``, ``"refit"``)."""

    stage: str
    detail: str = ""


@dataclass(frozen=True)
class StageFinished:
    """A named phase ended after ``seconds``."""

    stage: str
    seconds: float


@dataclass(frozen=True)
class ModelStarted:
    """Evaluation of one model begins: ``index`` of ``total`` models, ``steps`` units of work."""

    model: str
    index: int
    total: int
    steps: int


@dataclass(frozen=True)
class StepDone:
    """One unit of a model's work (an outer fold, a trial) finished."""

    model: str
    done: int
    total: int
    label: str = ""


@dataclass(frozen=True)
class TrialDone:
    """One trial of a hyper-parameter search finished (``scope``: outer fold or final)."""

    model: str
    scope: str
    done: int
    total: int


@dataclass(frozen=True)
class ModelFinished:
    """Evaluation of one model ended with ``score`` on the primary metric."""

    model: str
    metric: str
    score: float
    seconds: float


@dataclass(frozen=True)
class Notice:
    """Something the user should know: a dropped column, a library warning, a fallback."""

    message: str
    level: NoticeLevel = "info"


Event = StageStarted | StageFinished | ModelStarted | StepDone | TrialDone | ModelFinished | Notice
EventSink = Callable[[Event], None]


def ignore_events(event: Event) -> None:
    """The default sink: drop every event (library use without progress display)."""


class EventLog:
    """A sink that keeps every event, for tests and for collecting notices into results."""

    def __init__(self, forward: EventSink = ignore_events) -> None:
        self.events: list[Event] = []
        self._forward = forward

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._forward(event)

    @property
    def notices(self) -> list[Notice]:
        """The notices emitted so far, in order."""
        return [e for e in self.events if isinstance(e, Notice)]
