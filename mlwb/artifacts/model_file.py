"""Saved models: ``model.joblib`` with ``model.json`` beside it, checked before loading.

``model.joblib`` is a pickle: loading one runs code. ``model.json`` records the file's
sha256, the library versions and what the model's behaviour depends on (classes, threshold,
data contract); ``load_model`` checks it is well formed, refuses a file whose hash changed
and warns when versions differ. Only load model files you trust.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlwb.artifacts.environment import package_versions
from mlwb.artifacts.run_folder import RunFolder
from mlwb.data.contract import DataContract
from mlwb.errors import ModelFileError

MODEL_FILE = "model.joblib"
MODEL_META = "model.json"
MODEL_FORMAT = "mlwb-model"
MODEL_FORMAT_VERSION = 1


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
