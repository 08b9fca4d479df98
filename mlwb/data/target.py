"""The target column: task inference, checks, and one encoding shared by every model.

XGBoost insists on labels ``0..k-1``, so classification targets are encoded once, here, in
sorted order; every model is trained on the codes and the saved model decodes them back, so
all models and all outputs speak the user's labels.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlwb.data.casting import NUMERIC_SHARE, display_value, is_boolean, numeric_share
from mlwb.errors import DataError
from mlwb.recipe.schema import Task

MAX_CLASSES_INFERRED = 20
MAX_CLASSES = 200
POSITIVE_WORDS = ("1", "true", "yes", "y", "positive", "pos")


@dataclass(frozen=True)
class EncodedTarget:
    """The target as codes (classification) or floats (regression), with its facts."""

    y: np.ndarray
    task: Task
    classes: tuple[Any, ...]
    positive_index: int | None
    reason: str

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    def class_counts(self) -> dict[Any, int]:
        """Rows per class, in code order (empty for regression)."""
        if self.task == "regression":
            return {}
        counts = np.bincount(self.y, minlength=len(self.classes))
        return {label: int(n) for label, n in zip(self.classes, counts, strict=True)}


def _native(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _lines(mask: pd.Series) -> str:
    positions = np.flatnonzero(mask.to_numpy())
    shown = ", ".join(str(p + 2) for p in positions[:5])
    return shown + (", …" if len(positions) > 5 else "")


def _infer_task(y: pd.Series) -> tuple[Task, str]:
    unique = y.nunique()
    if pd.api.types.is_bool_dtype(y) or not pd.api.types.is_numeric_dtype(y):
        if unique == 2:
            return "binary", "two classes"
        return "multiclass", f"{unique} classes"
    integer_valued = bool((y == y.round()).all())
    if unique == 2:
        return "binary", "two distinct values"
    if integer_valued and unique <= MAX_CLASSES_INFERRED:
        return "multiclass", f"{unique} distinct integer values"
    return "regression", "numeric values" if not integer_valued else f"{unique} distinct integers"


def _positive_index(classes: tuple[Any, ...], wanted: Any, counts: np.ndarray) -> int:
    as_text = [str(c).lower() for c in classes]
    if wanted is not None:
        key = str(wanted).lower()
        if key in as_text:
            return as_text.index(key)
        raise DataError(
            f"positive: {wanted!r} is not a class of the target "
            f"(classes: {', '.join(map(str, classes))})",
            "set positive to one of the classes",
        )
    for word in POSITIVE_WORDS:
        if word in as_text:
            return as_text.index(word)
    return int(np.argmin(counts))


def encode_target(
    column: pd.Series, task: Task | None, positive: Any, source: str
) -> EncodedTarget:
    """Check the target column, infer or confirm the task, and encode it."""
    name = column.name
    missing = column.isna()
    if missing.any():
        raise DataError(
            f"{source}: target '{name}' is missing in {int(missing.sum())} rows "
            f"(lines {_lines(missing)})",
            "remove those rows or fill in the target",
        )
    if column.nunique() < 2:
        raise DataError(
            f"{source}: target '{name}' has a single value ({display_value(column.iloc[0])}); "
            "there is nothing to learn",
        )
    if is_boolean(column):
        column = column.map(lambda v: str(v).strip().lower() == "true").astype(bool)
    elif pd.api.types.is_float_dtype(column) and bool((column == column.round()).all()):
        column = column.astype(np.int64)  # 0.0/1.0 are the classes 0 and 1
    if (
        not pd.api.types.is_numeric_dtype(column)
        and numeric_share(column) >= NUMERIC_SHARE
        and task == "regression"
    ):
        column = pd.to_numeric(column, errors="coerce")
    inferred, reason = _infer_task(column)
    if task is None:
        task = inferred
    else:
        reason = "set in the recipe"
    if task == "regression":
        if pd.api.types.is_bool_dtype(column):
            raise DataError(
                f"{source}: task is regression but target '{name}' is true/false",
                "use task: binary",
            )
        if not pd.api.types.is_numeric_dtype(column):
            example = column[pd.to_numeric(column, errors="coerce").isna()].iloc[0]
            raise DataError(
                f"{source}: task is regression but target '{name}' is not numeric "
                f"(e.g. {display_value(example)})",
                "use task: binary or multiclass, or fix the target",
            )
        if positive is not None:
            raise DataError(
                f"{source}: positive: only applies to binary tasks; target '{name}' is "
                f"numeric ({reason}), so the task is regression",
                "remove positive, or set task: binary if the target has two classes",
            )
        if column.isna().any():
            raise DataError(f"{source}: target '{name}' has values that are not numbers")
        return EncodedTarget(column.to_numpy(dtype=float), "regression", (), None, reason)
    labels = sorted(_native(v) for v in pd.unique(column))
    unique = len(labels)
    if task == "binary" and unique != 2:
        raise DataError(
            f"{source}: task is binary but target '{name}' has {unique} classes",
            "use task: multiclass" if unique > 2 else "check the target column",
        )
    if task == "multiclass" and unique == 2:
        raise DataError(
            f"{source}: task is multiclass but target '{name}' has only 2 classes",
            "use task: binary",
        )
    if unique > MAX_CLASSES:
        raise DataError(
            f"{source}: target '{name}' has {unique} distinct values, too many for classes",
            "use task: regression for a continuous target",
        )
    if task == "multiclass" and positive is not None:
        raise DataError(
            f"{source}: positive: only applies to binary tasks; target '{name}' has "
            f"{unique} classes",
            "remove positive from the recipe",
        )
    codes = pd.Categorical(column.map(_native), categories=labels).codes.astype(np.int64)
    counts = np.bincount(codes, minlength=unique)
    positive_index = _positive_index(tuple(labels), positive, counts) if task == "binary" else None
    return EncodedTarget(codes, task, tuple(labels), positive_index, reason)
