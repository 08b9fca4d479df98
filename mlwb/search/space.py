"""The recipe's search-space syntax, translated once into what each strategy consumes.

``SearchSpace`` holds the searched parameters of one model (by the recipe's own names) and
the fixed ones, and offers them as a grid of values (grid search, halving over a grid),
scipy distributions (random halving) and Optuna suggestions (grid, random and Bayesian
search). A parameter that is searched over an infinite range cannot be enumerated for a
grid: that is a recipe error naming the parameter.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import TypeAdapter

from mlwb.errors import RecipeError
from mlwb.recipe.params import (
    FloatRange,
    IntRange,
    LogUniformRange,
    ParamValue,
    format_space_value,
    is_searched,
)

Range = IntRange | FloatRange | LogUniformRange
_ADAPTER = TypeAdapter(ParamValue)


def _typed(value: Any) -> Any:
    """Catalogue spaces are plain dicts; recipe spaces are already typed."""
    if isinstance(value, IntRange | FloatRange | LogUniformRange):
        return value
    return _ADAPTER.validate_python(value)


@dataclass(frozen=True)
class SearchSpace:
    """Searched and fixed parameters of one model, by the recipe's names."""

    model: str
    searched: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_recipe(
        cls, model: str, params: Mapping[str, Any], default: Mapping[str, Any]
    ) -> SearchSpace:
        """The user's space when the recipe searches anything, else the catalogue's default
        space for every parameter the recipe does not fix."""
        given = {k: _typed(v) for k, v in params.items()}
        searched = {k: v for k, v in given.items() if is_searched(v)}
        fixed = {k: v for k, v in given.items() if not is_searched(v)}
        if not searched:
            searched = {k: _typed(v) for k, v in default.items() if k not in fixed}
        return cls(model, searched, fixed)

    def __bool__(self) -> bool:
        return bool(self.searched)

    @property
    def is_finite(self) -> bool:
        return all(isinstance(v, list) or v.is_finite for v in self.searched.values())

    def grid(self) -> dict[str, list[Any]]:
        """Every value of every parameter (grid search); infinite ranges are refused."""
        grid: dict[str, list[Any]] = {}
        for name, value in self.searched.items():
            if isinstance(value, list):
                grid[name] = list(value)
                continue
            if not value.is_finite:
                kind = {IntRange: "int", FloatRange: "float", LogUniformRange: "log_uniform"}[
                    type(value)
                ]
                hint = "add points: N" if kind == "log_uniform" else "add step: S"
                raise RecipeError(
                    f"models.{self.model}.{name}: grid search cannot enumerate an infinite "
                    f"{kind} range",
                    f"{hint} to make it finite, or give a list of values",
                )
            grid[name] = _enumerate(value)
        return grid

    def size(self) -> int | None:
        """Number of grid points, or None when the space is infinite."""
        if not self.is_finite:
            return None
        return math.prod(len(v) for v in self.grid().values())

    def distributions(self) -> dict[str, Any]:
        """scipy.stats distributions (lists stay lists) for randomised search."""
        from scipy import stats

        result: dict[str, Any] = {}
        for name, value in self.searched.items():
            if isinstance(value, list):
                result[name] = list(value)
            elif isinstance(value, IntRange):
                low, high = value.int_
                result[name] = stats.randint(low, high + 1) if not value.log else _LogInt(low, high)
            elif isinstance(value, FloatRange):
                low, high = value.bounds
                result[name] = stats.uniform(low, high - low)
            else:
                result[name] = stats.loguniform(*value.bounds)
        return result

    def suggest(self, trial: Any) -> dict[str, Any]:
        """Optuna suggestions for one trial."""
        params: dict[str, Any] = {}
        for name, value in self.searched.items():
            if isinstance(value, list):
                params[name] = trial.suggest_categorical(name, value)
            elif isinstance(value, IntRange):
                low, high = value.int_
                params[name] = trial.suggest_int(
                    name, low, high, step=1 if value.log else value.step, log=value.log
                )
            elif isinstance(value, FloatRange):
                low, high = value.bounds
                params[name] = trial.suggest_float(name, low, high, step=value.step)
            else:
                low, high = value.bounds
                if value.points:
                    params[name] = trial.suggest_categorical(name, _enumerate(value))
                else:
                    params[name] = trial.suggest_float(name, low, high, log=True)
        return params

    def describe(self) -> dict[str, str]:
        """``{param: "log-uniform 0.001–1000"}`` for reports."""
        return {name: format_space_value(_plain(value)) for name, value in self.searched.items()}


def _enumerate(value: Range) -> list[Any]:
    if isinstance(value, IntRange):
        low, high = value.int_
        return list(range(low, high + 1, value.step))
    if isinstance(value, FloatRange):
        low, high = value.bounds
        assert value.step is not None
        count = math.floor((high - low) / value.step + 1e-9) + 1
        return [round(low + i * value.step, 12) for i in range(count)]
    low, high = value.bounds
    assert value.points is not None
    return [float(v) for v in np.geomspace(low, high, value.points)]


def _plain(value: Any) -> Any:
    if isinstance(value, IntRange | FloatRange | LogUniformRange):
        return value.model_dump(by_alias=True, exclude_defaults=True)
    return value


class _LogInt:
    """Integers spread evenly on a log scale (scipy has no such discrete distribution)."""

    def __init__(self, low: int, high: int) -> None:
        self.low, self.high = low, high

    def rvs(self, size: Any = None, random_state: Any = None) -> Any:
        from scipy import stats

        values = stats.loguniform(self.low, self.high + 1).rvs(size=size, random_state=random_state)
        return np.clip(np.floor(values), self.low, self.high).astype(int)
