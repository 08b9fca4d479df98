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


class FrameCaster(TransformerMixin, BaseEstimator):
    """Select the model's columns and cast them to canonical dtypes.

    The first step of every mlwb pipeline, so a saved model accepts a raw DataFrame (as
    pandas read it from any CSV) from plain Python: ``joblib.load(path).predict(df)``. It
    learns nothing from the rows.
    """

    def __init__(self, numeric: tuple[str, ...] = (), categorical: tuple[str, ...] = ()) -> None:
        self.numeric = numeric
        self.categorical = categorical

    def fit(self, X: pd.DataFrame, y: Any = None) -> Self:
        self._check(X)
        self.feature_names_in_ = np.asarray(
            list(self.numeric) + list(self.categorical), dtype=object
        )
        self.n_features_in_ = len(self.feature_names_in_)
        return self

    def _check(self, X: Any) -> None:
        if not isinstance(X, pd.DataFrame):
            raise TypeError("mlwb models take a pandas DataFrame with named columns")
        missing = [c for c in (*self.numeric, *self.categorical) if c not in X.columns]
        if missing:
            raise ValueError(f"missing column(s) the model needs: {', '.join(missing)}")

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        self._check(X)
        frame, _ = cast_features(X, self.numeric, self.categorical, "input")
        return frame

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(list(self.numeric) + list(self.categorical), dtype=object)


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
