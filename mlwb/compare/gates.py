"""Quality gates: ``roc_auc >= 0.80`` checked after a run, for CI.

A gate that cannot be evaluated — a metric the run does not have, a score that is
undefined — fails: a CI job must never pass because nothing was checked.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from mlwb.errors import RecipeError, UsageError
from mlwb.metrics import METRICS
from mlwb.suggest import did_you_mean

OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": operator.eq,
}
_EXPRESSION = re.compile(r"^\s*(>=|<=|==|>|<)\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*$")
_COMMAND_LINE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*([<>=].*)$")


@dataclass(frozen=True)
class Gate:
    """One condition on one metric."""

    metric: str
    op: str
    threshold: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.threshold:g}"


@dataclass(frozen=True)
class GateResult:
    """A gate checked against a value (None when the run could not provide one)."""

    gate: Gate
    value: float | None
    source: str
    passed: bool

    @property
    def reason(self) -> str:
        if self.value is None or math.isnan(self.value):
            return f"cannot be evaluated: no {self.gate.metric} in {self.source}"
        verdict = "passed" if self.passed else "failed"
        return f"{verdict}: {self.gate.metric} {self.value:.4f} ({self.source})"


def parse_condition(metric: str, text: str, key: str, error: type[Exception]) -> Gate:
    """``(">= 0.8")`` for ``metric``: a ``RecipeError``/``UsageError`` naming ``key``."""
    if metric not in METRICS:
        raise error(f"{key}: unknown metric '{metric}'{did_you_mean(metric, METRICS)}")
    match = _EXPRESSION.match(str(text))
    if not match:
        raise error(
            f"{key}: {text!r} is not a condition", 'write an operator and a number, e.g. ">= 0.8"'
        )
    return Gate(metric, match.group(1), float(match.group(2)))


def recipe_gates(gates: Mapping[str, str]) -> list[Gate]:
    """The recipe's ``gates:`` mapping, checked."""
    return [parse_condition(m, t, f"gates.{m}", RecipeError) for m, t in gates.items()]


def command_line_gates(texts: Sequence[str]) -> list[Gate]:
    """``--gate 'roc_auc>=0.8'`` options, checked."""
    gates = []
    for text in texts:
        match = _COMMAND_LINE.match(text)
        if not match:
            raise UsageError(
                f"--gate {text!r}: expected METRIC OP NUMBER", "e.g. --gate 'roc_auc>=0.8'"
            )
        gates.append(
            parse_condition(match.group(1), match.group(2), f"--gate {text!r}", UsageError)
        )
    return gates


def check_gates(
    gates: Sequence[Gate], scores: Mapping[str, float], source: str
) -> list[GateResult]:
    """Each gate against ``scores``; a missing or undefined score fails."""
    results = []
    for gate in gates:
        value = scores.get(gate.metric)
        defined = value is not None and not math.isnan(value)
        passed = defined and OPERATORS[gate.op](float(value), gate.threshold)  # type: ignore[arg-type]
        results.append(GateResult(gate, value, source, bool(passed)))
    return results


def failure_message(results: Sequence[GateResult]) -> str | None:
    """One line naming every failed gate, or None when all passed."""
    failed = [r for r in results if not r.passed]
    if not failed:
        return None
    return "quality gate failed: " + "; ".join(f"{r.gate} — {r.reason}" for r in failed)
