"""The run folder (written atomically) and saved models (checked before they are loaded).

A run folder is built in a hidden temporary sibling and renamed into place only when every
file is written, so an interrupted or failed run leaves no half folder, and an existing
folder is replaced only with ``force`` — and even then only once the new one is complete.

``model.joblib`` is a pickle: loading one runs code. ``model.json`` beside it records the
file's sha256 and the library versions; ``load_model`` refuses a file whose hash changed
and warns when versions differ. Only load model files you trust.
"""

from __future__ import annotations

import hashlib
import json
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

MODEL_FILE = "model.joblib"
MODEL_META = "model.json"
MODEL_FORMAT = "mlwb-model"
MODEL_FORMAT_VERSION = 1


def utc_stamp() -> str:
    """``20261124T154010Z``: sortable, filesystem-safe."""
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


def default_run_dir(name: str, base: Path = Path("runs")) -> Path:
    """``runs/<name>-<UTC timestamp>``."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name) or "run"
    return base / f"{safe}-{utc_stamp()}"


def check_output_dir(target: Path, force: bool) -> None:
    """Refuse (before any work) to overwrite an existing folder without ``force``."""
    if target.exists() and not force:
        raise UsageError(
            f"{target}: run folder already exists", "use --force to replace it, or another --out"
        )
    if target.exists() and not target.is_dir():
        raise UsageError(f"{target}: exists and is not a folder")


class RunFolder:
    """A context manager that writes a run folder atomically.

    Inside the ``with`` block files go to a temporary sibling; on success it is renamed to
    ``target``; on any exception (including Ctrl-C) it is removed and ``target`` is untouched.
    """

    def __init__(self, target: Path, force: bool = False) -> None:
        self.target = target
        self.force = force
        self.tmp = target.parent / f".{target.name}.partial-{uuid.uuid4().hex[:8]}"

    def __enter__(self) -> RunFolder:
        check_output_dir(self.target, self.force)
        try:
            self.tmp.mkdir(parents=True)
        except OSError as error:
            raise UsageError(
                f"{self.target}: cannot create the run folder ({error.strerror})"
            ) from error
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

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            return
        old: Path | None = None
        if self.target.exists():
            check_output_dir(self.target, self.force)
            old = self.target.parent / f".{self.target.name}.old-{uuid.uuid4().hex[:8]}"
            self.target.rename(old)
        self.tmp.rename(self.target)
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
    if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
        raise ModelFileError(f"{meta_path}: not an mlwb model description")
    if meta.get("format_version", 0) > MODEL_FORMAT_VERSION:
        raise ModelFileError(
            f"{meta_path}: saved by a newer mlwb (format {meta.get('format_version')})",
            "upgrade mlwb",
        )
    if sha256_of(model_path) != meta.get("sha256"):
        raise ModelFileError(
            f"{model_path}: the file changed since it was saved (sha256 mismatch)",
            "refusing to load it: model files run code when loaded; re-run mlwb fit",
        )
    contract = DataContract.from_dict(meta.get("contract", {}))
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
