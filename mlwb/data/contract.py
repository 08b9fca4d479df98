"""The data contract: what a saved model expects of the rows it is given.

Stored in ``model.json`` beside the model, so ``predict`` and ``evaluate`` can check a new
CSV before the model sees it and say what is wrong in the user's terms (a missing column, a
text value in a numeric column, levels never seen in training) instead of a stack trace
from deep inside a library.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import pandas as pd

from mlwb.data.casting import as_category_strings, as_numeric
from mlwb.errors import DataError, ModelFileError
from mlwb.suggest import did_you_mean, listing

Kind = Literal["numeric", "categorical", "ordinal"]
KINDS: tuple[str, ...] = ("numeric", "categorical", "ordinal")


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
    def from_dict(cls, data: dict[str, Any]) -> DataContract:
        """The contract stored in ``model.json``; ``ModelFileError`` if it is malformed."""
        try:
            columns = tuple(
                ColumnContract(c["name"], c["kind"], c["dtype"], tuple(c.get("levels", ())))
                for c in data["columns"]
            )
            unknown = [c.kind for c in columns if c.kind not in KINDS]
            if unknown:
                raise ModelFileError(
                    f"model.json: malformed data contract (unknown column kind {unknown[0]!r})"
                )
            return cls(
                columns, data["target"], data["task"], tuple(data["classes"]), data.get("positive")
            )
        except (KeyError, TypeError) as error:
            raise ModelFileError(f"model.json: malformed data contract ({error})") from error

    def prepare(self, frame: pd.DataFrame, source: str) -> tuple[pd.DataFrame, list[str]]:
        """The model's columns from ``frame``, cast as in training; plus notices.

        Missing columns and numeric columns holding text are ``DataError``s; extra columns
        are ignored and unseen levels are allowed (the model treats them as unknown), each
        with a notice.
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
                column, notice = as_numeric(raw, source)
                if notice:
                    notices.append(notice)
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
