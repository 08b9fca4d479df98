"""Signed model files: HMAC-SHA256 with a key from ``MLWB_MODEL_KEY``, in ``model.sig``.

The sha256 in ``model.json`` catches accidents, not intent: whoever can replace the model can
rewrite the hash beside it. A pipeline that moves models between machines shares a secret
instead: with ``MLWB_MODEL_KEY`` set, ``fit`` writes the HMAC of the model file's bytes to
``model.sig``, and ``predict``/``evaluate`` refuse a model without one or with one that does
not match — only a holder of the key can produce a model they accept. Without the key nothing
changes, and a ``model.sig`` present is not checked (a note says so).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from pathlib import Path

from mlwb.errors import ModelFileError, UsageError

MODEL_KEY_ENV = "MLWB_MODEL_KEY"
SIGNATURE_FILE = "model.sig"
_HEX_DIGEST = re.compile(r"[0-9a-f]{64}")
KEY_HINT = 'generate one with: python -c "import secrets; print(secrets.token_hex(32))"'


def model_key() -> bytes | None:
    """The signing key from ``MLWB_MODEL_KEY``, or None when it is not set.

    Set but empty is an error, not "no key": a CI job whose secret is missing gets an empty
    variable, and treating that as unsigned mode would quietly accept any model.
    """
    value = os.environ.get(MODEL_KEY_ENV)
    if value is None:
        return None
    if not value.strip():
        raise UsageError(
            f"{MODEL_KEY_ENV} is set but empty",
            f"set it to a secret ({KEY_HINT}) or unset it to work without signatures",
        )
    return value.encode("utf-8")


def signature(data: bytes, key: bytes) -> str:
    """Hex HMAC-SHA256 of ``data`` under ``key``."""
    return hmac.new(key, data, hashlib.sha256).hexdigest()


def check_signature(model_path: Path, data: bytes, key: bytes | None) -> tuple[str, ...]:
    """Refuse ``data`` (the bytes of ``model_path``) unless ``model.sig`` beside it holds its
    HMAC under ``key``; without a key, only a note when a signature goes unchecked."""
    sig_path = model_path.with_name(SIGNATURE_FILE)
    if key is None:
        if sig_path.exists():
            return (
                f"{sig_path}: not checked, because {MODEL_KEY_ENV} is not set; set it to "
                "refuse models not signed with it",
            )
        return ()
    if not sig_path.is_file():
        raise ModelFileError(
            f"{model_path}: unsigned (no {SIGNATURE_FILE} beside it), and {MODEL_KEY_ENV} is "
            "set; refusing to load it",
            f"re-run mlwb fit with {MODEL_KEY_ENV} set to sign the model, or unset "
            f"{MODEL_KEY_ENV} to accept unsigned models",
        )
    try:
        stored = sig_path.read_text(encoding="ascii").strip().lower()
    except (OSError, UnicodeDecodeError) as error:
        raise ModelFileError(f"{sig_path}: unreadable ({error})") from error
    if not _HEX_DIGEST.fullmatch(stored) or not hmac.compare_digest(stored, signature(data, key)):
        raise ModelFileError(
            f"{model_path}: the signature in {SIGNATURE_FILE} does not match (the file was "
            f"changed, or signed with another key); refusing to load it",
            f"use the {MODEL_KEY_ENV} the model was signed with, or re-run mlwb fit",
        )
    return ()
