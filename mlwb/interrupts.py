"""Stopping a run on request: SIGINT (Ctrl-C, ``kill -INT``, ``timeout -s INT``) and
SIGTERM (how CI cancels a job).

A signal handler may run at an awkward moment — inside a ``__del__`` or a weakref callback,
where the exception it raises is printed as "Exception ignored" and swallowed, or while
joblib is tearing down its workers. So the request is recorded here first, as state the
core can check at safe points (between trials, between folds, before a run folder is
moved into place), and the exception is only the fast path. ``mlwb.cli`` installs the
handlers; library users who install none get Python's default behaviour.
"""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass

from mlwb.errors import ExitCode


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised like Ctrl-C so that every cleanup path for an interrupt runs
    (Optuna marks the running trial failed, joblib stops its workers, a run folder being
    written is removed), but ending with exit code 143."""


@dataclass(frozen=True)
class StopRequest:
    """The first stop signal received: which one, and the exit code it maps to."""

    signum: int

    @property
    def exit_code(self) -> int:
        return int(ExitCode.TERMINATED if self.signum == signal.SIGTERM else ExitCode.INTERRUPTED)

    @property
    def word(self) -> str:
        return "terminated" if self.signum == signal.SIGTERM else "interrupted"


_lock = threading.Lock()
_request: StopRequest | None = None


def request_stop(signum: int) -> bool:
    """Record a stop request; True when it is the first one."""
    global _request
    with _lock:
        if _request is not None:
            return False
        _request = StopRequest(signum)
        return True


def stop_requested() -> StopRequest | None:
    """The recorded request, or None while the run may go on."""
    return _request


def clear() -> None:
    """Forget a request (a new command in the same process, as in tests)."""
    global _request
    with _lock:
        _request = None


def check() -> None:
    """Raise the interrupt again if one was requested: a safe point for long loops, so a
    request whose exception was swallowed still stops the run."""
    request = _request
    if request is not None:
        raise Terminated() if request.signum == signal.SIGTERM else KeyboardInterrupt()
