"""Feature selection steps (``features:``), each a scikit-learn selector in the pipeline.

They run after encoding, on the encoded features, and learn from the training rows of each
fold only — the reason selection inside cross-validation does not inflate scores the way
selecting on all rows first does.

Every method is one ``SelectorSpec`` in ``SELECTORS``: its builder, the tasks it serves,
what it learns from and how it reads ``k``. Plans, ``mlwb models`` and the contract test
(tests/test_selection.py) read the registry, so a new method is one entry here plus its
name in the recipe schema's ``SelectMethod``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal, Self, get_args

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_selection import SelectorMixin

from mlwb.errors import RecipeError
from mlwb.recipe.schema import FeatureSelection, SelectMethod
from mlwb.tasks import Task


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


class Sequential(SelectorMixin, BaseEstimator):
    """scikit-learn's SequentialFeatureSelector keeping ``k`` features (a count, or a share
    when < 1) of each fold's width: it refuses a count at or above the width, which a
    one-hot encoding can reach in one fold and not another, so then every feature stays."""

    def __init__(
        self,
        estimator: Any = None,
        k: int | float | None = None,
        direction: str = "forward",
        scoring: str | None = None,
        cv: Any = 3,
    ) -> None:
        self.estimator = estimator
        self.k = k
        self.direction = direction
        self.scoring = scoring
        self.cv = cv

    def fit(self, X: Any, y: Any) -> Self:
        from sklearn.feature_selection import SequentialFeatureSelector

        frame = pd.DataFrame(X)
        self.feature_names_in_ = np.asarray([str(c) for c in frame.columns], dtype=object)
        self.n_features_in_ = frame.shape[1]
        count = resolve_k(self.k, frame.shape[1])
        if count >= frame.shape[1]:
            self.selector_ = None
            self.support_ = np.ones(frame.shape[1], dtype=bool)
            return self
        self.selector_ = SequentialFeatureSelector(
            self.estimator,
            n_features_to_select=count,
            direction=self.direction,
            scoring=self.scoring,
            cv=self.cv,
            n_jobs=1,  # folds and trials are already parallel; never nest processes
        ).fit(frame.to_numpy(float), y)
        self.support_ = self.selector_.get_support()
        return self

    def _get_support_mask(self) -> np.ndarray:
        return self.support_


def chi2_on_minmax(X: Any, y: Any) -> Any:
    """chi² scores of min-max scaled features: chi² needs non-negative inputs."""
    from sklearn.feature_selection import chi2
    from sklearn.preprocessing import MinMaxScaler

    return chi2(MinMaxScaler().fit_transform(X), y)


# --- the estimators and inner folds the wrapper methods use -------------------------------

# How the wrapper methods that cross-validate (rfecv, sequential) score a candidate set of
# features on their inner folds: the estimator's own default score, spelt out.
INNER_SCORING: dict[str, str] = {"binary": "accuracy", "multiclass": "accuracy", "regression": "r2"}
INNER_FOLDS = 3


def _inner_cv(task: str, seed: int) -> Any:
    """The inner folds of rfecv and sequential, split from the rows the step is fitted on
    (inside cross-validation: the training fold; the fold being scored is never among them)."""
    from sklearn.model_selection import KFold, StratifiedKFold

    splitter = KFold if task == "regression" else StratifiedKFold
    return splitter(INNER_FOLDS, shuffle=True, random_state=seed)


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


def _linear_model(task: str, seed: int) -> Any:
    """The estimator sequential selection refits for every candidate feature on every inner
    fold — hundreds of fits per step — so a linear model on scaled features: about 100×
    faster than the extra-trees of rfe, and stable on one-hot columns."""
    from sklearn.linear_model import LogisticRegression, Ridge
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    model = (
        Ridge() if task == "regression" else LogisticRegression(max_iter=1000, random_state=seed)
    )
    return Pipeline([("scale", StandardScaler()), ("model", model)])


def _linear_model_name(task: str) -> str:
    return "ridge regression" if task == "regression" else "logistic regression"


# --- the registry -----------------------------------------------------------------------


@dataclass(frozen=True)
class SelectorContext:
    """What a builder needs beyond the recipe step: the task, the seed, and the threads
    each fit may use."""

    task: str
    seed: int
    threads: int = 1


Builder = Callable[[FeatureSelection, SelectorContext], Any]
Details = Callable[[FeatureSelection, str], list[str]]
ALL_TASKS: frozenset[Task] = frozenset({"binary", "multiclass", "regression"})
CLASSIFICATION: frozenset[Task] = frozenset({"binary", "multiclass"})


def _set_options(step: FeatureSelection, task: str) -> list[str]:
    """The plan's details of a step: the options the recipe set (``k=15``)."""
    details = []
    if step.k is not None:
        details.append(f"k={step.k}")
    if step.threshold is not None:
        details.append(f"threshold={step.threshold}")
    return details


@dataclass(frozen=True)
class SelectorSpec:
    """One ``features.select`` method.

    ``learns_from`` tells an unsupervised step (the features alone) from one that reads the
    target; either way it is fitted on training rows only. ``keeps`` says how ``k`` bounds
    the features it keeps ("exactly", "at most", "at least"; None: ``k`` is not a count).
    ``details`` gives the plan's description of a step beyond its name.
    """

    name: str
    kind: Literal["filter", "wrapper", "embedded", "projection"]
    summary: str
    learns_from: Literal["features", "features and target"]
    build: Builder
    options: tuple[str, ...] = ("k",)
    keeps: Literal["exactly", "at most", "at least"] | None = "exactly"
    tasks: frozenset[Task] = ALL_TASKS
    instead: str = ""
    details: Details = _set_options


def _variance(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn.feature_selection import VarianceThreshold

    return VarianceThreshold(threshold=float(step.threshold or 0.0))


def _correlation(step: FeatureSelection, ctx: SelectorContext) -> Any:
    return CorrelationFilter(threshold=float(step.threshold or 0.95))


def _mutual_info(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn import feature_selection as fs

    score = fs.mutual_info_regression if ctx.task == "regression" else fs.mutual_info_classif
    return KBest(partial(score, random_state=ctx.seed), step.k)


def _anova(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn import feature_selection as fs

    return KBest(fs.f_regression if ctx.task == "regression" else fs.f_classif, step.k)


def _chi2(step: FeatureSelection, ctx: SelectorContext) -> Any:
    return KBest(chi2_on_minmax, step.k)


def _rfe(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn.feature_selection import RFE

    return RFE(
        _trees(ctx.task, ctx.seed, ctx.threads),
        step=0.1,
        n_features_to_select=step.k if step.k is not None else 0.5,
    )


def _rfecv(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn.feature_selection import RFECV

    return RFECV(
        _trees(ctx.task, ctx.seed, ctx.threads),
        step=0.1,
        cv=_inner_cv(ctx.task, ctx.seed),
        scoring=INNER_SCORING[ctx.task],
        min_features_to_select=int(step.k) if step.k and step.k >= 1 else 1,
    )


def _l1(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn.feature_selection import SelectFromModel

    return SelectFromModel(
        _l1_model(ctx.task, ctx.seed),
        importance_getter="named_steps.model.coef_",
        threshold=step.threshold,
        max_features=KeepShare(step.k) if step.k else None,
    )


def _model(step: FeatureSelection, ctx: SelectorContext) -> Any:
    from sklearn.feature_selection import SelectFromModel

    return SelectFromModel(
        _trees(ctx.task, ctx.seed, ctx.threads),
        threshold=step.threshold or "median",
        max_features=KeepShare(step.k) if step.k else None,
    )


def _pca(step: FeatureSelection, ctx: SelectorContext) -> Any:
    return TopComponents(step.k if step.k is not None else 0.95, random_state=ctx.seed)


def _sequential(step: FeatureSelection, ctx: SelectorContext) -> Any:
    return Sequential(
        _linear_model(ctx.task, ctx.seed),
        k=step.k,
        direction=step.direction or "forward",
        scoring=INNER_SCORING[ctx.task],
        cv=_inner_cv(ctx.task, ctx.seed),
    )


def _sequential_details(step: FeatureSelection, task: str) -> list[str]:
    return [
        f"k={step.k if step.k is not None else 0.5}",
        step.direction or "forward",
        f"{_linear_model_name(task)} scored by {INNER_SCORING[task]} on {INNER_FOLDS} inner folds",
    ]


SELECTORS: dict[str, SelectorSpec] = {
    spec.name: spec
    for spec in (
        SelectorSpec(
            "variance",
            "filter",
            "drop columns whose variance is at most threshold (default 0: constants)",
            "features",
            _variance,
            options=("threshold",),
            keeps=None,
        ),
        SelectorSpec(
            "correlation",
            "filter",
            "drop the later column of each pair with |correlation| above threshold (0.95)",
            "features",
            _correlation,
            options=("threshold",),
            keeps=None,
        ),
        SelectorSpec(
            "mutual_info",
            "filter",
            "keep the k best by mutual information with the target",
            "features and target",
            _mutual_info,
        ),
        SelectorSpec(
            "anova",
            "filter",
            "keep the k best by ANOVA F (F-test of a linear fit for regression)",
            "features and target",
            _anova,
        ),
        SelectorSpec(
            "chi2",
            "filter",
            "keep the k best by chi² of min-max scaled features",
            "features and target",
            _chi2,
            tasks=CLASSIFICATION,
            instead="use anova or mutual_info",
        ),
        SelectorSpec(
            "rfe",
            "wrapper",
            "recursive elimination: refit extra-trees, drop the least important 10 %",
            "features and target",
            _rfe,
        ),
        SelectorSpec(
            "rfecv",
            "wrapper",
            "recursive elimination choosing the count by 3 inner folds (k: the fewest kept)",
            "features and target",
            _rfecv,
            keeps="at least",
        ),
        SelectorSpec(
            "l1",
            "embedded",
            "keep the non-zero coefficients of an L1 logistic regression / Lasso",
            "features and target",
            _l1,
            options=("k", "threshold"),
            keeps="at most",
        ),
        SelectorSpec(
            "model",
            "embedded",
            "keep features above the median (or threshold) importance of extra-trees",
            "features and target",
            _model,
            options=("k", "threshold"),
            keeps="at most",
        ),
        SelectorSpec(
            "pca",
            "projection",
            "principal components (k of them, or the share of variance when k < 1)",
            "features",
            _pca,
        ),
        SelectorSpec(
            "sequential",
            "wrapper",
            "greedy forward (or backward) selection: add (remove) the feature that most "
            "improves a linear model's score on 3 inner folds, until k remain",
            "features and target",
            _sequential,
            options=("k", "direction"),
            details=_sequential_details,
        ),
    )
}

# The recipe schema lists the method names (it cannot import this module, which builds on
# it); refuse to start when the two disagree rather than fail on the first recipe.
if set(SELECTORS) != set(get_args(SelectMethod)) - {"none"}:
    raise RuntimeError(
        "features.select: the recipe schema's SelectMethod and the selector registry differ: "
        f"{sorted(set(SELECTORS) ^ (set(get_args(SelectMethod)) - {'none'}))}"
    )


def build_selector(step: FeatureSelection, task: str, seed: int, threads: int, index: int) -> Any:
    """The scikit-learn selector for one ``features`` step (DataFrame output)."""
    key = f"features[{index}]"
    spec = SELECTORS.get(step.select)
    if spec is None:  # pragma: no cover - the schema lists every method
        raise RecipeError(f"{key}.select: unknown method {step.select!r}")
    if task not in spec.tasks:
        needs = (
            "classes"
            if "regression" not in spec.tasks
            else f"a {'/'.join(sorted(spec.tasks))} task"
        )
        raise RecipeError(
            f"{key}.select: {spec.name} needs {needs}; the task is {task}",
            spec.instead or None,
        )
    selector = spec.build(step, SelectorContext(task, seed, threads))
    return selector.set_output(transform="pandas")


def describe_step(step: FeatureSelection, task: str | None = None) -> str:
    """One line for plans and reports: the method and its settings (``mutual_info (k=15)``);
    with the task, what a method that chooses its own estimator and scoring will use."""
    spec = SELECTORS.get(step.select)
    details = spec.details(step, task) if spec and task else _set_options(step, "")
    return f"{step.select}" + (f" ({', '.join(details)})" if details else "")
