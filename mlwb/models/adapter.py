"""``FitAdapter``: the fit-time details each library wants in its own form.

Two things a plain ``estimator.fit(X, y)`` cannot express:

- **Early stopping** on a validation split carved out of the rows the model is given —
  inside cross-validation these are training-fold rows only, never the fold being scored.
  LightGBM, XGBoost, CatBoost and HistGradientBoosting each take the split their own way.
- **Class weights** computed from the training rows at fit time, for libraries that take
  them as ``scale_pos_weight`` (XGBoost, binary) or as per-row sample weights.

The adapter is a scikit-learn estimator (it clones, pickles and exposes ``classes_``,
``predict_proba``, ``feature_importances_``), so pipelines, stacking and calibration treat
it like the estimator inside.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, Literal, Self

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone
from sklearn.utils.validation import check_is_fitted

from mlwb.models.quiet import library_output_captured, quiet_lightgbm

WeightStyle = Literal["sample_weight", "scale_pos_weight", "none"]
ADAPTER_PARAMS = ("early_stopping_rounds", "validation_fraction")


def _library(estimator: Any) -> str:
    """The library an estimator class comes from (its own, or a base class's)."""
    for cls in type(estimator).__mro__:
        library = cls.__module__.split(".")[0]
        if library in EARLY_STOPPING:
            return library
    return type(estimator).__module__.split(".")[0]


def _fit_lightgbm(est: Any, X: Any, y: Any, w: Any, Xv: Any, yv: Any, rounds: int) -> int:
    import lightgbm

    est.fit(
        X,
        y,
        sample_weight=w,
        eval_X=(Xv,),
        eval_y=(yv,),
        callbacks=[lightgbm.early_stopping(rounds, verbose=False)],
    )
    return int(est.best_iteration_ or est.n_estimators)


def _fit_xgboost(est: Any, X: Any, y: Any, w: Any, Xv: Any, yv: Any, rounds: int) -> int:
    est.set_params(early_stopping_rounds=rounds)
    est.fit(X, y, sample_weight=w, eval_set=[(Xv, yv)], verbose=False)
    return int(est.best_iteration) + 1


def _fit_catboost(est: Any, X: Any, y: Any, w: Any, Xv: Any, yv: Any, rounds: int) -> int:
    est.fit(X, y, sample_weight=w, eval_set=(Xv, yv), early_stopping_rounds=rounds)
    return int(est.get_best_iteration()) + 1


def _fit_sklearn(est: Any, X: Any, y: Any, w: Any, Xv: Any, yv: Any, rounds: int) -> int:
    est.set_params(early_stopping=True, n_iter_no_change=rounds)
    est.fit(X, y, sample_weight=w, X_val=Xv, y_val=yv)
    return int(est.n_iter_)


EARLY_STOPPING: dict[str, Callable[..., int]] = {
    "lightgbm": _fit_lightgbm,
    "xgboost": _fit_xgboost,
    "catboost": _fit_catboost,
    "sklearn": _fit_sklearn,
}


def _present(y: np.ndarray, class_weight: Any) -> Any:
    """``class_weight`` for the classes in ``y``: a mapping loses the classes a training
    fold lacks (scikit-learn refuses a mapping that names absent classes while leaving a
    present one unweighted); a present class it does not name weighs 1."""
    if not isinstance(class_weight, dict):
        return class_weight
    present = set(np.unique(y).tolist())
    return {c: w for c, w in class_weight.items() if c in present}


class FitAdapter(BaseEstimator):
    """Shared implementation of the classifier and regressor adapters."""

    def __init__(
        self,
        estimator: Any = None,
        early_stopping_rounds: int | None = None,
        validation_fraction: float = 0.1,
        class_weight: Any = None,
        weight_style: WeightStyle = "none",
        random_state: int | None = None,
    ) -> None:
        self.estimator = estimator
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.weight_style = weight_style
        self.random_state = random_state

    def _weights(self, estimator: Any, y: np.ndarray) -> np.ndarray | None:
        """Class weights from the rows being fitted (inside CV, the training fold's):
        ``balanced`` is n / (classes · count), scikit-learn's own computation. Binary
        XGBoost takes them as one ratio, ``scale_pos_weight``; other models per row."""
        from sklearn.utils.class_weight import compute_class_weight, compute_sample_weight

        if self.class_weight is None or self.weight_style == "none":
            return None
        class_weight = _present(y, self.class_weight)
        classes = np.unique(y)
        if self.weight_style == "scale_pos_weight" and len(classes) == 2:
            negative, positive = compute_class_weight(class_weight, classes=classes, y=y)
            ratio = positive / negative
            estimator.set_params(scale_pos_weight=ratio)
            self.scale_pos_weight_ = ratio
            return None
        return compute_sample_weight(class_weight, y)

    def _split(self, X: Any, y: np.ndarray, w: np.ndarray | None) -> tuple[Any, ...]:
        from sklearn.model_selection import train_test_split

        stratify = None
        if isinstance(self, ClassifierMixin):
            counts = np.unique(y, return_counts=True)[1]
            stratify = y if counts.min() >= 2 else None
        index = np.arange(len(y))
        train, valid = train_test_split(
            index,
            test_size=self.validation_fraction,
            random_state=self.random_state,
            stratify=stratify,
        )
        take = (lambda a, i: a.iloc[i]) if hasattr(X, "iloc") else (lambda a, i: a[i])
        w_train = None if w is None else w[train]
        return take(X, train), y[train], w_train, take(X, valid), y[valid]

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Self:
        y = np.asarray(y)
        estimator = clone(self.estimator)
        weights = self._weights(estimator, y)
        if sample_weight is not None:
            weights = np.asarray(sample_weight) * (weights if weights is not None else 1.0)
        rounds = self.early_stopping_rounds
        library = _library(estimator)
        # LightGBM's C++ core prints its [Fatal] line itself, even with verbose=-1, before
        # raising the same text as an exception; the other libraries stay silent with the
        # verbosity the catalogue sets. Capturing is process-wide (it swaps stderr under
        # the progress display too), so it is confined to LightGBM's fits.
        captured = library_output_captured() if library == "lightgbm" else nullcontext()
        with captured:
            if library == "lightgbm":
                quiet_lightgbm()
            if rounds and library in EARLY_STOPPING and len(y) >= 20:
                X_train, y_train, w_train, X_valid, y_valid = self._split(X, y, weights)
                self.best_iteration_ = EARLY_STOPPING[library](
                    estimator, X_train, y_train, w_train, X_valid, y_valid, int(rounds)
                )
            else:
                estimator.fit(X, y, sample_weight=weights)
                self.best_iteration_ = None
        self.estimator_ = estimator
        if hasattr(estimator, "classes_"):
            self.classes_ = estimator.classes_
        self.n_features_in_ = getattr(estimator, "n_features_in_", None)
        names = getattr(estimator, "feature_names_in_", None)
        if names is None and hasattr(X, "columns"):
            names = np.asarray([str(c) for c in X.columns], dtype=object)
        self.feature_names_in_ = names
        return self

    def predict(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return self.estimator_.predict(X)

    @property
    def feature_importances_(self) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return self.estimator_.feature_importances_


class AdaptedClassifier(ClassifierMixin, FitAdapter):
    """A classifier fitted through ``FitAdapter``."""

    def predict_proba(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "estimator_")
        return np.asarray(self.estimator_.predict_proba(X))


class AdaptedRegressor(RegressorMixin, FitAdapter):
    """A regressor fitted through ``FitAdapter``."""


def adapt(
    estimator: Any, task: str, early_stopping_rounds: int | None = None, seed: int | None = None
) -> FitAdapter:
    """Wrap ``estimator`` in the adapter for ``task``."""
    cls = AdaptedRegressor if task == "regression" else AdaptedClassifier
    return cls(estimator, early_stopping_rounds=early_stopping_rounds, random_state=seed)


def is_wrapper(estimator: Any) -> bool:
    """Adapters and calibration wrappers: the recipe's parameters belong to the estimator
    inside (``svm: {C: 10}`` sets the SVC's C, not the calibrator's)."""
    from sklearn.calibration import CalibratedClassifierCV

    return isinstance(estimator, FitAdapter | CalibratedClassifierCV)


def route_params(estimator: Any, params: dict[str, Any]) -> dict[str, Any]:
    """Recipe parameter names -> ``set_params`` names: a wrapper passes the library's own
    parameters to the estimator inside it and keeps its early-stopping settings."""
    if not is_wrapper(estimator):
        return dict(params)
    own = ADAPTER_PARAMS if isinstance(estimator, FitAdapter) else ()
    return {(k if k in own else f"estimator__{k}"): v for k, v in params.items()}


def _constructor_parameters(estimator: Any) -> list[str]:
    """``get_params`` plus the constructor's named parameters (CatBoost's ``get_params``
    lists only the parameters that were set)."""
    import inspect

    names = dict.fromkeys(estimator.get_params(deep=False))
    for name, parameter in inspect.signature(type(estimator).__init__).parameters.items():
        if name != "self" and parameter.kind not in (
            parameter.VAR_KEYWORD,
            parameter.VAR_POSITIONAL,
        ):
            names.setdefault(name)
    return list(names)


def parameter_names(estimator: Any) -> list[str]:
    """The parameter names a recipe may set on this model."""
    if is_wrapper(estimator):
        own = ADAPTER_PARAMS if isinstance(estimator, FitAdapter) else ()
        return [*_constructor_parameters(estimator.estimator), *own]
    return _constructor_parameters(estimator)
