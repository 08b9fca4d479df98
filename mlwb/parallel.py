"""The one place mlwb runs work in parallel, and the one place its workers are stopped.

Every piece of parallel work (outer folds, inner folds of a search, importance repeats)
goes through ``run_parallel``, which owns the joblib backend and what each worker process
does when it starts: it watches its parent and exits within a fraction of a second when the
parent is gone (a ``kill -9`` of mlwb runs no handler, and a worker in the middle of a
200-trial search would otherwise finish it, writing to the search storage while the user
resumes), and it turns SIGTERM into an interrupt so Optuna records the running trial as
failed before the worker goes. ``stop_workers`` ends them from the parent side.

The backend is chosen once per run (``use_execution``): joblib's own processes (loky), or
a Dask or Ray cluster through joblib's ``dask`` / ``ray`` backends (``mlwb.cluster``
connects and checks it). Fold loops never know which: they call ``run_parallel``.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlwb import interrupts
from mlwb.cluster import Cluster, Execution
from mlwb.outputs import pid_alive

# The cluster of the running command (None: joblib's local processes).
_cluster: Cluster | None = None


@dataclass(frozen=True)
class Parallelism:
    """How ``n_jobs`` is spent: processes across folds × threads inside each model."""

    workers: int
    threads: int


def resolve_n_jobs(n_jobs: int) -> int:
    """``-1`` means every core this process may use (joblib's count, which respects CPU
    affinity and container limits)."""
    if n_jobs > 0:
        return n_jobs
    from joblib import cpu_count

    return max(1, cpu_count())


def plan_parallelism(n_jobs: int, tasks: int) -> Parallelism:
    """Spread ``n_jobs`` over ``tasks`` parallel units so workers × threads ≤ n_jobs.
    On a cluster, its task slots and each task's share of its host's cores decide."""
    if _cluster is not None:
        return Parallelism(workers=max(1, min(_cluster.slots, tasks)), threads=_cluster.threads)
    total = resolve_n_jobs(n_jobs)
    workers = max(1, min(total, tasks))
    return Parallelism(workers=workers, threads=max(1, total // workers))


# How often a worker checks that its parent is alive, and how long a stopped worker may
# take to record its trial before it exits.
_WATCH_SECONDS = 0.25
_STOP_GRACE_SECONDS = 1.0
# How long a SIGKILL'ed worker may take to be gone (it is at once, unless the machine is
# swamped): bounded, so a stop never waits on it.
_KILL_WAIT_SECONDS = 1.0


def run_parallel(
    function: Callable[..., Any], jobs: Sequence[tuple[Any, ...]], workers: int = 1
) -> Iterator[Any]:
    """``function(*job)`` for every job, in order, in ``workers`` processes (in this
    process when ``workers`` ≤ 1). Results are yielded as they arrive, so a caller can
    report progress; a stop request ends the loop at the next result."""
    if workers <= 1 or len(jobs) <= 1:
        for job in jobs:
            interrupts.check()
            yield function(*job)
        return
    from joblib import Parallel, delayed

    if _cluster is not None:
        # Backend chosen at construction; nothing of loky's worker start-up applies.
        from joblib import parallel_config

        # Ray's joblib backend returns lists only ("does not support return_as=generator").
        returned = "list" if _cluster.backend == "ray" else "generator"
        with parallel_config(backend=_cluster.backend):
            on_cluster = Parallel(n_jobs=workers, return_as=returned)
        for output in on_cluster(delayed(_cluster_task)(function, job) for job in jobs):
            interrupts.check()
            yield output
        return
    _quiet_resource_tracker()
    outputs = Parallel(
        n_jobs=workers,
        return_as="generator",
        initializer=_start_worker,
        initargs=(os.getpid(),),
    )(delayed(_run_task)(function, job) for job in jobs)
    for output in outputs:
        interrupts.check()
        yield output


@contextmanager
def library_parallelism(workers: int) -> Iterator[None]:
    """For library machinery that runs its own joblib loop (scikit-learn's successive
    halving): within the block its worker processes start as ``run_parallel``'s do, with
    the parent watch and the stop handler; on a cluster, the cluster's backend."""
    from joblib import parallel_config

    if _cluster is not None:
        with parallel_config(backend=_cluster.backend, n_jobs=workers):
            yield
        return
    _quiet_resource_tracker()
    with parallel_config(
        backend="loky", n_jobs=workers, initializer=_start_worker, initargs=(os.getpid(),)
    ):
        yield


# The warning loky's resource tracker prints when it cleans up after workers that were
# stopped (an interrupt, a kill): it does clean them up, and its "leaked semlock objects"
# lines would follow mlwb's one-line "interrupted" message on stderr.
_TRACKER_FILTER = "ignore:resource_tracker:UserWarning"


def _quiet_resource_tracker() -> None:
    """Pass the filter to the tracker process, which loky starts with this environment."""
    current = os.environ.get("PYTHONWARNINGS", "")
    if _TRACKER_FILTER not in current.split(","):
        os.environ["PYTHONWARNINGS"] = ",".join(f for f in (current, _TRACKER_FILTER) if f)


def on_cluster() -> bool:
    """True within ``use_execution`` of a Dask or Ray cluster."""
    return _cluster is not None


@contextmanager
def use_execution(execution: Execution, n_jobs: int = -1) -> Iterator[None]:
    """Within the block, ``run_parallel`` and ``plan_parallelism`` use the cluster that
    ``execution`` names (connected and checked on entry, closed on exit). A local cluster
    gets ``execution.workers`` processes, else ``n_jobs``'s."""
    global _cluster
    if execution.backend == "local":
        yield
        return
    from mlwb.cluster import connect

    cluster = connect(execution, resolve_n_jobs(n_jobs))
    _cluster = cluster
    try:
        yield
    finally:
        _cluster = None
        cluster.close()


def _cluster_task(function: Callable[..., Any], job: tuple[Any, ...]) -> Any:
    """One job on a cluster worker. joblib hands a task its caller's backend: without this,
    every library ``Parallel`` inside a fit (a column transformer's, a forest's) would
    become tasks sent back to the scheduler from the worker. Inside a task, as in a loky
    worker, library loops use threads (capped by the task's planned threads)."""
    from joblib import parallel_config

    with parallel_config(backend="threading"):
        return function(*job)


_stopping = False


def _run_task(function: Callable[..., Any], job: tuple[Any, ...]) -> Any:
    """One job in a worker. Once the worker was told to stop it takes no new job (the
    pool may still hand it one), and an interrupted job ends the worker as soon as the
    interrupt has unwound through it (Optuna has recorded its trial as failed by then)."""
    if _stopping:
        os._exit(1)
    try:
        return function(*job)
    except KeyboardInterrupt:
        os._exit(1)


def _start_worker(parent: int) -> None:
    """Run once in each new worker process (loky's initializer)."""
    signal.signal(signal.SIGTERM, _stop_worker)
    signal.signal(signal.SIGINT, _stop_worker)
    watch = threading.Thread(
        target=_watch_parent, args=(parent,), name="mlwb-watch-parent", daemon=True
    )
    watch.start()


def _watch_parent(parent: int) -> None:
    """Exit at once when the parent is gone: the worker is re-parented, so ``getppid``
    changes. ``os._exit`` ends the process mid-trial; nothing more is written."""
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(1)


def _stop_worker(signum: int, frame: object) -> None:
    """SIGTERM/SIGINT in a worker: interrupt the task (Optuna marks its trial failed) and
    leave shortly after, whatever the pool does with the exception. The worker's output
    is closed first: an idle worker interrupted in the pool's own loop would print a
    traceback to the terminal the user is reading mlwb's one-line message on."""
    global _stopping
    _stopping = True
    with contextlib.suppress(OSError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
    timer = threading.Timer(_STOP_GRACE_SECONDS, os._exit, args=(1,))
    timer.daemon = True
    timer.start()
    raise KeyboardInterrupt


def _children() -> dict[int, list[int]]:
    """Parent pid → child pids, read from ``/proc`` (Linux); empty elsewhere."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = entry.read_text()
        except OSError:
            continue
        # The command name is in parentheses and may hold spaces: split after it.
        fields = text[text.rfind(")") + 2 :].split()
        if len(fields) > 1:
            tree.setdefault(int(fields[1]), []).append(int(entry.parent.name))
    return tree


def _is_resource_tracker(pid: int) -> bool:
    """loky's resource tracker cleans joblib's temporary memory maps when this process
    ends; it exits by itself, so it is left alone."""
    try:
        return b"resource_tracker" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def worker_pids() -> list[int]:
    """Every process this one started, directly or not (loky workers and their helpers)."""
    tree = _children()
    found: list[int] = []
    stack = list(tree.get(os.getpid(), []))
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(tree.get(pid, []))
    return [pid for pid in found if not _is_resource_tracker(pid)]


def kill_workers(grace: float = _STOP_GRACE_SECONDS + 0.5) -> None:
    """Stop every worker now: SIGTERM (each records its running trial as failed), then
    SIGKILL for any still there after ``grace`` seconds."""
    pids = worker_pids()
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except OSError:
            continue
    pids = _wait_for_exit(pids, grace)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            continue
    # Gone before returning: the caller may then treat their trials as abandoned.
    _wait_for_exit(pids, _KILL_WAIT_SECONDS)


def _wait_for_exit(pids: list[int], seconds: float) -> list[int]:
    """Those of ``pids`` still running after at most ``seconds``."""
    deadline = time.monotonic() + seconds
    pids = [pid for pid in pids if pid_alive(pid)]
    while pids and time.monotonic() < deadline:
        time.sleep(0.05)
        pids = [pid for pid in pids if pid_alive(pid)]
    return pids


# How long a finished command waits for joblib's pool to shut down. loky joins its manager
# thread without a bound; a pool stuck in its own teardown must not hold mlwb (or a library
# caller) for ever once the work is done and written.
_SHUTDOWN_SECONDS = 10.0


def shutdown_workers(timeout: float = _SHUTDOWN_SECONDS) -> None:
    """After a command: end joblib's reusable worker processes, so none idles for minutes
    after mlwb exits. Best effort and bounded: only when a pool was started at all (asking
    loky for "the" executor would start one), and never longer than ``timeout`` seconds."""
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    executor = getattr(loky, "_executor", None)
    if executor is None:
        return
    closing = threading.Thread(
        target=_shutdown_pool, args=(executor,), name="mlwb-pool-shutdown", daemon=True
    )
    closing.start()
    closing.join(timeout)


def _shutdown_pool(executor: Any) -> None:
    # Cleanup must never turn a success into a failure.
    with contextlib.suppress(Exception):
        executor.shutdown(wait=True, kill_workers=True)
