"""Checks that need more than the schema: catalogue names, metric names, column roles.

Checks that need the data (does the column exist, what is the task) happen when the run
is planned.
"""

from __future__ import annotations

from typing import Any

from mlwb.errors import RecipeError
from mlwb.recipe.params import is_searched
from mlwb.recipe.schema import Recipe
from mlwb.suggest import did_you_mean


def _check_ensemble(name: str, members: Any, source: str) -> None:
    from mlwb.models import find_model, model_names

    if not isinstance(members, list):
        raise RecipeError(
            f"{source}: models.{name}: takes a list of member models",
            f"e.g. {name}: [logistic_regression, lightgbm]",
        )
    if len(members) < 2:
        raise RecipeError(f"{source}: models.{name}: needs at least two member models")
    for member in members:
        spec = find_model(member)
        if spec is None:
            raise RecipeError(
                f"{source}: models.{name}: unknown member model '{member}'"
                f"{did_you_mean(member, model_names())}"
            )
        if spec.family in ("ensemble", "dummy"):
            raise RecipeError(f"{source}: models.{name}: '{member}' cannot be a member")


def _check_models(recipe: Recipe, source: str) -> None:
    from mlwb.models import find_model, model_names

    for name, params in (recipe.models or {}).items():
        spec = find_model(name)
        if spec is None:
            raise RecipeError(
                f"{source}: models.{name}: unknown model{did_you_mean(name, model_names())}",
                "run 'mlwb models' for the catalogue",
            )
        if spec.family == "ensemble":
            _check_ensemble(name, params, source)
            continue
        if isinstance(params, list):
            raise RecipeError(
                f"{source}: models.{name}: expected a mapping of parameters, not a list",
                "a list of models is only for stack and vote",
            )
        for param, value in (params or {}).items():
            if is_searched(value) and recipe.search.strategy == "none":
                raise RecipeError(
                    f"{source}: models.{name}.{param}: a list or range is a search space, "
                    "but search.strategy is none",
                    "set search.strategy (grid, random, bayes or halving), or give one value",
                )


def _check_metrics(recipe: Recipe, source: str) -> None:
    from mlwb.metrics import get_metric

    for i, name in enumerate(recipe.metrics or []):
        get_metric(name, f"{source}: metrics[{i}]")
    if recipe.metrics is not None and len(set(recipe.metrics)) != len(recipe.metrics):
        raise RecipeError(f"{source}: metrics: lists a metric twice")
    if recipe.metrics == []:
        raise RecipeError(f"{source}: metrics: is empty", "remove it to use the task's defaults")
    if recipe.search.metric is not None:
        get_metric(recipe.search.metric, f"{source}: search.metric")


def _check_columns(recipe: Recipe, source: str) -> None:
    roles = {
        "drop": recipe.columns.drop,
        "categorical": recipe.columns.categorical,
        "numeric": recipe.columns.numeric,
        "ordinal": list(recipe.columns.ordinal),
        "datetime": recipe.columns.datetime,
    }
    seen: dict[str, str] = {}
    for role, names in roles.items():
        for name in names:
            if name == recipe.target:
                raise RecipeError(
                    f"{source}: columns.{role}: '{name}' is the target; it cannot be a feature"
                )
            if name in seen and seen[name] != role:
                raise RecipeError(
                    f"{source}: columns.{role}: '{name}' is also listed in columns.{seen[name]}",
                    "give each column one role",
                )
            seen[name] = role


def check_recipe(recipe: Recipe, source: str) -> None:
    """Raise a ``RecipeError`` for what the schema cannot see; ``source`` names the file."""
    _check_models(recipe, source)
    _check_metrics(recipe, source)
    _check_columns(recipe, source)
