"""Turn pydantic validation errors into one line per problem, each naming its key path.

A user fixes a recipe by key path, so every message starts with it
(``validation.outer.folds: expected an integer, got '5' (a string)``) and, for an unknown
key, suggests the nearest valid one from the recipe's JSON Schema.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from mlwb.suggest import did_you_mean

# Union tags added by the discriminated unions in schema.py / params.py: not recipe keys.
_TAGS = {"one", "many", "choice", "fixed", "params", "members", "defaults"}
_RANGE_TAGS = {"int", "float", "log_uniform"}
_TYPE_WORDS = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "float_parsing": "a number",
    "string_type": "a string",
    "bool_type": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping (key: value)",
    "model_type": "a mapping (key: value)",
    "model_attributes_type": "a mapping (key: value)",
    "tuple_type": "a list",
}


def _clean_loc(loc: tuple[int | str, ...]) -> list[int | str]:
    cleaned: list[int | str] = []
    parts = list(loc)
    for i, part in enumerate(parts):
        if part in _TAGS:
            continue
        # A range's union tag is followed by its own key ('int', 'int') or ends the path.
        if part in _RANGE_TAGS and (i + 1 == len(parts) or parts[i + 1] == part):
            continue
        if isinstance(part, str) and part.startswith(("function-", "list[", "dict[")):
            continue
        cleaned.append(part)
    return cleaned


def format_path(loc: list[int | str] | tuple[int | str, ...]) -> str:
    """``['features', 0, 'k']`` -> ``features[0].k``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(top level)"


@cache
def _schema() -> dict[str, Any]:
    from mlwb.recipe.schema import Recipe

    return Recipe.model_json_schema(by_alias=True)


def _resolve(node: dict[str, Any], next_part: int | str | None) -> dict[str, Any]:
    schema = _schema()
    while True:
        if "$ref" in node:
            node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
            continue
        branches = node.get("anyOf") or node.get("oneOf")
        if not branches:
            return node
        wanted = "array" if isinstance(next_part, int) else "object"
        chosen = next((b for b in branches if _resolve(b, None).get("type") == wanted), branches[0])
        node = chosen


def sibling_keys(parent: list[int | str]) -> list[str]:
    """The valid keys of the recipe mapping at ``parent`` (empty when keys are free-form)."""
    node: dict[str, Any] = _schema()
    for part in parent:
        node = _resolve(node, part)
        if isinstance(part, int):
            node = node.get("items", {})
        elif part in node.get("properties", {}):
            node = node["properties"][part]
        elif isinstance(node.get("additionalProperties"), dict):
            node = node["additionalProperties"]
        else:
            return []
    return list(_resolve(node, None).get("properties", {}))


def _describe(error: ErrorDetails, loc: list[int | str]) -> str:
    kind = error["type"]
    value = error.get("input")
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else ""
        return "unknown key" + did_you_mean(key, sibling_keys(loc[:-1]))
    if kind == "missing":
        return "required key is missing"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        return f"{value!r} is not one of {expected}" + did_you_mean(str(value), options)
    if kind in _TYPE_WORDS:
        hint = ""
        if isinstance(value, str) and kind.startswith(("int", "float")):
            hint = "; remove the quotes"
        return f"expected {_TYPE_WORDS[kind]}, got {value!r} ({type(value).__name__}){hint}"
    if kind == "finite_number":
        return "expected a finite number (inf and nan are not allowed)"
    message = error["msg"]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message[:1].lower() + message[1:]


def render_validation_error(error: ValidationError) -> list[str]:
    """One ``path: problem`` line per distinct problem, in the order pydantic found them."""
    lines: list[str] = []
    for detail in error.errors(include_url=False):
        loc = _clean_loc(detail["loc"])
        line = f"{format_path(loc)}: {_describe(detail, loc)}"
        if line not in lines:
            lines.append(line)
    return lines
