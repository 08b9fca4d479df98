"""The model's manifest — what its behaviour depends on — and the checks made on loading.

The manifest (task, classes, positive class, threshold, data contract, versions, the kind of
estimator) travels inside the model file, as the saved object's ``_mlwb_manifest``
attribute, so it is covered by the file's sha256 and, with a key, by its signature.
``model.json`` beside the file is a readable copy of it plus the sha256: the copy is what
tools and people read, the manifest is what mlwb trusts, and any difference between the two
is refused, naming the key. Then the loaded object itself is checked against the manifest —
a fitted estimator of the recorded kind, with the recorded classes, positive class and
threshold — so neither an edited description nor a swapped model passes unnoticed.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from mlwb.artifacts.formats import MODEL_FORMATS
from mlwb.data.contract import DataContract
from mlwb.errors import ModelFileError

MODEL_FORMAT = "mlwb-model"
MODEL_FORMAT_VERSION = 2  # 2: manifest inside the model file; 1: model.json only (pickle)
MANIFEST_ATTRIBUTE = "_mlwb_manifest"
FILE_KEYS = ("sha256",)  # in model.json only: facts about the file, not the model
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


def checked_meta(meta: Any, meta_path: Path) -> DataContract:
    """The data contract of a decoded ``model.json``, after checking every key that
    ``load_model``, ``predict`` and ``evaluate`` read — before the model file is hashed or
    loaded, so a hand-edited or damaged description fails here, naming the file and the
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
    for key in ("model", "metric", "estimator"):
        if not isinstance(meta.get(key), str | None):
            raise _meta_error(meta_path, key, f"expected a text, got {_short(meta[key])}")
    if meta.get("file_format") not in (None, *MODEL_FORMATS):
        raise _meta_error(
            meta_path,
            "file_format",
            f"expected {' or '.join(MODEL_FORMATS)}, got {_short(meta['file_format'])}",
        )
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


def check_copy(manifest: Any, meta: dict[str, Any], meta_path: Path, model_path: Path) -> None:
    """Refuse a ``model.json`` that says anything the manifest inside the model does not:
    the first differing key is named, with both values."""
    if not isinstance(manifest, dict):
        raise ModelFileError(
            f"{model_path}: holds no mlwb manifest, though {meta_path.name} says it was "
            f"saved by mlwb (format {meta.get('format_version')})",
            DAMAGED,
        )
    copy = {k: v for k, v in meta.items() if k not in FILE_KEYS}
    for key in sorted(set(copy) | set(manifest)):
        if copy.get(key, "<missing>") != manifest.get(key, "<missing>"):
            raise ModelFileError(
                f"{meta_path}: {key}: differs from the manifest inside {model_path.name} "
                f"({meta_path.name}: {_short(copy.get(key, '<missing>'))}, model file: "
                f"{_short(manifest.get(key, '<missing>'))}); refusing to load it",
                f"{meta_path.name} was edited; restore it, or re-run mlwb fit",
            )


def type_name(value: Any) -> str:
    """The full name of ``value``'s class, as the manifest records it."""
    kind = type(value)
    return f"{kind.__module__}.{kind.__qualname__}"


def check_object(
    model: Any, meta: dict[str, Any], contract: DataContract, model_path: Path
) -> None:
    """Refuse a loaded object that is not what the manifest describes: a fitted estimator
    of the recorded kind (mlwb's ``DecodedClassifier`` for classification), with the
    recorded classes, positive class and decision threshold."""
    from sklearn.base import is_regressor
    from sklearn.exceptions import NotFittedError
    from sklearn.utils.validation import check_is_fitted

    from mlwb.documents import to_jsonable
    from mlwb.models.decoded import DecodedClassifier

    def refuse(problem: str) -> ModelFileError:
        return ModelFileError(f"{model_path}: {problem}; refusing to use it", DAMAGED)

    recorded = meta.get("estimator")
    if recorded is not None and type_name(model) != recorded:
        raise refuse(f"holds {type_name(model)}, but its manifest records {recorded}")
    try:
        check_is_fitted(model)
    except (NotFittedError, TypeError) as error:
        raise refuse(f"holds {type_name(model)}, not a fitted estimator") from error
    if contract.task == "regression":
        if not is_regressor(model):
            raise refuse(f"holds {type_name(model)}, not a regressor")
        return
    if not isinstance(model, DecodedClassifier):
        raise refuse(f"holds {type_name(model)}, not an mlwb classifier")
    classes = to_jsonable(list(model.classes_))
    if classes != list(contract.classes):
        raise refuse(
            f"the model's classes {_short(classes)} are not the recorded "
            f"{_short(list(contract.classes))}"
        )
    if contract.task != "binary":
        return
    index = meta.get("positive_index")
    if index is not None and model.positive_index != index:
        raise refuse(
            f"the model's positive class index {model.positive_index!r} is not the recorded "
            f"{index!r}"
        )
    threshold = getattr(model, "threshold_", None)
    if not (_is_number(threshold) and 0 <= threshold <= 1):
        raise refuse(f"the model's threshold {_short(threshold)} is not a number from 0 to 1")
    recorded_threshold = meta.get("threshold")
    if recorded_threshold is not None and threshold != recorded_threshold:
        raise refuse(
            f"the model's threshold {threshold!r} is not the recorded {recorded_threshold!r}"
        )
