"""Typed search-space values for ``models.<name>.<param>`` in a recipe.

A scalar fixes a parameter, a list is a choice, and ``{int: [lo, hi]}``,
``{float: [lo, hi]}`` and ``{log_uniform: [lo, hi]}`` are ranges (``step:`` makes an int or
float range finite, ``points:`` a log-uniform one). These are the recipe's *syntax*;
``mlwb.search.space`` translates them into grids, scipy distributions and Optuna
suggestions.

The union is discriminated by a function of the raw value so that a mistake produces one
error naming the parameter, not one per union member.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    StrictBool,
    StrictFloat,
    StrictInt,
    Tag,
    WithJsonSchema,
    model_validator,
)


def _check_scalar(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value
    raise ValueError(f"expected a number, string, boolean or null, got {type(value).__name__}")


Scalar = Annotated[
    Any,
    PlainValidator(_check_scalar),
    WithJsonSchema({"type": ["number", "string", "boolean", "null"]}),
]
Number = StrictInt | StrictFloat
Bounds = Annotated[list[Number], Field(min_length=2, max_length=2)]


class _Range(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, populate_by_name=True, frozen=True
    )

    @property
    def bounds(self) -> tuple[float, float]:
        """The (low, high) pair, whatever the range's kind."""
        raise NotImplementedError

    @property
    def is_finite(self) -> bool:
        """True when the range has a finite list of values (grid search can enumerate it)."""
        return False


class IntRange(_Range):
    """``{int: [lo, hi], step: s}``: integers from lo to hi inclusive."""

    int_: Annotated[list[StrictInt], Field(min_length=2, max_length=2)] = Field(
        alias="int", description="Inclusive integer bounds [low, high]."
    )
    step: StrictInt = Field(1, gt=0, description="Spacing of values.")
    log: StrictBool = Field(False, description="Sample on a log scale (low must be > 0).")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        low, high = self.int_
        if low >= high:
            raise ValueError(f"int range needs low < high, got [{low}, {high}]")
        if self.log and low <= 0:
            raise ValueError(f"a log-scale int range needs low > 0, got {low}")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        return (float(self.int_[0]), float(self.int_[1]))

    @property
    def is_finite(self) -> bool:
        return True


class FloatRange(_Range):
    """``{float: [lo, hi], step: s}``: real numbers from lo to hi."""

    float_: Bounds = Field(alias="float", description="Bounds [low, high].")
    step: Number | None = Field(None, gt=0, description="Spacing; makes the range finite.")

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        low, high = self.float_
        if low >= high:
            raise ValueError(f"float range needs low < high, got [{low}, {high}]")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        return (float(self.float_[0]), float(self.float_[1]))

    @property
    def is_finite(self) -> bool:
        return self.step is not None


class LogUniformRange(_Range):
    """``{log_uniform: [lo, hi]}``: real numbers spread evenly on a log scale."""

    log_uniform: Bounds = Field(description="Bounds [low, high], both > 0.")
    points: StrictInt | None = Field(
        None, ge=2, description="Makes the range finite: this many log-spaced values."
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        low, high = self.log_uniform
        if low <= 0:
            raise ValueError(f"log_uniform needs low > 0, got {low}")
        if low >= high:
            raise ValueError(f"log_uniform needs low < high, got [{low}, {high}]")
        return self

    @property
    def bounds(self) -> tuple[float, float]:
        return (float(self.log_uniform[0]), float(self.log_uniform[1]))

    @property
    def is_finite(self) -> bool:
        return self.points is not None


RANGE_KEYS = ("int", "float", "log_uniform")


def _param_kind(value: Any) -> str | None:
    if isinstance(value, dict | IntRange | FloatRange | LogUniformRange):
        if isinstance(value, _Range):
            return {IntRange: "int", FloatRange: "float", LogUniformRange: "log_uniform"}[
                type(value)
            ]
        kinds = [k for k in RANGE_KEYS if k in value]
        return kinds[0] if len(kinds) == 1 else None
    if isinstance(value, list):
        return "choice"
    return "fixed"


ParamValue = Annotated[
    Annotated[IntRange, Tag("int")]
    | Annotated[FloatRange, Tag("float")]
    | Annotated[LogUniformRange, Tag("log_uniform")]
    | Annotated[list[Scalar], Tag("choice")]
    | Annotated[Scalar, Tag("fixed")],
    Discriminator(
        _param_kind,
        custom_error_type="param_value",
        custom_error_message="expected a value, a list of choices, or one of "
        "{int: [low, high]}, {float: [low, high]}, {log_uniform: [low, high]}",
    ),
]

Range = IntRange | FloatRange | LogUniformRange


def is_searched(value: object) -> bool:
    """True when a parameter value asks for a search (a choice list or a range)."""
    return isinstance(value, list | IntRange | FloatRange | LogUniformRange)


def format_space_value(value: Any) -> str:
    """``{log_uniform: [0.001, 1000]}`` -> ``log-uniform 0.001–1000`` (for people)."""
    if isinstance(value, dict):
        kind = next(k for k in ("int", "float", "log_uniform") if k in value)
        low, high = value[kind]
        label = {"int": "int", "float": "float", "log_uniform": "log-uniform"}[kind]
        if value.get("log") and kind == "int":
            label = "int, log scale"
        return f"{label} {low:g}–{high:g}"
    if isinstance(value, list):
        return " | ".join("none" if v is None else str(v) for v in value)
    return str(value)
