"""The metric catalogue agrees with scikit-learn and handles undefined cases as NaN."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn import metrics as skm

from mlwb.errors import RecipeError
from mlwb.metrics import (
    DEFAULT_METRICS,
    METRICS,
    MetricContext,
    Predictions,
    better,
    check_metric_for_task,
    compute_metrics,
)

rng = np.random.default_rng(7)


def binary_case(positive: int = 1):
    y = rng.integers(0, 2, 200)
    p1 = np.clip(y * 0.3 + rng.uniform(0, 0.7, 200), 0, 1)
    scores = p1 if positive == 1 else 1 - p1
    labels = np.where(scores >= 0.5, positive, 1 - positive)
    return Predictions(y, labels, scores), MetricContext("binary", 2, positive)


def test_binary_metrics_agree_with_sklearn():
    p, ctx = binary_case()
    got = compute_metrics(
        [*DEFAULT_METRICS["binary"], "accuracy", "mcc", "log_loss", "specificity", "fbeta"],
        p,
        ctx,
    )
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(p.y_true, p.scores))
    assert got["average_precision"] == pytest.approx(
        skm.average_precision_score(p.y_true, p.scores)
    )
    assert got["f1"] == pytest.approx(skm.f1_score(p.y_true, p.labels))
    assert got["precision"] == pytest.approx(skm.precision_score(p.y_true, p.labels))
    assert got["recall"] == pytest.approx(skm.recall_score(p.y_true, p.labels))
    assert got["balanced_accuracy"] == pytest.approx(
        skm.balanced_accuracy_score(p.y_true, p.labels)
    )
    assert got["brier"] == pytest.approx(skm.brier_score_loss(p.y_true, p.scores))
    assert got["log_loss"] == pytest.approx(skm.log_loss(p.y_true, p.scores))
    assert got["mcc"] == pytest.approx(skm.matthews_corrcoef(p.y_true, p.labels))
    tn, fp, _, _ = skm.confusion_matrix(p.y_true, p.labels).ravel()
    assert got["specificity"] == pytest.approx(tn / (tn + fp))
    assert got["fbeta"] == pytest.approx(got["f1"])


def test_positive_class_zero_is_respected():
    """When the class of interest has code 0, precision/recall/AUC are about class 0."""
    p, ctx = binary_case(positive=0)
    got = compute_metrics(["roc_auc", "recall", "average_precision"], p, ctx)
    is_positive = p.y_true == 0
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(is_positive, p.scores))
    assert got["recall"] == pytest.approx(skm.recall_score(p.y_true, p.labels, pos_label=0))
    assert got["average_precision"] == pytest.approx(
        skm.average_precision_score(is_positive, p.scores)
    )


def test_multiclass_metrics_agree_with_sklearn():
    y = rng.integers(0, 3, 300)
    proba = rng.dirichlet([1, 1, 1], 300)
    proba[np.arange(300), y] += 0.5
    proba /= proba.sum(axis=1, keepdims=True)
    labels = proba.argmax(axis=1)
    p, ctx = Predictions(y, labels, proba), MetricContext("multiclass", 3)
    got = compute_metrics(
        [
            "roc_auc",
            "f1_macro",
            "f1_weighted",
            "precision_micro",
            "log_loss",
            "brier",
            "accuracy",
            "f1",
        ],
        p,
        ctx,
    )
    assert got["roc_auc"] == pytest.approx(skm.roc_auc_score(y, proba, multi_class="ovr"))
    assert got["f1_macro"] == pytest.approx(skm.f1_score(y, labels, average="macro"))
    assert got["f1"] == got["f1_macro"]
    assert got["f1_weighted"] == pytest.approx(skm.f1_score(y, labels, average="weighted"))
    assert got["precision_micro"] == pytest.approx(skm.precision_score(y, labels, average="micro"))
    assert got["log_loss"] == pytest.approx(skm.log_loss(y, proba))
    assert got["brier"] == pytest.approx(skm.brier_score_loss(y, proba))


def test_regression_metrics_agree_with_sklearn():
    y = rng.normal(10, 3, 100)
    pred = y + rng.normal(0, 1, 100)
    got = compute_metrics(
        ["rmse", "mae", "mse", "r2", "mape", "medae", "adjusted_r2"],
        Predictions(y, pred),
        MetricContext("regression", n_features=4),
    )
    assert got["rmse"] == pytest.approx(skm.root_mean_squared_error(y, pred))
    assert got["mae"] == pytest.approx(skm.mean_absolute_error(y, pred))
    assert got["r2"] == pytest.approx(skm.r2_score(y, pred))
    assert got["mape"] == pytest.approx(skm.mean_absolute_percentage_error(y, pred))
    r2 = got["r2"]
    assert got["adjusted_r2"] == pytest.approx(1 - (1 - r2) * 99 / (100 - 4 - 1))


def test_undefined_metrics_are_nan_not_errors():
    y = np.zeros(10, dtype=int)
    got = compute_metrics(
        ["roc_auc", "f1"], Predictions(y, y, np.full(10, 0.2)), MetricContext("binary")
    )
    assert math.isnan(got["roc_auc"])
    assert got["f1"] == 0.0


def test_directions_and_better():
    assert METRICS["roc_auc"].greater_is_better and not METRICS["brier"].greater_is_better
    assert better("rmse", 1.0, 2.0) and not better("r2", 0.1, 0.2)
    assert better("roc_auc", 0.6, math.nan) and not better("roc_auc", math.nan, 0.9)


def test_metric_task_checks_name_the_key():
    with pytest.raises(
        RecipeError, match=r"metrics\[0\]: metric 'rmse' does not apply to a binary"
    ):
        check_metric_for_task("rmse", "binary", "metrics[0]")
    with pytest.raises(RecipeError, match="did you mean roc_auc"):
        check_metric_for_task("rocauc", "binary", "metrics[0]")


def test_defaults_apply_to_their_task():
    for task, names in DEFAULT_METRICS.items():
        for name in names:
            assert task in METRICS[name].tasks


# --- the catalogue contract: every entry, every task it claims ----------------------------

BETA = 2.0  # F-beta's beta in the contract, so that fbeta is not F1 in disguise


def tiny_predictions(task: str, positive: int = 1, perfect: bool = False):
    """A few hand-made predictions per task: noisy ones, or perfect ones."""
    if task == "binary":
        y = np.array([0, 0, 0, 0, 1, 1, 1, 0, 1, 0, 1, 0])
        p1 = np.array([0.1, 0.52, 0.7, 0.2, 0.8, 0.35, 0.9, 0.05, 0.6, 0.55, 0.45, 0.3])
        if perfect:
            p1 = y.astype(float)
        scores = p1 if positive == 1 else 1 - p1
        labels = np.where(scores >= 0.5, positive, 1 - positive)
        return Predictions(y, labels, scores), MetricContext("binary", 2, positive, beta=BETA)
    if task == "multiclass":
        y = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 2, 0, 1])
        proba = np.array(
            [
                [0.6, 0.3, 0.1],
                [0.2, 0.5, 0.3],
                [0.1, 0.2, 0.7],
                [0.3, 0.4, 0.3],
                [0.5, 0.3, 0.2],
                [0.2, 0.2, 0.6],
                [0.4, 0.4, 0.2],
                [0.1, 0.8, 0.1],
                [0.3, 0.3, 0.4],
                [0.2, 0.5, 0.3],
                [0.7, 0.2, 0.1],
                [0.3, 0.6, 0.1],
            ]
        )
        if perfect:
            proba = np.eye(3)[y]
        return Predictions(y, proba.argmax(axis=1), proba), MetricContext(
            "multiclass", 3, beta=BETA
        )
    y = np.array([3.0, 10.0, 0.5, 7.0, 12.0, 4.5, 0.0, 9.0, 6.0, 2.0])
    pred = y if perfect else y + np.array([1.0, -2.0, 0.4, 0.5, -1.5, 2.0, 0.3, -0.5, 1.0, -0.8])
    return Predictions(y, pred), MetricContext("regression", n_features=3)


def _is_positive(p: Predictions, ctx: MetricContext) -> np.ndarray:
    return (p.y_true == ctx.positive).astype(int)


def _label_average(fn, average=None):
    """precision/recall/f1 as mlwb means them: of the positive class (binary), macro
    (multiclass), or the average the name gives."""

    def reference(p, ctx):
        if average is None and ctx.task == "binary":
            return fn(p.y_true, p.labels, pos_label=ctx.positive)
        return fn(p.y_true, p.labels, average=average or "macro")

    return reference


def _reference_specificity(p, ctx):
    from imblearn.metrics import specificity_score

    if ctx.task == "binary":
        return specificity_score(p.y_true, p.labels, pos_label=ctx.positive, average="binary")
    return specificity_score(p.y_true, p.labels, average="macro")


def _reference_fbeta(p, ctx):
    if ctx.task == "binary":
        return skm.fbeta_score(p.y_true, p.labels, beta=ctx.beta, pos_label=ctx.positive)
    return skm.fbeta_score(p.y_true, p.labels, beta=ctx.beta, average="macro")


def _reference_scores(fn, **multiclass):
    def reference(p, ctx):
        if ctx.task == "binary":
            return fn(_is_positive(p, ctx), p.scores)
        return fn(p.y_true, p.scores, **multiclass)

    return reference


def _reference_adjusted_r2(p, ctx):
    n, k = len(p.y_true), ctx.n_features
    return 1 - (1 - skm.r2_score(p.y_true, p.labels)) * (n - 1) / (n - k - 1)


def _labels(fn):
    return lambda p, ctx: fn(p.y_true, p.labels)


# The library function each entry must agree with, called the plain way. A new metric
# without a reference here fails test_every_metric_has_a_reference.
REFERENCES = {
    "accuracy": _labels(skm.accuracy_score),
    "balanced_accuracy": _labels(skm.balanced_accuracy_score),
    "specificity": _reference_specificity,
    "fbeta": _reference_fbeta,
    "mcc": _labels(skm.matthews_corrcoef),
    "cohen_kappa": _labels(skm.cohen_kappa_score),
    "roc_auc": _reference_scores(skm.roc_auc_score, multi_class="ovr"),
    "average_precision": _reference_scores(skm.average_precision_score, average="macro"),
    "log_loss": _reference_scores(skm.log_loss),
    "brier": _reference_scores(skm.brier_score_loss),
    "mae": _labels(skm.mean_absolute_error),
    "mse": _labels(skm.mean_squared_error),
    "rmse": _labels(skm.root_mean_squared_error),
    "rmsle": _labels(skm.root_mean_squared_log_error),
    "mape": _labels(skm.mean_absolute_percentage_error),
    "medae": _labels(skm.median_absolute_error),
    "r2": _labels(skm.r2_score),
    "adjusted_r2": _reference_adjusted_r2,
}
for _kind, _fn in (
    ("precision", skm.precision_score),
    ("recall", skm.recall_score),
    ("f1", skm.f1_score),
):
    REFERENCES[_kind] = _label_average(_fn)
    for _average in ("macro", "micro", "weighted"):
        REFERENCES[f"{_kind}_{_average}"] = _label_average(_fn, _average)

CASES = [
    pytest.param(
        name, task, positive, id=f"{name}-{task}" + (f"-pos{positive}" if task == "binary" else "")
    )
    for name, spec in METRICS.items()
    for task in sorted(spec.tasks)
    for positive in ((1, 0) if task == "binary" else (1,))
]


def test_every_metric_has_a_reference():
    assert set(REFERENCES) == set(METRICS)


@pytest.mark.parametrize(("name", "task", "positive"), CASES)
def test_every_metric_agrees_with_its_library_function(name, task, positive):
    p, ctx = tiny_predictions(task, positive)
    got = compute_metrics([name], p, ctx)[name]
    assert math.isfinite(got)
    assert got == pytest.approx(float(REFERENCES[name](p, ctx)), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(("name", "task", "positive"), CASES)
def test_every_metric_points_the_right_way(name, task, positive):
    """Perfect predictions get the entry's best score, and noisy ones a worse score in the
    direction it declares — the direction that ranks models and evaluates gates."""
    spec = METRICS[name]
    perfect = compute_metrics([name], *tiny_predictions(task, positive, perfect=True))[name]
    noisy = compute_metrics([name], *tiny_predictions(task, positive))[name]
    assert perfect == pytest.approx(spec.best, abs=1e-9)
    assert (noisy < perfect) if spec.greater_is_better else (noisy > perfect)
    assert better(name, perfect, noisy) and not better(name, noisy, perfect)


def test_every_metric_is_offered_by_the_recipe_schema():
    from mlwb.recipe.json_schema import recipe_json_schema

    metrics = recipe_json_schema()["properties"]["metrics"]["anyOf"][0]
    assert metrics["items"]["enum"] == list(METRICS)


# --- undefined values: NaN and a note, never an error -------------------------------------


@pytest.mark.parametrize("bad", [-1.0, -3.5])
def test_rmsle_at_or_below_minus_one_is_nan_with_a_note(bad):
    y = np.array([1.0, 2.0, 3.0, 4.0])
    ctx = MetricContext("regression")
    notes: list[str] = []
    for true, pred in (
        (np.append(y, bad), np.append(y, 0.0)),
        (np.append(y, 0.0), np.append(y, bad)),
    ):
        got = compute_metrics(["rmsle", "rmse"], Predictions(true, pred), ctx, notes)
        assert math.isnan(got["rmsle"]) and math.isfinite(got["rmse"])
    assert (
        notes
        == [
            "rmsle: undefined on these predictions (NaN when a target or prediction "
            "is at or below -1)"
        ]
        * 2
    )
    # just above -1 it is defined
    close = compute_metrics(["rmsle"], Predictions(np.append(y, -0.5), np.append(y, 0.0)), ctx)
    assert close["rmsle"] == pytest.approx(
        skm.root_mean_squared_log_error(np.append(y, -0.5), np.append(y, 0.0))
    )


def test_cohen_kappa_with_one_label_is_nan_and_a_missing_class_is_consistent():
    y = np.zeros(6, dtype=int)
    got = compute_metrics(["cohen_kappa"], Predictions(y, y), MetricContext("multiclass", 3))
    assert math.isnan(got["cohen_kappa"])
    # a fold without class 2 scores as scikit-learn does on the labels present
    y = np.array([0, 1, 0, 1, 1, 0])
    pred = np.array([0, 1, 1, 1, 0, 0])
    got = compute_metrics(["cohen_kappa"], Predictions(y, pred), MetricContext("multiclass", 3))
    assert got["cohen_kappa"] == pytest.approx(skm.cohen_kappa_score(y, pred))


def test_cohen_kappa_reads_the_labels_at_the_decision_threshold():
    p, ctx = tiny_predictions("binary")
    strict = Predictions(p.y_true, (p.scores >= 0.7).astype(int), p.scores)
    loose = compute_metrics(["cohen_kappa"], p, ctx)["cohen_kappa"]
    tight = compute_metrics(["cohen_kappa"], strict, ctx)["cohen_kappa"]
    assert tight == pytest.approx(skm.cohen_kappa_score(p.y_true, strict.labels))
    assert tight != pytest.approx(loose)


@pytest.mark.parametrize(
    ("task", "y", "pred", "expected"),
    [
        # the positive class is neither true nor predicted: every row a correct negative
        ("binary", [0, 0, 0], [0, 0, 0], 1.0),
        # every row is the positive class: no negatives, no specificity
        ("binary", [1, 1, 1], [1, 0, 1], math.nan),
        # multiclass: class 0 has no negatives and is left out of the macro mean
        ("multiclass", [0, 0, 0, 0], [0, 1, 0, 2], (3 / 4 + 3 / 4) / 2),
    ],
)
def test_specificity_edge_cases(task, y, pred, expected):
    ctx = MetricContext(task, 2 if task == "binary" else 3)
    got = compute_metrics(["specificity"], Predictions(np.array(y), np.array(pred)), ctx)
    if math.isnan(expected):
        assert math.isnan(got["specificity"])
    else:
        assert got["specificity"] == pytest.approx(expected)


def test_notes_name_each_undefined_metric_once_per_call():
    y = np.zeros(10, dtype=int)
    notes: list[str] = []
    compute_metrics(
        ["roc_auc", "accuracy"], Predictions(y, y, np.full(10, 0.2)), MetricContext("binary"), notes
    )
    assert notes == [
        "roc_auc: undefined on these predictions (NaN when only one class among the true labels)"
    ]
