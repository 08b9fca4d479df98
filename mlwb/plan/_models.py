"""Planning each model of a run: its pipeline, its parameters, and what to tune.

Parameters a recipe gives as a single value are set on the model; lists and ranges form
its search space (or, with ``{}`` and a search strategy, the catalogue's default space).
Fixed values are checked against the library itself while planning (``models.probe``), so
``mlwb validate`` reports ``models.lightgbm.num_leaves: -5`` before anything is trained.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from mlwb.data.casting import display_value
from mlwb.data.dataset import Dataset
from mlwb.errors import RecipeError
from mlwb.evaluation import SplitPlan, TuningPlan
from mlwb.models import ModelContext, ModelSpec, find_model, model_names
from mlwb.models.adapter import is_wrapper, parameter_names
from mlwb.models.probe import library_reason, rejected_parameters
from mlwb.models.quiet import library_output_captured
from mlwb.parallel import on_cluster
from mlwb.pipeline import PipelinePlan, PipelineStep, plan_pipeline
from mlwb.pipeline.imbalance import SamplerPlan
from mlwb.recipe.params import IntRange, is_searched
from mlwb.recipe.schema import Recipe
from mlwb.search import SearchSettings, SearchSpace
from mlwb.search.portfolio import Configuration
from mlwb.suggest import did_you_mean
from mlwb.tasks import Task


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
    tuning: TuningPlan | None = None
    portfolio: PortfolioPlan | None = None


@dataclass(frozen=True)
class PortfolioPlan:
    """The budgeted search of one model (``search.strategy: auto``): its portfolio of
    proven configurations, then TPE trials over ``space`` (``trials`` of them without a
    budget; with one, for as long as it lasts)."""

    space: SearchSpace
    configurations: tuple[Configuration, ...]
    trials: int | None
    seed: int


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


# The libraries' own thread counts, which a recipe may set on a model.
THREAD_PARAMS = ("n_jobs", "thread_count", "num_threads", "nthread")


def cluster_threads(params: Any, threads: int) -> Any:
    """On a cluster, a model's own thread count from the recipe (``n_jobs: -1``) is
    replaced by the task's planned threads: it would defeat the workers' thread limits
    (measured 11× slower on Dask). Locally the recipe's value stands."""
    if not on_cluster() or not isinstance(params, dict):
        return params
    return {k: threads if k in THREAD_PARAMS and type(v) is int else v for k, v in params.items()}


def with_threads(estimator: Any, planned: int, threads: int) -> Any:
    """``estimator`` (a clone) with every library thread count set at planning time
    (``planned``, a fold's share of ``n_jobs``) raised to ``threads``: a fit that runs
    alone — the final refit — uses every core ``n_jobs`` gives, not one fold's share.
    Thread counts change how fast a model is fitted, never what it learns."""
    from sklearn.base import clone

    params = estimator.get_params(deep=True)
    raised = {
        key: threads
        for key, value in params.items()
        if key.rsplit("__", 1)[-1] in THREAD_PARAMS and type(value) is int and value == planned
    }
    return clone(estimator).set_params(**raised) if raised and threads != planned else estimator


@dataclass(frozen=True)
class ModelPlanner:
    """Shared inputs for planning each model of a run."""

    recipe: Recipe
    dataset: Dataset
    task: Task
    threads: int
    levels: dict[str, int]
    sampler: SamplerPlan | None
    inner: SplitPlan | None = None
    search: SearchSettings | None = None
    budgeted: bool = False  # a time budget bounds the search (else search.trials do)

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
        params = cluster_threads(params, self.threads)
        dataset = self.dataset
        if spec.family == "ensemble":
            members = tuple(
                self.pipeline(member, self._params_of(member)) for member in (params or [])
            )
            return plan_pipeline(
                spec, self.recipe, dataset.roles, context, self.levels, members=members
            )
        fixed = {k: v for k, v in (params or {}).items() if not is_searched(v)}
        _check_params(name, spec.build(context), dict(params or {}))
        context = _loss_context(name, spec, fixed, context)
        self._check_accepted(name, spec, context, fixed, self._searched_values(spec, params))
        return self._plan(spec, context, fixed)

    def _searched_values(
        self, spec: ModelSpec, params: dict[str, Any] | None
    ) -> dict[str, list[Any]]:
        """Values the search will give each searched parameter: every choice of a list,
        the bounds of a range (none without a search)."""
        if self.search is None:
            return {}
        entry = {k: v for k, v in (params or {}).items() if k not in VIRTUAL_PARAMS}
        space = SearchSpace.from_recipe(spec.name, entry, spec.space(self.task))
        values: dict[str, list[Any]] = {}
        for param, value in space.searched.items():
            if isinstance(value, list):
                values[param] = list(value)
            else:
                low, high = value.bounds
                values[param] = (
                    [int(low), int(high)] if isinstance(value, IntRange) else [low, high]
                )
        return values

    def _plan(self, spec: ModelSpec, context: ModelContext, fixed: dict[str, Any]) -> PipelinePlan:
        return plan_pipeline(
            spec,
            self.recipe,
            self.dataset.roles,
            context,
            self.levels,
            self.dataset.target.classes,
            self.sampler,
            fixed,
        )

    def _check_accepted(
        self,
        name: str,
        spec: ModelSpec,
        context: ModelContext,
        fixed: dict[str, Any],
        searched: dict[str, list[Any]],
    ) -> None:
        """A ``RecipeError`` naming ``models.<name>.<param>`` when the library rejects a
        fixed value.

        The probe fits the bare model on synthetic rows (with each value a search would
        try for the other parameters, any of which may make the value acceptable); a
        rejection is confirmed by one
        fit of the real pipeline on the real rows with only the blamed values, failing with
        the same reason — a limit tied to the data's rows, columns or classes passes there,
        and a failure with another reason is not the parameters' to blame. Either is left
        to the evaluation, which reports what really fails. Confirming costs one fit, and
        only when the probe found something.
        """
        rejection = rejected_parameters(
            spec, context, fixed, self.dataset.target.n_classes, searched
        )
        if rejection is None:
            return
        blamed = {param: fixed[param] for param in rejection.params}
        failure = self._fit_error(spec, context, blamed)
        if failure is None or library_reason(failure) != rejection.reason:
            return
        if len(blamed) == 1:
            where = f"models.{name}.{rejection.params[0]}: {display_value(*blamed.values())} is"
        else:
            values = ", ".join(f"{p}: {display_value(v)}" for p, v in blamed.items())
            where = f"models.{name}: {values} together are"
        tried = [p for p in searched if p not in blamed]
        also = (
            f" (also with the values the search tries for {', '.join(tried[:3])}"
            f"{', …' if len(tried) > 3 else ''})"
            if tried
            else ""
        )
        raise RecipeError(
            f"{where} rejected by {rejection.estimator}{also}: {rejection.reason}",
            "set a value the library accepts; its documentation gives the valid values",
        )

    def _fit_error(
        self, spec: ModelSpec, context: ModelContext, params: dict[str, Any]
    ) -> Exception | None:
        """What fitting the real pipeline with ``params`` on every row raises, if anything."""
        try:
            with library_output_captured():
                self._plan(spec, context, params).build().fit(self.dataset.X, self.dataset.y)
        except Exception as error:  # noqa: BLE001 - the caller compares it with the probe's
            return error
        return None

    def _params_of(self, name: str) -> dict[str, Any]:
        """A member's parameters: those the recipe gives that model, if it lists it."""
        entry = (self.recipe.models or {}).get(name)
        return dict(entry) if isinstance(entry, dict) else {}

    def tuning(self, name: str, spec: ModelSpec, entry: Any) -> TuningPlan | None:
        """What to search for this model, or None when nothing is tuned."""
        if self.search is None or self.inner is None or spec.family in ("dummy", "ensemble"):
            return None
        params = dict(entry or {})
        for virtual in VIRTUAL_PARAMS:
            if is_searched(params.get(virtual)):
                raise RecipeError(
                    f"models.{name}.{virtual}: cannot be searched",
                    "give one value (compare losses as separate runs)",
                )
        space = SearchSpace.from_recipe(name, params, spec.space(self.task))
        if not space:
            return None
        if self.search.strategy == "grid":
            space.grid()  # refuses an infinite range now, naming the parameter
        settings = dataclasses.replace(
            self.search,
            study_name=None if self.search.storage is None else f"mlwb-{self.recipe.name}-{name}",
        )
        return TuningPlan(space, settings, self.inner)

    def portfolio(self, name: str, spec: ModelSpec, entry: Any) -> PortfolioPlan | None:
        """The budgeted search for this model (``auto``), or None."""
        if self.search is None or self.search.strategy != "auto":
            return None
        if spec.family in ("dummy", "ensemble"):
            return None
        params = {k: v for k, v in dict(entry or {}).items() if k not in VIRTUAL_PARAMS}
        space = SearchSpace.from_recipe(name, params, spec.space(self.task))
        configurations = tuple(
            Configuration(dict(c.params), c.source) for c in spec.portfolio_for(self.task)
        )
        trials = None if self.budgeted else self.search.trials
        return PortfolioPlan(space, configurations, trials, self.recipe.seed)

    def model(self, name: str, entry: Any) -> ModelPlan:
        plan = self.pipeline(name, entry)
        auto = self.search is not None and self.search.strategy == "auto"
        return ModelPlan(
            name,
            plan.spec,
            entry if entry is not None else {},
            plan.build(),
            tuple(plan.describe_columns()),
            tuple(plan.steps()),
            plan,
            None if auto else self.tuning(name, plan.spec, entry),
            self.portfolio(name, plan.spec, entry) if auto else None,
        )
