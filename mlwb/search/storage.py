"""Opening a search storage (an Optuna RDB URL) and preparing its studies.

The storage's tables and the run's studies are created once, in the main process, before
any worker starts: when each parallel worker created them itself, a new SQLite file failed
in about half the runs (``table studies already exists``, ``UNIQUE constraint failed:
alembic_version.version_num``). Workers then only open what exists.

``postgresql://`` in SQLAlchemy means the psycopg2 driver; mlwb's ``postgres`` extra
installs psycopg 3, so the URL is pointed at whichever of the two is installed, and a
missing driver is a usage error naming the extra.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import socket
import time
from collections.abc import Iterable
from typing import Any

from mlwb.errors import MissingExtraError, UsageError
from mlwb.outputs import pid_alive

POSTGRES_EXTRA = "mlwb[postgres]"
# The user attribute naming the process that runs a trial: "host:pid".
PROCESS_ATTR = "process"


def _optuna() -> Any:
    """Optuna, with its per-study INFO lines silenced (mlwb reports progress itself)."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    return optuna


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def engine_url(url: str) -> str:
    """The SQLAlchemy URL to connect with: a bare ``postgresql://`` gets the installed
    driver (psycopg 3 first); other URLs are used as given."""
    scheme, sep, rest = url.partition("://")
    if not sep or scheme not in ("postgresql", "postgres"):
        return url
    if _installed("psycopg"):
        return f"postgresql+psycopg://{rest}"
    if _installed("psycopg2"):
        return f"postgresql+psycopg2://{rest}"
    raise MissingExtraError(POSTGRES_EXTRA, "search.storage: a PostgreSQL storage")


def _hint(url: str, error: Exception) -> str:
    """What to do about a storage that cannot be opened, from what actually failed."""
    text = str(error).lower()
    if isinstance(error, ModuleNotFoundError) or "no module named" in text:
        return f'install the database driver it needs (PostgreSQL: pip install "{POSTGRES_EXTRA}")'
    if url.startswith("sqlite") and ("unable to open" in text or "no such file" in text):
        return "the folder of the SQLite file must exist and be writable"
    if "locked" in text:
        return "another process holds the database; wait for it or use another storage"
    if "could not connect" in text or "connection refused" in text or "timeout" in text:
        return "check that the database server is running and reachable at that address"
    if "authentication" in text or "password" in text:
        return "check the user name and password in the URL"
    if "does not exist" in text:
        return "create the database first (e.g. createdb), or fix its name in the URL"
    return "use an SQLAlchemy URL such as sqlite:///search.db or postgresql://user@host/db"


def open_storage(url: str, create_tables: bool = True, heartbeat: int | None = None) -> Any:
    """An ``RDBStorage`` for ``url``; ``create_tables=False`` in workers, whose storage
    the main process has already prepared.

    With ``heartbeat`` (seconds) each running trial beats; a trial silent for three beats
    belongs to a killed process (on any machine) and is failed by whichever process looks
    next, and ``RetryFailedTrialCallback`` queues its configuration again."""
    import warnings

    optuna = _optuna()

    target = engine_url(url)
    # Several processes write at once: SQLite waits for the lock rather than failing.
    kwargs = {"connect_args": {"timeout": 120}} if target.startswith("sqlite") else {}
    beats: dict[str, Any] = {}
    if heartbeat:
        beats = {
            "heartbeat_interval": heartbeat,
            "grace_period": 3 * heartbeat,
            "heartbeat_stale_trial_callback": retry_trial,
        }

    def rdb() -> Any:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return optuna.storages.RDBStorage(
                target, engine_kwargs=kwargs, skip_table_creation=not create_tables, **beats
            )

    try:
        try:
            return rdb()
        except Exception:
            if not create_tables:
                raise
            # Two processes starting on one new database race on creating its tables
            # (``relation "studies" already exists``): the loser opens what the winner made.
            time.sleep(1.0)
            return rdb()
    except Exception as error:
        first = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
        raise UsageError(
            f"search.storage: cannot open {url} ({type(error).__name__}: {first})",
            _hint(url, error),
        ) from error


def existing_studies(storage: Any) -> set[str]:
    """Names of the studies in ``storage``."""
    import optuna

    return {s.study_name for s in optuna.get_all_study_summaries(storage)}


def prepare_studies(url: str, names: Iterable[str], direction: str, resume: bool) -> None:
    """Create the storage's tables and the named studies, in this (the main) process.

    Without ``resume`` a study that already exists is an error: a new run must never mix
    with an old run's trials by accident.
    """
    optuna = _optuna()

    storage = open_storage(url)
    present = existing_studies(storage)
    for name in names:
        if name in present and not resume:
            raise UsageError(
                f"search.storage: study '{name}' already exists in {url}",
                "add --resume to continue it, or use another storage",
            )
        optuna.create_study(
            storage=storage, study_name=name, direction=direction, load_if_exists=True
        )


# How often one configuration is queued again after its processes died.
MAX_RETRIES = 2


def retry_trial(study: Any, trial: Any) -> None:
    """Queue a failed (killed) trial's configuration again, as Optuna's
    ``RetryHeartbeatStaleTrialCallback`` does, without the dead process's attributes: the
    retry is not taken for a trial of that process, and records whom it retries
    (``failed_trial``)."""
    optuna = _optuna()

    history = [*trial.system_attrs.get("retry_history", []), trial.number]
    if len(history) > MAX_RETRIES:
        return
    system_attrs = {**trial.system_attrs, "retry_history": history}
    system_attrs.setdefault("failed_trial", trial.number)
    study.add_trial(
        optuna.trial.create_trial(
            state=optuna.trial.TrialState.WAITING,
            params=trial.params,
            distributions=trial.distributions,
            system_attrs=system_attrs,
        )
    )


def quietly(function: Any, *args: Any) -> Any:
    """``function(*args)`` without Optuna's experimental-feature and heartbeat warnings
    (mlwb uses the heartbeat on purpose, also outside ``Study.optimize``)."""
    import warnings

    optuna = _optuna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        warnings.filterwarnings("ignore", message="Heartbeat of storage")
        return function(*args)


def claim_index(storage: Any, study_name: str) -> int:
    """A number no other process sharing ``study_name`` gets: the number of a trial asked
    in its companion study ``<name>.processes`` (the storage numbers trials atomically).
    The process that opens a study first gets 0."""
    optuna = _optuna()

    counter = optuna.create_study(
        storage=storage, study_name=f"{study_name}.processes", load_if_exists=True
    )
    trial = quietly(counter.ask)
    counter.tell(trial, 0.0)
    return int(trial.number)


def this_process() -> str:
    """``host:pid`` of the running process, recorded on each trial it runs."""
    return f"{socket.gethostname()}:{os.getpid()}"


def process_is_gone(owner: str | None) -> bool:
    """True when the process that ran a trial is known to be dead: it ran on this host
    and its pid is gone. A trial without an owner (older mlwb) counts as abandoned; one
    owned by another host is left to the storage's heartbeat."""
    if not owner:
        return True
    host, _, pid = owner.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    # Our own pid on a trial we have not started: a dead process whose pid was reused.
    return not pid_alive(int(pid)) or int(pid) == os.getpid()


def fail_abandoned(study: Any, keep_unnamed: bool = False, retry: bool = True) -> int:
    """Fail the trials of ``study`` left RUNNING by a process that died; how many. Trials
    of live processes (another worker sharing the study) and of other hosts are left alone.
    With ``retry`` each one's configuration is queued again (as the heartbeat's callback
    does). With ``keep_unnamed`` a trial that names no process yet (another process has
    just asked for it) is left to the heartbeat. A failed trial without an ``error``
    attribute counts as interrupted."""
    optuna = _optuna()
    failed = 0
    for trial in study.get_trials(deepcopy=False, states=(optuna.trial.TrialState.RUNNING,)):
        owner = trial.user_attrs.get(PROCESS_ATTR)
        if (keep_unnamed and not owner) or not process_is_gone(owner):
            continue
        study.tell(trial.number, state=optuna.trial.TrialState.FAIL, skip_if_finished=True)
        failed += 1
        if retry:
            retry_trial(study, study.trials[trial.number])
    return failed


def fail_orphaned_trials(url: str, names: Iterable[str]) -> int:
    """Record as failed the trials of the studies ``names`` still RUNNING whose process (of
    this host) is gone; how many. Called by the main process when a run is stopped, once
    its workers are: each worker records its own trial on SIGTERM, but one that cannot
    within its grace (a busy machine, a library holding the interpreter) is killed, and its
    trial would stay RUNNING in the storage for any dashboard or process sharing the study.
    Not queued again: an interrupted trial is not retried. Best effort: a stop never fails
    here."""
    optuna = _optuna()
    try:
        storage = open_storage(url, create_tables=False)
    except (UsageError, MissingExtraError):
        return 0
    failed = 0
    for name in names:
        with contextlib.suppress(Exception):  # one study missing or locked: the others
            study = optuna.load_study(study_name=name, storage=storage)
            failed += fail_abandoned(study, keep_unnamed=True, retry=False)
    return failed
