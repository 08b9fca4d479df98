"""Connecting to a Dask or Ray cluster, and checking it before any work is sent.

``mlwb.parallel`` is the one seam that runs work in parallel; this module is what it calls
when the recipe's ``execution.backend`` is ``dask`` or ``ray``. Three failures measured on
these libraries are caught here, each as a usage error (exit 2) rather than a hang:

- a worker that cannot import mlwb, or has other library versions, makes a joblib job hang
  silently: every worker is asked for its versions (``Client.run``) before any task;
- an unreachable scheduler makes ``Client`` wait for its default timeout: a short connect
  timeout is given instead;
- an estimator's own ``n_jobs=-1`` on a worker defeats the worker's thread limit (11×
  slower): the number of library threads per task is computed from the workers' hosts
  (cores of a host ÷ task slots on that host) and planned like a local run's threads.

Dask, distributed and Ray are imported here, inside functions: ``mlwb --help`` and every
local run never load them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from mlwb.errors import MissingExtraError, UsageError

Backend = Literal["local", "dask", "ray"]
EXTRAS = {"dask": "mlwb[dask]", "ray": "mlwb[ray]"}
# Seconds to reach a scheduler, and to wait for its first worker, before giving up.
CONNECT_SECONDS = 3.0
WORKERS_SECONDS = 20.0
# Distributions whose versions must match between this process and every worker: a fold
# fitted with another scikit-learn (or another mlwb) is not the same experiment.
CHECKED = (
    "numpy",
    "pandas",
    "scikit-learn",
    "imbalanced-learn",
    "xgboost",
    "lightgbm",
    "catboost",
    "optuna",
    "joblib",
)


@dataclass(frozen=True)
class Execution:
    """Where a run's parallel work goes (the recipe's ``execution:``)."""

    backend: Backend = "local"
    address: str | None = None
    workers: int | None = None


@dataclass
class Cluster:
    """A connected cluster: the joblib backend name, how many tasks it runs at once, and
    how many library threads each task may use."""

    backend: str
    slots: int
    threads: int
    close: Callable[[], None] = field(default=lambda: None)


def versions() -> dict[str, str]:
    """What a process runs: Python, mlwb (the imported module, not its metadata) and the
    libraries in ``CHECKED``; its host and usable cores. Runs on every worker."""
    import socket
    from importlib import metadata  # here, not at import: every command imports this module

    import mlwb

    found = {"python": "{}.{}".format(*sys.version_info[:2]), "mlwb": mlwb.__version__}
    for name in CHECKED:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "missing"
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    found["host"] = socket.gethostname()
    found["cores"] = str(cores or 1)
    return found


def check_versions(reports: dict[str, Any]) -> None:
    """Every worker's ``versions()`` against this process's; a ``UsageError`` naming the
    first worker that differs (or could not run mlwb at all) and what differs."""
    mine = versions()
    for worker, report in sorted(reports.items()):
        if isinstance(report, BaseException):
            text = str(report).strip().splitlines()[0] if str(report).strip() else ""
            raise UsageError(
                f"execution: worker {worker} cannot run mlwb ({type(report).__name__}: {text})",
                f"install mlwb {mine['mlwb']} and its libraries on every worker "
                "(the same environment as this machine)",
            )
        differ = [
            f"{name} {report.get(name, 'missing')} (here {mine[name]})"
            for name in ("python", "mlwb", *CHECKED)
            if report.get(name) != mine[name]
        ]
        if differ:
            raise UsageError(
                f"execution: worker {worker} differs from this machine: {', '.join(differ)}",
                "install the same versions on every worker, or start workers from this environment",
            )


def task_threads(slots: dict[str, int], reports: dict[str, dict[str, str]]) -> int:
    """Library threads per task: on each host, its cores shared by the task slots of all
    its workers; the smallest share over the hosts (one plan serves every task)."""
    per_host: dict[str, int] = {}
    cores: dict[str, int] = {}
    for worker, report in reports.items():
        host = report["host"]
        per_host[host] = per_host.get(host, 0) + max(1, slots.get(worker, 1))
        cores[host] = int(report["cores"])
    return max(1, min((cores[h] // per_host[h] for h in per_host), default=1))


def _require(module: str, backend: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise MissingExtraError(EXTRAS[backend], f"execution.backend: {backend}")


def connect(execution: Execution, local_workers: int) -> Cluster:
    """Connect to (or start) the cluster ``execution`` names and check its workers."""
    if execution.backend == "ray":
        return _connect_ray(execution, local_workers)
    return _connect_dask(execution, local_workers)


def _connect_dask(execution: Execution, local_workers: int) -> Cluster:
    _require("distributed", "dask")
    from distributed import Client, LocalCluster

    local = None
    if execution.address is None:
        local = LocalCluster(
            n_workers=execution.workers or local_workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        client = Client(local)
    else:
        try:
            client = Client(execution.address, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as error:
            raise UsageError(
                f"execution.address: cannot reach the Dask scheduler at {execution.address} "
                f"within {CONNECT_SECONDS:.0f} s",
                "start it (dask scheduler) or fix the address, e.g. tcp://127.0.0.1:8786",
            ) from error

    def close() -> None:
        client.close()
        if local is not None:
            local.close()

    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except (OSError, TimeoutError) as error:
        close()
        raise UsageError(
            f"execution.address: the Dask scheduler at {execution.address} has no workers",
            "start at least one: dask worker " + str(execution.address),
        ) from error
    try:
        reports = client.run(versions, on_error="return")
        check_versions(reports)
    except BaseException:
        close()
        raise
    slots = dict(client.nthreads())
    return Cluster("dask", sum(slots.values()), task_threads(slots, reports), close)


def _connect_ray(execution: Execution, local_workers: int) -> Cluster:
    _require("ray", "ray")
    import logging

    import ray
    from ray.util.joblib import register_ray

    register_ray()
    # Ray logs its start-up (and a local cluster's token set-up) on stderr at INFO and
    # WARNING; mlwb's own output says what runs where, and --quiet must stay quiet.
    quiet = {"include_dashboard": False, "logging_level": logging.ERROR, "log_to_driver": False}
    logging.getLogger("ray").setLevel(logging.ERROR)
    try:
        if execution.address is None:
            ray.init(num_cpus=execution.workers or local_workers, **quiet)
        else:
            ray.init(address=execution.address, **quiet)
    except (ConnectionError, RuntimeError, TimeoutError) as error:
        raise UsageError(
            f"execution.address: cannot reach the Ray cluster at {execution.address}",
            "start it (ray start --head) or fix the address, e.g. ray://127.0.0.1:10001",
        ) from error
    slots = max(1, int(ray.cluster_resources().get("CPU", 1)))
    return Cluster("ray", slots, 1, ray.shutdown)
