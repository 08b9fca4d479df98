"""Imbalance handling: imbalanced-learn samplers and class weights, per recipe.

Samplers sit inside the imbalanced-learn Pipeline, which applies them during ``fit`` only:
validation and test rows are never resampled. SMOTE needs to see categorical columns as
categories, so with categorical columns it becomes SMOTENC (SMOTEN when every column is
categorical) and runs between imputation and encoding; every other sampler runs on the
encoded features, just before the model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from mlwb.errors import DataError, RecipeError
from mlwb.recipe.schema import Imbalance
from mlwb.suggest import did_you_mean

Position = Literal["before_encoding", "before_model"]
# Samplers that draw neighbours within a class: each needs k_neighbors + 1 rows of a class.
KNN_SAMPLERS = {
    "smote",
    "smotenc",
    "borderline_smote",
    "adasyn",
    "svm_smote",
    "smote_tomek",
    "smote_enn",
}


def _construct(module: str, name: str, params: dict[str, Any]) -> Any:
    """``imblearn.<module>.<name>(**params)``, imported only when built."""
    import importlib

    return getattr(importlib.import_module(f"imblearn.{module}"), name)(**params)


@dataclass(frozen=True)
class SamplerSpec:
    """A sampler: how to build it, where it sits, and what input it needs.

    ``complete``: it cannot take missing values (neighbour-based samplers), so every column
    is imputed. ``numeric``: it needs numbers, so categorical columns are encoded as
    numbers (not native categories) before it.
    """

    method: str
    position: Position
    module: str
    class_name: str
    complete: bool = True
    numeric: bool = True

    def build(self, params: dict[str, Any]) -> Any:
        return _construct(self.module, self.class_name, params)


SAMPLERS: dict[str, SamplerSpec] = {
    spec.method: spec
    for spec in (
        SamplerSpec("smote", "before_encoding", "over_sampling", "SMOTE", numeric=False),
        SamplerSpec("smotenc", "before_encoding", "over_sampling", "SMOTENC", numeric=False),
        SamplerSpec("borderline_smote", "before_model", "over_sampling", "BorderlineSMOTE"),
        SamplerSpec("adasyn", "before_model", "over_sampling", "ADASYN"),
        SamplerSpec("svm_smote", "before_model", "over_sampling", "SVMSMOTE"),
        SamplerSpec(
            "random_over",
            "before_model",
            "over_sampling",
            "RandomOverSampler",
            complete=False,
            numeric=False,
        ),
        SamplerSpec(
            "random_under",
            "before_model",
            "under_sampling",
            "RandomUnderSampler",
            complete=False,
            numeric=False,
        ),
        SamplerSpec("near_miss", "before_model", "under_sampling", "NearMiss"),
        SamplerSpec("tomek", "before_model", "under_sampling", "TomekLinks"),
        SamplerSpec("smote_tomek", "before_model", "combine", "SMOTETomek"),
        SamplerSpec("smote_enn", "before_model", "combine", "SMOTEENN"),
    )
}
RANDOM_STATE_FREE = {"near_miss", "tomek"}


@dataclass(frozen=True)
class SamplerPlan:
    """The sampler to build for one run: class, parameters, position, and what to say."""

    method: str
    name: str
    position: Position
    params: dict[str, Any]
    notices: tuple[str, ...]

    @property
    def spec(self) -> SamplerSpec:
        return SAMPLERS[self.method]

    def build(self) -> Any:
        spec = self.spec
        if self.name in ("SMOTENC", "SMOTEN"):
            return _construct("over_sampling", self.name, self.params)
        return spec.build(self.params)

    def describe(self) -> str:
        shown = {
            k: v
            for k, v in self.params.items()
            if k not in ("random_state", "categorical_features")
        }
        args = ", ".join(f"{k}={v}" for k, v in shown.items())
        where = (
            "on imputed columns, before encoding"
            if self.position == "before_encoding"
            else "on encoded features, before the model"
        )
        return f"{self.name}({args}) {where}; training rows only"


def _class_mapping(value: Any, classes: Sequence[Any], key: str) -> Any:
    """Recipe class labels (as written) -> the codes models are trained on."""
    if not isinstance(value, dict):
        return value
    lookup = {str(label).lower(): code for code, label in enumerate(classes)}
    mapped = {}
    for label, weight in value.items():
        code = lookup.get(str(label).lower())
        if code is None:
            suggestion = did_you_mean(str(label), map(str, classes))
            raise RecipeError(
                f"{key}.{label}: not a class of the target{suggestion}",
                f"classes: {', '.join(map(str, classes))}",
            )
        mapped[code] = weight
    return mapped


def smallest_class_counts(
    y: np.ndarray, train_sets: Sequence[np.ndarray], n_classes: int
) -> np.ndarray:
    """For each class, its smallest row count over the training sets."""
    counts = np.array([np.bincount(y[train], minlength=n_classes) for train in train_sets])
    return counts.min(axis=0)


def plan_sampler(
    config: Imbalance,
    task: str,
    classes: Sequence[Any],
    categorical: Sequence[str],
    n_features: int,
    min_counts: np.ndarray,
    seed: int,
) -> SamplerPlan | None:
    """Resolve ``imbalance:`` into a sampler plan, or None (no sampler)."""
    method = config.method
    if method in ("none", "class_weight"):
        return None
    if task == "regression":
        raise RecipeError(
            f"imbalance.method: {method} resamples classes; the task is regression",
            "remove imbalance from the recipe",
        )
    notices: list[str] = []
    name = SAMPLERS[method].class_name
    params: dict[str, Any] = {
        "sampling_strategy": _class_mapping(
            config.sampling_strategy, classes, "imbalance.sampling_strategy"
        )
    }
    if method not in RANDOM_STATE_FREE:
        params["random_state"] = seed
    if method in ("smote", "smotenc"):
        if method == "smotenc" and not categorical:
            raise RecipeError(
                "imbalance.method: smotenc needs categorical columns; there are none", "use smote"
            )
        if categorical and len(categorical) == n_features:
            name = "SMOTEN"
            notices.append("imbalance: every feature is categorical, so SMOTE runs as SMOTEN")
        elif categorical:
            name = "SMOTENC"
            params["categorical_features"] = list(categorical)
            if method == "smote":
                notices.append(
                    f"imbalance: {len(categorical)} categorical column(s), so SMOTE "
                    "runs as SMOTENC (categories are never interpolated)"
                )
    if method in KNN_SAMPLERS:
        params.update(_k_neighbors(method, config, classes, min_counts, notices, seed))
    for key, value in config.params.items():
        params[key] = value
    plan = SamplerPlan(method, name, SAMPLERS[method].position, params, tuple(notices))
    _check_params(plan, dict(config.params))
    return plan


def _k_neighbors(
    method: str,
    config: Imbalance,
    classes: Sequence[Any],
    min_counts: np.ndarray,
    notices: list[str],
    seed: int,
) -> dict[str, Any]:
    majority = int(np.argmax(min_counts))
    minority = [i for i in range(len(classes)) if i != majority]
    smallest = min(minority, key=lambda i: min_counts[i])
    count = int(min_counts[smallest])
    label = classes[smallest]
    wanted = config.k_neighbors
    if wanted == "auto":
        if count < 2:
            raise DataError(
                f"imbalance: class {label!r} has {count} row(s) in a training fold; "
                f"{method} needs at least 2",
                "use random_over, or fewer folds",
            )
        k = min(5, count - 1)
        if k < 5:
            notices.append(
                f"imbalance.k_neighbors: auto chose {k} (class {label!r} has only "
                f"{count} rows in the smallest training fold)"
            )
    else:
        k = int(wanted)
        if count < k + 1:
            raise DataError(
                f"imbalance.k_neighbors: class {label!r} has only {count} rows in the smallest "
                f"training fold; {method} with k_neighbors={k} needs at least {k + 1}",
                f"set imbalance.k_neighbors: {max(1, count - 1)} or auto, or use fewer folds",
            )
    if method in ("smote_tomek", "smote_enn"):
        return {"smote": _smote_with_k(k, seed)}
    if method == "adasyn":
        return {"n_neighbors": k}
    return {"k_neighbors": k}


def _smote_with_k(k: int, seed: int) -> Any:
    from imblearn.over_sampling import SMOTE

    return SMOTE(k_neighbors=k, random_state=seed)


def _check_params(plan: SamplerPlan, extra: dict[str, Any]) -> None:
    """Names in ``imbalance.params`` must be parameters of the sampler class."""
    base = SamplerPlan(
        plan.method,
        plan.name,
        plan.position,
        {k: v for k, v in plan.params.items() if k not in extra},
        (),
    )
    valid = base.build().get_params(deep=False)
    for key in extra:
        if key not in valid:
            raise RecipeError(
                f"imbalance.params.{key}: not a parameter of {plan.name}{did_you_mean(key, valid)}",
                f"parameters: {', '.join(sorted(valid))}",
            )


def class_weight_value(config: Imbalance, classes: Sequence[Any]) -> Any:
    """``balanced`` or a mapping from class codes to weights (``imbalance.class_weight``)."""
    return _class_mapping(config.class_weight, classes, "imbalance.class_weight")
