"""The data contract: what a saved model expects of the rows it is given.

Stored in ``model.json`` beside the model, so ``predict`` and ``evaluate`` can check a new
CSV before the model sees it and say what is wrong in the user's terms (a missing column, a
text value in a numeric column, levels never seen in training) instead of a stack trace
from deep inside a library.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal, NoReturn

import pandas as pd

from mlwb.data.casting import as_category_strings, as_numeric
from mlwb.data.dates import check_dates
from mlwb.errors import DataError, ModelFileError
from mlwb.suggest import did_you_mean, listing

Kind = Literal["numeric", "categorical", "ordinal", "datetime"]
KINDS: tuple[str, ...] = ("numeric", "categorical", "ordinal", "datetime")
PREDICT_HINT = (
    "the model was trained on numbers in this column: check that this is the right file, "
    "or train again with the column in columns.categorical"
)
# Classes a task has: (fewest, most).
CLASS_COUNTS: dict[str, tuple[int, float]] = {
    "binary": (2, 2),
    "multiclass": (3, math.inf),
    "regression": (0, 0),
}


def _is_label(value: Any) -> bool:
    """A class label as JSON stores it: text, a whole or finite number, or a boolean."""
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, str | int | bool)


class _Reader:
    """Typed access to a decoded ``model.json``: every failure is a ``ModelFileError``
    naming the file and the key, with the same advice."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, key: str, problem: str) -> NoReturn:
        raise ModelFileError(
            f"{self.source}: malformed data contract: {key}: {problem}",
            "the file was changed or damaged; re-run mlwb fit to write it again",
        )

    def mapping(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, f"expected a mapping, got {_kind(value)}")
        return value

    def get(self, data: dict[str, Any], where: str, key: str, kind: type) -> Any:
        if key not in data:
            self.fail(f"{where}.{key}", "missing")
        value = data[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            expected = {list: "a list", str: "a text", dict: "a mapping"}.get(kind, kind.__name__)
            self.fail(f"{where}.{key}", f"expected {expected}, got {_kind(value)}")
        return value


def _kind(value: Any) -> str:
    """``value``'s JSON type, as a reader of the file would name it."""
    names = {dict: "a mapping", list: "a list", str: "a text", bool: "a boolean"}
    if value is None:
        return "null"
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"the number {value!r}"
    return names.get(type(value), type(value).__name__)


@dataclass(frozen=True)
class ColumnContract:
    """One training column: its kind, dtype as read, and the levels seen (categorical)."""

    name: str
    kind: Kind
    dtype: str
    levels: tuple[str, ...] = ()


@dataclass(frozen=True)
class DataContract:
    """The columns a model was trained on and the target it predicts."""

    columns: tuple[ColumnContract, ...]
    target: str
    task: str
    classes: tuple[Any, ...]
    positive: Any | None

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def names_of(self, kind: Kind) -> list[str]:
        return [c.name for c in self.columns if c.kind == kind]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (for ``model.json``)."""
        data = asdict(self)
        data["classes"] = list(self.classes)
        return data

    @classmethod
    def from_dict(cls, data: Any, source: str = "model.json") -> DataContract:
        """The contract stored in ``model.json``; ``ModelFileError`` naming the key if it is
        malformed (a file edited by hand or damaged must fail here, in the user's terms, not
        later inside pandas or the model)."""
        spec = _Reader(source)
        data = spec.mapping(data, "contract")
        raw_columns = spec.get(data, "contract", "columns", list)
        if not raw_columns:
            spec.fail("contract.columns", "lists no column")
        columns = []
        for i, raw in enumerate(raw_columns):
            where = f"contract.columns[{i}]"
            raw = spec.mapping(raw, where)
            kind = spec.get(raw, where, "kind", str)
            if kind not in KINDS:
                spec.fail(f"{where}.kind", f"unknown column kind {kind!r}")
            levels = raw.get("levels", [])
            if not isinstance(levels, list) or not all(isinstance(v, str) for v in levels):
                spec.fail(f"{where}.levels", "expected a list of texts")
            columns.append(
                ColumnContract(
                    spec.get(raw, where, "name", str),
                    kind,
                    spec.get(raw, where, "dtype", str),
                    tuple(levels),
                )
            )
        names = [c.name for c in columns]
        if len(set(names)) != len(names):
            spec.fail("contract.columns", "names a column twice")
        task = spec.get(data, "contract", "task", str)
        if task not in CLASS_COUNTS:
            spec.fail("contract.task", f"unknown task {task!r}")
        classes = spec.get(data, "contract", "classes", list)
        if not all(_is_label(c) for c in classes) or len(set(map(repr, classes))) != len(classes):
            spec.fail("contract.classes", "expected a list of distinct class labels")
        low, high = CLASS_COUNTS[task]
        if not low <= len(classes) <= high:
            spec.fail("contract.classes", f"{len(classes)} classes for a {task} task")
        positive = data.get("positive")
        if positive is not None and positive not in classes:
            spec.fail("contract.positive", f"{positive!r} is not one of the classes")
        return cls(
            tuple(columns),
            spec.get(data, "contract", "target", str),
            task,
            tuple(classes),
            positive,
        )

    def prepare(self, frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
        """The model's columns from ``frame``, cast as in training; plus notices.

        Missing columns are a ``DataError``. Numeric columns follow training's rule
        (``casting.as_numeric``): text values and infinite numbers become missing with a
        notice, and a column that is mostly text is a ``DataError`` naming a line. Extra
        columns are ignored and unseen levels are allowed (the model treats them as
        unknown), each with a notice.
        """
        available = [str(c) for c in frame.columns]
        missing = [c for c in self.names if c not in available]
        if missing:
            first = missing[0]
            extra = [c for c in available if c not in self.names and c != self.target]
            raise DataError(
                f"{source}: missing {len(missing)} column(s) the model needs: "
                f"{listing(missing, 8)}{did_you_mean(first, extra) if len(missing) == 1 else ''}",
                "the CSV must have the columns the model was trained on",
            )
        notices: list[str] = []
        ignored = [c for c in available if c not in self.names and c != self.target]
        if ignored:
            notices.append(
                f"{source}: ignored {len(ignored)} column(s) the model does not use: "
                f"{listing(ignored, 6)}"
            )
        columns: dict[str, pd.Series] = {}
        for spec in self.columns:
            raw = frame[spec.name]
            if spec.kind == "numeric":
                column, column_notices = as_numeric(raw, source, hint=PREDICT_HINT)
                notices.extend(column_notices)
            elif spec.kind == "datetime":
                column = as_category_strings(raw)
                notices.extend(check_dates(column, source))
            else:
                column = as_category_strings(raw)
                if spec.levels:
                    unseen = column.notna() & ~column.isin(spec.levels)
                    if unseen.any():
                        examples = sorted(set(column[unseen].head(100)))[:3]
                        notices.append(
                            f"{source}: column '{spec.name}': {int(unseen.sum())} rows have "
                            f"levels not seen in training ({', '.join(map(repr, examples))}); "
                            "the model treats them as unknown"
                        )
            columns[spec.name] = column
        return pd.DataFrame(columns, index=frame.index), notices
