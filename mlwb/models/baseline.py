"""The floor every model must beat: predicts the class priors or the mean."""

from __future__ import annotations

from typing import Any

from mlwb.models.spec import ALL_TASKS, ModelContext, ModelSpec, register

BASELINE = "dummy"


def _dummy(context: ModelContext) -> Any:
    from sklearn.dummy import DummyClassifier, DummyRegressor

    if context.regression:
        return DummyRegressor(strategy="mean")
    return DummyClassifier(strategy="prior")


register(
    ModelSpec(
        name=BASELINE,
        summary="baseline: class priors or the mean; always evaluated as the floor",
        tasks=ALL_TASKS,
        family="dummy",
        factory=_dummy,
        categorical="ordinal",
        handles_missing=True,
        class_weight="none",
    )
)
