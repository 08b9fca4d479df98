"""The run folder (written atomically) and saved models (checked before they are loaded).

A run folder is built in a hidden temporary sibling and renamed into place only when every
file is written, so an interrupted or failed run leaves no half folder, and an existing
folder is replaced only with ``force``, only if mlwb wrote it, and only once the new one is
complete. Leftovers of a killed run carry a marker, so the next run can clean them up.

``model.joblib`` is a pickle: loading one runs code. ``model.json`` beside it records the
file's sha256 and the library versions; ``load_model`` refuses a file whose hash changed
and warns when versions differ. Only load model files you trust.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
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

from mlwb.data.contract import DataContract
from mlwb.environment import package_versions
from mlwb.errors import ModelFileError, UsageError
from mlwb.jsonable import dumps
from mlwb.outputs import (
    PARTIAL_MARKER,
    is_stale,
    partials_held,
    register_partial,
    remove_marker,
    unregister_partial,
    write_marker,
)

MODEL_FILE = "model.joblib"
MODEL_META = "model.json"
MODEL_FORMAT = "mlwb-model"
MODEL_FORMAT_VERSION = 1
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
        frame.to_csv(self.path(name), index=False, float_format="%.6g")

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


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True)
class SavedModel:
    """A loaded model with its metadata and any warnings from loading it."""

    model: Any
    meta: dict[str, Any]
    contract: DataContract
    path: Path
    warnings: tuple[str, ...] = ()

    @property
    def threshold(self) -> float | None:
        return self.meta.get("threshold")


def save_model(
    folder: RunFolder, model: Any, contract: DataContract, info: dict[str, Any]
) -> dict[str, Any]:
    """Write ``model.joblib`` and ``model.json`` (hash, versions, contract); return the meta."""
    import joblib

    path = folder.path(MODEL_FILE)
    joblib.dump(model, path, compress=3)
    meta = {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "sha256": sha256_of(path),
        "versions": package_versions(),
        **info,
        "contract": contract.to_dict(),
    }
    folder.write_json(MODEL_META, meta)
    return meta


def _locate(path: Path) -> tuple[Path, Path]:
    if path.is_dir():
        return path / MODEL_FILE, path / MODEL_META
    if path.name == MODEL_META:
        return path.with_name(MODEL_FILE), path
    return path, path.with_name(MODEL_META)


DAMAGED = "the file was changed or damaged; re-run mlwb fit to write it again"
SHA256 = re.compile(r"[0-9a-f]{64}")


def _is_number(value: Any) -> bool:
    """A finite JSON number (``true`` is not one, though Python says it is an int)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _short(value: Any) -> str:
    """``repr(value)`` cut to one short line (a damaged file can hold anything)."""
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def _meta_error(meta_path: Path, key: str, problem: str) -> ModelFileError:
    return ModelFileError(f"{meta_path}: {key}: {problem}", DAMAGED)


def _checked_meta(meta: Any, meta_path: Path) -> DataContract:
    """The data contract of a decoded ``model.json``, after checking every key that
    ``load_model``, ``predict`` and ``evaluate`` read — before the model file is hashed or
    unpickled, so a hand-edited or damaged description fails here, naming the file and the
    key, instead of as a ``TypeError`` deep inside a later step."""
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise ModelFileError(
            f"{meta_path}: not an mlwb model description",
            f"a model.json written by mlwb is a JSON object with format: {MODEL_FORMAT}",
        )
    version = meta.get("format_version")
    if not (isinstance(version, int) and not isinstance(version, bool) and version >= 1):
        raise _meta_error(
            meta_path, "format_version", f"expected a whole number, got {_short(version)}"
        )
    if version > MODEL_FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path}: saved by a newer mlwb (format {version})", "upgrade mlwb"
        )
    if not (isinstance(meta.get("sha256"), str) and SHA256.fullmatch(meta["sha256"])):
        raise _meta_error(meta_path, "sha256", "missing, or not a sha256 hex digest")
    versions = meta.get("versions", {})
    if not isinstance(versions, dict) or not all(
        isinstance(v, str | None) for v in versions.values()
    ):
        raise _meta_error(meta_path, "versions", "expected a mapping of package -> version")
    contract = DataContract.from_dict(meta.get("contract"), str(meta_path))
    for key in ("model", "metric"):
        if not isinstance(meta.get(key), str | None):
            raise _meta_error(meta_path, key, f"expected a text, got {_short(meta[key])}")
    threshold = meta.get("threshold")
    if threshold is not None and not (_is_number(threshold) and 0 <= threshold <= 1):
        raise _meta_error(
            meta_path, "threshold", f"expected a number from 0 to 1, got {_short(threshold)}"
        )
    index = meta.get("positive_index")
    if index is not None and not (
        isinstance(index, int)
        and not isinstance(index, bool)
        and 0 <= index < len(contract.classes)
    ):
        raise _meta_error(
            meta_path,
            "positive_index",
            f"expected the index of one of the classes, got {_short(index)}",
        )
    for key in ("beta", "cv_score"):
        value = meta.get(key)
        if value is not None and not _is_number(value):
            raise _meta_error(meta_path, key, f"expected a number, got {_short(value)}")
    if meta.get("beta") is not None and meta["beta"] <= 0:
        raise _meta_error(
            meta_path, "beta", f"expected a positive number, got {_short(meta['beta'])}"
        )
    metrics = meta.get("metrics")
    if metrics is not None:
        from mlwb.metrics import METRICS

        if not isinstance(metrics, list):
            raise _meta_error(meta_path, "metrics", "expected a list of metric names")
        unknown = [m for m in metrics if not isinstance(m, str) or m not in METRICS]
        if unknown:
            raise _meta_error(meta_path, "metrics", f"unknown metric {_short(unknown[0])}")
    return contract


def load_model(path: Path) -> SavedModel:
    """Load a saved model after checking its hash; ``ModelFileError`` on any problem."""
    model_path, meta_path = _locate(path)
    if not model_path.exists():
        raise ModelFileError(f"{model_path}: model file not found", "check the path")
    if not meta_path.exists():
        raise ModelFileError(
            f"{meta_path}: not found beside the model",
            "a model saved by mlwb has model.json beside model.joblib",
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{meta_path}: unreadable ({error})") from error
    contract = _checked_meta(meta, meta_path)
    if sha256_of(model_path) != meta["sha256"]:
        raise ModelFileError(
            f"{model_path}: the file changed since it was saved (sha256 mismatch)",
            "refusing to load it: model files run code when loaded; re-run mlwb fit",
        )
    notes: list[str] = []
    current = package_versions()
    for name, saved in (meta.get("versions") or {}).items():
        if saved and current.get(name) and current[name] != saved and name != "mlwb":
            notes.append(
                f"{model_path}: saved with {name} {saved}, running {current[name]}; "
                "predictions may differ"
            )
    import joblib

    try:
        model = joblib.load(model_path)
    except Exception as error:
        raise ModelFileError(f"{model_path}: cannot load the model ({error})") from error
    return SavedModel(model, meta, contract, model_path, tuple(notes))
