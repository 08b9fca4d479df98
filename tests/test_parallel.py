"""The parallel seam's clean-up after a command (mlwb/parallel.py): joblib's worker
processes end with the command, none is started just to be stopped, and a pool stuck in
its own teardown cannot hold the command for ever."""

from __future__ import annotations

import os
import sys
import threading
import time
from pathlib import Path

import pytest

from mlwb import parallel


def _report_pid(i: int) -> int:
    return os.getpid()


def _children() -> set[int]:
    return set(parallel.worker_pids())


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc (Linux)")
def test_the_workers_of_a_command_end_with_it():
    pids = set(parallel.run_parallel(_report_pid, [(0,), (1,), (2,)], workers=2))
    assert os.getpid() not in pids  # the jobs ran in worker processes
    assert pids <= _children()
    parallel.shutdown_workers()
    deadline = time.monotonic() + 10
    while pids & _children() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not pids & _children()


def test_no_pool_is_started_only_to_be_shut_down(monkeypatch):
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    if loky is not None:
        monkeypatch.setattr(loky, "_executor", None)
    before = _children()
    parallel.shutdown_workers()
    assert _children() <= before
    assert loky is None or loky._executor is None


class _StuckPool:
    """A pool whose teardown never ends (as loky's join of its manager thread can)."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def shutdown(self, wait: bool = True, kill_workers: bool = False) -> None:
        self.release.wait()


def test_a_pool_stuck_in_its_teardown_does_not_hold_the_command(monkeypatch):
    from joblib.externals.loky import reusable_executor

    stuck = _StuckPool()
    monkeypatch.setattr(reusable_executor, "_executor", stuck)
    started = time.monotonic()
    try:
        parallel.shutdown_workers(timeout=0.5)
        assert time.monotonic() - started < 5
    finally:
        stuck.release.set()
