"""The two model file formats: skops (the default, safe to load) and joblib (a pickle).

A pickle runs whatever code it holds the moment it is loaded, and no hash stored beside it
can tell a malicious file from a genuine one. A skops file is a zip of JSON and arrays from
which skops builds only the types it is told to trust; mlwb tells it exactly the types its
pipelines are made of (``allowed_types``), so a file holding anything else is refused before
any of it is built. joblib stays available on request for people who load models with
``joblib.load``; mlwb itself loads one only when told to trust it.

Both functions work on bytes, not paths: the bytes that are hashed and checked against the
signature are the very bytes that are loaded, so the file cannot be swapped in between.
"""

from __future__ import annotations

import io
import warnings
from typing import Any, Literal, get_args
from zipfile import ZIP_DEFLATED

from mlwb.artifacts.allowed_types import ALLOWED_TYPES, foreign_types
from mlwb.errors import RecipeError

ModelFormat = Literal["skops", "joblib"]
MODEL_FORMATS: tuple[ModelFormat, ...] = get_args(ModelFormat)
MODEL_FILES: dict[ModelFormat, str] = {"skops": "model.skops", "joblib": "model.joblib"}
_ZIP_MAGIC = b"PK\x03\x04"


class ForeignTypes(Exception):
    """A skops file holds types that are not on mlwb's allow-list (``names``)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


def sniff_format(data: bytes) -> ModelFormat:
    """What the bytes are, whatever the file is called: a skops file is a zip; anything
    else can only be loaded as a pickle, so it is treated as one (and refused unless
    trusted)."""
    return "skops" if data.startswith(_ZIP_MAGIC) else "joblib"


def encode_model(model: Any, model_format: ModelFormat) -> bytes:
    """``model`` as the bytes of a model file.

    A skops file is checked against the allow-list as it is written: a model that
    ``load_model`` would refuse is a ``RecipeError`` now, not a surprise at predict time.
    """
    if model_format == "joblib":
        import joblib

        buffer = io.BytesIO()
        joblib.dump(model, buffer, compress=3)
        return buffer.getvalue()
    import skops.io as sio

    # Deflate's fastest level: a forest of 200 fully grown trees (330 MB of arrays) saves
    # in 2 s instead of 4.5 s at the default level, for a file 5 % larger.
    data = sio.dumps(model, compression=ZIP_DEFLATED, compresslevel=1)
    foreign = foreign_types(sio.get_untrusted_types(data=data))
    if foreign:
        raise RecipeError(
            f"artifacts.format: skops cannot save this model safely: it holds "
            f"{type_listing(foreign)}, which is not on mlwb's allow-list of model types",
            "set artifacts: {format: joblib} (a pickle) for this model, and report the type "
            "to mlwb's developers",
        )
    return data


def decode_skops(data: bytes) -> Any:
    """The object in a skops file; ``ForeignTypes`` before anything is built when it holds
    a type that is not on the allow-list.

    The allow-list itself is what skops is told to trust — never the file's own list of
    types, which would trust whatever the file's author chose.
    """
    import skops.io as sio

    foreign = foreign_types(sio.get_untrusted_types(data=data))
    if foreign:
        raise ForeignTypes(foreign)
    with warnings.catch_warnings():
        _ignore_version_warnings()
        return sio.loads(data, trusted=sorted(ALLOWED_TYPES))


def decode_pickle(data: bytes) -> Any:
    """The object in a joblib file. This runs any code the file holds: call it only for a
    file the user has said they trust."""
    import joblib

    with warnings.catch_warnings():
        _ignore_version_warnings()
        return joblib.load(io.BytesIO(data))


def _ignore_version_warnings() -> None:
    """scikit-learn warns on every estimator saved with another version; ``load_model``
    says it once, naming both versions, instead."""
    from sklearn.exceptions import InconsistentVersionWarning

    warnings.simplefilter("ignore", InconsistentVersionWarning)


def type_listing(names: list[str]) -> str:
    """``a.B`` or ``a.B (and 2 other types)``: one line, however many there are."""
    if len(names) == 1:
        return names[0]
    return f"{names[0]} (and {len(names) - 1} other type{'s' * (len(names) > 2)})"
