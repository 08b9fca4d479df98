"""Date columns: recognised by their text, given to models as numbers.

A CSV holds dates as text (``2016-07-02``). Read as categorical levels, each day is a level
of its own, seen a handful of times, and every date after the training rows is a level no
model has seen. As numbers, a date carries what tabular models use: the trend (days since
1970), the season (month, day of the month and of the year), the week (weekday) and, when
the column holds times, the hour.

Only unambiguous text is read as a date: ISO 8601 (``2016-07-02``, ``2016-7-2``,
``2016-07-02 14:30``, ``2016-07-02T14:30:05.5Z``, ``2016-07-02T14:30+02:00``; ``/`` instead
of ``-`` too). ``07/02/2016`` is July 2 in one country and February 7 in another: such a
column stays categorical. Times with an offset are converted to UTC. A value that is not a
date becomes missing and is imputed like a missing number.

A column is a date column when at least ``MOSTLY_DATES`` of its values are dates (decided
once, at training, by ``roles``); listed in ``columns.datetime`` it must be at least
``MIN_DATES`` dates. The parts are computed row by row: nothing is learned from the data.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from mlwb.data.casting import line_phrase, text_examples
from mlwb.errors import DataError

# Shares of a column's non-missing values that must be dates: for an inferred date column
# (the rest become missing, with a notice), and for one the recipe declares.
MOSTLY_DATES = 0.8
MIN_DATES = 0.5
# Levels looked at before a column with many is parsed whole (``level_date_share``).
SAMPLED_LEVELS = 1000
DATE_TEXT = re.compile(
    r"\d{4}(?P<sep>[-/])\d{1,2}(?P=sep)\d{1,2}"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?"
)
# What every date column gives; a column with times also gives the hour.
DATE_PARTS: tuple[str, ...] = ("days", "year", "month", "day", "weekday", "dayofyear")
TIME_PARTS: tuple[str, ...] = ("hour",)
_EPOCH = pd.Timestamp("1970-01-01")


def parse_dates(column: pd.Series) -> pd.Series:
    """The column's values as timestamps (UTC, without a zone); anything that is not an
    ISO 8601 date (see the module) becomes ``NaT``. Each distinct value is parsed once."""
    codes, levels = pd.factorize(column)
    parsed = np.full(len(levels), np.datetime64("NaT"), dtype="datetime64[ns]")
    if len(levels):
        text = _stripped(levels)
        looks = _looks_like_dates(text)
        if looks.any():
            candidates = text[looks].str.replace("/", "-", regex=False)
            stamps = pd.to_datetime(candidates, format="ISO8601", errors="coerce", utc=True)
            parsed[looks] = stamps.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    values = parsed[codes]
    values[codes < 0] = np.datetime64("NaT")
    return pd.Series(values, index=column.index, name=column.name)


def _stripped(levels: Any) -> pd.Series:
    return pd.Series(levels, dtype=object).astype(str).str.strip()


def _looks_like_dates(text: pd.Series) -> np.ndarray:
    """Which (stripped) values have the shape of an ISO 8601 date."""
    return text.map(lambda v: DATE_TEXT.fullmatch(v) is not None).to_numpy(dtype=bool)


def level_date_share(counts: pd.Series) -> float:
    """Share of a column's non-missing values that are dates, from its level counts
    (``value_counts``): each level is parsed once and weighs its count. Every text column is
    asked, identifiers with a million distinct values too: when a sample of its levels is
    mostly not even shaped like dates, the sample's share is the answer."""
    total = int(counts.sum())
    if total == 0:
        return 0.0
    if len(counts) > SAMPLED_LEVELS:
        picks = np.linspace(0, len(counts) - 1, SAMPLED_LEVELS).astype(int)
        sample = counts.iloc[picks]
        shaped = _looks_like_dates(_stripped(sample.index))
        share = float(sample.to_numpy()[shaped].sum() / max(int(sample.sum()), 1))
        if share < MIN_DATES:
            return share
    parsed = parse_dates(pd.Series(counts.index, dtype=object))
    return float(counts.to_numpy()[parsed.notna().to_numpy()].sum() / total)


def parts_of(column: pd.Series) -> tuple[str, ...]:
    """The parts a date column gives: the hour too when any value has a time of day."""
    dates = parse_dates(column).dropna()
    timed = bool(len(dates)) and bool((dates != dates.dt.normalize()).any())
    return DATE_PARTS + (TIME_PARTS if timed else ())


def part_name(column: str, part: str) -> str:
    """The feature name of one part: ``arrival_date_month``."""
    return f"{column}_{part}"


def part_names(dates: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The feature names of date columns (column -> its parts), in order."""
    return tuple(part_name(name, part) for name, parts in dates.items() for part in parts)


def date_features(column: pd.Series, parts: tuple[str, ...]) -> dict[str, pd.Series]:
    """The numeric features of one date column (float64, missing where the value is not
    a date), named ``<column>_<part>``."""
    dates = parse_dates(column)
    accessor = dates.dt
    values = {
        "days": (dates - _EPOCH) / pd.Timedelta(days=1),
        "year": accessor.year,
        "month": accessor.month,
        "day": accessor.day,
        "weekday": accessor.day_of_week,
        "dayofyear": accessor.day_of_year,
        "hour": accessor.hour + accessor.minute / 60,
    }
    name = str(column.name)
    return {part_name(name, part): values[part].astype(float) for part in parts}


def check_dates(column: pd.Series, source: str) -> list[str]:
    """Notices for the values of a date column that are not dates (read as missing); a
    ``DataError`` naming a line when dates are not even ``MIN_DATES`` of the values."""
    present = column.notna()
    other = present & parse_dates(column).isna()
    if not other.any():
        return []
    share = 1 - other.sum() / max(int(present.sum()), 1)
    name = column.name
    if share < MIN_DATES:
        first = int(np.flatnonzero(other.to_numpy())[0])
        raise DataError(
            f"{source}: column '{name}' must hold dates, but {int(other.sum())} values are "
            f"not ISO 8601 dates (line {first + 2} has {column.iloc[first]!r})",
            "write dates as YYYY-MM-DD (a time may follow), or list the column in "
            "columns.categorical",
        )
    return [
        f"{source}: column '{name}': {int(other.sum())} values that are not dates "
        f"({text_examples(column, other)}) were read as missing ({line_phrase(other)}; "
        f"{share:.0%} of the values are dates)"
    ]
