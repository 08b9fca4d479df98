"""Gradient-boosting libraries: handle missing values and categoricals natively."""

from __future__ import annotations

from typing import Any

from mlwb.models.registry import register
from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec


def _lightgbm(context: ModelContext) -> Any:
    from lightgbm import LGBMClassifier, LGBMRegressor

    cls = LGBMRegressor if context.task == "regression" else LGBMClassifier
    return cls(
        n_estimators=200,
        learning_rate=0.05,
        num_leaves=31,
        subsample_freq=1,
        random_state=context.seed,
        n_jobs=context.threads,
        verbose=-1,
    )


register(
    ModelSpec(
        name="lightgbm",
        summary="LightGBM gradient-boosted trees with native categoricals",
        tasks=ALL_TASKS,
        family="boosting",
        factory=_lightgbm,
        default_space={
            "num_leaves": {"int": [7, 127], "log": True},
            "learning_rate": {"log_uniform": [0.01, 0.3]},
            "min_child_samples": {"int": [5, 100], "log": True},
            "subsample": {"float": [0.5, 1.0]},
            "colsample_bytree": {"float": [0.5, 1.0]},
            "reg_lambda": {"log_uniform": [1.0e-3, 10.0]},
        },
        categorical="native",
        handles_missing=True,
    )
)
