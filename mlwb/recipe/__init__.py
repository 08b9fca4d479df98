"""The recipe: typed schema, YAML loading, ``--set`` overrides and checks."""

from mlwb.recipe.loading import (
    apply_overrides,
    load_recipe,
    recipe_from_mapping,
    resolved_yaml,
    validate_recipe,
)
from mlwb.recipe.schema import RECIPE_VERSION, Recipe, Task

__all__ = [
    "RECIPE_VERSION",
    "Recipe",
    "Task",
    "apply_overrides",
    "load_recipe",
    "recipe_from_mapping",
    "resolved_yaml",
    "validate_recipe",
]
