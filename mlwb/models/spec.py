"""What the catalogue knows about a model: one ``ModelSpec`` per name.

A spec is data plus one factory. Everything the pipeline builder and the search need to
treat a model correctly — which tasks it can do, whether it needs scaling, how it takes
categorical columns and class weights, which regression losses it offers — is stated here
once, so adding a model is one entry and never an ``if name == ...`` elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from mlwb.tasks import ALL_TASKS, CLASSIFICATION, REGRESSION, Task

Family = Literal["linear", "distance", "kernel", "tree", "boosting", "bayes", "dummy", "ensemble"]
CategoricalStyle = Literal["onehot", "ordinal", "native"]
ClassWeightStyle = Literal[
    "class_weight", "scale_pos_weight", "auto_class_weights", "sample_weight", "none"
]
Loss = Literal["squared", "absolute", "huber", "quantile"]
SQUARED_ONLY: frozenset[str] = frozenset({"squared"})


@dataclass(frozen=True)
class ModelContext:
    """What a factory needs to build an unfitted estimator.

    ``loss`` and ``quantile`` are the recipe's library-neutral regression loss
    (``models.<name>.loss``); each factory maps them to its library's own objective.
    """

    task: Task
    seed: int
    threads: int = 1
    loss: str = "squared"
    quantile: float = 0.5
    members: tuple[tuple[str, Any], ...] = ()

    @property
    def regression(self) -> bool:
        return self.task == "regression"


Factory = Callable[[ModelContext], Any]


@dataclass(frozen=True)
class PortfolioEntry:
    """One configuration known to do well across many tabular datasets: parameters by the
    recipe's names (overriding the catalogue's defaults), the tasks it is for, and where
    it comes from."""

    params: Mapping[str, Any]
    source: str
    tasks: frozenset[Task] = ALL_TASKS


@dataclass(frozen=True)
class ModelSpec:
    """One catalogue entry.

    ``default_space`` uses the recipe's search-space syntax (``{int: [2, 8]}``, lists, …) and
    is what ``models: {name: {}}`` searches; ``regression_space`` replaces it for regression
    when the regressor's parameters differ. ``native_strings``: the library reads categories
    as text (CatBoost) rather than as pandas categoricals; ``max_native_levels`` caps how
    many levels it takes natively (more fall back to ordinal codes).
    """

    name: str
    summary: str
    tasks: frozenset[Task]
    family: Family
    factory: Factory
    default_space: Mapping[str, Any] = field(default_factory=dict)
    regression_space: Mapping[str, Any] | None = None
    needs_scaling: bool = False
    categorical: CategoricalStyle = "onehot"
    handles_missing: bool = False
    regularised: bool = True
    class_weight: ClassWeightStyle = "class_weight"
    losses: frozenset[str] = SQUARED_ONLY
    native_strings: bool = False
    max_native_levels: int | None = None
    early_stopping: bool = False
    rounds_param: str | None = None  # the boosting rounds' parameter (n_estimators, …)
    portfolio: tuple[PortfolioEntry, ...] = ()
    # A configuration's time relative to LightGBM's on the same data (FLAML's
    # cost_relative2lgbm): the budgeted search measures one model and skips another whose
    # first configuration would not fit in the time left, instead of overrunning the budget.
    relative_cost: float = 1.0

    def supports(self, task: Task) -> bool:
        """True when this model can be used for ``task``."""
        return task in self.tasks

    def space(self, task: Task) -> Mapping[str, Any]:
        """The default search space for ``task``."""
        if task == "regression" and self.regression_space is not None:
            return self.regression_space
        return self.default_space

    def portfolio_for(self, task: Task) -> tuple[PortfolioEntry, ...]:
        """The portfolio entries for ``task``, in order (the first is tried first); the
        catalogue's own defaults when the entry has none."""
        entries = tuple(e for e in self.portfolio if task in e.tasks)
        return entries or (PortfolioEntry({}, "the catalogue's defaults"),)

    def build(self, context: ModelContext) -> Any:
        """A new unfitted estimator for ``context`` (classifier or regressor by task)."""
        return self.factory(context)


_REGISTRY: dict[str, ModelSpec] = {}


def register(spec: ModelSpec) -> ModelSpec:
    """Add ``spec`` to the catalogue; a second entry with the same name is a bug.

    The store lives beside the spec so that entry modules (built-in or an extension's)
    import only this module: the registry's queries import the built-in entries, never
    the other way round.
    """
    if spec.name in _REGISTRY:
        raise ValueError(f"model {spec.name!r} is already registered")
    _REGISTRY[spec.name] = spec
    return spec


def registered() -> dict[str, ModelSpec]:
    """The entries registered so far, by name (the registry's queries load the built-ins
    first)."""
    return _REGISTRY


__all__ = [
    "ALL_TASKS",
    "CLASSIFICATION",
    "REGRESSION",
    "ModelContext",
    "ModelSpec",
    "PortfolioEntry",
    "register",
    "registered",
]
