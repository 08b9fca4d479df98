"""The metric catalogue: every metric with its tasks, direction and what it is computed from.

Metrics are computed from one set of predictions per fold (labels, probabilities, or values)
rather than through scikit-learn scorers, so a fold is predicted once however many metrics
are shown. Each computation is scikit-learn's own metric function; this module only knows
which arguments each one needs (positive class, averaging, the full label set so that a fold
missing a class still scores consistently).

A metric that is undefined on a set of predictions (ROC-AUC with one class, RMSLE with a
value at or below -1) is NaN, never an error: one odd fold must not end a run, and a NaN
score never wins a comparison and fails a gate. ``compute_metrics`` can say why in a note.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from mlwb.errors import RecipeError
from mlwb.suggest import did_you_mean
from mlwb.tasks import Task

Needs = Literal["labels", "scores", "values"]
CLASSIFICATION: frozenset[Task] = frozenset({"binary", "multiclass"})
REGRESSION: frozenset[Task] = frozenset({"regression"})


@dataclass(frozen=True)
class Predictions:
    """One fold's (or one dataset's) predictions, in the encoded label space.

    ``scores`` is the probability of the positive class for binary tasks (1-D), the
    probability matrix for multiclass tasks (2-D), and None for regression. ``labels`` are
    predicted class codes (classification) or predicted values (regression).
    """

    y_true: np.ndarray
    labels: np.ndarray
    scores: np.ndarray | None = None


@dataclass(frozen=True)
class MetricContext:
    """Task facts a metric needs: class codes, positive code, feature count, F-beta's beta."""

    task: Task
    n_classes: int = 2
    positive: int = 1
    n_features: int | None = None
    beta: float = 1.0


MetricFn = Callable[[Predictions, MetricContext], float]


@dataclass(frozen=True)
class MetricSpec:
    """One metric: ``greater_is_better`` gives its direction for ranking and gates;
    ``needs`` says which predictions it reads (labels at the decision threshold, scores, or
    regression values); ``undefined`` says when it has no value (NaN), for notes and
    ``mlwb models``."""

    name: str
    summary: str
    tasks: frozenset[Task]
    greater_is_better: bool
    needs: Needs
    compute: MetricFn
    undefined: str = ""

    @property
    def best(self) -> float:
        """The perfect score: 1 for every score mlwb has, 0 for every error or loss."""
        return 1.0 if self.greater_is_better else 0.0


def _averaged(kind: str, average: str | None) -> MetricFn:
    def compute(p: Predictions, ctx: MetricContext) -> float:
        fn = {"precision": skm.precision_score, "recall": skm.recall_score, "f1": skm.f1_score}[
            kind
        ]
        labels = list(range(ctx.n_classes))
        if ctx.task == "binary" and average is None:
            return float(fn(p.y_true, p.labels, pos_label=ctx.positive, zero_division=0))
        return float(
            fn(p.y_true, p.labels, labels=labels, average=average or "macro", zero_division=0)
        )

    return compute


def _fbeta(p: Predictions, ctx: MetricContext) -> float:
    if ctx.task == "binary":
        return float(
            skm.fbeta_score(
                p.y_true, p.labels, beta=ctx.beta, pos_label=ctx.positive, zero_division=0
            )
        )
    return float(
        skm.fbeta_score(
            p.y_true,
            p.labels,
            beta=ctx.beta,
            average="macro",
            labels=list(range(ctx.n_classes)),
            zero_division=0,
        )
    )


def _specificity(p: Predictions, ctx: MetricContext) -> float:
    """imbalanced-learn's true-negative rate: of the positive class (binary), or the macro
    mean over every class (multiclass).

    Per class (``average=None``) rather than ``average="binary"``, whose answer is 0 when
    the positive class is neither true nor predicted anywhere (every row a correct
    negative: the rate is 1). A class that every row belongs to has no negatives, hence no
    specificity: NaN, left out of the mean (imbalanced-learn would count a 0).
    """
    from imblearn.metrics import specificity_score

    labels = [ctx.positive] if ctx.task == "binary" else list(range(ctx.n_classes))
    rates = specificity_score(p.y_true, p.labels, labels=labels, average=None)
    has_negatives = np.array([np.any(p.y_true != k) for k in labels])
    if not has_negatives.any():
        return math.nan
    return float(np.nanmean(np.where(has_negatives, rates, np.nan)))


def _cohen_kappa(p: Predictions, ctx: MetricContext) -> float:
    """Agreement of predicted and true labels beyond chance; the full label set keeps a fold
    that misses a class consistent with the others (NaN when only one label occurs)."""
    return float(skm.cohen_kappa_score(p.y_true, p.labels, labels=list(range(ctx.n_classes))))


def _roc_auc(p: Predictions, ctx: MetricContext) -> float:
    assert p.scores is not None
    if ctx.task == "binary":
        y = (p.y_true == ctx.positive).astype(int)
        return float(skm.roc_auc_score(y, p.scores))
    present = np.unique(p.y_true)
    if len(present) < ctx.n_classes:
        # One-vs-rest over the classes present in this fold, renormalised probabilities.
        scores = p.scores[:, present]
        scores = scores / scores.sum(axis=1, keepdims=True)
        if len(present) == 2:
            return float(skm.roc_auc_score(p.y_true == present[1], scores[:, 1]))
        return float(skm.roc_auc_score(p.y_true, scores, multi_class="ovr", labels=present))
    return float(
        skm.roc_auc_score(p.y_true, p.scores, multi_class="ovr", labels=list(range(ctx.n_classes)))
    )


def _average_precision(p: Predictions, ctx: MetricContext) -> float:
    assert p.scores is not None
    if ctx.task == "binary":
        return float(skm.average_precision_score(p.y_true == ctx.positive, p.scores))
    onehot = np.eye(ctx.n_classes)[p.y_true]
    present = onehot.sum(axis=0) > 0
    return float(
        skm.average_precision_score(onehot[:, present], p.scores[:, present], average="macro")
    )


def _log_loss(p: Predictions, ctx: MetricContext) -> float:
    assert p.scores is not None
    if ctx.task == "binary":
        y = (p.y_true == ctx.positive).astype(int)
        return float(skm.log_loss(y, p.scores, labels=[0, 1]))
    return float(skm.log_loss(p.y_true, p.scores, labels=list(range(ctx.n_classes))))


def _brier(p: Predictions, ctx: MetricContext) -> float:
    assert p.scores is not None
    if ctx.task == "binary":
        return float(skm.brier_score_loss((p.y_true == ctx.positive).astype(int), p.scores))
    return float(skm.brier_score_loss(p.y_true, p.scores, labels=list(range(ctx.n_classes))))


def _adjusted_r2(p: Predictions, ctx: MetricContext) -> float:
    r2 = skm.r2_score(p.y_true, p.labels)
    n, k = len(p.y_true), ctx.n_features
    if k is None or n - k - 1 <= 0:
        return math.nan
    return float(1 - (1 - r2) * (n - 1) / (n - k - 1))


class _SklearnMetrics:
    """``sklearn.metrics``, imported on first use: the catalogue is read by every command
    (recipe checks, ``--help`` of ``models``), and importing scikit-learn costs half a
    second and tens of megabytes that reading a recipe or a CSV should not pay."""

    def __getattr__(self, name: str) -> Callable[..., float]:
        from sklearn import metrics

        return getattr(metrics, name)  # type: ignore[no-any-return]


skm = _SklearnMetrics()


def _simple(name: str, **kwargs: object) -> MetricFn:
    """A metric of the labels: scikit-learn's ``name``, looked up when it is computed."""
    return lambda p, ctx: float(getattr(skm, name)(p.y_true, p.labels, **kwargs))


def _catalogue() -> dict[str, MetricSpec]:
    c, r = CLASSIFICATION, REGRESSION
    specs = [
        MetricSpec(
            "accuracy", "share of correct labels", c, True, "labels", _simple("accuracy_score")
        ),
        MetricSpec(
            "balanced_accuracy",
            "mean recall over classes",
            c,
            True,
            "labels",
            _simple("balanced_accuracy_score"),
        ),
        MetricSpec(
            "specificity",
            "true-negative rate (multiclass: macro)",
            c,
            True,
            "labels",
            _specificity,
            "every row belongs to the class",
        ),
        MetricSpec(
            "fbeta",
            "F-beta (beta from threshold.beta; multiclass: macro)",
            c,
            True,
            "labels",
            _fbeta,
        ),
        MetricSpec(
            "mcc",
            "Matthews correlation coefficient",
            c,
            True,
            "labels",
            _simple("matthews_corrcoef"),
        ),
        MetricSpec(
            "cohen_kappa",
            "Cohen's kappa: agreement of labels beyond chance",
            c,
            True,
            "labels",
            _cohen_kappa,
            "only one class among the true and predicted labels",
        ),
        MetricSpec(
            "roc_auc",
            "area under the ROC curve (multiclass: one-vs-rest macro)",
            c,
            True,
            "scores",
            _roc_auc,
            "only one class among the true labels",
        ),
        MetricSpec(
            "average_precision",
            "PR-AUC (multiclass: one-vs-rest macro)",
            c,
            True,
            "scores",
            _average_precision,
        ),
        MetricSpec("log_loss", "cross-entropy of the probabilities", c, False, "scores", _log_loss),
        MetricSpec("brier", "mean squared error of the probabilities", c, False, "scores", _brier),
        MetricSpec(
            "mae", "mean absolute error", r, False, "values", _simple("mean_absolute_error")
        ),
        MetricSpec("mse", "mean squared error", r, False, "values", _simple("mean_squared_error")),
        MetricSpec(
            "rmse",
            "root mean squared error",
            r,
            False,
            "values",
            _simple("root_mean_squared_error"),
        ),
        MetricSpec(
            "rmsle",
            "root mean squared logarithmic error (of log1p values: relative errors)",
            r,
            False,
            "values",
            _simple("root_mean_squared_log_error"),
            "a target or prediction is at or below -1",
        ),
        MetricSpec(
            "mape",
            "mean absolute percentage error (as a fraction)",
            r,
            False,
            "values",
            _simple("mean_absolute_percentage_error"),
        ),
        MetricSpec(
            "medae", "median absolute error", r, False, "values", _simple("median_absolute_error")
        ),
        MetricSpec("r2", "coefficient of determination", r, True, "values", _simple("r2_score")),
        MetricSpec(
            "adjusted_r2",
            "R² adjusted for the number of features after preprocessing",
            r,
            True,
            "values",
            _adjusted_r2,
            "fewer rows than features + 2",
        ),
    ]
    for kind in ("precision", "recall", "f1"):
        specs.append(
            MetricSpec(
                kind,
                f"{kind} of the positive class (multiclass: macro)",
                c,
                True,
                "labels",
                _averaged(kind, None),
            )
        )
        for average in ("macro", "micro", "weighted"):
            specs.append(
                MetricSpec(
                    f"{kind}_{average}",
                    f"{kind}, {average} average over classes",
                    c,
                    True,
                    "labels",
                    _averaged(kind, average),
                )
            )
    return {s.name: s for s in specs}


METRICS: dict[str, MetricSpec] = _catalogue()

DEFAULT_METRICS: dict[Task, tuple[str, ...]] = {
    "binary": (
        "roc_auc",
        "average_precision",
        "f1",
        "precision",
        "recall",
        "balanced_accuracy",
        "brier",
    ),
    "multiclass": ("balanced_accuracy", "accuracy", "f1_macro", "roc_auc", "log_loss"),
    "regression": ("rmse", "mae", "r2"),
}


def get_metric(name: str, path: str = "metrics") -> MetricSpec:
    """The metric named ``name``; a ``RecipeError`` naming ``path`` and the nearest name."""
    try:
        return METRICS[name]
    except KeyError:
        raise RecipeError(
            f"{path}: unknown metric '{name}'{did_you_mean(name, METRICS)}",
            "run 'mlwb models' or see the README for the metric list",
        ) from None


def check_metric_for_task(name: str, task: Task, path: str) -> MetricSpec:
    """The metric, or a ``RecipeError`` when it does not apply to ``task``."""
    spec = get_metric(name, path)
    if task not in spec.tasks:
        usable = [n for n, s in METRICS.items() if task in s.tasks]
        raise RecipeError(
            f"{path}: metric '{name}' does not apply to a {task} task",
            f"use one of {', '.join(usable[:10])}, …",
        )
    return spec


def compute_metrics(
    names: Sequence[str],
    predictions: Predictions,
    context: MetricContext,
    notes: list[str] | None = None,
) -> dict[str, float]:
    """Each named metric on ``predictions``; NaN where it is undefined (e.g. one class).

    The libraries raise (RMSLE below -1, ROC-AUC with one class) or warn where a metric has
    no value; here that is NaN, so one odd fold never ends a run. When ``notes`` is given,
    a line per undefined metric saying why is appended to it, for the fold's notes.
    """
    results: dict[str, float] = {}
    for name in names:
        spec = METRICS[name]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                value = spec.compute(predictions, context)
        except ValueError:
            value = math.nan
        results[name] = value if math.isfinite(value) else math.nan
        if notes is not None and math.isnan(results[name]):
            reason = f" (NaN when {spec.undefined})" if spec.undefined else ""
            notes.append(f"{name}: undefined on these predictions{reason}")
    return results


def better(metric: str, a: float, b: float) -> bool:
    """True when score ``a`` is strictly better than ``b`` on ``metric`` (NaN never wins)."""
    if math.isnan(a):
        return False
    if math.isnan(b):
        return True
    return a > b if METRICS[metric].greater_is_better else a < b
