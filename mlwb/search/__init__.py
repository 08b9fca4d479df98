"""Hyper-parameter search strategies behind one result type: grid, random and Bayesian
(Optuna studies) and successive halving (scikit-learn).

A strategy knows spaces, samplers, pruners and studies — not folds: the caller
(``mlwb.evaluation``) gives it a function that scores a configuration on its inner folds,
so the one fold function of the evaluation core does every fit.
"""

from __future__ import annotations

from mlwb.search.base import SearchResult, SearchSettings, TrialRecord
from mlwb.search.space import SearchSpace

__all__ = ["SearchResult", "SearchSettings", "SearchSpace", "TrialRecord"]
