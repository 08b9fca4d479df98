"""Pipeline assembly: preprocess → (select) → (resample) → model, never fitted here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mlwb.data.roles import ColumnRoles
from mlwb.models.spec import ModelContext, ModelSpec
from mlwb.pipeline.preprocess import PreprocessChoice, build_preprocessor, choose_preprocessing
from mlwb.pipeline.transformers import FrameCaster
from mlwb.recipe.schema import Recipe

MODEL_STEP = "model"


def assemble(
    spec: ModelSpec,
    recipe: Recipe,
    roles: ColumnRoles,
    context: ModelContext,
    params: Mapping[str, Any] | None = None,
) -> Any:
    """One imbalanced-learn Pipeline for ``spec``: every learned step inside it.

    Because preprocessing lives inside the pipeline, cross-validation fits each imputer,
    scaler and encoder on training-fold rows only. ``params`` are the model's own parameter
    names (``C``, ``max_depth``), set on the model step.
    """
    from imblearn.pipeline import Pipeline

    choice = choose_preprocessing(spec, recipe)
    model = spec.build(context)
    if params:
        model.set_params(**dict(params))
    return Pipeline(
        [
            ("prepare", FrameCaster(roles.numeric, roles.categorical + roles.ordinal)),
            ("preprocess", build_preprocessor(choice, recipe, roles)),
            (MODEL_STEP, model),
        ]
    )


__all__ = ["MODEL_STEP", "PreprocessChoice", "assemble", "choose_preprocessing"]
