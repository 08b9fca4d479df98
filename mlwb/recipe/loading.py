"""Read a recipe file, apply ``--set`` overrides, validate, and write it back resolved."""

from __future__ import annotations

import copy
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from mlwb.errors import RecipeError, UsageError
from mlwb.recipe.errors_render import render_validation_error
from mlwb.recipe.schema import Recipe
from mlwb.recipe.yaml_loader import MAX_DEPTH, YamlProblem, load_yaml, nesting_depth

MAX_RECIPE_BYTES = 1_000_000


def read_recipe_file(path: Path) -> dict[str, Any]:
    """The raw mapping in a recipe file; errors name the file (and line)."""
    if not path.exists():
        raise UsageError(f"{path}: recipe file not found", "check the path")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder, not a recipe file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"{path}: cannot read the recipe ({error.strerror})") from error
    if len(raw) > MAX_RECIPE_BYTES:
        raise RecipeError(f"{path}: recipe is larger than {MAX_RECIPE_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise RecipeError(f"{path}: recipe is not UTF-8 text", "save it as UTF-8") from error
    try:
        data = load_yaml(text)
    except YamlProblem as problem:
        where = f"{path}:{problem.line}" if problem.line else str(path)
        raise RecipeError(f"{where}: {problem}") from problem
    if data is None:
        raise RecipeError(f"{path}: recipe is empty", "the smallest recipe is 'target: COLUMN'")
    if not isinstance(data, dict):
        raise RecipeError(
            f"{path}: a recipe is a mapping of keys (like 'target: y'), not a {type(data).__name__}"
        )
    return data


MAX_SHOWN = 60


def _shown(text: str) -> str:
    """An override as quoted in an error: cut short, so a huge value stays one line."""
    return repr(text if len(text) <= MAX_SHOWN else text[:MAX_SHOWN] + "…")


def parse_override(text: str) -> tuple[list[str | int], Any]:
    """``"search.trials=40"`` -> ``(["search", "trials"], 40)``; the value is read as YAML."""
    key, sep, raw_value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise UsageError(
            f"--set {_shown(text)}: expected KEY.PATH=VALUE, e.g. --set search.trials=40"
        )
    parts: list[str | int] = []
    for part in key.split("."):
        if not part:
            raise UsageError(f"--set {_shown(text)}: empty component in the key path")
        parts.append(int(part) if part.isdigit() else part)
    try:
        value = load_yaml(raw_value) if raw_value.strip() else None
    except YamlProblem as problem:
        raise UsageError(
            f"--set {_shown(text)}: the value is not valid YAML ({problem})"
        ) from problem
    return parts, value


def apply_overrides(data: dict[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """A copy of ``data`` with each ``KEY.PATH=VALUE`` set, creating mappings as needed."""
    result = copy.deepcopy(data)
    for text in overrides:
        parts, value = parse_override(text)
        node: Any = result
        for depth, part in enumerate(parts[:-1]):
            here = ".".join(str(p) for p in parts[: depth + 1])
            if isinstance(node, dict):
                child = node.get(part)
                if child is None:
                    child = node[part] = {}
                node = child
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                raise UsageError(f"--set {_shown(text)}: '{here}' is not a mapping in the recipe")
        last = parts[-1]
        if isinstance(node, dict) or (
            isinstance(node, list) and isinstance(last, int) and last < len(node)
        ):
            node[last] = value
        else:
            raise UsageError(
                f"--set {_shown(text)}: cannot set '{last}' inside a non-mapping value"
            )
    return result


def validate_recipe(data: dict[str, Any], source: str) -> Recipe:
    """A typed ``Recipe`` from a raw mapping; a ``RecipeError`` lists every problem found.

    The nesting is checked first: a mapping from Python (or built by ``--set`` key paths)
    has not been through the YAML loader's limit, and validation recurses into values.
    """
    if nesting_depth(data) > MAX_DEPTH:
        raise RecipeError(
            f"{source}: values are nested more than {MAX_DEPTH} levels deep",
            "a recipe needs a handful of levels",
        )
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as error:
        lines = render_validation_error(error)
        raise RecipeError(f"{source}: {lines[0]}", details=tuple(lines[1:])) from None
    from mlwb.recipe.checks import check_recipe

    check_recipe(recipe, source)
    return recipe


def load_recipe(path: Path, overrides: Sequence[str] = ()) -> Recipe:
    """Read, override and validate a recipe file; ``name`` defaults to the file's stem."""
    data = apply_overrides(read_recipe_file(path), overrides)
    data.setdefault("name", path.stem)
    return validate_recipe(data, str(path))


def recipe_from_mapping(data: dict[str, Any], name: str = "recipe") -> Recipe:
    """Validate a recipe given as a Python mapping (library use)."""
    data = dict(data)
    data.setdefault("name", name)
    return validate_recipe(data, name)


def resolved_yaml(recipe: Recipe) -> str:
    """The recipe with every default filled in, as YAML that loads back to the same recipe."""
    data = recipe.model_dump(mode="json", by_alias=True)
    header = "# The recipe as mlwb ran it: every default filled in.\n"
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    if load_yaml(text) != data:
        # Characters YAML treats as line breaks (NEL, U+2028) survive only when escaped.
        text = yaml.safe_dump(data, sort_keys=False, allow_unicode=False)
    return header + text
