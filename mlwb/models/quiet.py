"""Keeping what model libraries print away from the terminal.

mlwb's output is a contract — results on stdout, one line per notice or error on stderr,
nothing at all with ``--quiet`` — but the libraries it drives write on their own:

- LightGBM's C++ core prints ``[LightGBM] [Fatal] …`` straight to the process's stderr
  (``fprintf``, in 4.x) *before* the Python ``LightGBMError`` carrying the same text is
  raised; no verbosity setting or registered logger stops that line. Its ``[Info]`` and
  ``[Warning]`` lines go to a registered Python logger when there is one, else to stdout.
- XGBoost routes its C++ log through a Python callback that ``print``s; CatBoost writes its
  progress through Python's ``sys.stdout``; scikit-learn's libsvm and liblinear write to
  the C stdout when a recipe sets ``verbose``.

``library_output_captured`` therefore redirects both levels — the file descriptors 1 and 2
(C and C++ writes) and ``sys.stdout``/``sys.stderr`` (Python writes) — for the duration of
a fit, and keeps the last lines in ``LIBRARY_LOG`` instead of printing them. Everything a
library says that matters reaches the user anyway: as the exception it raises (turned into
an mlwb error naming the model or recipe key) or as a Python warning (recorded per fold).

The redirection is process-wide, so it is reference-counted: threads fitting at the same
time share one redirection, restored when the last one finishes.
"""

from __future__ import annotations

import contextlib
import ctypes
import io
import os
import sys
import tempfile
import threading
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

LIBRARY_LOG: deque[str] = deque(maxlen=50)  # the last lines libraries printed, for debugging
STREAMS = (1, 2)

_lock = threading.Lock()
_users = 0
_saved_fds: list[tuple[int, int]] = []
_saved_streams: tuple[Any, Any] | None = None
_sink: IO[bytes] | None = None
_text = io.StringIO()


class LibraryLogger:
    """A logger for ``lightgbm.register_logger`` that records instead of printing."""

    def info(self, message: str) -> None:
        LIBRARY_LOG.append(str(message))

    def warning(self, message: str) -> None:
        LIBRARY_LOG.append(str(message))


def quiet_lightgbm() -> None:
    """Send LightGBM's ``[Info]``/``[Warning]`` lines (from Python and from C++) to
    ``LIBRARY_LOG``; cheap, and needed in every process that fits (loky workers too)."""
    import lightgbm

    lightgbm.register_logger(LibraryLogger())


def _flush() -> None:
    """Flush Python's streams and C's stdio buffers, so that what was written before a
    switch goes where it was meant to go (C's stdout is block-buffered in a pipe)."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or replaced stream: nothing to flush
            stream.flush()
    with contextlib.suppress(Exception):  # no C library to ask (not a POSIX system)
        ctypes.CDLL(None).fflush(None)


def _start() -> None:
    global _saved_streams, _sink
    _flush()
    _sink = tempfile.TemporaryFile()  # noqa: SIM115 - closed in _stop, by the last user
    for fd in STREAMS:
        try:
            saved = os.dup(fd)
        except OSError:  # no such descriptor (a daemon without a terminal): nothing to hide
            continue
        os.dup2(_sink.fileno(), fd)
        _saved_fds.append((fd, saved))
    _saved_streams = (sys.stdout, sys.stderr)
    sys.stdout = sys.stderr = _text


def _stop() -> None:
    global _saved_streams, _sink
    _flush()
    if _saved_streams is not None:
        sys.stdout, sys.stderr = _saved_streams
        _saved_streams = None
    while _saved_fds:
        fd, saved = _saved_fds.pop()
        os.dup2(saved, fd)
        os.close(saved)
    captured = _text.getvalue()
    _text.seek(0)
    _text.truncate()
    if _sink is not None:
        _sink.seek(0)
        captured += _sink.read().decode("utf-8", "replace")
        _sink.close()
        _sink = None
    LIBRARY_LOG.extend(line for line in captured.splitlines() if line.strip())


@contextlib.contextmanager
def library_output_captured() -> Iterator[None]:
    """Within the block, whatever any library prints is recorded in ``LIBRARY_LOG``."""
    global _users
    with _lock:
        if _users == 0:
            _start()
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                _stop()
