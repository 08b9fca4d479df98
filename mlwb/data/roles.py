"""Column-role inference: which columns are numeric, categorical, or not features at all.

The recipe's ``columns:`` section always wins. For the rest, the rules are the ones a careful
analyst applies by eye, stated once here and reported with a reason per column so the user
can see (and override) every decision:

- all missing or a single value: dropped (nothing to learn);
- booleans and text: categorical — unless almost every value is a number (then numeric,
  stray tokens missing), or almost every value is unique (an identifier or free text:
  dropped);
- integers with at most ``MAX_CODE_LEVELS`` distinct values: categorical (integer-coded);
- integers all distinct and in sequence, or named like an id: dropped as identifiers;
- other numbers: numeric.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from mlwb.data.casting import NUMERIC_SHARE, display_value, is_boolean, numeric_share
from mlwb.errors import DataError
from mlwb.recipe.schema import Columns
from mlwb.suggest import did_you_mean, listing

Role = Literal["numeric", "categorical", "ordinal", "dropped"]
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


@dataclass(frozen=True)
class ColumnRoles:
    """Roles of every column except the target, in file order."""

    columns: tuple[ColumnRole, ...]
    ordinal_levels: dict[str, tuple[str, ...]] = field(default_factory=dict)

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
    def features(self) -> tuple[str, ...]:
        """Every feature column: numeric, then categorical, then ordinal."""
        return self.numeric + self.categorical + self.ordinal

    @property
    def dropped(self) -> tuple[ColumnRole, ...]:
        return tuple(c for c in self.columns if c.role == "dropped")


def _is_integer_valued(column: pd.Series) -> bool:
    present = column.dropna()
    if pd.api.types.is_integer_dtype(present):
        return True
    return bool(len(present)) and bool((present == present.round()).all())


def infer_role(column: pd.Series) -> tuple[Role, str]:
    """The inferred role of one feature column and the reason, in words."""
    present = column.dropna()
    n_rows = len(column)
    if present.empty:
        return "dropped", "all values are missing"
    unique = present.nunique()
    if unique == 1:
        return "dropped", f"constant (every value is {display_value(present.iloc[0])})"
    if is_boolean(column):
        return "categorical", "boolean"
    name = str(column.name)
    if pd.api.types.is_numeric_dtype(column):
        if not _is_integer_valued(present):
            return "numeric", "numbers"
        all_distinct = unique == len(present) and n_rows >= MIN_ROWS_FOR_ID
        in_sequence = all_distinct and (
            present.is_monotonic_increasing or present.is_monotonic_decreasing
        )
        if all_distinct and (in_sequence or ID_NAME.search(name)):
            return "dropped", "identifier (every value distinct)"
        if unique <= MAX_CODE_LEVELS:
            return "categorical", f"integer-coded with {unique} levels"
        return "numeric", "integers"
    if numeric_share(column) >= NUMERIC_SHARE:
        return "numeric", "text holding numbers"
    if n_rows >= MIN_ROWS_FOR_ID and unique >= UNIQUE_SHARE_FOR_ID * len(present):
        kind = "identifier" if ID_NAME.search(name) or unique == len(present) else "free text"
        return "dropped", f"{kind} ({unique} distinct values in {len(present)} rows)"
    return "categorical", f"text with {unique} levels"


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
    for key in ("drop", "categorical", "numeric"):
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
        else:
            role, reason = infer_role(frame[name])
            roles.append(ColumnRole(name, role, reason))
    result = ColumnRoles(tuple(roles), ordinal_levels)
    if not result.features:
        raise DataError(
            f"{source}: no feature columns left "
            f"({'; '.join(f'{c.name}: {c.reason}' for c in result.dropped[:5])})",
            "declare columns in columns.numeric or columns.categorical",
        )
    return result
