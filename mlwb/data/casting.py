"""Canonical column types, shared by training, ``predict`` and the saved model's first step.

A categorical column must produce the same level strings at training and prediction time
whatever pandas guessed for the file: ``1`` read as an integer in one file and as ``1.0``
in another (because of a missing value) must both become ``"1"``. Numeric columns become
float64; a few unreadable tokens in a numeric column become missing values with a notice,
many are a ``DataError``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlwb.errors import DataError

TEXT_DTYPE = pd.StringDtype(na_value=np.nan)
# A text column is numeric when at least this share of its values parse as numbers.
NUMERIC_SHARE = 0.95


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def as_category_strings(column: pd.Series) -> pd.Series:
    """The column as canonical level strings (``str`` dtype), missing values kept as NaN."""
    if isinstance(column.dtype, pd.StringDtype):
        stripped = column.str.strip()
        return stripped.mask(stripped == "").astype(TEXT_DTYPE)
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: "True", False: "False"}).astype(TEXT_DTYPE)
    if pd.api.types.is_integer_dtype(column):
        exact = [None if pd.isna(v) else str(int(v)) for v in column.tolist()]
        return pd.Series(exact, index=column.index, dtype=TEXT_DTYPE, name=column.name)
    if pd.api.types.is_numeric_dtype(column):
        values = column.to_numpy(dtype=float, na_value=np.nan)
        text = [None if math.isnan(v) else _format_number(v) for v in values]
        return pd.Series(text, index=column.index, dtype=TEXT_DTYPE, name=column.name)

    def canonical(value: object) -> object:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return np.nan
        if isinstance(value, bool | np.bool_):
            return "True" if value else "False"
        if isinstance(value, int | float | np.integer | np.floating):
            return _format_number(float(value))
        text = str(value).strip()
        return text if text else np.nan

    return column.map(canonical).astype(TEXT_DTYPE)


def is_boolean(column: pd.Series) -> bool:
    """True for a bool column, or one whose values are all True/False (some missing)."""
    if pd.api.types.is_bool_dtype(column):
        return True
    if pd.api.types.is_numeric_dtype(column):
        return False
    present = column.dropna()
    if present.empty or present.nunique() > 2:
        return False
    return {str(v).strip().lower() for v in present.unique()} <= {"true", "false"}


def display_value(value: object) -> str:
    """A value as the user wrote it: ``7`` rather than ``np.int64(7)``."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def numeric_share(column: pd.Series) -> float:
    """Share of the non-missing values that parse as numbers (1.0 for numeric dtypes)."""
    if is_boolean(column):
        return 0.0
    if pd.api.types.is_numeric_dtype(column):
        return 1.0
    present = column.dropna()
    if present.empty:
        return 0.0
    parsed = pd.to_numeric(present, errors="coerce")
    return float(parsed.notna().mean())


def as_numeric(column: pd.Series, source: str) -> tuple[pd.Series, str | None]:
    """The column as float64, and a notice when some tokens had to become missing.

    Raises a ``DataError`` naming the column, a line and the value when fewer than
    ``NUMERIC_SHARE`` of the values are numbers: that is a wrong column, not noise.
    """
    if pd.api.types.is_bool_dtype(column):
        return column.astype(float), None
    if pd.api.types.is_numeric_dtype(column):
        return column.astype(float), None
    parsed = pd.to_numeric(column, errors="coerce")
    bad = column.notna() & parsed.isna()
    if not bad.any():
        return parsed.astype(float), None
    first = bad.idxmax()
    position = column.index.get_loc(first)
    example = f"line {position + 2} has {column[first]!r}"
    share = 1 - bad.sum() / max(column.notna().sum(), 1)
    if share < NUMERIC_SHARE:
        raise DataError(
            f"{source}: column '{column.name}' must be numeric, but {int(bad.sum())} values are "
            f"not numbers ({example})",
            "fix the values, or declare the column in columns.categorical",
        )
    examples = sorted({str(v) for v in column[bad].head(50)})[:3]
    notice = (
        f"{source}: column '{column.name}': {int(bad.sum())} values that are not numbers "
        f"({', '.join(repr(e) for e in examples)}) were read as missing"
    )
    return parsed.astype(float), notice


def cast_features(
    frame: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
    source: str = "data",
) -> tuple[pd.DataFrame, list[str]]:
    """The feature columns, in role order, with canonical dtypes; plus notices."""
    notices: list[str] = []
    columns: dict[str, pd.Series] = {}
    for name in numeric:
        column, notice = as_numeric(frame[name], source)
        columns[name] = column
        if notice:
            notices.append(notice)
    for name in categorical:
        columns[name] = as_category_strings(frame[name])
    result = pd.DataFrame(columns, index=frame.index)
    return result, notices
