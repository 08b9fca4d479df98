"""Tree ensembles from scikit-learn: no scaling, ordinal-encoded categoricals."""

from __future__ import annotations

from typing import Any

from mlwb.models.registry import register
from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec


def _random_forest(context: ModelContext) -> Any:
    from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

    cls = RandomForestRegressor if context.task == "regression" else RandomForestClassifier
    return cls(n_estimators=200, n_jobs=context.threads, random_state=context.seed)


register(
    ModelSpec(
        name="random_forest",
        summary="Random forest of bagged decision trees (scikit-learn)",
        tasks=ALL_TASKS,
        family="tree",
        factory=_random_forest,
        default_space={
            "max_depth": [None, 4, 8, 16],
            "min_samples_leaf": {"int": [1, 20], "log": True},
            "max_features": ["sqrt", 0.5, 1.0],
        },
        categorical="ordinal",
    )
)
