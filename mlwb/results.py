"""Plain result objects the core returns: frozen dataclasses, no behaviour beyond summaries.

Renderers (console, JSON, Markdown) and the run folder are built from these alone, so what
is printed and what is saved can never disagree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True)
class TrialRecord:
    """One candidate configuration and its inner cross-validation score."""

    scope: str
    number: int
    state: Literal["complete", "pruned", "failed"]
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


@dataclass(frozen=True)
class FoldResult:
    """One outer fold of one model."""

    index: int
    train_rows: int
    test_rows: int
    train_scores: dict[str, float]
    test_scores: dict[str, float]
    fit_seconds: float
    predict_seconds: float
    warnings: tuple[str, ...] = ()
    rounds: int | None = None
    best_params: dict[str, Any] | None = None
    inner_score: float | None = None
    fits: int = 1
    threshold: float | None = None
    at_default: dict[str, float] | None = None
    at_threshold: dict[str, float] | None = None
    constraint_met: bool | None = None
    uncalibrated: dict[str, float] | None = None
    calibrated: dict[str, float] | None = None


@dataclass(frozen=True)
class MetricSummary:
    """Validation mean ± std over folds, training mean, and the train–validation gap.

    ``gap`` is how much better the training score is than the validation score, in the
    metric's own units and direction: a large positive gap means overfitting.
    """

    mean: float
    std: float
    train_mean: float
    gap: float


@dataclass(frozen=True)
class OutOfFold:
    """Predictions for every row from the fold in which it was held out."""

    fold: np.ndarray
    labels: np.ndarray
    scores: np.ndarray | None


@dataclass(frozen=True)
class TuningSummary:
    """How a tuned model's numbers came about: nested cross-validation.

    ``inner_mean`` is the mean over outer folds of the best inner score — the optimistic
    number a search reports; ``optimism`` is how much better it is than the honest outer
    estimate, in the metric's direction (positive: the search flattered itself).
    """

    strategy: str
    metric: str
    space: dict[str, str]
    inner_mean: float
    optimism: float
    fits: int
    trials: int
    pruned: int
    failed: int
    seconds: float


@dataclass(frozen=True)
class DecisionSummary:
    """The decision layer across outer folds.

    ``thresholds``: the threshold each outer fold chose on its own training rows;
    ``at_threshold`` / ``at_default``: precision, recall and F1 (validation means) at those
    thresholds and at 0.5; ``unmet_folds``: folds where a precision/recall constraint could
    not be met; ``before``/``after``: Brier score and log loss without and with calibration.
    """

    objective: str
    calibration: str
    thresholds: tuple[float, ...] = ()
    at_threshold: dict[str, float] | None = None
    at_default: dict[str, float] | None = None
    unmet_folds: tuple[int, ...] = ()
    before: dict[str, float] | None = None
    after: dict[str, float] | None = None
    description: str = ""


@dataclass(frozen=True)
class ModelResult:
    """Cross-validated evaluation of one model."""

    name: str
    params: dict[str, Any]
    preprocessing: tuple[str, ...]
    folds: tuple[FoldResult, ...]
    summary: dict[str, MetricSummary]
    oof: OutOfFold
    warnings: tuple[str, ...] = ()
    steps: tuple[Any, ...] = ()
    tuning: TuningSummary | None = None
    trials: tuple[Any, ...] = ()
    decision: DecisionSummary | None = None

    @property
    def fit_seconds(self) -> float:
        return sum(f.fit_seconds for f in self.folds)

    @property
    def total_seconds(self) -> float:
        """Fitting, predicting and (for tuned models) searching, over all outer folds."""
        search = self.tuning.seconds if self.tuning is not None else 0.0
        return self.fit_seconds + self.predict_seconds + search

    @property
    def predict_seconds(self) -> float:
        return sum(f.predict_seconds for f in self.folds)

    @property
    def rounds(self) -> list[int]:
        """Boosting rounds kept by early stopping in each fold (empty when not boosting)."""
        return [f.rounds for f in self.folds if f.rounds is not None]

    def score(self, metric: str) -> float:
        """Validation mean of ``metric`` (NaN when it was not computed)."""
        item = self.summary.get(metric)
        return item.mean if item else math.nan


def summarise(
    folds: tuple[FoldResult, ...], metrics: tuple[str, ...], greater_is_better: dict[str, bool]
) -> dict[str, MetricSummary]:
    """Mean ± std of each metric over folds (NaN folds ignored) and the overfitting gap."""
    summary: dict[str, MetricSummary] = {}
    for metric in metrics:
        test = np.array([f.test_scores[metric] for f in folds], dtype=float)
        train = np.array([f.train_scores[metric] for f in folds], dtype=float)
        mean = _nanmean(test)
        std = float(np.nanstd(test, ddof=1)) if np.isfinite(test).sum() > 1 else math.nan
        train_mean = _nanmean(train)
        gap = train_mean - mean if greater_is_better[metric] else mean - train_mean
        summary[metric] = MetricSummary(mean, std, train_mean, gap)
    return summary


def _nanmean(values: np.ndarray) -> float:
    return float(np.nanmean(values)) if np.isfinite(values).any() else math.nan


@dataclass(frozen=True)
class DatasetSummary:
    """What was learned from: the file, its hash, the task, and every column's role."""

    source: str
    sha256: str
    rows: int
    target: str
    task: str
    task_reason: str
    classes: tuple[Any, ...]
    class_counts: dict[str, int]
    positive: Any | None
    roles: tuple[tuple[str, str, str], ...]
    holdout_rows: int = 0


@dataclass(frozen=True)
class FinalModel:
    """The model refit on all rows and saved."""

    name: str
    fit_seconds: float
    path: str | None = None
    encoded_features: int | None = None
    features: tuple[str, ...] = ()
    params: dict[str, Any] | None = None
    inner_score: float | None = None
    trials: tuple[Any, ...] = ()
    rounds: dict[str, int] = field(default_factory=dict)  # boosting rounds of the refit


@dataclass(frozen=True)
class EnsembleTest:
    """The greedy ensemble against the best single model, on the same outer folds.

    ``difference`` is the ensemble's mean minus the model's, signed so that positive is
    better; ``p_value`` is the corrected resampled t-test's (Nadeau & Bengio 2003) on the
    paired fold scores. ``saved``: the ensemble became the final model (it scored better).
    """

    against: str
    metric: str
    difference: float
    p_value: float
    saved: bool


@dataclass(frozen=True)
class FitResult:
    """Everything ``mlwb fit`` produced, ready to render or save."""

    name: str
    dataset: DatasetSummary
    validation: str
    metrics: tuple[str, ...]
    primary: str
    models: tuple[ModelResult, ...]
    best: str
    final: FinalModel | None
    notices: tuple[str, ...] = field(default=())
    seed: int = 0
    run_dir: str | None = None
    holdout: dict[str, float] | None = None
    inner: str | None = None
    gates: tuple[Any, ...] = ()
    decision: str = ""
    diagnostics: Any = None
    budget: float | None = None  # seconds for the whole command (None: no budget)
    ensemble: EnsembleTest | None = None

    def model(self, name: str) -> ModelResult:
        """The result for model ``name``."""
        return next(m for m in self.models if m.name == name)


@dataclass(frozen=True)
class FinalFit:
    """The fitted final model and how it was obtained: ``configured`` is the unfitted
    estimator it was refit from (the chosen configuration inside its decision layer),
    which diagnostics refit on the folds."""

    model: Any
    seconds: float
    search: SearchResult | None
    holdout: dict[str, float] | None
    name: str = ""
    configured: Any = None
    rounds: dict[str, int] = field(default_factory=dict)  # boosting rounds of the refit


@dataclass(frozen=True)
class ExternalEvaluation:
    """``mlwb evaluate``: a saved model's metrics on a labelled table it has not seen, at
    the decision threshold saved with it, with the confusion matrix (classifiers) and the
    command's gates checked on those metrics.

    ``gates`` holds ``mlwb.compare.gates.GateResult``s (typed loosely, as in ``FitResult``:
    this base module imports nothing above it).
    """

    model: str
    task: str
    source: str
    rows: int
    metrics: dict[str, float]
    threshold: float | None
    classes: tuple[Any, ...]
    confusion: tuple[tuple[int, ...], ...] | None
    cv_score: float | None
    primary: str
    notices: tuple[str, ...]
    gates: tuple[Any, ...] = ()


@dataclass(frozen=True)
class PredictionTable:
    """``mlwb predict``: one row per input row — the ``--keep`` columns, ``prediction``
    (label or value) and ``proba_<class>`` per class — and the threshold that made the
    labels (binary models; None otherwise).

    Not ``mlwb.metrics.Predictions``, which pairs true labels with predictions for scoring.
    """

    frame: pd.DataFrame
    model: str
    task: str
    threshold: float | None
    notices: tuple[str, ...]


@dataclass(frozen=True)
class WorkerModel:
    """What ``mlwb worker`` left in one model's outer-fold studies (from every process)."""

    name: str
    studies: int
    trials: int
    complete: int
