"""Saved models: ``model.skops`` (or ``model.joblib`` on request) with ``model.json``
beside it, and ``model.sig`` when signed; every one checked before it is used.

Saving embeds the manifest in the model (``manifest``), writes the file in the chosen
format (``formats``), its readable copy with the file's sha256, and with a key its HMAC
(``signing``). Loading reads the bytes once and refuses, each time with exit 3 and a line
naming the file: a malformed ``model.json``, a wrong signature, a changed hash, a pickle
nobody said to trust, a skops file holding a type mlwb never saves, a ``model.json`` that
differs from the manifest, or an object that is not the fitted model the manifest describes.
Older run folders (``model.joblib`` with ``model.json`` only) still load, as pickles.
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mlwb.artifacts.environment import package_versions
from mlwb.artifacts.formats import (
    MODEL_FILES,
    ForeignTypes,
    ModelFormat,
    decode_pickle,
    decode_skops,
    encode_model,
    sniff_format,
    type_listing,
)
from mlwb.artifacts.manifest import (
    MANIFEST_ATTRIBUTE,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    check_copy,
    check_object,
    checked_meta,
    type_name,
)
from mlwb.artifacts.run_folder import RunFolder
from mlwb.artifacts.signing import SIGNATURE_FILE, check_signature, signature
from mlwb.data.contract import DataContract
from mlwb.errors import ModelFileError

MODEL_FILE = MODEL_FILES["skops"]
MODEL_META = "model.json"
FORMAT_NAMES = {"skops": "skops file", "joblib": "pickle (joblib format)"}
TRUST_HINT = (
    "pass --trust-pickle only if you trust whoever wrote this file, or re-run mlwb fit to "
    "save model.skops, which is safe to load"
)


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
    folder: RunFolder,
    model: Any,
    contract: DataContract,
    info: dict[str, Any],
    *,
    model_format: ModelFormat = "skops",
    key: bytes | None = None,
) -> dict[str, Any]:
    """Write the model file with its manifest inside, ``model.json`` (the manifest and the
    file's sha256) and, with ``key``, ``model.sig``; return ``model.json``'s content."""
    from mlwb.documents import to_jsonable

    name = MODEL_FILES[model_format]
    manifest: dict[str, Any] = to_jsonable(
        {
            "format": MODEL_FORMAT,
            "format_version": MODEL_FORMAT_VERSION,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "file": name,
            "file_format": model_format,
            "estimator": type_name(model),
            "versions": package_versions(),
            **info,
            "contract": contract.to_dict(),
        }
    )
    carrier = copy.copy(model)  # the caller's object stays as it was
    setattr(carrier, MANIFEST_ATTRIBUTE, manifest)
    data = encode_model(carrier, model_format)
    folder.path(name).write_bytes(data)
    if key is not None:
        folder.write_text(SIGNATURE_FILE, signature(data, key) + "\n")
    meta = {**manifest, "sha256": hashlib.sha256(data).hexdigest()}
    folder.write_json(MODEL_META, meta)
    return meta


def _locate(path: Path) -> tuple[Path, Path]:
    """The model file and its ``model.json`` for a run folder, a model file or a
    ``model.json``; in a folder, ``model.skops`` wins over an older ``model.joblib``."""
    if path.name == MODEL_META and not path.is_dir():
        path = path.parent
    if path.is_dir():
        candidates = [path / name for name in MODEL_FILES.values()]
        found = next((p for p in candidates if p.exists()), None)
        if found is None:
            raise ModelFileError(
                f"{path}: no model file ({' or '.join(MODEL_FILES.values())}) in it",
                "give a run folder written by mlwb fit, or the model file itself",
            )
        return found, path / MODEL_META
    return path, path.with_name(MODEL_META)


def _read_meta(meta_path: Path, model_path: Path) -> Any:
    if not meta_path.exists():
        raise ModelFileError(
            f"{meta_path}: not found beside the model",
            f"a model saved by mlwb has {MODEL_META} beside {model_path.name}",
        )
    try:
        return json.loads(meta_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise ModelFileError(f"{meta_path}: unreadable ({error})") from error


def _version_changes(meta: dict[str, Any]) -> str:
    """``saved with scikit-learn 1.5.2 (running 1.9.1), …`` for every library whose version
    differs from the one the model was saved with; empty when none does."""
    current = package_versions()
    changes = [
        f"{name} {saved} (running {current[name]})"
        for name, saved in (meta.get("versions") or {}).items()
        if saved and current.get(name) and current[name] != saved and name != "mlwb"
    ]
    return "saved with " + ", ".join(changes) if changes else ""


def load_model(path: Path, *, trust_pickle: bool = False, key: bytes | None = None) -> SavedModel:
    """Load a saved model after every check; ``ModelFileError`` (exit 3) on any problem.

    ``trust_pickle`` allows a joblib/pickle file, whose loading runs any code it holds;
    ``key`` (from ``MLWB_MODEL_KEY``) requires a matching ``model.sig``.
    """
    model_path, meta_path = _locate(path)
    if not model_path.is_file():
        raise ModelFileError(f"{model_path}: model file not found", "check the path")
    meta = _read_meta(meta_path, model_path)
    contract = checked_meta(meta, meta_path)
    try:
        data = model_path.read_bytes()
    except OSError as error:
        raise ModelFileError(f"{model_path}: unreadable ({error})") from error
    notes = list(check_signature(model_path, data, key))
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise ModelFileError(
            f"{model_path}: the file changed since it was saved (sha256 mismatch)",
            "refusing to load it; re-run mlwb fit",
        )
    found = sniff_format(data)
    recorded = meta.get("file_format")
    if recorded is not None and recorded != found:
        raise ModelFileError(
            f"{model_path}: a {FORMAT_NAMES[found]}, but {meta_path.name} records a "
            f"{FORMAT_NAMES[recorded]}; refusing to load it",
            "the file was replaced; re-run mlwb fit",
        )
    if found == "joblib":
        if not trust_pickle:
            raise ModelFileError(
                f"{model_path}: a pickle (joblib format), and loading a pickle runs any code "
                "it holds; refusing to load it",
                TRUST_HINT,
            )
        notes.append(
            f"{model_path}: a pickle, loaded because of --trust-pickle: loading a pickle runs "
            "any code it holds"
        )
    changes = _version_changes(meta)
    if changes:
        notes.append(f"{model_path}: {changes}; predictions may differ")
    model = _decode(model_path, data, found, changes)
    if meta["format_version"] >= 2:
        check_copy(getattr(model, MANIFEST_ATTRIBUTE, None), meta, meta_path, model_path)
    else:
        notes.append(
            f"{model_path}: saved by an earlier mlwb, with its description in {MODEL_META} "
            "only; re-run mlwb fit to save model.skops with the description inside"
        )
    check_object(model, meta, contract, model_path)
    return SavedModel(model, meta, contract, model_path, tuple(notes))


def _decode(model_path: Path, data: bytes, found: ModelFormat, changes: str) -> Any:
    """The object in ``data``; a ``ModelFileError`` naming the types refused, or, when the
    library cannot rebuild it, the versions it was saved with and the ones running."""
    try:
        return decode_skops(data) if found == "skops" else decode_pickle(data)
    except ForeignTypes as error:
        raise ModelFileError(
            f"{model_path} holds {type_listing(error.names)}, which mlwb never saves; "
            "refusing to load it",
            "only load model files written by mlwb fit; re-run it to get one",
        ) from error
    except Exception as error:  # whatever a library raises on a file it cannot rebuild
        reason = str(error).strip().splitlines()[0] if str(error).strip() else ""
        hint = (
            f"{changes}; install those versions or re-run mlwb fit"
            if changes
            else "the file is damaged or not a model; re-run mlwb fit"
        )
        raise ModelFileError(
            f"{model_path}: cannot load the model ({type(error).__name__}: {reason})", hint
        ) from error
