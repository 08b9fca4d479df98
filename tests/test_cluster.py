"""Clusters and shared search storage, against real servers started here.

A Dask scheduler and two workers run as separate processes (``dask scheduler`` /
``dask worker``), and a private PostgreSQL server is created with ``initdb`` and started
with ``pg_ctl`` on a free 127.0.0.1 port in a temporary folder — as an unprivileged user,
since PostgreSQL refuses to run as root (CI containers run the tests as root). Each is
stopped when its tests end. A test is skipped only when the program it needs is absent.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mlwb.cluster import task_threads

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
MLWB = str(BIN / "mlwb")
DASK = BIN / "dask"

needs_dask = pytest.mark.skipif(
    not DASK.exists(), reason="dask[distributed] is not installed (pip install 'mlwb[dask]')"
)


def postgres_program(name: str) -> str | None:
    """``initdb``/``pg_ctl``: on PATH, or where Debian's ``postgresql`` package puts them
    (``/usr/lib/postgresql/<version>/bin``, not on PATH)."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(versions[-1]) if versions else None


NO_POSTGRES = "PostgreSQL's initdb/pg_ctl are not installed (apt-get install postgresql)"
needs_postgres = pytest.mark.skipif(
    postgres_program("pg_ctl") is None or postgres_program("initdb") is None, reason=NO_POSTGRES
)

RECIPE = """\
target: default
positive: "yes"
columns: {{drop: [customer_id]}}
validation: {{outer: {{folds: 3}}, inner: {{folds: 2}}}}
search: {{strategy: {strategy}, trials: {trials}, metric: roc_auc}}
models:
{models}
diagnostics: {{learning_curve: false, importance: none}}
report: [console]
ensemble: none
"""
LOGISTIC = "  logistic_regression: {C: {log_uniform: [1.0e-3, 1.0e+2]}}"
GRID = "  logistic_regression: {C: [0.01, 0.1, 1.0, 10.0]}"
FIXED = "  logistic_regression: {C: 1.0}\n  lightgbm: {n_estimators: 20}"
# Trials slow enough (a forest per inner fold) that a process is caught running one.
FOREST = "  random_forest: {n_estimators: 60, max_depth: {int: [2, 12]}}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for_port(port: int, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listens on port {port} after {seconds} s")


def stop(processes: list[subprocess.Popen]) -> None:
    for p in processes:
        if p.poll() is None:
            p.terminate()
    for p in processes:
        try:
            p.wait(10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def start_workers(address: str, count: int, env: dict[str, str] | None = None) -> list:
    """``count`` single-threaded ``dask worker`` processes, each with its own nanny."""
    return [
        subprocess.Popen(
            [str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard"],
            env={**os.environ, **(env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(count)
    ]


def wait_for_workers(address: str, count: int) -> None:
    from distributed import Client

    with Client(address, timeout=30) as client:
        client.wait_for_workers(count, timeout=60)


@contextlib.contextmanager
def dask_cluster(workers: int, env: dict[str, str] | None = None) -> Iterator[str]:
    """A ``dask scheduler`` process and ``workers`` worker processes; the address."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    scheduler = subprocess.Popen(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    started = [scheduler]
    try:
        wait_for_port(port)
        started += start_workers(address, workers, env)
        wait_for_workers(address, workers)
        yield address
    finally:
        stop(started[::-1])


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    if not DASK.exists():
        pytest.skip("dask[distributed] is not installed (pip install 'mlwb[dask]')")
    with dask_cluster(2) as address:
        yield address


def _as_postgres_user() -> list[str]:
    """The prefix that runs a PostgreSQL program: none for an ordinary user; as root (which
    PostgreSQL refuses) ``runuser`` to ``nobody``."""
    if os.geteuid() != 0:
        return []
    return ["runuser", "-u", pwd.getpwnam("nobody").pw_name, "--"]


@pytest.fixture(scope="module")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private PostgreSQL server on a free port; its URL (user postgres, trust auth)."""
    initdb, pg_ctl = postgres_program("initdb"), postgres_program("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip(NO_POSTGRES)
    folder = tmp_path_factory.mktemp("postgres")
    if os.geteuid() == 0:
        os.chown(folder, pwd.getpwnam("nobody").pw_uid, -1)
        for parent in folder.parents:  # nobody must reach the folder
            if parent == Path("/tmp") or parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o711)
    user = _as_postgres_user()
    data, port = folder / "data", free_port()
    subprocess.run(
        [*user, initdb, "-D", str(data), "-U", "postgres", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {folder} -h 127.0.0.1"
    subprocess.run(
        [*user, pg_ctl, "-D", str(data), "-o", options, "-l", str(folder / "log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            [*user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True
        )


@pytest.fixture(scope="module")
def small_credit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("data") / "credit.csv"
    lines = (ROOT / "sample_data" / "credit.csv").read_text().splitlines()[:301]
    path.write_text("\n".join(lines) + "\n")
    return path


def recipe(folder: Path, strategy: str, models: str, trials: int = 4, name: str = "r") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(RECIPE.format(strategy=strategy, trials=trials, models=models))
    return path


def mlwb(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([MLWB, *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT)


def without_timings(value: object) -> object:
    """metrics.json without what legitimately differs between two runs: timings and the
    run folder's path."""
    if isinstance(value, dict):
        return {
            k: without_timings(v)
            for k, v in value.items()
            if not k.endswith("seconds") and k != "run_dir"
        }
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


# -- the parts that need no server ---------------------------------------------------


def test_library_threads_per_task_share_each_hosts_cores():
    reports = {
        "tcp://a:1": {"host": "a", "cores": "8"},
        "tcp://a:2": {"host": "a", "cores": "8"},
        "tcp://b:1": {"host": "b", "cores": "2"},
    }
    # host a: 8 cores, 2 + 2 task slots → 2 threads; host b: 2 cores, 1 slot → 2
    assert task_threads({"tcp://a:1": 2, "tcp://a:2": 2, "tcp://b:1": 1}, reports) == 2
    # host b with 2 slots on 2 cores → 1 thread each, the smallest share wins
    assert task_threads({"tcp://a:1": 1, "tcp://a:2": 1, "tcp://b:1": 2}, reports) == 1


def test_an_address_without_a_cluster_backend_is_a_recipe_error(tmp_path, small_credit):
    path = recipe(tmp_path, "none", FIXED)
    result = mlwb("fit", str(path), str(small_credit), "--address", "tcp://127.0.0.1:1", "-q")
    assert result.returncode == 2
    assert "needs backend dask or ray" in result.stderr


def test_a_worker_without_a_shared_storage_is_exit_2(tmp_path, small_credit):
    path = recipe(tmp_path, "random", LOGISTIC)
    result = mlwb("worker", str(path), str(small_credit), "-q")
    assert result.returncode == 2
    assert "search.storage is not set" in result.stderr


@pytest.mark.skipif(
    __import__("importlib").util.find_spec("ray") is not None, reason="ray is installed"
)
def test_ray_without_its_extra_names_the_extra(tmp_path, small_credit):
    path = recipe(tmp_path, "none", FIXED)
    result = mlwb(
        "fit", str(path), str(small_credit), "--backend", "ray", "-q", "-o", str(tmp_path / "x")
    )
    assert result.returncode == 2
    assert "mlwb[ray]" in result.stderr
    assert not (tmp_path / "x").exists()


@pytest.mark.slow
@pytest.mark.skipif(
    __import__("importlib").util.find_spec("ray") is None, reason="mlwb[ray] is not installed"
)
def test_the_same_metrics_locally_and_on_a_local_ray_cluster(tmp_path, small_credit):
    """``--backend ray`` without an address starts a local Ray cluster (joblib's Ray
    backend); the numbers are the local ones, and ``-q`` keeps Ray's start-up logs off."""
    path = recipe(tmp_path, "grid", GRID)
    local = mlwb("fit", str(path), str(small_credit), "-o", str(tmp_path / "local"), "-q")
    assert local.returncode == 0, local.stderr
    ray = mlwb(
        "fit", str(path), str(small_credit), "-o", str(tmp_path / "ray"), "-q", "--backend", "ray"
    )
    assert ray.returncode == 0, ray.stderr
    assert ray.stderr.strip() == "", ray.stderr
    metrics = [
        json.loads((tmp_path / run / "metrics.json").read_text()) for run in ("local", "ray")
    ]
    assert without_timings(metrics[0]) == without_timings(metrics[1])


# -- Dask ----------------------------------------------------------------------------


@needs_dask
def test_an_unreachable_scheduler_is_exit_2_within_seconds(tmp_path, small_credit):
    path = recipe(tmp_path, "none", FIXED)
    address = f"tcp://127.0.0.1:{free_port()}"  # nothing listens there
    started = time.monotonic()
    result = mlwb(
        "fit", str(path), str(small_credit), "--backend", "dask", "--address", address, "-q",
        "-o", str(tmp_path / "run"),
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert f"cannot reach the Dask scheduler at {address}" in result.stderr
    assert time.monotonic() - started < 15  # 3 s connect timeout + interpreter start
    assert not (tmp_path / "run").exists()


@needs_dask
@pytest.mark.slow
def test_a_worker_with_another_mlwb_is_exit_2_naming_it(tmp_path, small_credit):
    """The worker imports a copy of mlwb that says it is another version (first on its
    PYTHONPATH): the check must name that worker and the versions, before any task."""
    shadow = tmp_path / "shadow"
    shutil.copytree(ROOT / "mlwb", shadow / "mlwb", ignore=shutil.ignore_patterns("__pycache__"))
    init = shadow / "mlwb" / "__init__.py"
    init.write_text(init.read_text().replace('__version__ = "', '__version__ = "0.0.0+other-'))
    path = recipe(tmp_path, "none", FIXED)
    with dask_cluster(1, env={"PYTHONPATH": str(shadow)}) as address:
        started = time.monotonic()
        result = mlwb(
            "fit", str(path), str(small_credit), "--backend", "dask", "--address", address,
            "-q", "-o", str(tmp_path / "run"),
        )  # fmt: skip
        seconds = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "execution: worker tcp://127.0.0.1:" in result.stderr
    assert "mlwb 0.0.0+other-" in result.stderr
    assert seconds < 30
    assert not (tmp_path / "run").exists()


@needs_dask
@pytest.mark.slow
@pytest.mark.parametrize(
    ("strategy", "models"), [("none", FIXED), ("grid", GRID), ("random", LOGISTIC)]
)
def test_the_same_metrics_locally_and_on_a_dask_cluster(
    tmp_path, small_credit, scheduler, strategy, models
):
    path = recipe(tmp_path, strategy, models)
    local = mlwb("fit", str(path), str(small_credit), "-o", str(tmp_path / "local"), "-q")
    assert local.returncode == 0, local.stderr
    dask = mlwb(
        "fit", str(path), str(small_credit), "-o", str(tmp_path / "dask"), "-q",
        "--backend", "dask", "--address", scheduler,
    )  # fmt: skip
    assert dask.returncode == 0, dask.stderr
    metrics = [
        json.loads((tmp_path / run / "metrics.json").read_text()) for run in ("local", "dask")
    ]
    assert without_timings(metrics[0]) == without_timings(metrics[1])
    summary = metrics[0]["models"]["logistic_regression"]["summary"]
    assert summary["roc_auc"]["mean"] > 0.6  # real scores were compared


@needs_dask
@pytest.mark.slow
def test_a_model_s_own_n_jobs_gives_way_to_the_task_s_threads_on_a_cluster(
    tmp_path, small_credit, scheduler
):
    from mlwb.cluster import Execution
    from mlwb.data import load_dataset
    from mlwb.parallel import use_execution
    from mlwb.plan import plan_run
    from mlwb.recipe import load_recipe

    path = recipe(tmp_path, "none", "  random_forest: {n_estimators: 5, n_jobs: -1}")
    loaded = load_recipe(path)
    dataset = load_dataset(small_credit, loaded)

    def n_jobs() -> int:
        plan = plan_run(loaded, dataset)
        return plan.model("random_forest").pipeline.named_steps["model"].n_jobs

    assert n_jobs() == -1  # locally the recipe's value stands
    with use_execution(Execution("dask", scheduler)):
        assert n_jobs() == 1  # two single-threaded workers on one host


# -- PostgreSQL ----------------------------------------------------------------------


def studies(url: str) -> dict[str, list]:
    """Every outer-fold study of the storage: its trials."""
    import optuna

    from mlwb.search.storage import engine_url

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = engine_url(url)
    return {
        s.study_name: optuna.load_study(study_name=s.study_name, storage=storage).trials
        for s in optuna.get_all_study_summaries(storage)
        if "-outer" in s.study_name and not s.study_name.endswith(".processes")
    }


def fresh_database(url: str, name: str) -> str:
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


@needs_postgres
def test_processes_opening_one_study_at_once_draw_different_configurations(postgres):
    """Two processes that open a study before either ran a trial (the moment the same
    sampler seed in each would duplicate every trial) get distinct indexes and seeds."""
    from optuna.distributions import FloatDistribution

    from mlwb.search import SearchSettings
    from mlwb.search.optuna_search import _open_study

    url = fresh_database(postgres, "seeds")
    settings = SearchSettings(
        "random", 5, None, "roc_auc", True, seed=0, storage=url, study_name="s", resume=True
    )
    first, second = _open_study(settings, None), _open_study(settings, None)  # type: ignore[arg-type]
    space = {"C": FloatDistribution(1e-3, 1e2, log=True)}
    assert first.ask(space).params != second.ask(space).params


@needs_postgres
@pytest.mark.slow
def test_processes_sharing_a_postgresql_study_run_distinct_trials(tmp_path, small_credit, postgres):
    url = fresh_database(postgres, "shared")
    path = recipe(tmp_path, "random", LOGISTIC, trials=12)
    storage = ["--set", f"search.storage={url}", "--n-jobs", "1", "-q"]
    fit = subprocess.Popen(
        [MLWB, "fit", str(path), str(small_credit), "--resume", "-o", str(tmp_path / "run"),
         *storage],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    worker = mlwb("worker", str(path), str(small_credit), *storage)
    _, fit_errors = fit.communicate(timeout=300)
    assert worker.returncode == 0, worker.stderr
    assert fit.returncode == 0, fit_errors
    found = studies(url)
    assert len(found) == 3
    owners = set()
    for name, trials in found.items():
        complete = [t for t in trials if t.state.name == "COMPLETE"]
        assert len(complete) >= 12, name
        params = [tuple(sorted(t.params.items())) for t in complete]
        assert len(set(params)) == len(params), f"{name}: a configuration ran twice"
        owners |= {t.user_attrs["process"] for t in trials}
    assert len(owners) == 2, "the trials did not spread over both processes"
    assert (tmp_path / "run" / "metrics.json").exists()


@needs_postgres
@pytest.mark.slow
def test_a_killed_worker_s_trial_is_run_again_and_the_study_completes(
    tmp_path, small_credit, postgres
):
    url = fresh_database(postgres, "killed")
    # Trials long enough (250 trees) that the one seen running is still running when the
    # kill arrives: a trial of 60 trees could finish in between, leaving nothing to retry.
    path = recipe(
        tmp_path, "random", FOREST.replace("n_estimators: 60", "n_estimators: 250"), trials=8
    )
    storage = ["--set", f"search.storage={url}", "--set", "search.heartbeat=1", "--n-jobs", "1"]
    fit = subprocess.Popen(
        [MLWB, "fit", str(path), str(small_credit), "--resume", "-q", "-o",
         str(tmp_path / "run"), *storage],
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    worker = subprocess.Popen(
        [MLWB, "worker", str(path), str(small_credit), "-q", *storage],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    owner = f"{socket.gethostname()}:{worker.pid}"
    deadline = time.monotonic() + 120
    killed = None
    while killed is None and time.monotonic() < deadline and worker.poll() is None:
        with contextlib.suppress(Exception):  # the tables may not exist yet
            for trials in studies(url).values():
                running = [
                    t
                    for t in trials
                    if t.state.name == "RUNNING" and t.user_attrs.get("process") == owner
                ]
                if running:
                    worker.send_signal(signal.SIGKILL)
                    killed = running[0].number
                    break
        time.sleep(0.05)
    worker.wait(30)
    assert killed is not None, "the worker was never seen running a trial"
    _, fit_errors = fit.communicate(timeout=300)
    assert fit.returncode == 0, fit_errors
    retried = failed = 0
    for name, trials in studies(url).items():
        complete = [t for t in trials if t.state.name == "COMPLETE"]
        listing = [
            (t.number, t.state.name, t.user_attrs.get("process"), t.user_attrs.get("error"),
             t.system_attrs.get("failed_trial"))
            for t in trials
        ]  # fmt: skip
        assert len(complete) >= 8, f"{name}: the study did not complete (worker {owner}): {listing}"
        assert not [t for t in trials if t.state.name in ("RUNNING", "WAITING")], name
        dead = [
            t for t in trials if t.state.name == "FAIL" and t.user_attrs.get("process") == owner
        ]
        for trial in dead:
            failed += 1
            again = [t for t in complete if t.system_attrs.get("failed_trial") == trial.number]
            assert again, f"{name}: trial {trial.number} of the killed worker was not run again"
            assert again[0].params == trial.params
            retried += 1
    assert failed >= 1 and retried == failed
