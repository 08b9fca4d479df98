"""Pipeline assembly: complete → (SMOTE) → encode → select → (resample) → model.

``plan_pipeline`` decides every step for one model from the recipe (no data is touched
beyond column metadata); ``PipelinePlan.build`` returns one unfitted imbalanced-learn
Pipeline. Because every step that learns — imputer, scaler, encoder, sampler, selector —
lives inside that pipeline, cross-validation fits each of them on training-fold rows only,
and samplers act during ``fit`` only, never on the rows being scored.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mlwb.data.roles import ColumnRoles
from mlwb.errors import RecipeError
from mlwb.models.adapter import FitAdapter, adapt, route_params
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
    """Every decision for one model's pipeline, ready to describe or build.

    ``params`` are the recipe's parameter names for the model; ``library_params`` are set
    as they are (class weights in the library's own form, CatBoost's ``cat_features``);
    ``sample_weighting`` asks the fit adapter to turn class weights into per-row weights.
    ``members`` are the member pipelines of a stack or vote.
    """

    spec: ModelSpec
    context: ModelContext
    roles: ColumnRoles
    preprocess: PreprocessPlan
    sampler: SamplerPlan | None
    selection: tuple[FeatureSelection, ...]
    params: dict[str, Any] = field(default_factory=dict)
    library_params: dict[str, Any] = field(default_factory=dict)
    sample_weighting: tuple[Any, str] | None = None
    fill_value: float = 0.0
    members: tuple[PipelinePlan, ...] = ()
    bare: bool = False

    def describe_columns(self) -> list[str]:
        """Column treatments (for an ensemble, each member's, prefixed by its name)."""
        if self.members:
            return [
                f"[{m.spec.name}] {line}" for m in self.members for line in m.describe_columns()
            ]
        return self.preprocess.describe()

    def steps(self) -> list[PipelineStep]:
        """The pipeline's steps in order, for plans, reports and ``metrics.json``."""
        if self.members:
            chains = [
                f"{m.spec.name}: " + " → ".join(s.label for s in m.steps()[1:])
                for m in self.members
            ]
            names = ", ".join(m.spec.name for m in self.members)
            what = f"{self.spec.name} of " + "; ".join(chains)
            return [PipelineStep(MODEL_STEP, what, True, f"{self.spec.name}({names})")]
        if self.bare:
            return [
                PipelineStep(
                    "prepare", "select the model's columns, cast dtypes", False, "prepare"
                ),
                PipelineStep(
                    MODEL_STEP, f"{self.spec.name} (ignores the features)", True, self.spec.name
                ),
            ]
        prepare = "select the model's columns, cast dtypes" + (
            ", dates to numeric parts" if self.roles.datetime else ""
        )
        steps = [
            PipelineStep("prepare", prepare, False, "prepare"),
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
            what = describe_step(step, self.context.task)
            steps.append(PipelineStep(f"select{i}", what, True, step.select))
        if sampler and sampler.position == "before_model":
            steps.append(PipelineStep("resample", sampler.describe(), True, sampler.name))
        shown = {
            **self.params,
            **{k: v for k, v in self.library_params.items() if k != "cat_features"},
        }
        if self.sample_weighting:
            shown["class_weight"] = self.sample_weighting[0]
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        steps.append(PipelineStep(MODEL_STEP, f"{self.spec.name}({args})", True, self.spec.name))
        return steps

    def build_model(self) -> Any:
        """The unfitted estimator of the final step, with every parameter set."""
        if self.members:
            members = tuple((m.spec.name, m.build()) for m in self.members)
            return self.spec.build(dataclasses.replace(self.context, members=members))
        model = self.spec.build(self.context)
        if self.sample_weighting is not None:
            if not isinstance(model, FitAdapter):
                model = adapt(model, self.context.task, None, self.context.seed)
            weights, style = self.sample_weighting
            model.set_params(class_weight=weights, weight_style=style)
        settings = {**route_params(model, self.library_params), **route_params(model, self.params)}
        if settings:
            model.set_params(**settings)
        return model

    def build(self) -> Any:
        """A new, unfitted pipeline: imbalanced-learn's when it resamples (a sampler
        step needs its ``fit_resample``), else scikit-learn's, the same steps without
        importing imbalanced-learn in every worker (a fifth of a second each)."""
        if self.sampler:
            from imblearn.pipeline import Pipeline
        else:
            from sklearn.pipeline import Pipeline

        if self.members:
            return Pipeline([(MODEL_STEP, self.build_model())])
        roles = self.roles
        task = self.context.task
        seed = self.context.seed
        prepare = FrameCaster(
            roles.numeric, roles.categorical + roles.ordinal, roles.date_parts or None
        )
        if self.bare:
            return Pipeline([("prepare", prepare), (MODEL_STEP, self.build_model())])
        steps: list[tuple[str, Any]] = [
            ("prepare", prepare),
            ("complete", build_completion_stage(self.preprocess, self.fill_value)),
        ]
        if self.sampler and self.sampler.position == "before_encoding":
            steps.append(("resample", self.sampler.build()))
        steps.append(("encode", build_encoding_stage(self.preprocess, task, seed)))
        for i, step in enumerate(self.selection):
            steps.append((f"select{i}", build_selector(step, task, seed, self.context.threads, i)))
        if self.sampler and self.sampler.position == "before_model":
            steps.append(("resample", self.sampler.build()))
        steps.append((MODEL_STEP, self.build_model()))
        return Pipeline(steps)


def _class_weights(
    spec: ModelSpec, recipe: Recipe, classes: tuple[Any, ...], params: Mapping[str, Any]
) -> tuple[dict[str, Any], tuple[Any, str] | None]:
    """Class weights in the model's own form: library parameters or per-row weights."""
    if recipe.imbalance.method != "class_weight" or spec.family == "dummy":
        return {}, None
    if "class_weight" in params or "auto_class_weights" in params:
        return {}, None
    value = class_weight_value(recipe.imbalance, classes)
    style = spec.class_weight
    if style == "class_weight":
        return {"class_weight": value}, None
    if style == "auto_class_weights":
        if value == "balanced":
            return {"auto_class_weights": "Balanced"}, None
        return {"class_weights": value}, None
    if style in ("scale_pos_weight", "sample_weight"):
        return {}, (value, style)
    raise RecipeError(
        f"imbalance.method: class_weight: {spec.name} cannot weight classes",
        "use a sampler such as random_over for it, or another model",
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
    members: tuple[PipelinePlan, ...] = (),
) -> PipelinePlan:
    """Decide every step of ``spec``'s pipeline (nothing is fitted or built here)."""
    if members:
        return PipelinePlan(spec, context, roles, PreprocessPlan(), None, (), members=members)
    if spec.family == "dummy":  # the baseline ignores the features: no preprocessing at all
        return PipelinePlan(
            spec, context, roles, PreprocessPlan(), None, (), params=dict(params or {}), bare=True
        )
    selection = tuple(recipe.selection_steps)
    complete = bool(selection) or bool(sampler and sampler.spec.complete)
    numeric_only = bool(selection) or bool(sampler and sampler.spec.numeric)
    preprocess = plan_preprocessing(spec, recipe, roles, levels, complete, numeric_only)
    fixed = dict(params or {})
    library: dict[str, Any] = {}
    weighting = None
    if context.task != "regression":
        library, weighting = _class_weights(spec, recipe, classes, fixed)
    if spec.native_strings:
        library["cat_features"] = tuple(
            name for name, t in preprocess.categorical.items() if t.encode == "native"
        )
    return PipelinePlan(
        spec=spec,
        context=context,
        roles=roles,
        preprocess=preprocess,
        sampler=sampler,
        selection=selection,
        params=fixed,
        library_params=library,
        sample_weighting=weighting,
        fill_value=float(recipe.preprocess.numeric.fill_value),
    )


__all__ = ["MODEL_STEP", "PipelinePlan", "PipelineStep", "plan_pipeline"]
