"""A safe YAML loader with YAML 1.2 scalars, no duplicate keys and bounded aliases.

PyYAML's ``safe_load`` follows YAML 1.1: ``no``/``off`` become ``False`` (so ``positive:
no`` silently means the boolean), ``1e-3`` stays a string, ``12:30`` becomes ``750``, and a
duplicated key silently keeps the last value. A recipe is configuration a CI job trusts, so
this loader resolves only ``true``/``false`` as booleans, reads ``1e-3`` as a float, keeps
everything else a string, refuses duplicate keys with their line, and refuses documents
whose aliases expand to an unreasonable size or that nest deeper than any recipe does
(``MAX_DEPTH``): PyYAML composes and constructs nested values recursively, so thousands of
``[`` would otherwise end in a ``RecursionError`` — and so would every later step that walks
the value (validation, copying, ``--set``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import yaml

MAX_NODES = 100_000
# Deepest nesting of collections accepted; a recipe needs about five levels
# (models.<name>.<param>.{int: [lo, hi]}), ``--set`` values a few more.
MAX_DEPTH = 50

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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [item for pair in node.value for item in pair]
    return []


def _too_deep(node: yaml.Node) -> YamlProblem:
    return YamlProblem(
        f"values are nested more than {MAX_DEPTH} levels deep; a recipe needs a handful",
        node.start_mark.line + 1,
    )


def check_node_depth(root: yaml.Node) -> None:
    """Refuse a composed document nested deeper than ``MAX_DEPTH`` or with an alias that
    refers to a value containing it; iterative, so the check itself cannot overflow.

    The composer limits the depth of what is written; this also bounds what aliases build
    (``b: &b [*a]`` adds a level to ``a`` on every line).
    """
    depth: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            depth[key] = 1 + max((depth[id(c)] for c in _children(node)), default=0)
            if depth[key] > MAX_DEPTH:
                raise _too_deep(node)
            continue
        if key in depth:
            continue
        if key in on_path:
            raise YamlProblem(
                "an alias refers to a value that contains it", node.start_mark.line + 1
            )
        on_path.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in depth)


class RecipeYamlLoader(yaml.SafeLoader):
    """SafeLoader with YAML 1.2 core-schema scalars, duplicate-key detection and bounded
    nesting."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """PyYAML's recursive composition, refused beyond ``MAX_DEPTH`` levels (before
        Python's recursion limit is anywhere near)."""
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise _too_deep(self.peek_event())
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def get_single_data(self) -> Any:
        """The document's value, after checking the depth of its composed nodes."""
        node = self.get_single_node()
        if node is None:
            return None
        check_node_depth(node)
        return self.construct_document(node)

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, yaml.MappingNode):  # PyYAML's own error, with the line
            return super().construct_mapping(node, deep=deep)
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


_BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
_INT = re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$")
_FLOAT = re.compile(
    r"^(?:[-+]?(?:\.[0-9]+|(?:0|[1-9][0-9]*)(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
    r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
)

RecipeYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _DROPPED_TAGS]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
RecipeYamlLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("tTfF"))
RecipeYamlLoader.add_implicit_resolver("tag:yaml.org,2002:int", _INT, list("-+0123456789"))
RecipeYamlLoader.add_implicit_resolver("tag:yaml.org,2002:float", _FLOAT, list("-+0123456789."))

Constructor = Callable[[yaml.SafeLoader, yaml.Node], Any]


def _explicit(kind: str, pattern: re.Pattern[str], construct: Constructor) -> Constructor:
    """A constructor for an explicit ``!!int``/``!!float``/``!!bool`` tag that accepts what
    the same tag accepts implicitly. PyYAML's own constructors assume the text already
    matched their resolver, so ``!!int abc`` or ``!!int`` alone would raise ``ValueError``
    or ``IndexError`` from inside PyYAML instead of a YAML problem with its line."""

    def constructor(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        value = loader.construct_scalar(node)  # a ConstructorError for a list or mapping
        if not pattern.fullmatch(value):
            raise YamlProblem(f"{value!r} is not a valid !!{kind} value", node.start_mark.line + 1)
        return construct(loader, node)

    return constructor


def _not_in_recipes(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
    """Dates, binary data, sets and ordered pairs are never recipe values; refusing the
    tags keeps PyYAML's less-travelled constructors (some of which fail with a bare
    ``AttributeError`` or ``ValueError`` on odd input) out of the way."""
    kind = node.tag.rsplit(":", 1)[-1]
    raise YamlProblem(f"!!{kind} values are not used in recipes", node.start_mark.line + 1)


for _kind, _pattern, _construct in (
    ("int", _INT, yaml.SafeLoader.construct_yaml_int),
    ("float", _FLOAT, yaml.SafeLoader.construct_yaml_float),
    ("bool", _BOOL, yaml.SafeLoader.construct_yaml_bool),
):
    RecipeYamlLoader.add_constructor(
        f"tag:yaml.org,2002:{_kind}", _explicit(_kind, _pattern, _construct)
    )
for _kind in ("timestamp", "binary", "set", "omap", "pairs"):
    RecipeYamlLoader.add_constructor(f"tag:yaml.org,2002:{_kind}", _not_in_recipes)


def nesting_depth(value: Any, limit: int = MAX_DEPTH) -> int:
    """Levels of lists and mappings in ``value`` (a scalar is 1), counted without recursion
    and only up to ``limit + 1``: a self-referencing value is simply "too deep"."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, level = stack.pop()
        deepest = max(deepest, level)
        if deepest > limit:
            return deepest
        if isinstance(item, dict):
            stack.extend((child, level + 1) for child in (*item.keys(), *item.values()))
        elif isinstance(item, list | tuple):
            stack.extend((child, level + 1) for child in item)
    return deepest


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
