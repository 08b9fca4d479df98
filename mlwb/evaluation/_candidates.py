"""Candidate configurations evaluated on the outer folds, and the choice among them made
for each fold on the other folds only.

The budgeted search (``search.strategy: auto``) does not nest a search inside every outer
fold — within a minute there is no time for trials × inner folds × outer folds. Each
candidate configuration is cross-validated once on the outer folds instead, and for outer
fold *k* the configuration with the best mean score on the *other* folds is the one whose
fold-*k* predictions count: the fold being scored never influences the choice made for it,
the same cross-fitting that keeps the greedy ensemble's estimate honest. The final model
takes the configuration that is best over all folds.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import clone

from mlwb.evaluation._validation import fit_fold, run_folds
from mlwb.metrics import METRICS, MetricContext
from mlwb.results import FoldResult, OutOfFold, TrialRecord

Splits = Sequence[tuple[np.ndarray, np.ndarray]]
FoldPredictions = tuple[np.ndarray, np.ndarray | None]  # one split's test labels, probabilities


@dataclass(frozen=True)
class Candidate:
    """One configuration of one model, cross-validated on the outer folds."""

    number: int
    params: dict[str, Any]  # recipe parameter names, fixed ones included
    source: str  # "portfolio: <where it comes from>", "bayes", or "fixed"
    folds: tuple[FoldResult, ...] = ()
    predictions: tuple[FoldPredictions, ...] = ()
    oof: OutOfFold | None = None
    notes: tuple[str, ...] = ()
    seconds: float = 0.0
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error

    def scores(self, metric: str) -> np.ndarray:
        """The metric on each fold's held-out rows (NaN where undefined or failed)."""
        if not self.ok:
            return np.full(1, np.nan)
        return np.array([f.test_scores.get(metric, math.nan) for f in self.folds], dtype=float)

    def mean(self, metric: str) -> float:
        values = self.scores(metric)
        return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan

    @property
    def fit_seconds(self) -> float:
        """Mean time of one fold's fit: what a refit on a fold's rows costs."""
        return float(np.mean([f.fit_seconds for f in self.folds])) if self.folds else 0.0

    def trial(self, metric: str, scope: str = "outer folds") -> TrialRecord:
        """The candidate as a row of ``trials.csv``."""
        return TrialRecord(
            scope=scope,
            number=self.number,
            state="complete" if self.ok else "failed",
            value=self.mean(metric),
            params=dict(self.params),
            folds=len(self.folds),
            seconds=self.seconds,
            error=self.error,
        )


def _fold_with_predictions(*job: Any) -> tuple[Any, ...]:
    """``fit_fold``'s output with the test predictions repeated as extras, so the
    candidate keeps each split's predictions for assembling per-fold choices."""
    fold, labels, proba = fit_fold(*job)
    return fold, labels, proba, labels, proba


def evaluate_candidate(
    name: str,
    number: int,
    source: str,
    pipeline: Any,
    params: dict[str, Any],
    routed: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    splits: Splits,
    metrics: Sequence[str],
    context: MetricContext,
    workers: int = 1,
    threads: int = 1,
) -> Candidate:
    """Cross-validate ``pipeline`` with ``routed`` (its ``set_params`` names) on ``splits``.

    A configuration a library rejects is a failed candidate (the search goes on), never an
    error of the run.
    """
    started = time.perf_counter()
    configured = clone(pipeline).set_params(**routed) if routed else pipeline
    jobs = [
        (configured, X, y, train, test, i, metrics, context, threads, None)
        for i, (train, test) in enumerate(splits)
    ]
    try:
        folds, oof, notes, extras = run_folds(
            name,
            _fold_with_predictions,
            jobs,
            splits,
            len(y),
            context.task,
            workers,
            positive=context.positive,
        )
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as error:  # noqa: BLE001 - a failing configuration is one failed trial
        text = str(error).strip().splitlines()[0] if str(error).strip() else ""
        return Candidate(
            number,
            params,
            source,
            seconds=time.perf_counter() - started,
            error=f"{type(error).__name__}: {text}"[:300],
        )
    predictions = tuple((labels, proba) for labels, proba in extras)
    return Candidate(
        number,
        params,
        source,
        folds,
        predictions,
        oof,
        notes,
        time.perf_counter() - started,
    )


def _signed(candidates: Sequence[Candidate], metric: str, n_splits: int) -> np.ndarray:
    """Candidates × folds, higher is better, -inf where undefined or failed."""
    sign = 1.0 if METRICS[metric].greater_is_better else -1.0
    table = np.full((len(candidates), n_splits), -np.inf)
    for i, candidate in enumerate(candidates):
        if candidate.ok:
            scores = sign * candidate.scores(metric)
            table[i] = np.where(np.isfinite(scores), scores, -np.inf)
    return table


def choose_overall(candidates: Sequence[Candidate], metric: str) -> int:
    """The candidate with the best mean over all folds (the earlier one on ties)."""
    n_splits = max(len(c.folds) for c in candidates)
    means = _signed(candidates, metric, n_splits).mean(axis=1)
    return int(np.argmax(means))


def choose_per_fold(
    candidates: Sequence[Candidate], metric: str, ordered: bool = False
) -> tuple[int, ...]:
    """For each fold, the candidate with the best mean on the other folds (with
    time-ordered folds, the earlier ones; the first fold, without a past, takes the first
    candidate). Ties go to the earlier candidate."""
    n_splits = max(len(c.folds) for c in candidates)
    table = _signed(candidates, metric, n_splits)
    choice = []
    for k in range(n_splits):
        others = [j for j in range(n_splits) if j != k and (not ordered or j < k)]
        if not others:
            choice.append(next(i for i, c in enumerate(candidates) if c.ok))
            continue
        choice.append(int(np.argmax(table[:, others].mean(axis=1))))
    return tuple(choice)


@dataclass(frozen=True)
class Assembled:
    """A model's folds as the per-fold choices make them: fold results, out-of-fold
    predictions and notes, and the configuration behind each fold."""

    folds: tuple[FoldResult, ...]
    oof: OutOfFold
    notes: tuple[str, ...]
    params: tuple[dict[str, Any], ...] = field(default=())


def assemble(
    name: str,
    candidates: Sequence[Candidate],
    choice: Sequence[int],
    splits: Splits,
    n_rows: int,
    context: MetricContext,
) -> Assembled:
    """Fold *k*'s result and predictions from candidate ``choice[k]``, gathered into
    out-of-fold predictions the way cross-validation gathers its own folds."""

    def replay(k: int) -> tuple[Any, ...]:
        candidate = candidates[choice[k]]
        labels, proba = candidate.predictions[k]
        return candidate.folds[k], labels, proba

    folds, oof, notes, _ = run_folds(
        name,
        replay,
        [(k,) for k in range(len(splits))],
        splits,
        n_rows,
        context.task,
        1,
        positive=context.positive,
    )
    return Assembled(folds, oof, notes, tuple(candidates[c].params for c in choice))
