"""Column-role inference: which columns are numeric, categorical, or not features at all.

The recipe's ``columns:`` section always wins. For the rest, the rules are the ones a careful
analyst applies by eye, stated once here and reported with a reason per column so the user
can see (and override) every decision:

- all missing or a single value: dropped (nothing to learn);
- text that is mostly ISO 8601 dates (``MOSTLY_DATES``, 80 %): datetime — the model gets its
  parts as numbers (``mlwb.data.dates``);
- booleans and text: categorical — unless almost every value is unique (an identifier or
  free text: dropped), or the values are mostly numbers (``MOSTLY_NUMBERS`` of them, 80 %):
  then the numbers decide (numeric, or integer-coded categorical) and the text values
  become missing with a notice. A text column that is only partly numbers (more than half,
  less than 80 %) stays categorical, with a notice saying how to read it as numeric;
- integers with at most ``MAX_CODE_LEVELS`` distinct values: categorical (integer-coded);
- integers all distinct and in sequence, or named like an id: dropped as identifiers;
- other numbers: numeric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from mlwb.data.casting import (
    MIN_NUMBERS,
    MOSTLY_NUMBERS,
    display_value,
    is_boolean,
    level_numeric_share,
    out_of_range,
    parse_numbers,
    text_examples,
)
from mlwb.data.dates import MOSTLY_DATES, level_date_share, part_name, part_names, parts_of
from mlwb.errors import DataError
from mlwb.recipe.schema import Columns
from mlwb.suggest import did_you_mean, listing

Role = Literal["numeric", "categorical", "ordinal", "datetime", "dropped"]
MAX_CODE_LEVELS = 5
ID_NAME = re.compile(r"(^|[_\s-])(id|uuid|guid|key|index)$|^(id|uuid|guid)([_\s-]|$)", re.I)
UNIQUE_SHARE_FOR_ID = 0.95
MIN_ROWS_FOR_ID = 20


@dataclass(frozen=True)
class ColumnRole:
    """The role given to one column and why."""

    name: str
    role: Role
    reason: str
    note: str | None = None  # something the user should be told about this decision


@dataclass(frozen=True)
class ColumnRoles:
    """Roles of every column except the target, in file order."""

    columns: tuple[ColumnRole, ...]
    ordinal_levels: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # The parts each datetime column gives the model (the hour only where there are times).
    date_parts: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def names(self, role: Role) -> tuple[str, ...]:
        """Columns with ``role``, in file order."""
        return tuple(c.name for c in self.columns if c.role == role)

    @property
    def numeric(self) -> tuple[str, ...]:
        return self.names("numeric")

    @property
    def categorical(self) -> tuple[str, ...]:
        return self.names("categorical")

    @property
    def ordinal(self) -> tuple[str, ...]:
        return self.names("ordinal")

    @property
    def datetime(self) -> tuple[str, ...]:
        return self.names("datetime")

    @property
    def features(self) -> tuple[str, ...]:
        """Every feature column of the file: numeric, categorical, ordinal, datetime."""
        return self.numeric + self.categorical + self.ordinal + self.datetime

    @property
    def date_features(self) -> tuple[str, ...]:
        """The numeric features the datetime columns become (``arrival_date_month``)."""
        return part_names({name: self.date_parts[name] for name in self.datetime})

    @property
    def numeric_features(self) -> tuple[str, ...]:
        """Every numeric feature the model sees: numeric columns, then date parts."""
        return self.numeric + self.date_features

    @property
    def dropped(self) -> tuple[ColumnRole, ...]:
        return tuple(c for c in self.columns if c.role == "dropped")


def _is_integer_valued(column: pd.Series) -> bool:
    present = column.dropna()
    if pd.api.types.is_integer_dtype(present):
        return True
    return bool(len(present)) and bool((present == present.round()).all())


def _numbers_role(numbers: pd.Series, name: str, n_rows: int) -> tuple[Role, str]:
    """The role of a column of numbers (missing values, infinities removed)."""
    present = numbers.dropna()
    if not _is_integer_valued(present):
        return "numeric", "numbers"
    unique = present.nunique()  # counted only for integers: hashing every float costs
    all_distinct = unique == len(present) and n_rows >= MIN_ROWS_FOR_ID
    in_sequence = all_distinct and (
        present.is_monotonic_increasing or present.is_monotonic_decreasing
    )
    if all_distinct and (in_sequence or ID_NAME.search(name)):
        return "dropped", "identifier (every value distinct)"
    if unique <= MAX_CODE_LEVELS:
        return "categorical", f"integer-coded with {unique} levels"
    return "numeric", "integers"


def _infer(column: pd.Series, source: str) -> tuple[Role, str, str | None]:
    """The role, the reason and, for a partly numeric text column, a note."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        # Infinite and out-of-range values become missing when the column is cast.
        column = column.astype(float).mask(out_of_range(column))
    present = column.dropna()
    n_rows = len(column)
    if present.empty:
        return "dropped", "all values are missing", None
    constant = f"constant (every value is {display_value(present.iloc[0])})"
    name = str(column.name)
    if pd.api.types.is_float_dtype(present):  # numbers (bool columns are not cast)
        if present.min() == present.max():  # extremes meet: no hashing of every value
            return "dropped", constant, None
        return (*_numbers_role(column, name, n_rows), None)
    counts = present.value_counts(sort=False)  # the one pass that hashes every value
    unique = len(counts)
    if unique == 1:
        return "dropped", constant, None
    if unique == 2 and is_boolean(column):
        return "categorical", "boolean", None
    share = level_numeric_share(counts)  # not boolean here: that returned above
    if share >= MOSTLY_NUMBERS:
        numbers = parse_numbers(column)
        numbers = numbers.mask(out_of_range(numbers))
        role, reason = _numbers_role(numbers, name, n_rows)
        if role == "categorical":  # integer codes: the text values are levels too
            return role, f"{reason} and text values", None
        if role == "numeric":
            return role, f"text holding numbers ({share:.0%} of the values)", None
    dates = level_date_share(counts)
    if dates >= MOSTLY_DATES:
        return "datetime", f"dates ({dates:.0%} of the values)", None
    if n_rows >= MIN_ROWS_FOR_ID and unique >= UNIQUE_SHARE_FOR_ID * len(present):
        kind = "identifier" if ID_NAME.search(name) or unique == len(present) else "free text"
        return "dropped", f"{kind} ({unique} distinct values in {len(present)} rows)", None
    note = None
    if MIN_NUMBERS < share < MOSTLY_NUMBERS:
        text = column.notna() & parse_numbers(column).isna()
        note = (
            f"{source}: column '{name}': {share:.0%} of the values are numbers, too few to "
            f"read it as numeric (it needs {MOSTLY_NUMBERS:.0%}); it is categorical with "
            f"{unique} levels because of values such as {text_examples(column, text)}; list "
            "it in columns.numeric to read those values as missing instead"
        )
    return "categorical", f"text with {unique} levels", note


def infer_role(column: pd.Series) -> tuple[Role, str]:
    """The inferred role of one feature column and the reason, in words."""
    role, reason, _ = _infer(column, "data")
    return role, reason


def _check_named(names: list[str], available: list[str], key: str, source: str) -> None:
    for name in names:
        if name not in available:
            raise DataError(
                f"{source}: {key}: no column '{name}' in the data{did_you_mean(name, available)}",
                f"columns are: {listing(available)}",
            )


def infer_roles(frame: pd.DataFrame, spec: Columns, source: str) -> ColumnRoles:
    """Roles for every column of ``frame`` (the target already removed)."""
    available = [str(c) for c in frame.columns]
    for key in ("drop", "categorical", "numeric", "datetime"):
        _check_named(list(getattr(spec, key)), available, f"columns.{key}", source)
    _check_named(list(spec.ordinal), available, "columns.ordinal", source)
    for key in ("group", "time"):
        value = getattr(spec, key)
        if value is not None:
            _check_named([value], available, f"columns.{key}", source)
    excluded = {spec.group, spec.time} - {None}
    roles: list[ColumnRole] = []
    ordinal_levels: dict[str, tuple[str, ...]] = {}
    for name in available:
        if name in spec.drop:
            roles.append(ColumnRole(name, "dropped", "listed in columns.drop"))
        elif name in excluded:
            roles.append(ColumnRole(name, "dropped", "used for splitting, not as a feature"))
        elif name in spec.categorical:
            roles.append(ColumnRole(name, "categorical", "listed in columns.categorical"))
        elif name in spec.numeric:
            roles.append(ColumnRole(name, "numeric", "listed in columns.numeric"))
        elif name in spec.ordinal:
            ordinal_levels[name] = tuple(str(v) for v in spec.ordinal[name])
            roles.append(ColumnRole(name, "ordinal", "listed in columns.ordinal"))
        elif name in spec.datetime:
            roles.append(ColumnRole(name, "datetime", "listed in columns.datetime"))
        else:
            roles.append(ColumnRole(name, *_infer(frame[name], source)))
    date_parts = {c.name: parts_of(frame[c.name]) for c in roles if c.role == "datetime"}
    result = ColumnRoles(tuple(roles), ordinal_levels, date_parts)
    _check_part_names(result, available, source)
    if not result.features:
        raise DataError(
            f"{source}: no feature columns left "
            f"({'; '.join(f'{c.name}: {c.reason}' for c in result.dropped[:5])})",
            "declare columns in columns.numeric or columns.categorical",
        )
    return result


def _check_part_names(roles: ColumnRoles, available: list[str], source: str) -> None:
    """A date part's feature name must not be a column of the file already."""
    taken = set(available)
    for name in roles.datetime:
        for part in roles.date_parts[name]:
            if part_name(name, part) in taken:
                raise DataError(
                    f"{source}: column '{name}' is a date column whose part '{part}' would "
                    f"be named '{part_name(name, part)}', a column the file already has",
                    f"rename one of them, or list '{name}' in columns.categorical or columns.drop",
                )
