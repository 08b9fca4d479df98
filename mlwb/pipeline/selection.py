"""Feature selection steps (``features:``), each a scikit-learn selector in the pipeline.

They run after encoding, on the encoded features, and learn from the training rows of each
fold only — the reason selection inside cross-validation does not inflate scores the way
selecting on all rows first does.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Self

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_selection import SelectorMixin

from mlwb.errors import RecipeError
from mlwb.recipe.schema import FeatureSelection


def resolve_k(k: int | float | None, n_features: int, default: float = 0.5) -> int:
    """A count of features to keep: ``k`` as a count, or a share when below 1."""
    value = default if k is None else k
    count = round(value * n_features) if value < 1 else int(value)
    return max(1, min(count, n_features))


class KeepShare:
    """``max_features`` for SelectFromModel as a share of the features (picklable)."""

    def __init__(self, k: int | float | None) -> None:
        self.k = k

    def __call__(self, X: Any) -> int:
        return resolve_k(self.k, X.shape[1])


class KBest(SelectorMixin, BaseEstimator):
    """SelectKBest that accepts a share (``k < 1``) and never asks for more features than
    there are (one-hot widths vary from fold to fold)."""

    def __init__(
        self, score_func: Callable[..., Any] | None = None, k: int | float | None = None
    ) -> None:
        self.score_func = score_func
        self.k = k

    def fit(self, X: Any, y: Any) -> Self:
        from sklearn.feature_selection import SelectKBest

        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        k = resolve_k(self.k, frame.shape[1])
        self.selector_ = SelectKBest(self.score_func, k=k).fit(frame.to_numpy(float), y)
        return self

    def _get_support_mask(self) -> np.ndarray:
        return self.selector_.get_support()


class CorrelationFilter(SelectorMixin, BaseEstimator):
    """Drop the later column of every pair whose absolute correlation exceeds ``threshold``."""

    def __init__(self, threshold: float = 0.95) -> None:
        self.threshold = threshold

    def fit(self, X: Any, y: Any = None) -> Self:
        frame = pd.DataFrame(X).astype(float)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        corr = np.nan_to_num(np.abs(frame.corr().to_numpy()), nan=0.0)
        keep = np.ones(frame.shape[1], dtype=bool)
        for j in range(frame.shape[1]):
            if np.any(corr[:j, j][keep[:j]] > self.threshold):
                keep[j] = False
        self.support_ = keep
        return self

    def _get_support_mask(self) -> np.ndarray:
        return self.support_


class TopComponents(TransformerMixin, BaseEstimator):
    """PCA keeping ``n_components`` components (a count, or a share of variance when < 1),
    never more than the fold's features or rows allow."""

    def __init__(self, n_components: int | float = 0.95, random_state: int | None = None) -> None:
        self.n_components = n_components
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> Self:
        from sklearn.decomposition import PCA

        frame = pd.DataFrame(X)
        components: int | float = self.n_components
        if components >= 1:
            components = int(min(components, frame.shape[1], frame.shape[0]))
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        self.pca_ = PCA(n_components=components, random_state=self.random_state)
        self.pca_.fit(frame.to_numpy(float))
        return self

    def transform(self, X: Any) -> np.ndarray:
        return self.pca_.transform(pd.DataFrame(X).to_numpy(float))

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray([f"pca{i}" for i in range(self.pca_.n_components_)], dtype=object)


def chi2_on_minmax(X: Any, y: Any) -> Any:
    """chi² scores of min-max scaled features: chi² needs non-negative inputs."""
    from sklearn.feature_selection import chi2
    from sklearn.preprocessing import MinMaxScaler

    return chi2(MinMaxScaler().fit_transform(X), y)


def _trees(task: str, seed: int, threads: int) -> Any:
    from sklearn.ensemble import ExtraTreesClassifier, ExtraTreesRegressor

    cls = ExtraTreesRegressor if task == "regression" else ExtraTreesClassifier
    return cls(n_estimators=100, random_state=seed, n_jobs=threads)


def _l1_model(task: str, seed: int) -> Any:
    from sklearn.linear_model import LassoCV, LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    if task == "regression":
        model: Any = LassoCV(cv=3, random_state=seed)
    else:
        # liblinear solves binary L1 problems far faster than saga; saga handles multiclass.
        solver = "liblinear" if task == "binary" else "saga"
        model = LogisticRegression(
            C=0.5, l1_ratio=1.0, solver=solver, max_iter=3000, random_state=seed
        )
    return Pipeline([("scale", StandardScaler()), ("model", model)])


def build_selector(step: FeatureSelection, task: str, seed: int, threads: int, index: int) -> Any:
    """The scikit-learn selector for one ``features`` step (DataFrame output)."""
    from sklearn import feature_selection as fs

    key = f"features[{index}]"
    method = step.select
    classification = task != "regression"
    if method == "variance":
        selector: Any = fs.VarianceThreshold(threshold=float(step.threshold or 0.0))
    elif method == "correlation":
        selector = CorrelationFilter(threshold=float(step.threshold or 0.95))
    elif method == "mutual_info":
        score = fs.mutual_info_classif if classification else fs.mutual_info_regression
        selector = KBest(partial(score, random_state=seed), step.k)
    elif method == "anova":
        selector = KBest(fs.f_classif if classification else fs.f_regression, step.k)
    elif method == "chi2":
        if not classification:
            raise RecipeError(
                f"{key}.select: chi2 needs classes; the task is regression",
                "use anova or mutual_info",
            )
        selector = KBest(chi2_on_minmax, step.k)
    elif method == "rfe":
        selector = fs.RFE(
            _trees(task, seed, threads),
            step=0.1,
            n_features_to_select=step.k if step.k is not None else 0.5,
        )
    elif method == "rfecv":
        from sklearn.model_selection import KFold, StratifiedKFold

        splitter = StratifiedKFold if classification else KFold
        selector = fs.RFECV(
            _trees(task, seed, threads),
            step=0.1,
            cv=splitter(3, shuffle=True, random_state=seed),
            min_features_to_select=int(step.k) if step.k and step.k >= 1 else 1,
        )
    elif method == "l1":
        selector = fs.SelectFromModel(
            _l1_model(task, seed),
            importance_getter="named_steps.model.coef_",
            threshold=step.threshold,
            max_features=KeepShare(step.k) if step.k else None,
        )
    elif method == "model":
        selector = fs.SelectFromModel(
            _trees(task, seed, threads),
            threshold=step.threshold or "median",
            max_features=KeepShare(step.k) if step.k else None,
        )
    elif method == "pca":
        selector = TopComponents(step.k if step.k is not None else 0.95, random_state=seed)
    else:  # pragma: no cover - the schema lists every method
        raise RecipeError(f"{key}.select: unknown method {method!r}")
    return selector.set_output(transform="pandas")


def describe_step(step: FeatureSelection) -> str:
    """One line for plans and reports."""
    details = []
    if step.k is not None:
        details.append(f"k={step.k}")
    if step.threshold is not None:
        details.append(f"threshold={step.threshold}")
    return f"{step.select}" + (f" ({', '.join(details)})" if details else "")
