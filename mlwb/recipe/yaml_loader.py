"""A safe YAML loader with YAML 1.2 scalars, no duplicate keys and bounded aliases.

PyYAML's ``safe_load`` follows YAML 1.1: ``no``/``off`` become ``False`` (so ``positive:
no`` silently means the boolean), ``1e-3`` stays a string, ``12:30`` becomes ``750``, and a
duplicated key silently keeps the last value. A recipe is configuration a CI job trusts, so
this loader resolves only ``true``/``false`` as booleans, reads ``1e-3`` as a float, keeps
everything else a string, refuses duplicate keys with their line, and refuses documents
whose aliases expand to an unreasonable size.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_NODES = 100_000

_DROPPED_TAGS = {
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp",
}


class YamlProblem(ValueError):
    """A YAML document that cannot be read, with its line (1-based) when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class RecipeYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars and duplicate-key detection."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError as error:
                raise YamlProblem(
                    "a mapping key must be a plain value", key_node.start_mark.line + 1
                ) from error
            if key in seen:
                raise YamlProblem(
                    f"duplicate key '{key}' (first on line {seen[key]}); each key may appear once",
                    key_node.start_mark.line + 1,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


RecipeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RecipeYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
RecipeYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
RecipeYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _count_nodes(value: Any, budget: int) -> int:
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        count += 1
        if count > budget:
            return count
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_yaml(text: str) -> Any:
    """Parse one YAML document with the recipe rules; raises ``YamlProblem``."""
    try:
        data = yaml.load(text, Loader=RecipeYamlLoader)
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise YamlProblem(f"invalid YAML: {problem}", line) from error
    except yaml.YAMLError as error:
        raise YamlProblem(f"invalid YAML: {error}") from error
    if _count_nodes(data, MAX_NODES) > MAX_NODES:
        raise YamlProblem(f"the document expands to more than {MAX_NODES} values (aliases?)")
    return data
