"""Cross-validation splitters from the recipe's ``validation`` section (scikit-learn's own).

A ``SplitPlan`` wraps one scikit-learn splitter with what it needs beyond ``X`` and ``y``:
group labels (rows sharing a group never straddle train and test) or the time order
(time-series folds train on the past and test on the future, with an optional gap). The
same plan splits all rows (outer loop) or the training rows of one outer fold (inner loop).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mlwb.errors import DataError, RecipeError
from mlwb.recipe.schema import Splitter
from mlwb.tasks import Task

LEAVE_ONE_OUT_MAX_ROWS = 500
GROUP_METHODS = {"group_kfold", "stratified_group_kfold"}
STRATIFIED_METHODS = {"stratified_kfold", "repeated_stratified_kfold", "stratified_group_kfold"}


@dataclass(frozen=True)
class SplitData:
    """What a splitter may need besides ``X`` and ``y``.

    ``groups``: a group label per row. ``ordered``: the rows are sorted in time (mlwb sorts
    the data by ``columns.time`` before planning, so time-series splits need nothing else).
    """

    groups: np.ndarray | None = None
    ordered: bool = False

    def subset(self, rows: np.ndarray) -> SplitData:
        """The same information for a subset of rows (an outer training fold)."""
        return SplitData(None if self.groups is None else self.groups[rows], self.ordered)


@dataclass(frozen=True)
class SplitPlan:
    """A resolved splitter: the scikit-learn object, its method, and a sentence."""

    splitter: Any
    method: str
    description: str
    n_splits: int
    folds: int = 2

    @property
    def class_rows_needed(self) -> int:
        """Rows each class needs: one per fold (k-fold family), 2 for a stratified holdout,
        1 for leave-one-out."""
        if self.method == "leave_one_out":
            return 1
        if self.method == "holdout":
            return 2
        return self.folds

    def split(
        self, X: Any, y: np.ndarray, data: SplitData = SplitData()
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(train, test) row positions; groups and time order applied as the method needs."""
        groups = data.groups if self.method in GROUP_METHODS or self.method == "holdout" else None
        yield from self.splitter.split(np.zeros((len(y), 1)), y, groups)


def resolve_method(spec: Splitter, task: Task, data: SplitData) -> str:
    """``auto``: time series with a time column, grouped k-fold with a group column,
    stratified k-fold for classification, k-fold otherwise."""
    if spec.method != "auto":
        return spec.method
    if data.ordered:
        return "time_series"
    if data.groups is not None:
        return "group_kfold" if task == "regression" else "stratified_group_kfold"
    return "kfold" if task == "regression" else "stratified_kfold"


def _needs(method: str, key: str, data: SplitData, task: Task) -> None:
    if method in GROUP_METHODS and data.groups is None:
        raise RecipeError(
            f"{key}.method: {method} needs columns.group",
            "name the column whose rows must stay together",
        )
    if method == "time_series" and not data.ordered:
        raise RecipeError(
            f"{key}.method: time_series needs columns.time",
            "name the column that orders the rows in time",
        )
    if method in STRATIFIED_METHODS and task == "regression":
        raise RecipeError(
            f"{key}.method: {method} needs classes; the task is regression",
            "use kfold" if method == "stratified_kfold" else "use group_kfold",
        )


def make_splitter(
    spec: Splitter,
    task: Task,
    seed: int,
    key: str,
    data: SplitData = SplitData(),
    n_rows: int | None = None,
) -> SplitPlan:
    """The splitter for ``spec``; ``key`` names the recipe path in errors."""
    from sklearn import model_selection as ms

    method = resolve_method(spec, task, data)
    _needs(method, key, data, task)
    shuffle = {"shuffle": spec.shuffle, "random_state": seed if spec.shuffle else None}
    k, repeats = spec.folds, spec.repeats
    classification = task != "regression"
    if method == "kfold":
        plan: tuple[Any, str, int] = (ms.KFold(k, **shuffle), f"{k}-fold", k)
    elif method == "stratified_kfold":
        plan = (ms.StratifiedKFold(k, **shuffle), f"stratified {k}-fold", k)
    elif method == "repeated_kfold":
        plan = (
            ms.RepeatedKFold(n_splits=k, n_repeats=repeats, random_state=seed),
            f"{k}-fold repeated {repeats}×",
            k * repeats,
        )
    elif method == "repeated_stratified_kfold":
        plan = (
            ms.RepeatedStratifiedKFold(n_splits=k, n_repeats=repeats, random_state=seed),
            f"stratified {k}-fold repeated {repeats}×",
            k * repeats,
        )
    elif method == "group_kfold":
        plan = (ms.GroupKFold(k, **shuffle), f"group {k}-fold", k)
    elif method == "stratified_group_kfold":
        plan = (ms.StratifiedGroupKFold(k, **shuffle), f"stratified group {k}-fold", k)
    elif method == "time_series":
        plan = (
            ms.TimeSeriesSplit(n_splits=k, gap=spec.gap),
            f"time-series {k} splits (gap {spec.gap})",
            k,
        )
    elif method == "leave_one_out":
        if n_rows is not None and n_rows > LEAVE_ONE_OUT_MAX_ROWS:
            raise RecipeError(
                f"{key}.method: leave_one_out on {n_rows} rows would fit {n_rows} models",
                f"it is for tiny data (at most {LEAVE_ONE_OUT_MAX_ROWS} rows); use kfold",
            )
        plan = (ms.LeaveOneOut(), "leave-one-out", n_rows or 0)
    elif method == "holdout":
        size = spec.test_size
        if data.groups is not None:
            splitter: Any = ms.GroupShuffleSplit(1, test_size=size, random_state=seed)
        elif classification:
            splitter = ms.StratifiedShuffleSplit(1, test_size=size, random_state=seed)
        else:
            splitter = ms.ShuffleSplit(1, test_size=size, random_state=seed)
        plan = (splitter, f"holdout of {size:.0%}", 1)
    else:  # pragma: no cover - the schema lists every method
        raise RecipeError(f"{key}.method: unknown method {method!r}")
    splitter, text, n_splits = plan
    if method in {"kfold", "stratified_kfold", "group_kfold", "stratified_group_kfold"}:
        text += f", shuffled (seed {seed})" if spec.shuffle else ", in file order"
    return SplitPlan(splitter, method, text, n_splits, k)


def check_class_counts(
    y: np.ndarray, classes: tuple[Any, ...], plan: SplitPlan, key: str, source: str
) -> None:
    """Every class must be able to appear in every fold: a class with fewer rows than the
    folds (or than 2, for a stratified holdout) is a data error naming the class."""
    needed = plan.class_rows_needed
    counts = np.bincount(y, minlength=len(classes))
    for label, count in zip(classes, counts, strict=True):
        if count >= needed:
            continue
        if plan.method == "holdout":
            what = f"the 2 a stratified split of {key} needs"
        else:
            what = f"the {needed} folds of {key}"
        if count < 2:
            hint = "a class needs at least 2 rows: drop that class or merge it with another"
        else:
            hint = f"use {key}.folds: {int(count)} or fewer, or drop that class"
        raise DataError(f"{source}: class {label!r} has {int(count)} rows, fewer than {what}", hint)


def split_rows(
    plan: SplitPlan, X: Any, y: np.ndarray, data: SplitData, key: str, source: str
) -> tuple[tuple[np.ndarray, np.ndarray], ...]:
    """All splits of a plan, with scikit-learn's refusals turned into a data error."""
    try:
        return tuple(plan.split(X, y, data))
    except ValueError as error:
        message = str(error).strip().splitlines()[0]
        raise DataError(
            f"{source}: {key}: {plan.description} cannot split these {len(y)} rows ({message})",
            f"use fewer folds or a smaller gap in {key}",
        ) from error


def split_data(
    frame: pd.DataFrame, group: str | None, time: str | None, source: str
) -> tuple[SplitData, np.ndarray | None]:
    """Group labels from ``columns.group``, and the time order of the rows from
    ``columns.time`` (a stable sort, applied to the data by the caller)."""
    columns = [str(c) for c in frame.columns]
    for key, name in (("group", group), ("time", time)):
        if name is None:
            continue
        if name not in columns:
            from mlwb.suggest import did_you_mean

            raise DataError(
                f"{source}: columns.{key}: no column '{name}' in the data"
                f"{did_you_mean(name, columns)}"
            )
        if frame[name].isna().any():
            raise DataError(
                f"{source}: columns.{key}: column '{name}' has "
                f"{int(frame[name].isna().sum())} missing values",
                "fill them in or drop those rows",
            )
    order = None if time is None else np.argsort(_time_values(frame[time], source), kind="stable")
    groups = None if group is None else pd.factorize(frame[group])[0]
    if order is not None and groups is not None:
        groups = groups[order]
    return SplitData(groups, order is not None), order


def _time_values(column: pd.Series, source: str) -> np.ndarray:
    if pd.api.types.is_numeric_dtype(column):
        return column.to_numpy(dtype=float)
    parsed = pd.to_datetime(column, errors="coerce", format="mixed")
    if parsed.isna().any():
        bad = column[parsed.isna()].iloc[0]
        raise DataError(
            f"{source}: columns.time: '{column.name}' has a value that is not a "
            f"date or a number ({bad!r})"
        )
    return parsed.to_numpy(dtype="datetime64[ns]").astype(np.int64).astype(float)
