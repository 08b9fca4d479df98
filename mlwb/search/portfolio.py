"""A portfolio first, then Bayesian trials: the budgeted search's proposals for one model.

The first configurations tried are a small portfolio known to do well across many tabular
datasets (the catalogue entry says where each comes from — AutoGluon's presets, FLAML's
zero-shot portfolios, the libraries' own defaults); after them Optuna's TPE sampler,
which has learned from the portfolio's scores, proposes more for as long as the caller's
budget lasts. The search knows spaces and samplers, not folds: the caller evaluates each
proposal and reports its score back (Optuna's ask-and-tell).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mlwb.search.space import SearchSpace


def _within(searched: Any, value: Any) -> bool:
    """Whether ``value`` is one the space could propose (a listed choice, or inside a
    range): only such values can be told to the sampler."""
    if isinstance(searched, list):
        return any(value == choice and type(value) is type(choice) for choice in searched)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    low, high = searched.bounds
    return low <= value <= high


@dataclass(frozen=True)
class Configuration:
    """One portfolio entry: parameters by the recipe's names, and where they come from."""

    params: dict[str, Any]
    source: str


@dataclass(frozen=True)
class Proposal:
    """A configuration to evaluate: its number, parameters (the recipe's fixed ones
    included), where it comes from, and the Optuna trial to report its score to."""

    number: int
    params: dict[str, Any]
    source: str
    trial: Any = None


class PortfolioSearch:
    """Proposes ``portfolio`` in order, then TPE trials over ``space`` (up to ``trials``
    of them when given; until the caller stops asking otherwise).

    Parameters the recipe fixes win over a portfolio entry's; a portfolio entry's values
    inside the space are told to the sampler (so TPE starts from what they scored), the
    others (e.g. LightGBM's ``extra_trees``) only shape that one configuration.
    """

    def __init__(
        self,
        space: SearchSpace,
        portfolio: Sequence[Configuration],
        greater_is_better: bool,
        seed: int,
        trials: int | None = None,
    ) -> None:
        import optuna

        optuna.logging.set_verbosity(optuna.logging.ERROR)
        self.space = space
        self.portfolio = list(portfolio) or [Configuration({}, "the catalogue's defaults")]
        self.trials = trials
        self._proposed = 0
        self._bayes = 0
        self._study = optuna.create_study(
            direction="maximize" if greater_is_better else "minimize",
            sampler=optuna.samplers.TPESampler(seed=seed, n_startup_trials=5),
        )

    @property
    def searches(self) -> bool:
        """Whether it proposes more than the portfolio (the model has a space)."""
        return bool(self.space.searched)

    @property
    def in_portfolio(self) -> bool:
        """Whether portfolio entries remain to be proposed."""
        return self._proposed < len(self.portfolio)

    def exhausted(self) -> bool:
        if self._proposed < len(self.portfolio):
            return False
        if not self.searches:
            return True
        return self.trials is not None and self._bayes >= self.trials

    def propose(self) -> Proposal | None:
        """The next configuration, or None when there is none left."""
        if self.exhausted():
            return None
        number = self._proposed
        self._proposed += 1
        if number < len(self.portfolio):
            entry = self.portfolio[number]
            trial = None
            inside = {
                k: v
                for k, v in entry.params.items()
                if k in self.space.searched and _within(self.space.searched[k], v)
            }
            if inside:
                self._study.enqueue_trial(inside, skip_if_exists=False)
                trial = self._study.ask()
                self.space.suggest(trial)
            params = {**entry.params, **self.space.fixed}
            return Proposal(number, params, f"portfolio: {entry.source}", trial)
        self._bayes += 1
        trial = self._study.ask()
        suggested = self.space.suggest(trial)
        return Proposal(number, {**suggested, **self.space.fixed}, "bayes", trial)

    def record(self, proposal: Proposal, value: float | None) -> None:
        """Report a proposal's score (None or NaN: it failed) to the sampler."""
        from optuna.trial import TrialState

        if proposal.trial is None:
            return
        if value is None or math.isnan(value):
            self._study.tell(proposal.trial, state=TrialState.FAIL)
        else:
            self._study.tell(proposal.trial, value)
