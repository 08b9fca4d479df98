"""Threshold tuning and calibration: chosen on training rows only, reported against 0.5,
saved with the model and applied by predict."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import (
    NO_DIAGNOSTICS_YAML,
    SAMPLES,
    make_dataset,
    run_cli,
    write_recipe,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import StratifiedKFold, TunedThresholdClassifierCV

from mlwb.evaluation import DecisionPlan, constrained_score, fbeta, negative_cost, youden_j
from mlwb.plan import plan_run

CREDIT = SAMPLES / "credit.csv"


class GivenScores(ClassifierMixin, BaseEstimator):
    """A classifier whose positive-class probability is the column ``p`` of X."""

    def fit(self, X, y):
        self.classes_ = np.array([0, 1])
        return self

    def predict_proba(self, X):
        p = np.asarray(X["p"], dtype=float)
        return np.column_stack([1 - p, p])

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def test_cost_objective_picks_the_hand_computed_threshold():
    # Thresholds t (positive when p >= t) and the cost FP·1 + FN·4 of each interval:
    #   t ≤ .05: 4 FP → 4;  (.05, .15]: 3;  (.15, .30]: 2 FP, 0 FN → 2;  (.30, .45]: 2 + 4 = 6;
    #   (.45, .55]: 1 + 4 = 5;  (.55, .70]: 4;  (.70, .85]: 8 …  The minimum is in (.15, .30].
    X = pd.DataFrame({"p": [0.05, 0.15, 0.30, 0.45, 0.55, 0.70, 0.85, 0.95]})
    y = np.array([0, 0, 1, 0, 0, 1, 1, 1])
    plan = DecisionPlan(task="binary", objective="cost", cost_fp=1.0, cost_fn=4.0, positive=1)
    tuner = TunedThresholdClassifierCV(
        GivenScores().fit(X, y),
        scoring=plan.scorer(),
        cv="prefit",
        refit=False,
        thresholds=np.linspace(0.01, 0.99, 99),
    ).fit(X, y)
    assert 0.15 < tuner.best_threshold_ <= 0.30
    assert -tuner.best_score_ == pytest.approx(2 / 8)  # expected cost per row
    assert negative_cost(
        y, (X["p"] >= 0.2).to_numpy().astype(int), pos_label=1, fp=1, fn=4
    ) == pytest.approx(-2 / 8)


def test_constrained_score_orders_feasible_above_infeasible():
    y = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    loose = np.array([1, 1, 1, 1, 1, 1, 0, 0])  # recall 1, precision 4/6
    tight = np.array([1, 1, 0, 0, 0, 0, 0, 0])  # recall 0.5, precision 1

    def score(pred):
        return constrained_score(
            y,
            pred,
            pos_label=1,
            kind="min_recall",
            value=0.8,
        )

    assert score(loose) == pytest.approx(4 / 6)  # feasible: its precision
    assert score(tight) < 0  # recall 0.5 misses 0.8
    assert score(loose) > score(tight)


def fit_json(tmp_path, extra: str, models: str = "{logistic_regression: {}}", *args):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        f"""
target: default
columns: {{drop: [customer_id]}}
models: {models}
validation: {{outer: {{folds: 4}}, inner: {{folds: 3}}}}
n_jobs: 1
{NO_DIAGNOSTICS_YAML}{extra}""",
    )
    result = run_cli("fit", recipe, CREDIT, "--out", tmp_path / "run", "--json", *args)
    assert result.exit_code in (0, 4), result.stderr
    return result.json()


@pytest.mark.slow
def test_tuned_f1_beats_f1_at_one_half_on_imbalanced_data(tmp_path):
    document = fit_json(
        tmp_path,
        "threshold: {objective: f1}",
        "{logistic_regression: {}, lightgbm: {n_estimators: 60}}",
    )
    for name in ("logistic_regression", "lightgbm"):
        decision = document["models"][name]["decision"]
        assert len(decision["thresholds"]) == 4
        assert all(0 < t < 0.5 for t in decision["thresholds"])  # 13 % positives: below 0.5
        assert decision["at_threshold"]["f1"] >= decision["at_default_threshold"]["f1"]
        # the reported outer F1 is the tuned one
        assert document["models"][name]["summary"]["f1"]["mean"] == pytest.approx(
            decision["at_threshold"]["f1"]
        )
    assert document["models"]["dummy"]["decision"] is None  # the floor stays untouched


def test_min_recall_constraint_is_met_on_the_inner_folds():
    frame = pd.read_csv(CREDIT)
    recipe, dataset = make_dataset(
        frame,
        {
            "target": "default",
            "columns": {"drop": ["customer_id"]},
            "models": {"logistic_regression": {}},
            "threshold": {"objective": "min_recall", "value": 0.8},
            "validation": {"inner": {"folds": 3}},
            "n_jobs": 1,
        },
    )
    plan = plan_run(recipe, dataset)
    train, _ = plan.splits[0]
    X, y = dataset.X.iloc[train], dataset.y[train]
    tuner = plan.decision.wrap(clone(plan.model("logistic_regression").pipeline)).fit(X, y)
    assert tuner.best_score_ >= 0  # the constraint was met
    positive = plan.decision.positive
    recalls = []
    for inner_train, inner_test in StratifiedKFold(3, shuffle=True, random_state=0).split(X, y):
        model = clone(plan.model("logistic_regression").pipeline).fit(
            X.iloc[inner_train], y[inner_train]
        )
        proba = model.predict_proba(X.iloc[inner_test])[:, positive]
        decided = proba >= tuner.best_threshold_
        actual = y[inner_test] == positive
        recalls.append((decided & actual).sum() / actual.sum())
    assert np.mean(recalls) >= 0.8 - 1e-9


def test_an_unreachable_constraint_is_reported_not_hidden(tmp_path):
    # Pure noise with 10 % positives: no threshold gives precision >= 0.9 on the inner folds.
    rng = np.random.default_rng(4)
    frame = pd.DataFrame(rng.normal(size=(400, 5)), columns=list("abcde"))
    frame["y"] = np.where(rng.random(400) < 0.1, "yes", "no")
    data = tmp_path / "noise.csv"
    frame.to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / "r.yaml",
        """
target: y
models: {logistic_regression: {}}
threshold: {objective: min_precision, value: 0.9}
validation: {outer: {folds: 3}}
n_jobs: 1
""",
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run")
    assert result.exit_code == 0, result.stderr
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    unmet = metrics["models"]["logistic_regression"]["decision"]["constraint_unmet_folds"]
    assert unmet, "the constraint was reported as met on noise"
    folds = ", ".join(map(str, unmet))
    assert f"threshold.value could not be met on outer fold(s) {folds}" in result.stderr
    assert "the constraint could not be met" in result.stdout


@pytest.mark.slow
def test_the_saved_threshold_is_applied_by_predict(tmp_path):
    fit_json(tmp_path, "threshold: {objective: f1}")
    run = tmp_path / "run"
    meta = json.loads((run / "model.json").read_text())
    threshold = meta["threshold"]
    assert 0 < threshold < 0.5
    import skops.io as sio

    from mlwb.artifacts import ALLOWED_TYPES

    model = sio.load(run / "model.skops", trusted=sorted(ALLOWED_TYPES))
    assert model.threshold_ == pytest.approx(threshold)
    predicted = run_cli("predict", run, CREDIT)
    frame = pd.read_csv(pd.io.common.StringIO(predicted.stdout))
    assert ((frame["proba_yes"] >= threshold) == (frame["prediction"] == "yes")).all()
    assert (frame["prediction"] == "yes").sum() > (frame["proba_yes"] >= 0.5).sum()
    override = pd.read_csv(
        pd.io.common.StringIO(run_cli("predict", run, CREDIT, "--threshold", "0.5").stdout)
    )
    assert ((override["proba_yes"] >= 0.5) == (override["prediction"] == "yes")).all()


@pytest.mark.parametrize("method", ["sigmoid", "isotonic"])
def test_calibration_improves_or_keeps_the_brier_score_of_naive_bayes(tmp_path, method):
    document = fit_json(tmp_path, f"calibration: {method}", "{gaussian_nb: {}}")
    decision = document["models"]["gaussian_nb"]["decision"]
    before, after = decision["before_calibration"], decision["after_calibration"]
    print(f"{method}: brier {before['brier']:.4f} -> {after['brier']:.4f}")
    assert after["brier"] <= before["brier"]
    assert after["log_loss"] <= before["log_loss"]


def test_calibrated_multiclass_probabilities_still_sum_to_one(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        "target: cultivar\ncalibration: sigmoid\nmodels: {gaussian_nb: {}}\nn_jobs: 1\n",
    )
    assert (
        run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run", "-q").exit_code == 0
    )
    frame = pd.read_csv(
        pd.io.common.StringIO(run_cli("predict", tmp_path / "run", SAMPLES / "wine.csv").stdout)
    )
    proba = frame[[c for c in frame.columns if c.startswith("proba_")]]
    assert np.allclose(proba.sum(axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize(
    ("target", "data", "extra", "message"),
    [
        (
            "cultivar",
            "wine.csv",
            "threshold: {objective: f1}",
            "threshold.objective: f1 tunes the decision threshold of a binary task",
        ),
        (
            "default",
            "credit.csv",
            "threshold: {objective: min_precision}",
            "threshold.value: min_precision needs the constraint level",
        ),
        (
            "progression",
            "diabetes.csv",
            "calibration: isotonic",
            "calibration: isotonic calibrates class probabilities",
        ),
    ],
)
def test_impossible_decision_settings_are_recipe_errors(tmp_path, target, data, extra, message):
    recipe = write_recipe(tmp_path / "r.yaml", f"target: {target}\n{extra}\n")
    result = run_cli("fit", recipe, SAMPLES / data, "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert message in result.stderr


@settings(max_examples=200, deadline=None)
@given(
    labels=st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=1, max_size=40),
    beta=st.sampled_from([0.5, 1.0, 2.0]),
    positive=st.integers(0, 1),
)
def test_fast_objectives_equal_scikit_learns(labels, beta, positive):
    from sklearn.metrics import fbeta_score, recall_score

    y_true = np.array([a for a, _ in labels])
    y_pred = np.array([b for _, b in labels])
    expected = fbeta_score(y_true, y_pred, beta=beta, pos_label=positive, zero_division=0)
    assert fbeta(y_true, y_pred, pos_label=positive, beta=beta) == pytest.approx(expected)
    sensitivity = recall_score(y_true == positive, y_pred == positive, zero_division=0)
    specificity = recall_score(y_true != positive, y_pred != positive, zero_division=0)
    assert youden_j(y_true, y_pred, pos_label=positive) == pytest.approx(
        sensitivity + specificity - 1
    )
