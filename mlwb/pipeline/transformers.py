"""Small scikit-learn transformers that no well-kept library provides in this form.

Each follows the estimator contract (``__init__`` stores arguments, ``fit`` learns into
attributes ending in ``_`` and returns ``self``) so pipelines built from them clone, pickle
and inspect like any scikit-learn pipeline.
"""

from __future__ import annotations

from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin

from mlwb.data.casting import cast_features
from mlwb.data.dates import date_features, part_names


class FrameCaster(TransformerMixin, BaseEstimator):
    """Select the model's columns and cast them to canonical dtypes.

    The first step of every mlwb pipeline, so a saved model accepts a raw DataFrame (as
    pandas read it from any CSV) from plain Python: ``joblib.load(path).predict(df)``. It
    learns nothing from the rows. Date columns (``dates``: column -> its parts) leave as
    numeric features, one per part (``mlwb.data.dates``), after the numeric columns.
    """

    def __init__(
        self,
        numeric: tuple[str, ...] = (),
        categorical: tuple[str, ...] = (),
        dates: dict[str, tuple[str, ...]] | None = None,
    ) -> None:
        self.numeric = numeric
        self.categorical = categorical
        self.dates = dates

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        self._check(X)
        self.feature_names_in_ = np.asarray(
            list(self.numeric) + list(self._dates) + list(self.categorical), dtype=object
        )
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    @property
    def _dates(self) -> dict[str, tuple[str, ...]]:
        return dict(getattr(self, "dates", None) or {})

    def _check(self, X: Any) -> None:
        if not isinstance(X, pd.DataFrame):
            raise TypeError("mlwb models take a pandas DataFrame with named columns")
        needed = (*self.numeric, *self._dates, *self.categorical)
        missing = [c for c in needed if c not in X.columns]
        if missing:
            raise ValueError(f"missing column(s) the model needs: {', '.join(missing)}")

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self._check(X)
        frame, _ = cast_features(X, self.numeric, self.categorical, "input")
        if not self._dates:
            return frame
        parts: dict[str, pd.Series] = {}
        for name, kept in self._dates.items():
            parts.update(date_features(X[name], kept))
        numeric = frame[list(self.numeric)]
        dated = pd.DataFrame(parts, index=X.index)
        return pd.concat([numeric, dated, frame[list(self.categorical)]], axis=1)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        dated = part_names(self._dates)
        return np.asarray([*self.numeric, *dated, *self.categorical], dtype=object)


class NativeCategories(TransformerMixin, BaseEstimator):
    """Turn text columns into pandas ``category`` columns with levels fixed at fit time.

    LightGBM (and XGBoost with ``enable_categorical``) read categories by their integer
    codes, so the code of a level must be the same at predict time as in training: the
    levels are learned from the training rows only, and a level never seen becomes missing.
    """

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        self.categories_ = {
            str(name): sorted(X[name].dropna().astype(str).unique()) for name in X.columns
        }
        self.feature_names_in_ = np.asarray(list(self.categories_), dtype=object)
        self.n_features_in_ = len(self.categories_)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        columns = {}
        for name, levels in self.categories_.items():
            values = X[name].astype(object)
            known = values.where(values.isin(levels))  # unseen levels become missing
            columns[name] = pd.Categorical(known, categories=levels)
        return pd.DataFrame(columns, index=X.index)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(list(self.categories_), dtype=object)


class Log1p(TransformerMixin, BaseEstimator):
    """``log1p`` of every column; a value ≤ -1 becomes missing (imputed next) instead of
    producing ``-inf``/``NaN`` errors deep inside a model at prediction time."""

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        self.feature_names_in_ = np.asarray(list(X.columns), dtype=object)
        self.n_features_in_ = X.shape[1]
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        values = X.astype(float)
        return np.log1p(values.where(values > -1))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_in_


class FrequencyEncoder(TransformerMixin, BaseEstimator):
    """Replace each level by its share of the training rows (unseen levels: 0).

    Frequency encoding keeps one column per feature whatever its cardinality and carries no
    target information, so it cannot leak labels.
    """

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        self.frequencies_ = {
            str(name): X[name].value_counts(normalize=True, dropna=False).to_dict()
            for name in X.columns
        }
        self.feature_names_in_ = np.asarray(list(self.frequencies_), dtype=object)
        self.n_features_in_ = len(self.frequencies_)
        return self

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        columns = {
            name: X[name].map(table).astype(float).fillna(0.0)
            for name, table in self.frequencies_.items()
        }
        return pd.DataFrame(columns, index=X.index)

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return self.feature_names_in_


def _iterative_imputer_class() -> type:
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    return IterativeImputer


class CopyingIterativeImputer(_iterative_imputer_class()):  # type: ignore[misc]
    """scikit-learn's IterativeImputer, given a private writable copy of its input.

    scikit-learn 1.9's IterativeImputer writes into the array it receives, and pandas 3
    hands out read-only arrays (copy-on-write): "assignment destination is read-only".
    """

    def _writable(self, X: Any) -> np.ndarray:
        return np.array(X, dtype=float, copy=True)

    def fit(self, X: Any, y: Any = None, **params: Any) -> Self:
        self.fit_transform(X, y, **params)
        return self

    def fit_transform(self, X: Any, y: Any = None, **params: Any) -> Any:
        # np.asarray: the set_output wrapper of this method re-attaches X's own index.
        out = np.asarray(super().fit_transform(self._writable(X), y, **params))
        if isinstance(X, pd.DataFrame):
            self.feature_names_in_ = np.asarray([str(c) for c in X.columns], dtype=object)
        return out

    def transform(self, X: Any) -> Any:
        return np.asarray(super().transform(self._writable(X)))
