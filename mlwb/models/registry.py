"""The model registry: built-in entries register exactly as an extension would."""

from __future__ import annotations

from mlwb.models.spec import ModelSpec
from mlwb.recipe.schema import Task

_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add ``spec`` to the catalogue; a second entry with the same name is a bug."""
    if spec.name in _REGISTRY:
        raise ValueError(f"model {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def _ensure_builtins() -> None:
    if not _REGISTRY:
        from mlwb.models import builtin  # noqa: F401 - registers on import


def model_names(task: Task | None = None) -> list[str]:
    """Registered names, in catalogue order, optionally only those supporting ``task``."""
    _ensure_builtins()
    return [n for n, s in _REGISTRY.items() if task is None or s.supports(task)]


def find_model(name: str) -> ModelSpec | None:
    """The spec registered under ``name``, or None."""
    _ensure_builtins()
    return _REGISTRY.get(name)


def all_models() -> list[ModelSpec]:
    """Every registered spec, in catalogue order."""
    _ensure_builtins()
    return list(_REGISTRY.values())
