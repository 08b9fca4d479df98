"""SIGINT and SIGTERM for a command: stop within seconds, leave nothing half-written.

A terminal's Ctrl-C reaches the whole process group, but ``kill -INT``, ``timeout`` and CI
runners signal the main process alone: its worker processes would go on searching. So the
handler records the request (``mlwb.interrupts``), stops the workers itself, and raises an
interrupt in the main thread, which unwinds through every ``finally`` (the partial run
folder is removed, Optuna marks its trial failed). A watchdog guarantees the stop even if
that exception is swallowed (raised inside a ``__del__``) or the unwinding blocks in a
library: after a few seconds it removes the partial outputs itself and exits. A second
signal exits at once the same way.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import warnings
from types import FrameType, TracebackType
from typing import Any

from mlwb import interrupts

# Seconds the main thread gets to unwind after a stop signal before the watchdog exits.
UNWIND_SECONDS = 4.0
_SIGNALS = (signal.SIGINT, signal.SIGTERM)
_debug = False
# A copy of the original stderr: a library may have redirected descriptor 2 for the
# length of a fit when the watchdog has to write the last line.
_stderr_fd = 2


def kill_workers(grace: float | None = None) -> None:
    """Stop mlwb's worker processes. Only ``mlwb.parallel`` starts them, so there are none
    unless it was imported — and importing it here (a signal handler may run in the middle
    of another import) could deadlock, besides slowing ``mlwb --help`` by a tenth."""
    parallel = sys.modules.get("mlwb.parallel")
    if parallel is None:
        return
    if grace is None:
        parallel.kill_workers()
    else:
        parallel.kill_workers(grace=grace)


def shutdown_workers() -> None:
    """After a command: end joblib's idle worker processes (when any were started)."""
    parallel = sys.modules.get("mlwb.parallel")
    if parallel is not None:
        parallel.shutdown_workers()


def _message(request: interrupts.StopRequest) -> str:
    return f"error: {request.word}; nothing was written\n"


def emergency_exit() -> None:
    """Remove what is being written, kill the workers, say so, and leave now."""
    request = interrupts.stop_requested() or interrupts.StopRequest(signal.SIGINT)
    from mlwb.outputs import remove_partials

    remove_partials()
    kill_workers(grace=0.0)
    with contextlib.suppress(OSError):
        os.write(_stderr_fd, _message(request).encode())
    os._exit(request.exit_code)


def _watchdog() -> None:
    threading.Event().wait(UNWIND_SECONDS)
    emergency_exit()


def _quiet_library_noise() -> None:
    """Once stopping, tracebacks printed by library threads tearing down (joblib's executor
    manager, an "Exception ignored" in a finaliser) are noise: keep them off the terminal."""
    warnings.simplefilter("ignore")
    threading.excepthook = lambda args: None
    sys.unraisablehook = lambda unraisable: None


def _handle(signum: int, frame: FrameType | None) -> None:
    if not interrupts.request_stop(signum):
        emergency_exit()
    if not _debug:
        _quiet_library_noise()
    threading.Thread(target=_watchdog, name="mlwb-stop-watchdog", daemon=True).start()
    # Before the main thread unwinds: joblib's own clean-up kills workers with SIGKILL,
    # which would leave their trials RUNNING; SIGTERM first lets each record its trial.
    kill_workers()
    interrupts.check()


class StopSignals:
    """Install the handlers for the duration of a command (main thread only; restored on
    exit, so a library user's own handlers come back)."""

    def __init__(self, debug: bool = False) -> None:
        self.debug = debug
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> StopSignals:
        global _debug, _stderr_fd
        _debug = self.debug
        if _stderr_fd == 2:
            with contextlib.suppress(OSError):
                _stderr_fd = os.dup(2)
        interrupts.clear()
        if threading.current_thread() is threading.main_thread():
            for signum in _SIGNALS:
                self._previous[signum] = signal.signal(signum, _handle)
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()


def stop_request() -> interrupts.StopRequest:
    """The request being handled (Ctrl-C when the interrupt came from elsewhere)."""
    return interrupts.stop_requested() or interrupts.StopRequest(signal.SIGINT)
