"""A ``Dataset``: features with roles, the encoded target, and the contract to save."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mlwb.data.casting import cast_features
from mlwb.data.contract import ColumnContract, DataContract
from mlwb.data.dates import check_dates
from mlwb.data.reading import RawTable, read_table
from mlwb.data.roles import ColumnRoles, infer_roles
from mlwb.data.target import EncodedTarget, encode_target
from mlwb.errors import DataError
from mlwb.recipe.schema import Recipe
from mlwb.suggest import did_you_mean, listing


@dataclass(frozen=True)
class Dataset:
    """Everything the pipeline needs from the CSV, in canonical form.

    ``X`` holds only feature columns (numeric as float64; categorical, ordinal and datetime
    as canonical strings: the model's first step turns dates into numbers); ``target.y`` is
    encoded (class codes or floats); ``frame`` is the file as read, kept for the group and
    time columns and for reports.
    """

    source: str
    sha256: str
    X: pd.DataFrame
    target: EncodedTarget
    target_name: str
    roles: ColumnRoles
    frame: pd.DataFrame
    notices: tuple[str, ...]

    @property
    def y(self) -> np.ndarray:
        return self.target.y

    @property
    def task(self) -> str:
        return self.target.task

    @property
    def n_rows(self) -> int:
        return int(self.X.shape[0])

    @property
    def positive_label(self) -> Any:
        index = self.target.positive_index
        return None if index is None else self.target.classes[index]

    def take(self, rows: np.ndarray) -> Dataset:
        """The same dataset restricted to (and ordered by) row positions ``rows``.

        The original row labels stay in the index, so reports can still name file rows.
        """
        target = dataclasses.replace(self.target, y=self.target.y[rows])
        return dataclasses.replace(
            self, X=self.X.iloc[rows], target=target, frame=self.frame.iloc[rows]
        )

    def contract(self) -> DataContract:
        """The data contract of a model trained on this dataset."""
        columns = []
        for name in self.roles.features:
            role = next(c.role for c in self.roles.columns if c.name == name)
            levels: tuple[str, ...] = ()
            if role == "categorical":
                levels = tuple(sorted(self.X[name].dropna().unique()))
            elif role == "ordinal":
                levels = self.roles.ordinal_levels[name]
            columns.append(ColumnContract(name, role, str(self.frame[name].dtype), levels))
        return DataContract(
            columns=tuple(columns),
            target=self.target_name,
            task=self.task,
            classes=self.target.classes,
            positive=self.positive_label,
        )


def _check_ordinal(X: pd.DataFrame, roles: ColumnRoles, source: str) -> None:
    for name, levels in roles.ordinal_levels.items():
        column = X[name]
        unknown = column.notna() & ~column.isin(levels)
        if unknown.any():
            position = int(np.flatnonzero(unknown.to_numpy())[0])
            raise DataError(
                f"{source}: column '{name}' has level {column[unknown].iloc[0]!r} "
                f"(line {position + 2}) that columns.ordinal.{name} does not list",
                f"listed levels: {listing(levels)}",
            )


def dataset_from_table(table: RawTable, recipe: Recipe) -> Dataset:
    """Roles, casts and target encoding for a table already read."""
    source = table.source
    frame = table.frame
    target = recipe.target
    if target not in frame.columns:
        columns = [str(c) for c in frame.columns]
        raise DataError(
            f"{source}: target column '{target}' not found{did_you_mean(target, columns)}",
            f"columns are: {listing(columns)}",
        )
    encoded = encode_target(frame[target], recipe.task, recipe.positive, source)
    roles = infer_roles(frame.drop(columns=[target]), recipe.columns, source)
    text = roles.categorical + roles.ordinal + roles.datetime
    X, cast_notices = cast_features(frame, roles.numeric, text, source)
    _check_ordinal(X, roles, source)
    for name in roles.datetime:
        cast_notices.extend(check_dates(X[name], source))
    notices = list(table.notices) + [c.note for c in roles.columns if c.note] + cast_notices
    for column in roles.dropped:
        if column.reason != "listed in columns.drop":
            notices.append(f"column '{column.name}' dropped: {column.reason}")
    return Dataset(
        source=source,
        sha256=table.sha256,
        X=X,
        target=encoded,
        target_name=target,
        roles=roles,
        frame=frame,
        notices=tuple(notices),
    )


def load_dataset(path: str | Path, recipe: Recipe) -> Dataset:
    """Read the CSV at ``path`` and prepare it for ``recipe``."""
    return dataset_from_table(read_table(path), recipe)
