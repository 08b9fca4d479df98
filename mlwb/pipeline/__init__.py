"""Pipeline assembly: complete → (SMOTE) → encode → select → (resample) → model.

``plan_pipeline`` decides every step for one model from the recipe (no data is touched
beyond column metadata); ``PipelinePlan.build`` returns one unfitted imbalanced-learn
Pipeline. Because every step that learns — imputer, scaler, encoder, sampler, selector —
lives inside that pipeline, cross-validation fits each of them on training-fold rows only,
and samplers act during ``fit`` only, never on the rows being scored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlwb.data.roles import ColumnRoles
from mlwb.errors import RecipeError
from mlwb.models.spec import ModelContext, ModelSpec
from mlwb.pipeline.imbalance import SamplerPlan, class_weight_value
from mlwb.pipeline.preprocess import build_completion_stage, build_encoding_stage
from mlwb.pipeline.selection import build_selector, describe_step
from mlwb.pipeline.transformers import FrameCaster
from mlwb.pipeline.treatments import PreprocessPlan, plan_preprocessing
from mlwb.recipe.schema import FeatureSelection, Recipe

MODEL_STEP = "model"


@dataclass(frozen=True)
class PipelineStep:
    """One step of a pipeline: its name, what it does, and whether it learns from rows."""

    name: str
    what: str
    learns: bool
    label: str = ""


@dataclass(frozen=True)
class PipelinePlan:
    """Every decision for one model's pipeline, ready to describe or build."""

    spec: ModelSpec
    context: ModelContext
    roles: ColumnRoles
    preprocess: PreprocessPlan
    sampler: SamplerPlan | None
    selection: tuple[FeatureSelection, ...]
    params: dict[str, Any] = field(default_factory=dict)
    fill_value: float = 0.0

    def steps(self) -> list[PipelineStep]:
        """The pipeline's steps in order, for plans, reports and ``metrics.json``."""
        steps = [
            PipelineStep("prepare", "select the model's columns, cast dtypes", False, "prepare"),
            PipelineStep(
                "complete", "log1p, imputation, missing indicators, ordinal codes", True, "impute"
            ),
        ]
        sampler = self.sampler
        if sampler and sampler.position == "before_encoding":
            steps.append(PipelineStep("resample", sampler.describe(), True, sampler.name))
        steps.append(
            PipelineStep("encode", "scaling, binning, categorical encoding", True, "encode")
        )
        for i, step in enumerate(self.selection):
            steps.append(PipelineStep(f"select{i}", describe_step(step), True, step.select))
        if sampler and sampler.position == "before_model":
            steps.append(PipelineStep("resample", sampler.describe(), True, sampler.name))
        params = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        steps.append(PipelineStep(MODEL_STEP, f"{self.spec.name}({params})", True, self.spec.name))
        return steps

    def build(self) -> Any:
        """A new, unfitted imbalanced-learn Pipeline."""
        from imblearn.pipeline import Pipeline

        roles = self.roles
        task = self.context.task
        seed = self.context.seed
        steps: list[tuple[str, Any]] = [
            ("prepare", FrameCaster(roles.numeric, roles.categorical + roles.ordinal)),
            ("complete", build_completion_stage(self.preprocess, self.fill_value)),
        ]
        if self.sampler and self.sampler.position == "before_encoding":
            steps.append(("resample", self.sampler.build()))
        steps.append(("encode", build_encoding_stage(self.preprocess, task, seed)))
        for i, step in enumerate(self.selection):
            steps.append((f"select{i}", build_selector(step, task, seed, self.context.threads, i)))
        if self.sampler and self.sampler.position == "before_model":
            steps.append(("resample", self.sampler.build()))
        model = self.spec.build(self.context)
        if self.params:
            model.set_params(**self.params)
        steps.append((MODEL_STEP, model))
        return Pipeline(steps)


def _class_weight_params(
    spec: ModelSpec, recipe: Recipe, classes: tuple[Any, ...], params: Mapping[str, Any]
) -> dict[str, Any]:
    if recipe.imbalance.method != "class_weight" or "class_weight" in params:
        return {}
    if spec.class_weight == "class_weight":
        return {"class_weight": class_weight_value(recipe.imbalance, classes)}
    raise RecipeError(
        f"imbalance.method: class_weight is not yet supported for {spec.name}",
        "use a sampler such as random_over, or another model",
    )


def plan_pipeline(
    spec: ModelSpec,
    recipe: Recipe,
    roles: ColumnRoles,
    context: ModelContext,
    levels: dict[str, int],
    classes: tuple[Any, ...] = (),
    sampler: SamplerPlan | None = None,
    params: Mapping[str, Any] | None = None,
) -> PipelinePlan:
    """Decide every step of ``spec``'s pipeline (nothing is fitted or built here)."""
    selection = tuple(recipe.selection_steps)
    complete = bool(selection) or bool(sampler and sampler.spec.complete)
    numeric_only = bool(selection) or bool(sampler and sampler.spec.numeric)
    preprocess = plan_preprocessing(spec, recipe, roles, levels, complete, numeric_only)
    fixed = dict(params or {})
    if context.task != "regression":
        fixed = {**_class_weight_params(spec, recipe, classes, fixed), **fixed}
    return PipelinePlan(
        spec=spec,
        context=context,
        roles=roles,
        preprocess=preprocess,
        sampler=sampler,
        selection=selection,
        params=fixed,
        fill_value=float(recipe.preprocess.numeric.fill_value),
    )


__all__ = ["MODEL_STEP", "PipelinePlan", "PipelineStep", "plan_pipeline"]
