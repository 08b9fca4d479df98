"""What the catalogue knows about a model: one ``ModelSpec`` per name.

A spec is data plus one factory. Everything the pipeline builder and the search need to
treat a model correctly — which tasks it can do, whether it needs scaling, how it takes
categorical columns and class weights, which parameter sets its thread count — is stated
here once, so adding a model is one entry and never an ``if name == ...`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mlwb.recipe.schema import Task

Family = Literal["linear", "distance", "kernel", "tree", "boosting", "bayes", "dummy", "ensemble"]
CategoricalStyle = Literal["onehot", "ordinal", "native"]
ClassWeightStyle = Literal[
    "class_weight", "scale_pos_weight", "auto_class_weights", "sample_weight", "none"
]
CLASSIFICATION: frozenset[Task] = frozenset({"binary", "multiclass"})
ALL_TASKS: frozenset[Task] = frozenset({"binary", "multiclass", "regression"})


@dataclass(frozen=True)
class ModelContext:
    """What a factory needs to build an unfitted estimator."""

    task: Task
    seed: int
    threads: int = 1


Factory = Callable[[ModelContext], Any]


@dataclass(frozen=True)
class ModelSpec:
    """One catalogue entry.

    ``default_space`` uses the recipe's search-space syntax (``{int: [2, 8]}``, lists, …) and
    is what ``models: {name: {}}`` searches. ``fixed`` are parameters mlwb always sets (quiet
    libraries, sensible defaults) and the user may override.
    """

    name: str
    summary: str
    tasks: frozenset[Task]
    family: Family
    factory: Factory
    default_space: Mapping[str, Any] = field(default_factory=dict)
    needs_scaling: bool = False
    categorical: CategoricalStyle = "onehot"
    handles_missing: bool = False
    regularised: bool = True
    class_weight: ClassWeightStyle = "class_weight"

    def supports(self, task: Task) -> bool:
        """True when this model can be used for ``task``."""
        return task in self.tasks

    def build(self, context: ModelContext) -> Any:
        """A new unfitted estimator for ``context`` (classifier or regressor by task)."""
        return self.factory(context)
