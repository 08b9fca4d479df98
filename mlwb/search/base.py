"""What every search strategy takes and returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Strategy = Literal["grid", "random", "bayes", "halving"]
TrialState = Literal["complete", "pruned", "failed"]


@dataclass(frozen=True)
class SearchSettings:
    """One search's budget and rules (from the recipe's ``search:``)."""

    strategy: Strategy
    trials: int
    timeout: float | None
    metric: str
    greater_is_better: bool
    pruning: bool = True
    seed: int = 0
    storage: str | None = None
    study_name: str | None = None
    resume: bool = False
    cap_grid: bool = False
    prepared: bool = False  # the main process created the storage and this study


@dataclass(frozen=True)
class TrialRecord:
    """One candidate configuration and its inner cross-validation score."""

    scope: str
    number: int
    state: TrialState
    value: float
    params: dict[str, Any]
    folds: int
    seconds: float
    error: str = ""
    resources: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """The best configuration of one search and everything tried on the way."""

    scope: str
    best_params: dict[str, Any]
    best_score: float
    trials: tuple[TrialRecord, ...] = field(default=())
    fits: int = 0
    seconds: float = 0.0

    @property
    def failed(self) -> list[TrialRecord]:
        return [t for t in self.trials if t.state == "failed"]
