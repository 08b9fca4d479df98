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

from mlwb.data.casting import (
    MOSTLY_NUMBERS,
    display_value,
    file_lines,
    is_boolean,
    line_phrase,
    numeric_share,
    out_of_range,
    parse_numbers,
)
from mlwb.errors import DataError
from mlwb.tasks import Task

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
    """``"3, 5, …"``: the file lines of the rows where ``mask`` holds."""
    return file_lines(mask)


def check_finite(column: pd.Series, source: str) -> None:
    """A numeric target must be finite: ``inf``, ``-inf`` or an overflowing number (``1e400``)
    is neither a class nor a value a model can learn, and unlike a feature it cannot be
    imputed — so it is an error naming the lines, as a missing target is."""
    if not pd.api.types.is_numeric_dtype(column) or pd.api.types.is_bool_dtype(column):
        return
    huge = out_of_range(column)
    if huge.any():
        raise DataError(
            f"{source}: target '{column.name}' has {int(huge.sum())} infinite or out-of-range "
            f"values (beyond ±3.4e38; {line_phrase(huge)})",
            "fix those values or remove those rows",
        )


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


def _class_text(value: Any) -> str:
    """A class as text: ``1`` and ``1.0`` are ``"1"``, ``True`` is ``"True"``."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | float | np.integer | np.floating):
        number = float(value)
        return str(int(number)) if number.is_integer() else repr(number)
    return str(value).strip()


def _same_class(wanted: Any, label: Any) -> bool:
    """``wanted`` is ``label`` itself: equal values of the same kind (bool, number, text);
    a number matches by value (``1.0`` is the class ``1``)."""
    if isinstance(wanted, bool) or isinstance(label, bool | np.bool_):
        return isinstance(wanted, bool) and isinstance(label, bool | np.bool_) and wanted == label
    numbers = int | float | np.integer | np.floating
    if isinstance(wanted, int | float) and isinstance(label, numbers):
        return float(wanted) == float(label)
    return isinstance(wanted, str) and isinstance(label, str) and wanted == label


def _match_positive(classes: tuple[Any, ...], wanted: Any) -> list[int]:
    """Indices of the classes ``wanted`` names, most exact rule first.

    A recipe writes classes as YAML scalars, so ``positive: 1`` must find the class read
    from the file as ``1`` (or ``1.0``), ``positive: "1"`` the same, and ``positive: Yes``
    the class ``yes`` — but a case-insensitive match never wins over an exact one, so with
    classes ``A`` and ``a``, ``positive: a`` is ``a``.
    """
    for rule in (
        lambda label: _same_class(wanted, label),
        lambda label: _class_text(label) == _class_text(wanted),
        lambda label: _class_text(label).lower() == _class_text(wanted).lower(),
    ):
        found = [k for k, label in enumerate(classes) if rule(label)]
        if found:
            return found
    return []


def _positive_index(
    classes: tuple[Any, ...], wanted: Any, counts: np.ndarray, name: Any, source: str
) -> int:
    if wanted is not None:
        found = _match_positive(classes, wanted)
        if len(found) == 1:
            return found[0]
        if found:
            raise DataError(
                f"{source}: positive: {display_value(wanted)} matches more than one class of "
                f"target '{name}' ({', '.join(display_value(classes[k]) for k in found)})",
                "write the class exactly as it appears in the file",
            )
        raise DataError(
            f"{source}: positive: {display_value(wanted)} is not a class of target '{name}' "
            f"(classes: {', '.join(map(_class_text, classes))})",
            "set positive to one of them, or remove it for the default: 1, true or yes, "
            "else the rarer class",
        )
    as_text = [_class_text(c).lower() for c in classes]
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
    check_finite(column, source)
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
        task == "regression"
        and not pd.api.types.is_numeric_dtype(column)
        and numeric_share(column) >= MOSTLY_NUMBERS
    ):
        parsed = parse_numbers(column)
        text = parsed.isna()
        if text.any():
            raise DataError(
                f"{source}: target '{name}' has {int(text.sum())} values that are not numbers "
                f"(e.g. {display_value(column[text].iloc[0])}; {line_phrase(text)})",
                "a regression target must be a number on every row: fix or remove those rows",
            )
        column = parsed
        check_finite(column, source)
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
    # each distinct value is looked up once, not each row
    factor, uniques = pd.factorize(column)
    position = {label: code for code, label in enumerate(labels)}
    lookup = np.array([position[_native(u)] for u in uniques] + [-1], dtype=np.int64)
    codes = lookup[factor]
    counts = np.bincount(codes, minlength=unique)
    positive_index = (
        _positive_index(tuple(labels), positive, counts, name, source) if task == "binary" else None
    )
    return EncodedTarget(codes, task, tuple(labels), positive_index, reason)
