"""Stopping a run: SIGINT and SIGTERM to the mlwb process alone (as ``kill``, ``timeout``
and CI runners send them), ``kill -9``, resuming afterwards, and the search storage."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SAMPLES, run_cli, start_fit, write_recipe

from mlwb import interrupts
from mlwb.errors import ExitCode, MissingExtraError, UsageError

SEARCH_200 = """
name: long
target: default
columns: {drop: [customer_id]}
search: {strategy: random, trials: 200, metric: roc_auc%(storage)s}
models: {random_forest: {n_estimators: 60, max_depth: {int: [2, 20]}}}
diagnostics: {learning_curve: false, importance: none}
report: [console]
n_jobs: 2
"""


def long_search(tmp_path: Path, storage: Path | None = None) -> Path:
    extra = f", storage: 'sqlite:///{storage}'" if storage else ""
    return write_recipe(tmp_path / "long.yaml", SEARCH_200 % {"storage": extra})


def descendants(pid: int) -> set[int]:
    """Every process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = set(), [pid]
    while stack:
        for child in children.get(stack.pop(), []):
            found.add(child)
            stack.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            living.add(pid)
    return living


def wait_for_workers(process: subprocess.Popen, count: int = 2, timeout: float = 60) -> set[int]:
    """The worker processes of ``process`` once at least ``count`` are running."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        found = descendants(process.pid)
        if len(found) >= count:
            time.sleep(2.0)  # the workers are inside their searches now
            return descendants(process.pid)
        time.sleep(0.2)
    raise AssertionError("the fit never started its worker processes")


@pytest.mark.parametrize(
    ("signum", "code", "word"),
    [(signal.SIGINT, ExitCode.INTERRUPTED, "interrupted"), (signal.SIGTERM, 143, "terminated")],
)
def test_a_signal_to_the_main_process_alone_stops_a_parallel_search(tmp_path, signum, code, word):
    out = tmp_path / "run"
    process = start_fit(long_search(tmp_path), SAMPLES / "credit.csv", out)
    workers = wait_for_workers(process)
    sent = time.monotonic()
    process.send_signal(signum)  # the main process only, not its process group
    _, stderr = process.communicate(timeout=30)
    assert time.monotonic() - sent < 10
    assert process.returncode == code, stderr
    assert f"{word}; nothing was written" in stderr
    assert "Traceback" not in stderr and "Exception" not in stderr
    assert "Warning" not in stderr, stderr  # e.g. loky's resource tracker after the workers
    assert not out.exists() and list(tmp_path.glob(".run*")) == []
    deadline = time.time() + 5
    while alive(workers) and time.time() < deadline:
        time.sleep(0.1)
    assert alive(workers) == set()


def count_trials(storage: Path) -> dict[str, dict[str, int]]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    rdb = optuna.storages.RDBStorage(f"sqlite:///{storage}")
    counts = {}
    for summary in optuna.get_all_study_summaries(rdb):
        study = optuna.load_study(study_name=summary.study_name, storage=rdb)
        states: dict[str, int] = {}
        for trial in study.trials:
            states[trial.state.name] = states.get(trial.state.name, 0) + 1
        counts[summary.study_name] = states
    return counts


@pytest.mark.slow
def test_sigterm_records_the_running_trials_as_failed(tmp_path):
    storage = tmp_path / "search.db"
    process = start_fit(long_search(tmp_path, storage), SAMPLES / "credit.csv", tmp_path / "r")
    wait_for_workers(process)
    deadline = time.time() + 60
    while time.time() < deadline:  # some trials have finished, others are running
        time.sleep(0.5)
        if sum(c.get("COMPLETE", 0) for c in count_trials(storage).values()) >= 2:
            break
    process.send_signal(signal.SIGTERM)
    process.communicate(timeout=30)
    assert process.returncode == 143
    counts = count_trials(storage)
    assert sum(c.get("COMPLETE", 0) for c in counts.values()) > 0
    assert all("RUNNING" not in c for c in counts.values()), counts


def test_kill_9_takes_the_workers_with_it_and_nothing_is_written_after(tmp_path):
    storage = tmp_path / "search.db"
    process = start_fit(long_search(tmp_path, storage), SAMPLES / "credit.csv", tmp_path / "r")
    workers = wait_for_workers(process)
    time.sleep(2)
    process.kill()
    process.communicate(timeout=30)
    deadline = time.time() + 10
    while alive(workers) and time.time() < deadline:
        time.sleep(0.1)
    assert alive(workers) == set()
    before = count_trials(storage)
    time.sleep(3)
    assert count_trials(storage) == before


RESUMABLE = """
name: resumable
target: default
columns: {drop: [customer_id]}
search: {strategy: random, trials: 60, metric: roc_auc, storage: 'sqlite:///%(db)s'}
validation: {outer: {folds: 2}, inner: {folds: 2}}
models: {logistic_regression: {C: {log_uniform: [1.0e-3, 1.0e+3]}}}
diagnostics: {learning_curve: false, importance: none}
report: [console]
n_jobs: 1
"""


def study_params(storage: Path, name: str) -> list[tuple[str, float | None]]:
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.load_study(study_name=name, storage=f"sqlite:///{storage}")
    return [(t.state.name, t.params.get("C")) for t in study.trials]


@pytest.mark.slow
def test_resume_after_an_interrupt_does_not_replay_the_tried_configurations(tmp_path):
    storage = tmp_path / "search.db"
    recipe = write_recipe(tmp_path / "r.yaml", RESUMABLE % {"db": storage})
    out = tmp_path / "run"
    process = start_fit(recipe, SAMPLES / "credit.csv", out)
    study = "mlwb-resumable-logistic_regression-outer1"
    deadline = time.time() + 60
    while time.time() < deadline:
        time.sleep(0.5)
        if (
            storage.exists()
            and len(count_trials(storage).get(study, {}))
            and sum(count_trials(storage)[study].values()) >= 3
        ):
            break
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=30)
    assert process.returncode == 130
    before = study_params(storage, study)
    assert all(state != "RUNNING" for state, _ in before)
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", out, "--resume", "--quiet")
    assert result.exit_code == 0, result.stderr
    after = study_params(storage, study)
    tried = [c for _, c in after]
    assert tried[: len(before)] == [c for _, c in before]
    assert len(set(tried)) == len(tried), "a resumed search replayed a configuration"
    assert sum(state == "COMPLETE" for state, _ in after) >= 60


def test_resume_without_a_storage_is_a_usage_error(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        "target: default\nsearch: {strategy: random, trials: 2}\n"
        "models: {logistic_regression: {C: [0.1, 1.0]}}\n",
    )
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "o", "--resume")
    assert result.exit_code == ExitCode.USAGE
    assert "--resume" in result.stderr and "search.storage" in result.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_new_sqlite_storage_with_parallel_folds_works_every_time(tmp_path):
    for attempt in range(10):
        storage = tmp_path / f"s{attempt}.db"
        recipe = write_recipe(
            tmp_path / f"s{attempt}.yaml",
            (RESUMABLE % {"db": storage}).replace("trials: 60", "trials: 2"),
        )
        result = run_cli(
            "fit",
            recipe,
            SAMPLES / "credit.csv",
            "--out",
            tmp_path / f"o{attempt}",
            "--n-jobs",
            "2",
            "--quiet",
        )
        assert result.exit_code == 0, (attempt, result.stderr)


@contextlib.contextmanager
def trials_of_four_owners(*studies: Any) -> Iterator[None]:
    """In each study, one RUNNING trial per owner: a live process of this host, a dead
    one, a process of another host, and none (a trial just asked for)."""
    from mlwb.search.storage import PROCESS_ATTR

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = socket.gethostname()
    owners = [f"{host}:{sleeper.pid}", f"{host}:{dead.pid}", "elsewhere:1", None]
    try:
        for study in studies:
            for owner in owners:
                trial = study.ask()
                if owner:
                    trial.set_user_attr(PROCESS_ATTR, owner)
        yield
    finally:
        sleeper.kill()


def test_abandoned_trials_are_failed_but_a_live_process_keeps_its_trial(tmp_path):
    import optuna

    from mlwb.search.storage import fail_abandoned

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.create_study(storage=f"sqlite:///{tmp_path / 's.db'}", study_name="s")
    with trials_of_four_owners(study):
        fail_abandoned(study)
        trials = study.trials
    assert [t.state.name for t in trials[:4]] == ["RUNNING", "FAIL", "RUNNING", "FAIL"]
    # each abandoned trial's configuration is queued again, naming the trial it retries
    assert [t.state.name for t in trials[4:]] == ["WAITING", "WAITING"]
    assert [t.system_attrs["failed_trial"] for t in trials[4:]] == [1, 3]


def test_after_a_stop_the_trials_of_gone_processes_are_failed_and_not_queued_again(tmp_path):
    """A worker killed before it recorded its trial: the main process fails that trial (it
    would otherwise stay RUNNING) and leaves live, foreign and unnamed trials alone."""
    import optuna

    from mlwb.search.storage import fail_orphaned_trials

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    url = f"sqlite:///{tmp_path / 's.db'}"
    studies = [optuna.create_study(storage=url, study_name=name) for name in ("a", "b")]
    with trials_of_four_owners(*studies):
        assert fail_orphaned_trials(url, ["missing", "a", "b"]) == 2
        assert fail_orphaned_trials(url, ["a", "b"]) == 0
        states = [[t.state.name for t in study.trials] for study in studies]
    assert states == [["RUNNING", "FAIL", "RUNNING", "RUNNING"]] * 2


def test_postgresql_without_a_driver_names_the_extra(monkeypatch):
    from mlwb.search import storage

    monkeypatch.setattr(storage, "_installed", lambda module: False)
    with pytest.raises(MissingExtraError) as caught:
        storage.engine_url("postgresql://mlwb@localhost/search")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "pip install mlwb[postgres]" in str(caught.value)
    monkeypatch.setattr(storage, "_installed", lambda module: module == "psycopg")
    assert storage.engine_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert storage.engine_url("sqlite:///x.db") == "sqlite:///x.db"


def test_an_unopenable_storage_says_what_to_fix(tmp_path):
    from mlwb.search.storage import open_storage

    with pytest.raises(UsageError) as caught:
        open_storage(f"sqlite:///{tmp_path}/missing/folder/s.db")
    assert "folder of the SQLite file" in str(caught.value)


def test_a_swallowed_interrupt_is_raised_again_at_the_next_safe_point():
    interrupts.clear()
    assert interrupts.request_stop(signal.SIGTERM)
    assert not interrupts.request_stop(signal.SIGINT)  # the first request wins
    try:
        with pytest.raises(interrupts.Terminated):
            interrupts.check()
        assert interrupts.stop_requested().exit_code == 143
    finally:
        interrupts.clear()
    interrupts.check()  # nothing requested: no-op


def test_worker_processes_exit_when_their_parent_dies(tmp_path):
    """A loky worker started through the parallel seam watches its parent."""
    script = tmp_path / "parent.py"
    script.write_text(
        "import os, sys, time\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from mlwb.parallel import run_parallel\n"
        "def report(i):\n"
        "    os.write(1, f'{os.getpid()}\\n'.encode())  # one write: two workers share the pipe\n"
        "    time.sleep(120)\n"
        "list(run_parallel(report, [(0,), (1,)], workers=2))\n"
    )
    parent = subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=tmp_path
    )
    assert parent.stdout is not None
    workers = {int(parent.stdout.readline()), int(parent.stdout.readline())}
    assert alive(workers) == workers
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.time() + 5
    while alive(workers) and time.time() < deadline:
        time.sleep(0.05)
    assert alive(workers) == set()
