"""Cross-validation splitters from the recipe's ``validation`` section (scikit-learn's own)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from mlwb.errors import DataError, RecipeError
from mlwb.recipe.schema import Splitter, Task


@dataclass(frozen=True)
class SplitPlan:
    """A resolved splitter: the scikit-learn object and a sentence describing it."""

    splitter: Any
    description: str
    n_splits: int


def resolve_method(spec: Splitter, task: Task) -> str:
    """``auto`` becomes stratified k-fold for classification and k-fold for regression."""
    if spec.method != "auto":
        return spec.method
    return "kfold" if task == "regression" else "stratified_kfold"


def make_splitter(spec: Splitter, task: Task, seed: int, key: str) -> SplitPlan:
    """The scikit-learn splitter for ``spec``; ``key`` names the recipe path in errors."""
    from sklearn.model_selection import KFold, StratifiedKFold

    method = resolve_method(spec, task)
    random_state = seed if spec.shuffle else None
    if method == "stratified_kfold":
        if task == "regression":
            raise RecipeError(
                f"{key}.method: stratified_kfold needs classes; the task is regression",
                "use kfold",
            )
        splitter: Any = StratifiedKFold(spec.folds, shuffle=spec.shuffle, random_state=random_state)
        text = f"stratified {spec.folds}-fold"
    elif method == "kfold":
        splitter = KFold(spec.folds, shuffle=spec.shuffle, random_state=random_state)
        text = f"{spec.folds}-fold"
    else:
        raise RecipeError(f"{key}.method: {method!r} is not yet supported by this version")
    text += f", shuffled (seed {seed})" if spec.shuffle else ", in file order"
    return SplitPlan(splitter, text, spec.folds)


def check_class_counts(
    y: np.ndarray, classes: tuple[Any, ...], folds: int, key: str, source: str
) -> None:
    """A class with fewer rows than folds cannot appear in every fold: a data error."""
    counts = np.bincount(y, minlength=len(classes))
    for label, count in zip(classes, counts, strict=True):
        if count < folds:
            raise DataError(
                f"{source}: class {label!r} has {int(count)} rows, fewer than the {folds} folds "
                f"of {key}",
                f"use {key}.folds: {max(2, int(count))} or fewer, or drop that class",
            )
