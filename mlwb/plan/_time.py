"""The whole command's time budget: how it is resolved, how it is shared, and the clock
that every stage asks how much is left.

A budget bounds everything a command does — reading, evaluation and search, the ensemble,
the final refit, diagnostics and the report. It is planned rather than enforced by
killing: the evaluation runs until only the time the later stages need is left (their
reserve, re-estimated from the fits measured so far), diagnostics get a fixed share, and
each stage says what it cut. With a budget the set of configurations tried depends on the
machine's speed; ``budget: none`` gives results that depend on the seed alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

DEFAULT_BUDGET = 60.0  # seconds, when the recipe names no models
DIAGNOSTICS_SHARE = 0.15  # of the budget, for the learning curve and permutation importance
# Without a budget, diagnostics may take twice as long as the evaluation did, and at least
# a minute: generous enough that ordinary runs never depend on the machine's speed, while
# wide data (where they cost hundreds of times the evaluation) stays bounded.
DIAGNOSTICS_EVALUATION_SHARE = 2.0
DIAGNOSTICS_FLOOR = 60.0
REPORT_SECONDS = 3.0  # writing the run folder and drawing the report's figures
MARGIN = 0.05  # of the budget: estimates are estimates


@dataclass(frozen=True)
class TimeBudget:
    """The resolved budget: ``seconds`` (None: no budget) and where it came from."""

    seconds: float | None
    source: str = ""

    def __bool__(self) -> bool:
        return self.seconds is not None

    @property
    def diagnostics(self) -> float | None:
        return None if self.seconds is None else DIAGNOSTICS_SHARE * self.seconds

    @property
    def margin(self) -> float:
        return 0.0 if self.seconds is None else MARGIN * self.seconds

    def describe(self) -> str:
        """How the budget is shared, for the plan and the run's header."""
        if self.seconds is None:
            return "none (every planned fit runs)"
        return (
            f"{self.seconds:g} s ({self.source}): evaluation and search until only the "
            f"refit, diagnostics (≤ {DIAGNOSTICS_SHARE:.0%}) and report are left"
        )


def resolve_budget(value: float | str | None, models_named: bool) -> TimeBudget:
    """The recipe's ``budget`` (already merged with ``--budget``): a number of seconds,
    ``none``, or unset — 60 s when the recipe names no models, else no budget."""
    if value == "none":
        return TimeBudget(None, "budget: none")
    if value is not None:
        return TimeBudget(float(value), "budget")
    if models_named:
        return TimeBudget(None, "models named, no budget set")
    return TimeBudget(DEFAULT_BUDGET, "the default when no models are named")


@dataclass
class RunClock:
    """Time since the command started, and what the budget leaves for each stage.

    ``reserve`` is what the stages after the evaluation are expected to need (the refit
    of the likely final model, diagnostics, the report); the evaluation updates it as it
    measures fits.
    """

    budget: TimeBudget
    started: float = field(default_factory=time.monotonic)
    reserve: float = REPORT_SECONDS
    cuts: list[str] = field(default_factory=list)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        """Seconds left in the budget (infinite without one)."""
        if self.budget.seconds is None:
            return float("inf")
        return self.budget.seconds - self.elapsed()

    def evaluation_left(self) -> float:
        """Seconds the evaluation may still use before the later stages' reserve."""
        return self.remaining() - self.reserve - self.budget.margin

    def diagnostics_allowance(self, evaluation_seconds: float) -> float:
        """Seconds the learning curve and permutation importance may take together."""
        if self.budget.seconds is None:
            return max(DIAGNOSTICS_EVALUATION_SHARE * evaluation_seconds, DIAGNOSTICS_FLOOR)
        share = self.budget.diagnostics or 0.0
        return max(0.0, min(share, self.remaining() - REPORT_SECONDS - self.budget.margin))

    def cut(self, what: str) -> None:
        """Record something left out to stay within the budget (said in the run's notes)."""
        self.cuts.append(what)
