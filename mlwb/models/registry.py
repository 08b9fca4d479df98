"""The model registry: built-in entries register exactly as an extension would."""

from __future__ import annotations

from mlwb.models.spec import ModelSpec, register, registered
from mlwb.tasks import Task

__all__ = ["all_models", "find_model", "model_names", "register"]


def _ensure_builtins() -> None:
    """Import the built-in entries once (importing one of their modules alone, as
    ``mlwb.models.baseline``, registers only that module's entries)."""
    from mlwb.models import builtin  # noqa: F401 - registers on first import


FAMILY_ORDER = ("dummy", "linear", "distance", "kernel", "bayes", "tree", "boosting", "ensemble")


def _ordered() -> list[ModelSpec]:
    _ensure_builtins()
    rank = {family: i for i, family in enumerate(FAMILY_ORDER)}
    return sorted(registered().values(), key=lambda s: rank.get(s.family, len(rank)))


def model_names(task: Task | None = None) -> list[str]:
    """Registered names, in catalogue order, optionally only those supporting ``task``."""
    return [s.name for s in _ordered() if task is None or s.supports(task)]


def find_model(name: str) -> ModelSpec | None:
    """The spec registered under ``name``, or None."""
    _ensure_builtins()
    return registered().get(name)


def all_models() -> list[ModelSpec]:
    """Every registered spec, in catalogue order (by family, simplest first)."""
    return _ordered()
