"""The run folder, written atomically.

A run folder is built in a hidden temporary sibling and renamed into place only when every
file is written, so an interrupted or failed run leaves no half folder, and an existing
folder is replaced only with ``force``, only if mlwb wrote it, and only once the new one is
complete. Leftovers of a killed run carry a marker, so the next run can clean them up.

Reading a run folder back (``mlwb compare RUN…``, ``mlwb report RUN``) goes through one
reader, ``read_run_folder``, so a folder is accepted or refused the same way by both.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import pandas as pd

from mlwb.documents import dumps, frame_to_csv
from mlwb.errors import DataError, UsageError
from mlwb.outputs import (
    PARTIAL_MARKER,
    is_stale,
    partials_held,
    register_partial,
    remove_marker,
    unregister_partial,
    write_marker,
)

RUN_FILES = ("metrics.json", "recipe.resolved.yaml", "environment.json")
RUN_KINDS = frozenset({"fit", "compare"})


def utc_stamp() -> str:
    """``20261124T154010Z``: sortable, filesystem-safe."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def default_run_dir(name: str, base: Path = Path("runs")) -> Path:
    """``runs/<name>-<UTC timestamp>``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name) or "run"
    return base / f"{safe}-{utc_stamp()}"


def is_run_folder(folder: Path) -> bool:
    """Whether mlwb wrote ``folder`` (or it is empty), the only folders ``--force`` replaces.

    A run folder holds ``recipe.resolved.yaml``, ``environment.json`` and a ``metrics.json``
    whose JSON has ``schema_version`` and ``kind`` fit or compare: a folder of someone's
    work does not pass by accident.
    """
    try:
        with os.scandir(folder) as entries:
            names = {entry.name for entry in entries} - {PARTIAL_MARKER}
    except OSError:
        return False
    if not names:
        return True
    if not all((folder / name).is_file() for name in RUN_FILES):
        return False
    try:
        document = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (
        isinstance(document, dict)
        and "schema_version" in document
        and document.get("kind") in RUN_KINDS
    )


@dataclass(frozen=True)
class RunDocuments:
    """A run folder as read back: its ``metrics.json`` and, when it has one and it was
    asked for, its ``diagnostics.json`` — the documents reports and run diffs are built
    from."""

    path: Path
    metrics: dict[str, Any]
    diagnostics: dict[str, Any] | None = None


_REWRITE = "re-run mlwb fit to write it again"


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise DataError(f"{path}: {what} ({type(error).__name__}: {error})", _REWRITE) from error


def read_run_folder(folder: Path, with_diagnostics: bool = True) -> RunDocuments:
    """The documents of the run folder ``folder`` (``diagnostics.json`` only when
    ``with_diagnostics`` and present: a fit without diagnostics, and every compare, has
    none).

    A missing folder, a missing ``metrics.json``, or one that is not a run's document
    (unreadable, not JSON, ``kind`` neither fit nor compare) is a ``DataError`` (exit 3)
    naming the path — for every command that reads runs, so a CI job sees one exit code.
    """
    if not folder.exists():
        raise DataError(f"{folder}: run folder not found", "check the path")
    hint = "give the folder mlwb fit or mlwb compare wrote"
    if not folder.is_dir():
        raise DataError(f"{folder}: not a run folder", hint)
    metrics_path = folder / "metrics.json"
    if not metrics_path.is_file():
        raise DataError(f"{folder}: no metrics.json; not a run folder of mlwb fit or compare", hint)
    metrics = _read_json(metrics_path, "unreadable run record")
    kind = metrics.get("kind") if isinstance(metrics, dict) else None
    if kind not in RUN_KINDS:
        raise DataError(
            f"{metrics_path}: unreadable run record (kind {kind!r} is not a run)", _REWRITE
        )
    diagnostics = None
    diagnostics_path = folder / "diagnostics.json"
    if with_diagnostics and diagnostics_path.exists():
        diagnostics = _read_json(diagnostics_path, "unreadable diagnostics")
        if not isinstance(diagnostics, dict):
            raise DataError(f"{diagnostics_path}: unreadable diagnostics (not an object)", _REWRITE)
    return RunDocuments(folder, metrics, diagnostics)


def _real_target(target: Path) -> Path:
    """Where the run folder really goes: a symlink to a folder is followed (the link stays a
    link); a dangling one is refused, since the run could only fail at its very end."""
    if target.is_symlink():
        if not target.exists():
            raise UsageError(
                f"{target}: a symlink to {os.readlink(target)}, which does not exist",
                "choose another --out, or point the link at a folder",
            )
        return Path(os.path.realpath(target))
    if target.name in ("", ".", ".."):
        return Path(os.path.realpath(target))
    return target


def _check_creatable(target: Path, folder: Path) -> None:
    """``folder`` exists and we may create in it — or its nearest existing ancestor lets us
    create the missing folders (as ``mkdir -p``; they are made only at the write)."""
    ancestor = folder
    while not os.path.lexists(ancestor) and ancestor != ancestor.parent:
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise UsageError(f"{target}: {ancestor} is not a folder", "choose another --out")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise UsageError(
            f"{target}: cannot create the run folder in {ancestor} (permission denied)",
            "choose another --out",
        )


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<kind>partial|old)-[0-9a-f]{8}")


def sweep_stale(real: Path) -> list[Path]:
    """Clean up after runs that were killed (SIGKILL, power loss) mid-write beside ``real``.

    Every ``.NAME.partial-*`` / ``.NAME.old-*`` in ``real``'s folder is looked at, not only
    ``real``'s own (a default run folder has a new name each time), but only folders
    carrying the marker of a dead process on this host are touched: a partial folder is
    removed; an old run moved aside is put back when nothing replaced it (the process died
    between the two renames), else removed. Returns what was removed or restored.
    """
    cleaned: list[Path] = []
    try:
        entries = sorted(real.parent.iterdir())
    except OSError:
        entries = []
    for entry in entries:
        match = _LEFTOVER.fullmatch(entry.name)
        if match is None or not is_stale(entry):
            continue
        home = entry.with_name(match["name"])
        if match["kind"] == "old" and not os.path.lexists(home):
            try:
                entry.rename(home)
            except OSError:
                continue
            remove_marker(home)
        else:
            shutil.rmtree(entry, ignore_errors=True)
        cleaned.append(entry)
    if is_stale(real):
        remove_marker(real)  # killed after marking the old run, before moving it aside
    return cleaned


def check_output_dir(target: Path, force: bool) -> Path:
    """Refuse, before any work, a run folder that could not be written or must not be
    replaced; return the folder the run goes to (a symlink's target).

    An existing folder is replaced only with ``force`` and only when mlwb wrote it (or it
    is empty); stale leftovers of killed runs to the same target are cleaned up first.
    """
    real = _real_target(target)
    sweep_stale(real)
    if os.path.lexists(real):
        if not real.is_dir():
            raise UsageError(f"{target}: exists and is not a folder", "choose another --out")
        if not is_run_folder(real):
            raise UsageError(
                f"{target}: not an mlwb run folder; refusing to delete it",
                "choose another --out",
            )
        if not force:
            raise UsageError(
                f"{target}: run folder already exists",
                "use --force to replace it, or another --out",
            )
    _check_creatable(target, real.parent)
    return real


class RunFolder:
    """A context manager that writes a run folder atomically.

    Inside the ``with`` block files go to a temporary sibling (marked with this process's
    pid and host, and registered for :func:`mlwb.outputs.remove_partials`); on success it is
    renamed to ``target``; on any exception (including Ctrl-C) it is removed and ``target``
    is untouched. A previous run is moved aside, the new one renamed in, the old one
    deleted: a reader sees the old run or the new one, never a mix.
    """

    def __init__(self, target: Path, force: bool = False) -> None:
        self.target = target
        self.force = force
        self.real = target
        self.tmp = self._sibling("partial")

    def _sibling(self, kind: str) -> Path:
        return self.real.parent / f".{self.real.name}.{kind}-{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> RunFolder:
        self.real = check_output_dir(self.target, self.force)
        self.tmp = self._sibling("partial")
        register_partial(self.tmp)
        try:
            self.real.parent.mkdir(parents=True, exist_ok=True)
            self.tmp.mkdir()
            write_marker(self.tmp)
        except OSError as error:
            self._discard()
            raise UsageError(
                f"{self.target}: cannot create the run folder ({error.strerror})"
            ) from error
        except BaseException:
            self._discard()
            raise
        return self

    def path(self, name: str) -> Path:
        """Where file ``name`` is being written (inside the temporary folder)."""
        path = self.tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write_text(self, name: str, text: str) -> None:
        self.path(name).write_text(text, encoding="utf-8")

    def write_json(self, name: str, value: Any) -> None:
        self.write_text(name, dumps(value) + "\n")

    def write_csv(self, name: str, frame: pd.DataFrame) -> None:
        frame_to_csv(frame, self.path(name))

    def _discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)
        unregister_partial(self.tmp)

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            self._discard()
            return
        try:
            self._move_into_place()
        except BaseException:
            self._discard()
            raise

    def _move_into_place(self) -> None:
        """Check the target again (it may have appeared or changed during the run), then
        rename: old aside (marked, so a crash leaves it recognisable), new in, old deleted."""
        if check_output_dir(self.target, self.force) != self.real:
            raise UsageError(f"{self.target}: the symlink changed while the run was written")
        real = self.real
        old = self._sibling("old") if os.path.lexists(real) else None
        try:
            with partials_held():
                if old is not None:
                    with contextlib.suppress(OSError):
                        write_marker(real)
                    real.rename(old)
                self.tmp.rename(real)
                unregister_partial(self.tmp)
        except BaseException as error:
            if old is not None:  # put the previous run back, whatever stopped us
                with contextlib.suppress(OSError):
                    if os.path.lexists(old) and not os.path.lexists(real):
                        old.rename(real)
                    remove_marker(real)
            if isinstance(error, OSError):
                raise UsageError(
                    f"{self.target}: cannot move the run folder into place ({error.strerror})"
                ) from error
            raise
        remove_marker(real)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
