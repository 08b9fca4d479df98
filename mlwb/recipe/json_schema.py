"""The recipe's JSON Schema (``mlwb schema``), generated from the pydantic models.

Editors (VS Code's YAML extension, JetBrains IDEs) use it to complete keys, show each key's
description and flag mistakes as the recipe is typed. The pydantic models stay the one
source of truth: the schema is derived, never edited by hand.
"""

from __future__ import annotations

from typing import Any

from mlwb.recipe.schema import Recipe

DIALECT = "https://json-schema.org/draft/2020-12/schema"
_KEYWORDS = {"gt": "exclusiveMinimum", "lt": "exclusiveMaximum", "ge": "minimum", "le": "maximum"}


def _standard(node: Any) -> Any:
    """pydantic writes constraints on a union's branches under their Python names (``gt``);
    rename them to the JSON Schema keywords so validators apply them."""
    if isinstance(node, dict):
        renamed = {}
        for key, value in node.items():
            standard = _KEYWORDS.get(key) if isinstance(value, int | float) else None
            renamed[standard or key] = _standard(value)
        return renamed
    if isinstance(node, list):
        return [_standard(item) for item in node]
    return node


def recipe_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an mlwb recipe."""
    schema = _standard(Recipe.model_json_schema(by_alias=True, mode="validation"))
    return {
        "$schema": DIALECT,
        "$id": "https://mlwb.dev/schema/recipe.json",
        "title": "mlwb recipe",
        **{k: v for k, v in schema.items() if k != "title"},
    }
