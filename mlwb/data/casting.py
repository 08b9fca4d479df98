"""Canonical column types, shared by training, ``predict`` and the saved model's first step.

A categorical column must produce the same level strings at training and prediction time
whatever pandas guessed for the file: ``1`` read as an integer in one file and as ``1.0``
in another (because of a missing value) must both become ``"1"``. Numeric columns become
float64, and two kinds of value a model cannot use become missing values, each with a
notice naming the column, how many and the first lines:

- text in a numeric column (``forty``, ``unknown``, ``-``): a column is numeric when it is
  mostly numbers (``MOSTLY_NUMBERS``, decided once, at training, by ``roles``); the few
  text values are then noise, not levels. A column where numbers are not even the majority
  (``MIN_NUMBERS``) cannot be numeric: declaring it so, or giving a model text where it
  was trained on numbers, is a ``DataError`` naming a line and value — usually the wrong
  column or file;
- infinite or out-of-range numbers (``inf``, ``-inf``, ``1e400``, anything beyond the
  float32 range that tree libraries convert features to): no estimator accepts them, and
  they carry no more information than "very large", so they are read as missing and the
  pipeline's imputer fills them like any other gap.

The same function, ``as_numeric``, casts numeric columns at training (``cast_features``)
and prediction (``DataContract.prepare``), so both apply one rule.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from mlwb.errors import DataError

TEXT_DTYPE = pd.StringDtype(na_value=np.nan)
# A text column whose non-missing values are at least this share of numbers is numeric (its
# text values become missing): one stray token in ten is a typo or a placeholder, not a level.
MOSTLY_NUMBERS = 0.8
# A column can only be numeric when more than this share of its values are numbers; between
# this and MOSTLY_NUMBERS an inferred column stays categorical, with a notice.
MIN_NUMBERS = 0.5
# The largest magnitude kept: float32's, the type LightGBM, XGBoost and scikit-learn's trees
# convert features to (1e39 would become inf there).
LARGEST = float(np.finfo(np.float32).max)
SHOWN_LINES = 5


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def file_lines(mask: pd.Series | np.ndarray, limit: int = SHOWN_LINES) -> str:
    """The file lines (1-based, after the header) of the rows where ``mask`` is true:
    ``"3, 7, 12, …"``. Row ``i`` of a table is line ``i + 2`` of its file."""
    positions = np.flatnonzero(np.asarray(mask, dtype=bool))
    shown = ", ".join(str(p + 2) for p in positions[:limit])
    return shown + (", …" if len(positions) > limit else "")


def line_phrase(mask: pd.Series | np.ndarray) -> str:
    """``"line 7"`` or ``"lines 3, 7, 12, …"`` for the rows where ``mask`` is true."""
    count = int(np.count_nonzero(np.asarray(mask, dtype=bool)))
    return f"{'line' if count == 1 else 'lines'} {file_lines(mask)}"


def as_category_strings(column: pd.Series) -> pd.Series:
    """The column as canonical level strings (``str`` dtype), missing values kept as NaN."""
    if isinstance(column.dtype, pd.StringDtype):
        levels = pd.Series(pd.unique(column.dropna()), dtype=column.dtype)
        if levels.str.strip().eq(levels).all() and not levels.eq("").any():
            return column.astype(TEXT_DTYPE)  # already canonical: no value to touch
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


def out_of_range(values: pd.Series) -> pd.Series:
    """True where a numeric column holds ``±inf`` or a magnitude beyond ``LARGEST``."""
    numbers = values.to_numpy(dtype=float, na_value=np.nan)
    with np.errstate(invalid="ignore"):
        mask = np.abs(numbers) > LARGEST
    return pd.Series(mask, index=values.index)


def parse_numbers(column: pd.Series) -> pd.Series:
    """The column's values as float64: text that is not a number becomes NaN (bool and
    numeric columns are converted as they are)."""
    if pd.api.types.is_bool_dtype(column) or pd.api.types.is_numeric_dtype(column):
        return column.astype(float)
    # Each distinct value is parsed once: a text column repeats a few levels over many
    # rows, and parsing text is what costs (about 1 µs a value).
    codes, levels = pd.factorize(column)
    if len(levels) == 0:
        return pd.Series(np.nan, index=column.index, dtype=float)
    parsed = pd.to_numeric(pd.Series(levels, dtype=object), errors="coerce")
    values = parsed.astype(float).to_numpy()[codes]
    values[codes < 0] = np.nan
    return pd.Series(values, index=column.index, name=column.name)


def numeric_share(column: pd.Series) -> float:
    """Share of the non-missing values that parse as numbers (1.0 for numeric dtypes)."""
    if is_boolean(column):
        return 0.0
    if pd.api.types.is_numeric_dtype(column):
        return 1.0
    return level_numeric_share(column.value_counts(dropna=True, sort=False))


def level_numeric_share(counts: pd.Series) -> float:
    """``numeric_share`` from a column's level counts (``value_counts``): each level is
    parsed once and weighs its count."""
    total = int(counts.sum())
    if total == 0:
        return 0.0
    parsed = parse_numbers(pd.Series(counts.index, dtype=object))
    return float(counts.to_numpy()[parsed.notna().to_numpy()].sum() / total)


def text_examples(column: pd.Series, mask: pd.Series, limit: int = 3) -> str:
    """Up to ``limit`` distinct values of ``column`` where ``mask`` holds, quoted, in order
    of first appearance: ``'forty', 'unknown', '-'``."""
    seen = list(dict.fromkeys(str(v) for v in column[mask].head(1000)))
    return ", ".join(repr(v) for v in seen[:limit])


REFUSED_HINT = "fix the values, or declare the column in columns.categorical"


def as_numeric(
    column: pd.Series, source: str, advice: str = "", hint: str = REFUSED_HINT
) -> tuple[pd.Series, list[str]]:
    """The column as float64, and notices for the values that had to become missing.

    Text values and infinite or out-of-range numbers become missing, each kind with a
    notice naming the column, the count, examples and the first lines (``advice`` is
    appended to the text-values notice). A column where numbers are not the majority of the
    values (``MIN_NUMBERS``) is a ``DataError`` naming a line and value, with ``hint``: that
    is a wrong column, not noise.
    """
    name = column.name
    notices: list[str] = []
    if column.dtype == np.float64:  # already numbers (a fitted pipeline's usual input)
        parsed, text = column, None
    else:
        parsed = parse_numbers(column)
        text = column.notna() & parsed.isna()
    if text is not None and text.any():
        share = 1 - text.sum() / max(int(column.notna().sum()), 1)
        first = np.flatnonzero(text.to_numpy())[0]
        if share <= MIN_NUMBERS:
            raise DataError(
                f"{source}: column '{name}' must be numeric, but {int(text.sum())} values are "
                f"not numbers (line {first + 2} has {column.iloc[first]!r})",
                hint,
            )
        notices.append(
            f"{source}: column '{name}': {int(text.sum())} values that are not numbers "
            f"({text_examples(column, text)}) were read as missing ({line_phrase(text)}; "
            f"{share:.0%} of the values are numbers){advice}"
        )
    huge = out_of_range(parsed)
    if huge.any():
        notices.append(
            f"{source}: column '{name}': {int(huge.sum())} infinite or out-of-range values "
            f"(beyond ±3.4e38) were read as missing ({line_phrase(huge)})"
        )
        parsed = parsed.mask(huge)
    return parsed, notices


def cast_features(
    frame: pd.DataFrame,
    numeric: Sequence[str],
    categorical: Sequence[str],
    source: str = "data",
) -> tuple[pd.DataFrame, list[str]]:
    """The feature columns, in role order, with canonical dtypes; plus notices."""
    notices: list[str] = []
    columns: dict[str, pd.Series] = {}
    advice = "; list the column in columns.categorical to keep the text as levels instead"
    for name in numeric:
        columns[name], column_notices = as_numeric(frame[name], source, advice)
        notices.extend(column_notices)
    for name in categorical:
        columns[name] = as_category_strings(frame[name])
    result = pd.DataFrame(columns, index=frame.index)
    return result, notices
