"""What every search strategy takes (its results, ``SearchResult`` and ``TrialRecord``,
are core result types in ``mlwb.results``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from mlwb.results import SearchResult, TrialRecord

Strategy = Literal["grid", "random", "bayes", "halving", "auto"]


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
    heartbeat: int | None = None  # seconds between a running trial's beats in the storage


__all__ = ["SearchResult", "SearchSettings", "Strategy", "TrialRecord"]
