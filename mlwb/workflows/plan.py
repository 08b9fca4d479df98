"""Planning a run: the recipe checked against the data, every default resolved.

``plan_run`` is shared by ``fit``, ``compare`` and ``validate``: after it, the task, the
metrics, the models with their parameters and pipelines, and the folds are all known and
valid, and nothing has been trained.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from mlwb.data.dataset import Dataset
from mlwb.errors import DataError, RecipeError
from mlwb.evaluate import Parallelism, plan_parallelism
from mlwb.metrics import DEFAULT_METRICS, MetricContext, check_metric_for_task
from mlwb.models import ModelContext, ModelSpec, find_model, model_names
from mlwb.models.adapter import is_wrapper, parameter_names
from mlwb.models.baseline import BASELINE
from mlwb.pipeline import PipelinePlan, PipelineStep, plan_pipeline
from mlwb.pipeline.imbalance import SamplerPlan, plan_sampler, smallest_class_counts
from mlwb.recipe.schema import Recipe, Task
from mlwb.splitters import SplitPlan, check_class_counts, make_splitter
from mlwb.suggest import did_you_mean

DEFAULT_MODELS: dict[Task, tuple[str, ...]] = {
    "binary": ("logistic_regression", "random_forest", "lightgbm"),
    "multiclass": ("logistic_regression", "random_forest", "lightgbm"),
    "regression": ("linear_regression", "random_forest", "lightgbm"),
}


@dataclass(frozen=True)
class ModelPlan:
    """One model to evaluate: its spec, its recipe entry (parameters, or an ensemble's
    members), and its pipeline."""

    name: str
    spec: ModelSpec
    params: Any
    pipeline: Any
    preprocessing: tuple[str, ...]
    steps: tuple[PipelineStep, ...]
    plan: PipelinePlan


@dataclass(frozen=True)
class RunPlan:
    """Everything resolved: ready to evaluate."""

    recipe: Recipe
    dataset: Dataset
    task: Task
    metrics: tuple[str, ...]
    primary: str
    metric_context: MetricContext
    models: tuple[ModelPlan, ...]
    outer: SplitPlan
    splits: tuple[tuple[np.ndarray, np.ndarray], ...]
    parallelism: Parallelism
    sampler: SamplerPlan | None = None
    notices: tuple[str, ...] = ()

    def model(self, name: str) -> ModelPlan:
        """The planned model called ``name``."""
        return next(m for m in self.models if m.name == name)


def _resolve_metrics(recipe: Recipe, task: Task) -> tuple[tuple[str, ...], str]:
    metrics = tuple(recipe.metrics) if recipe.metrics else DEFAULT_METRICS[task]
    for i, name in enumerate(metrics):
        check_metric_for_task(name, task, f"metrics[{i}]")
    primary = recipe.search.metric or metrics[0]
    check_metric_for_task(primary, task, "search.metric")
    if primary not in metrics:
        metrics = (primary, *metrics)
    return metrics, primary


VIRTUAL_PARAMS = ("loss", "quantile")


def _check_params(name: str, estimator: Any, params: dict[str, Any]) -> None:
    valid = [*parameter_names(estimator), *VIRTUAL_PARAMS]
    inner = estimator.estimator if is_wrapper(estimator) else estimator
    for param in params:
        if param not in valid:
            raise RecipeError(
                f"models.{name}.{param}: not a parameter of {type(inner).__name__}"
                f"{did_you_mean(param, valid)}",
                f"parameters: {', '.join(sorted(valid)[:15])}, …",
            )


def _loss_context(
    name: str, spec: ModelSpec, params: dict[str, Any], context: ModelContext
) -> ModelContext:
    """Take the library-neutral ``loss``/``quantile`` out of the parameters."""
    loss = params.pop("loss", "squared")
    quantile = params.pop("quantile", 0.5)
    if loss != "squared" and context.task != "regression":
        raise RecipeError(f"models.{name}.loss: applies to regression; the task is {context.task}")
    if loss not in spec.losses:
        raise RecipeError(
            f"models.{name}.loss: {loss!r} is not offered by {name}",
            f"it offers {', '.join(sorted(spec.losses))}",
        )
    if not isinstance(quantile, int | float) or not 0 < quantile < 1:
        raise RecipeError(f"models.{name}.quantile: expected a number between 0 and 1")
    return dataclasses.replace(context, loss=loss, quantile=float(quantile))


@dataclass(frozen=True)
class _ModelPlanner:
    """Shared inputs for planning each model of a run."""

    recipe: Recipe
    dataset: Dataset
    task: Task
    threads: int
    levels: dict[str, int]
    sampler: SamplerPlan | None

    def pipeline(self, name: str, params: dict[str, Any] | None) -> PipelinePlan:
        spec = find_model(name)
        if spec is None:  # checked with the recipe already; kept for library callers
            raise RecipeError(f"models.{name}: unknown model{did_you_mean(name, model_names())}")
        if not spec.supports(self.task):
            raise RecipeError(
                f"models.{name}: cannot do a {self.task} task",
                f"it supports {', '.join(sorted(spec.tasks))}",
            )
        context = ModelContext(task=self.task, seed=self.recipe.seed, threads=self.threads)
        dataset = self.dataset
        if spec.family == "ensemble":
            members = tuple(
                self.pipeline(member, self._params_of(member)) for member in (params or [])
            )
            return plan_pipeline(
                spec, self.recipe, dataset.roles, context, self.levels, members=members
            )
        fixed = dict(params or {})
        _check_params(name, spec.build(context), fixed)
        context = _loss_context(name, spec, fixed, context)
        return plan_pipeline(
            spec,
            self.recipe,
            dataset.roles,
            context,
            self.levels,
            dataset.target.classes,
            self.sampler,
            fixed,
        )

    def _params_of(self, name: str) -> dict[str, Any]:
        """A member's parameters: those the recipe gives that model, if it lists it."""
        entry = (self.recipe.models or {}).get(name)
        return dict(entry) if isinstance(entry, dict) else {}

    def model(self, name: str, entry: Any) -> ModelPlan:
        plan = self.pipeline(name, entry)
        return ModelPlan(
            name,
            plan.spec,
            entry if entry is not None else {},
            plan.build(),
            tuple(plan.describe_columns()),
            tuple(plan.steps()),
            plan,
        )


def _check_log_columns(recipe: Recipe, dataset: Dataset) -> None:
    logged = set(recipe.preprocess.numeric.log) | {
        name for name, o in recipe.preprocess.columns.items() if o.log
    }
    for name in sorted(logged):
        if name in dataset.roles.numeric:
            low = dataset.X[name].min()
            if low <= -1:
                raise DataError(
                    f"{dataset.source}: column '{name}' has values ≤ -1 (minimum {low:g}); "
                    "log1p is undefined there",
                    f"remove '{name}' from preprocess.numeric.log, or shift the column",
                )


def _plan_sampler(
    recipe: Recipe, dataset: Dataset, task: Task, splits: tuple[tuple[np.ndarray, np.ndarray], ...]
) -> SamplerPlan | None:
    if recipe.imbalance.method in ("none", "class_weight"):
        return None
    classes = dataset.target.classes
    counts = (
        smallest_class_counts(dataset.y, [train for train, _ in splits], len(classes))
        if task != "regression"
        else np.zeros(0)
    )
    categorical = dataset.roles.categorical
    return plan_sampler(
        recipe.imbalance,
        task,
        classes,
        categorical,
        len(dataset.roles.features),
        counts,
        recipe.seed,
    )


def plan_from_file(recipe: Recipe, data_path: str | Path) -> RunPlan:
    """Read the CSV at ``data_path`` and plan ``recipe`` on it (nothing is fitted)."""
    from mlwb.data.dataset import load_dataset

    return plan_run(recipe, load_dataset(data_path, recipe))


def plan_run(recipe: Recipe, dataset: Dataset) -> RunPlan:
    """Check ``recipe`` against ``dataset`` and resolve every default."""
    task: Task = dataset.task  # type: ignore[assignment]
    metrics, primary = _resolve_metrics(recipe, task)
    outer = make_splitter(recipe.validation.outer, task, recipe.seed, "validation.outer")
    if task != "regression":
        check_class_counts(
            dataset.y, dataset.target.classes, outer.n_splits, "validation.outer", dataset.source
        )
    splits = tuple(outer.splitter.split(dataset.X, dataset.y))
    parallelism = plan_parallelism(recipe.n_jobs, len(splits))
    _check_log_columns(recipe, dataset)
    sampler = _plan_sampler(recipe, dataset, task, splits)
    levels = {name: int(dataset.X[name].nunique()) for name in dataset.roles.categorical}
    chosen = dict(recipe.models or {name: {} for name in DEFAULT_MODELS[task]})
    planner = _ModelPlanner(recipe, dataset, task, parallelism.threads, levels, sampler)
    models = tuple(planner.model(name, entry) for name, entry in chosen.items())
    if BASELINE not in chosen:
        models = (planner.model(BASELINE, {}), *models)
    context = MetricContext(
        task=task,
        n_classes=max(dataset.target.n_classes, 2),
        positive=dataset.target.positive_index or 0,
        beta=float(recipe.threshold.beta),
    )
    resolved = recipe.model_copy(
        update={
            "task": task,
            "metrics": list(metrics),
            "models": {m.name: m.params for m in models if m.name in chosen},
            "positive": dataset.positive_label,
        }
    )
    return RunPlan(
        resolved,
        dataset,
        task,
        metrics,
        primary,
        context,
        models,
        outer,
        splits,
        parallelism,
        sampler,
        sampler.notices if sampler else (),
    )
