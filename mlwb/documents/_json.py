"""Strict JSON: NaN and infinity become null, numpy becomes Python.

Python's ``json.dumps`` writes ``NaN``, which strict parsers (jq, JavaScript, Go) reject;
every JSON file and ``--json`` document mlwb writes goes through ``dumps`` here, which
refuses anything non-finite that slipped through (``allow_nan=False``).
"""

from __future__ import annotations

import dataclasses
import json
import math
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np


def to_jsonable(value: Any) -> Any:
    """A structure of dicts, lists, strings, finite numbers, booleans and None."""
    if isinstance(value, bool | str) or value is None:
        return value
    if isinstance(value, Enum):
        return to_jsonable(value.value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        number = float(value)
        return number if math.isfinite(number) else None
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, Path):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if hasattr(value, "item"):
        return to_jsonable(value.item())
    return str(value)


def dumps(value: Any, indent: int | None = 2) -> str:
    """Strict JSON text for ``value``."""
    return json.dumps(to_jsonable(value), indent=indent, allow_nan=False, ensure_ascii=False)
