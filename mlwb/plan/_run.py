"""Planning a run: the recipe checked against the data, every default resolved.

``plan_run`` is shared by ``fit``, ``compare`` and ``validate``: after it, the task, the
metrics, the models with their pipelines and search spaces, the rows kept back for the
holdout, and the outer and inner folds are all known and valid — and nothing is trained.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from mlwb.compare.gates import Gate, recipe_gates
from mlwb.data.dataset import Dataset
from mlwb.errors import DataError, RecipeError, UsageError
from mlwb.evaluation import (
    CONSTRAINED,
    DecisionPlan,
    SplitData,
    SplitPlan,
    check_class_counts,
    make_splitter,
    split_data,
    split_rows,
)
from mlwb.metrics import DEFAULT_METRICS, METRICS, MetricContext, check_metric_for_task
from mlwb.models.adapter import parameter_names
from mlwb.models.baseline import BASELINE
from mlwb.parallel import Parallelism, plan_parallelism
from mlwb.pipeline.imbalance import SamplerPlan, plan_sampler, smallest_class_counts
from mlwb.plan._models import ModelPlan, ModelPlanner
from mlwb.plan._time import TimeBudget, resolve_budget
from mlwb.recipe.schema import Recipe, Splitter
from mlwb.search import SearchSettings
from mlwb.suggest import did_you_mean
from mlwb.tasks import Task

# When the recipe names no models: the three boosting libraries, a linear model and a
# randomised-trees model (each with its portfolio, searched within the budget), plus the
# dummy floor every run has. Boosting first: the strongest models are evaluated first, so
# a tight budget cuts the weaker ones.
DEFAULT_MODELS: dict[Task, tuple[str, ...]] = {
    "binary": ("lightgbm", "catboost", "xgboost", "logistic_regression", "extra_trees"),
    "multiclass": ("lightgbm", "catboost", "xgboost", "logistic_regression", "extra_trees"),
    "regression": ("lightgbm", "catboost", "xgboost", "ridge", "extra_trees"),
}
# Above this many rows a budgeted default run uses 3 outer folds instead of 5 (unless the
# recipe sets validation.outer.folds): each configuration then costs 3 fits, not 5.
FEWER_FOLDS_ABOVE = 10_000
Splits = tuple[tuple[np.ndarray, np.ndarray], ...]
# The models to run when the recipe names none: fit's three, compare's zoo.
DefaultModels = Callable[[Task, Dataset], dict[str, dict[str, Any]]]


def fit_defaults(task: Task, dataset: Dataset) -> dict[str, dict[str, Any]]:
    """``mlwb fit`` without ``models:``: boosting, a linear model and randomised trees."""
    return {name: {} for name in DEFAULT_MODELS[task]}


@dataclass(frozen=True)
class RunPlan:
    """Everything resolved: ready to evaluate.

    ``dataset`` holds the development rows (all rows unless ``validation.holdout`` keeps a
    share back, in ``holdout``); every fold, search and final fit uses ``dataset`` only.
    """

    recipe: Recipe
    dataset: Dataset
    task: Task
    metrics: tuple[str, ...]
    primary: str
    metric_context: MetricContext
    models: tuple[ModelPlan, ...]
    outer: SplitPlan
    splits: Splits
    parallelism: Parallelism
    sampler: SamplerPlan | None = None
    notices: tuple[str, ...] = ()
    split_data: SplitData = field(default_factory=SplitData)
    inner: SplitPlan | None = None
    holdout: Dataset | None = None
    decision: DecisionPlan | None = None
    gates: tuple[Gate, ...] = ()
    budget: TimeBudget = field(default_factory=lambda: TimeBudget(None))
    ensemble: bool = False

    def model(self, name: str) -> ModelPlan:
        """The planned model called ``name``."""
        return next(m for m in self.models if m.name == name)

    @property
    def tuned(self) -> bool:
        return any(m.tuning is not None for m in self.models)

    @property
    def budgeted_search(self) -> bool:
        """Whether models are searched by the budgeted portfolio search (``auto``)."""
        return any(m.portfolio is not None for m in self.models)


def _resolve_metrics(
    recipe: Recipe, task: Task, gates: tuple[Gate, ...]
) -> tuple[tuple[str, ...], str]:
    metrics = tuple(recipe.metrics) if recipe.metrics else DEFAULT_METRICS[task]
    for i, name in enumerate(metrics):
        check_metric_for_task(name, task, f"metrics[{i}]")
    primary = recipe.search.metric or metrics[0]
    check_metric_for_task(primary, task, "search.metric")
    if primary not in metrics:
        metrics = (primary, *metrics)
    for gate in gates:  # a gated metric is always computed
        check_metric_for_task(gate.metric, task, f"gates.{gate.metric}")
        if gate.metric not in metrics:
            metrics = (*metrics, gate.metric)
    return metrics, primary


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


def _holdout(
    recipe: Recipe, dataset: Dataset, data: SplitData, task: Task
) -> tuple[Dataset, Dataset | None, SplitData]:
    """Keep ``validation.holdout`` of the rows back (the latest rows for time-ordered data,
    whole groups for grouped data, stratified otherwise)."""
    share = recipe.validation.holdout
    if share is None:
        return dataset, None, data
    n = dataset.n_rows
    if data.ordered:
        cut = round(n * (1 - share))
        develop, keep = np.arange(cut), np.arange(cut, n)
    else:
        spec = Splitter(method="holdout", test_size=share)
        plan = make_splitter(spec, task, recipe.seed, "validation.holdout", data)
        if task != "regression":
            check_class_counts(
                dataset.y, dataset.target.classes, plan, "validation.holdout", dataset.source
            )
        develop, keep = split_rows(
            plan, dataset.X, dataset.y, data, "validation.holdout", dataset.source
        )[0]
    if len(keep) == 0 or len(develop) == 0:
        raise DataError(
            f"{dataset.source}: validation.holdout: {share} of {n} rows leaves an empty side",
            "use a larger share or more rows",
        )
    return dataset.take(develop), dataset.take(keep), data.subset(develop)


def _inner_plan(
    recipe: Recipe, dataset: Dataset, task: Task, data: SplitData, splits: Splits
) -> tuple[SplitPlan, list[np.ndarray]]:
    """The inner splitter, checked against the smallest outer-training set."""
    inner = make_splitter(
        recipe.validation.inner,
        task,
        recipe.seed,
        "validation.inner",
        data,
        n_rows=min(len(train) for train, _ in splits),
    )
    inner_trains: list[np.ndarray] = []
    for train, _ in splits:
        if task != "regression":
            check_class_counts(
                dataset.y[train],
                dataset.target.classes,
                inner,
                "validation.inner",
                f"{dataset.source} (an outer training fold)",
            )
        source = f"{dataset.source} (an outer training fold)"
        for inner_train, _ in split_rows(
            inner,
            dataset.X.iloc[train],
            dataset.y[train],
            data.subset(train),
            "validation.inner",
            source,
        ):
            inner_trains.append(train[inner_train])
    return inner, inner_trains


def _decision_plan(
    recipe: Recipe, task: Task, positive: int, data: SplitData
) -> DecisionPlan | None:
    """Calibration and threshold tuning, checked against the task."""
    threshold = recipe.threshold
    if threshold.objective != "none" and task != "binary":
        raise RecipeError(
            f"threshold.objective: {threshold.objective} tunes the decision "
            f"threshold of a binary task; this task is {task}",
            "remove threshold from the recipe",
        )
    if threshold.objective in CONSTRAINED and threshold.value is None:
        raise RecipeError(
            f"threshold.value: {threshold.objective} needs the constraint level",
            "e.g. threshold: {objective: min_recall, value: 0.8}",
        )
    if recipe.calibration != "none" and task == "regression":
        raise RecipeError(
            f"calibration: {recipe.calibration} calibrates class probabilities; "
            "this task is regression",
            "remove calibration from the recipe",
        )
    plan = DecisionPlan(
        task=task,
        objective=threshold.objective,
        beta=float(threshold.beta),
        value=None if threshold.value is None else float(threshold.value),
        cost_fp=float(threshold.cost.fp),
        cost_fn=float(threshold.cost.fn),
        positive=positive,
        calibration=recipe.calibration,
        folds=recipe.validation.inner.folds,
        seed=recipe.seed,
        time_ordered=data.ordered,
    )
    return plan if plan else None


def _check_validation_curve(recipe: Recipe, models: tuple[ModelPlan, ...]) -> None:
    wanted = recipe.diagnostics.validation_curve
    if wanted is None:
        return
    names = [m.name for m in models]
    if wanted.model not in names:
        raise RecipeError(
            f"diagnostics.validation_curve.model: '{wanted.model}' is not a model "
            f"of this run{did_you_mean(wanted.model, names)}",
            f"models: {', '.join(names)}",
        )
    model = next(m for m in models if m.name == wanted.model)
    estimator = model.pipeline.named_steps["model"]
    valid = parameter_names(estimator)
    if wanted.param not in valid:
        raise RecipeError(
            f"diagnostics.validation_curve.param: '{wanted.param}' is not a "
            f"parameter of {wanted.model}{did_you_mean(wanted.param, valid)}"
        )
    if not wanted.values:
        raise RecipeError("diagnostics.validation_curve.values: give at least one value")


def check_resume(recipe: Recipe, resume: bool) -> None:
    """``--resume`` continues studies kept in ``search.storage``; without one there is
    nothing to continue, and ignoring the flag would silently start over."""
    if resume and (recipe.search.strategy in ("none", "halving") or not recipe.search.storage):
        raise UsageError(
            "--resume: this recipe keeps no search history to resume "
            "(it needs search.strategy grid, random or bayes and search.storage)",
            "add e.g. search.storage: sqlite:///search.db, or drop --resume",
        )


def _outer_spec(
    recipe: Recipe, strategy: str, budget: TimeBudget, rows: int
) -> tuple[Splitter, tuple[str, ...]]:
    """The outer splitter; a budgeted default run on many rows uses 3 folds, not 5."""
    spec = recipe.validation.outer
    fewer = (
        strategy == "auto"
        and budget
        and rows > FEWER_FOLDS_ABOVE
        and "folds" not in spec.model_fields_set
        and spec.folds > 3
    )
    if not fewer:
        return spec, ()
    note = (
        f"{rows} rows and a {budget.seconds:g} s budget: 3 outer folds instead of "
        f"{spec.folds} (set validation.outer.folds to choose)"
    )
    return spec.model_copy(update={"folds": 3}), (note,)


def resolve_strategy(recipe: Recipe) -> str:
    """``search.strategy``, with ``auto`` when the recipe names no models and sets none."""
    if recipe.models is None and "strategy" not in recipe.search.model_fields_set:
        return "auto"
    return recipe.search.strategy


def _search_settings(recipe: Recipe, primary: str, resume: bool) -> SearchSettings | None:
    search = recipe.search
    strategy = resolve_strategy(recipe)
    if strategy == "none":
        return None
    return SearchSettings(
        strategy=strategy,  # type: ignore[arg-type]
        trials=search.trials,
        timeout=float(search.timeout) if search.timeout else None,
        metric=primary,
        greater_is_better=METRICS[primary].greater_is_better,
        pruning=search.pruning,
        seed=recipe.seed,
        storage=search.storage,
        heartbeat=search.heartbeat if search.storage else None,
        resume=resume,
        cap_grid="trials" in search.model_fields_set,
    )


def plan_from_file(
    recipe: Recipe, data_path: str | Path, resume: bool = False, extra_gates: tuple[Gate, ...] = ()
) -> RunPlan:
    """Read the CSV at ``data_path`` and plan ``recipe`` on it (nothing is fitted)."""
    from mlwb.data.dataset import load_dataset

    return plan_run(recipe, load_dataset(data_path, recipe), resume, extra_gates)


def plan_run(
    recipe: Recipe,
    dataset: Dataset,
    resume: bool = False,
    extra_gates: tuple[Gate, ...] = (),
    default_models: DefaultModels | None = None,
) -> RunPlan:
    """Check ``recipe`` against ``dataset`` and resolve every default; ``extra_gates`` come
    from the command line (``--gate``); ``default_models`` are run when the recipe names
    none (``fit``'s three unless given)."""
    task: Task = dataset.task  # type: ignore[assignment]
    gates = (*recipe_gates(recipe.gates), *extra_gates)
    metrics, primary = _resolve_metrics(recipe, task, gates)
    data, order = split_data(
        dataset.frame, recipe.columns.group, recipe.columns.time, dataset.source
    )
    if order is not None:
        dataset = dataset.take(order)
    dataset, holdout, data = _holdout(recipe, dataset, data, task)
    strategy = resolve_strategy(recipe)
    budget = resolve_budget(recipe.budget, models_named=recipe.models is not None)
    outer_spec, notices = _outer_spec(recipe, strategy, budget, dataset.n_rows)
    outer = make_splitter(
        outer_spec, task, recipe.seed, "validation.outer", data, n_rows=dataset.n_rows
    )
    if task != "regression":
        check_class_counts(
            dataset.y, dataset.target.classes, outer, "validation.outer", dataset.source
        )
    splits: Splits = split_rows(
        outer, dataset.X, dataset.y, data, "validation.outer", dataset.source
    )
    parallelism = plan_parallelism(recipe.n_jobs, len(splits))
    _check_log_columns(recipe, dataset)
    settings = _search_settings(recipe, primary, resume)
    inner, train_sets = (None, [train for train, _ in splits])
    if settings is not None and settings.strategy != "auto":
        inner, train_sets = _inner_plan(recipe, dataset, task, data, splits)
    sampler = None
    if recipe.imbalance.method not in ("none", "class_weight"):
        counts = (
            smallest_class_counts(dataset.y, train_sets, dataset.target.n_classes)
            if task != "regression"
            else np.zeros(0)
        )
        sampler = plan_sampler(
            recipe.imbalance,
            task,
            dataset.target.classes,
            dataset.roles.categorical,
            len(dataset.roles.features),
            counts,
            recipe.seed,
        )
    levels = {name: int(dataset.X[name].nunique()) for name in dataset.roles.categorical}
    chosen = dict(recipe.models or (default_models or fit_defaults)(task, dataset))
    planner = ModelPlanner(
        recipe, dataset, task, parallelism.threads, levels, sampler, inner, settings, bool(budget)
    )
    models = tuple(planner.model(name, entry) for name, entry in chosen.items())
    if BASELINE not in chosen:
        models = (planner.model(BASELINE, {}), *models)
    _check_validation_curve(recipe, models)
    context = MetricContext(
        task=task,
        n_classes=max(dataset.target.n_classes, 2),
        positive=dataset.target.positive_index or 0,
        beta=float(recipe.threshold.beta),
    )
    ensemble = recipe.ensemble == "greedy" or (recipe.ensemble == "auto" and not recipe.models)
    if recipe.calibration != "none" and task != "regression" and (strategy == "auto" or ensemble):
        raise RecipeError(
            "calibration: not available with search.strategy auto or ensemble: greedy, "
            "whose models are chosen and combined on out-of-fold probabilities",
            "name the models and set ensemble: none to calibrate them",
        )
    resolved = recipe.model_copy(
        update={
            "task": task,
            "metrics": list(metrics),
            "models": {m.name: m.params for m in models if m.name in chosen},
            "positive": dataset.positive_label,
            "search": recipe.search.model_copy(update={"strategy": strategy}),
            "validation": recipe.validation.model_copy(update={"outer": outer_spec}),
            "budget": budget.seconds if budget.seconds is not None else "none",
            "ensemble": "greedy" if ensemble else "none",
        }
    )
    if sampler:
        notices = (*sampler.notices, *notices)
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
        notices,
        data,
        inner,
        holdout,
        _decision_plan(recipe, task, dataset.target.positive_index or 0, data),
        gates,
        budget,
        ensemble,
    )
