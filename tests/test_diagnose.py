"""Diagnostics: the bias–variance verdict, learning and validation curves, importance."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import SAMPLES, run_cli, write_recipe

from mlwb.diagnose.verdict import VerdictRuleValues, judge, skill

RULE = VerdictRuleValues(max_gap=0.15, min_skill=0.35, rising=0.02)


# --- the verdict on constructed curves (AUC: baseline 0.5, perfect 1.0) -------------------


def test_high_variance_when_train_is_far_above_validation():
    verdict = judge([1.0, 1.0, 0.99, 0.99], [0.70, 0.72, 0.74, 0.745], 0.5, 1.0, RULE)
    assert verdict.kind == "high_variance"
    assert any("regularisation" in r for r in verdict.remedies)
    assert any("more training rows" in r for r in verdict.remedies)


def test_high_bias_when_both_are_poor_and_close():
    verdict = judge([0.62, 0.61, 0.60, 0.60], [0.56, 0.58, 0.585, 0.59], 0.5, 1.0, RULE)
    assert verdict.kind == "high_bias"
    assert any("more complex model" in r for r in verdict.remedies)
    assert verdict.train_skill == pytest.approx(0.2)


def test_more_data_when_validation_still_rises():
    verdict = judge([0.93, 0.92, 0.91, 0.905], [0.70, 0.76, 0.81, 0.845], 0.5, 1.0, RULE)
    assert verdict.kind == "more_data"
    assert "rising" in verdict.remedies[0]


def test_good_fit_when_close_high_and_levelled_off():
    verdict = judge([0.95, 0.93, 0.92, 0.915], [0.84, 0.86, 0.87, 0.872], 0.5, 1.0, RULE)
    assert verdict.kind == "good_fit"
    assert "high variance when" in verdict.rule  # the rule is stated with the verdict


def test_skill_works_for_errors_too():
    # RMSE: baseline (predicting the mean) 10, perfect 0; a model at 4 has skill 0.6.
    assert skill(4.0, 10.0, 0.0) == pytest.approx(0.6)
    verdict = judge([3.0, 3.0], [4.0, 4.0], 10.0, 0.0, RULE)
    assert verdict.kind == "good_fit"


def test_thresholds_are_adjustable():
    curve = ([1.0, 1.0, 0.99, 0.99], [0.70, 0.72, 0.74, 0.745])
    loose = VerdictRuleValues(max_gap=0.6, min_skill=0.35, rising=0.02)
    assert judge(*curve, 0.5, 1.0, loose).kind != "high_variance"


# --- through a run -------------------------------------------------------------------------


def signal_frame(n: int = 300, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {"strong": rng.normal(size=n), "weak": rng.normal(size=n), "noise": rng.normal(size=n)}
    )
    logit = 2.5 * frame["strong"] + 0.6 * frame["weak"]
    frame["y"] = np.where(rng.random(n) < 1 / (1 + np.exp(-logit)), "yes", "no")
    return frame


def run_on(tmp_path, frame: pd.DataFrame, extra: str, *args):
    data = tmp_path / "data.csv"
    frame.to_csv(data, index=False)
    recipe = write_recipe(tmp_path / "r.yaml", f"target: y\nn_jobs: 1\n{extra}")
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run", *args)
    assert result.exit_code == 0, result.stderr
    return tmp_path / "run", result


def test_learning_curve_csv_has_sizes_and_both_scores(tmp_path):
    run, result = run_on(
        tmp_path,
        signal_frame(),
        "models: {logistic_regression: {}, random_forest: {n_estimators: 20}}\n",
    )
    curve = pd.read_csv(run / "learning_curve.csv")
    assert list(curve.columns) == [
        "model",
        "train_size",
        "train_roc_auc",
        "train_std",
        "validation_roc_auc",
        "validation_std",
    ]
    assert len(curve) >= 6
    full = 300 * 4 // 5
    assert curve["train_size"].iloc[-1] == full
    assert curve["train_size"].iloc[0] <= 0.15 * full
    assert curve["train_size"].is_monotonic_increasing
    assert set(curve["model"]) == {json.loads((run / "metrics.json").read_text())["best_model"]}
    assert "learning curve —" in result.stdout and "verdict:" in result.stdout


def test_learning_curves_of_every_model(tmp_path):
    run, _ = run_on(
        tmp_path,
        signal_frame(),
        "models: {logistic_regression: {}, random_forest: {n_estimators: 20}}\n"
        "diagnostics: {learning_curve: all, importance: none}\n",
    )
    curve = pd.read_csv(run / "learning_curve.csv")
    assert set(curve["model"]) == {"logistic_regression", "random_forest"}
    assert not (run / "importance.csv").exists()


def test_permutation_importance_ranks_signal_above_noise(tmp_path):
    run, result = run_on(tmp_path, signal_frame(600), "models: {logistic_regression: {}}\n")
    table = pd.read_csv(run / "importance.csv")
    permutation = table[table["kind"] == "permutation"].set_index("feature")
    assert list(permutation.index[:2]) == ["strong", "weak"]
    assert permutation.loc["strong", "importance_mean"] > 0.1
    assert abs(permutation.loc["noise", "importance_mean"]) < 0.02
    assert "permutation importance: roc_auc lost when a column is shuffled" in result.stdout
    own = table[table["kind"] != "permutation"]
    assert own["feature"].iloc[0] == "strong"  # |coefficient| on scaled features


def test_validation_curve(tmp_path):
    run, result = run_on(
        tmp_path,
        signal_frame(),
        """
models: {logistic_regression: {}}
diagnostics: {validation_curve: {model: logistic_regression, param: C, values: [0.001, 0.1, 10]}}
""",
    )
    curve = pd.read_csv(run / "validation_curve.csv")
    assert curve["C"].tolist() == [0.001, 0.1, 10]
    assert curve["validation_roc_auc"].iloc[-1] > 0.8
    assert (run / "figures" / "validation_curve.svg").is_file()
    assert "validation curve — logistic_regression.C" in result.stdout


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "diagnostics: {validation_curve: {model: svm, param: C, values: [1]}}",
            "diagnostics.validation_curve.model: 'svm' is not a model of this run",
        ),
        (
            "diagnostics: {validation_curve:"
            " {model: logistic_regression, param: Cee, values: [1]}}",
            "diagnostics.validation_curve.param: 'Cee' is not a parameter of logistic_regression",
        ),
    ],
)
def test_validation_curve_errors(tmp_path, extra, message):
    data = tmp_path / "data.csv"
    signal_frame().to_csv(data, index=False)
    recipe = write_recipe(
        tmp_path / "r.yaml", f"target: y\nmodels: {{logistic_regression: {{}}}}\n{extra}\n"
    )
    result = run_cli("fit", recipe, data, "--out", tmp_path / "run")
    assert result.exit_code == 2
    assert message in result.stderr


def test_regression_diagnostics_have_residuals(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml", "target: progression\nn_jobs: 1\nmodels: {ridge: {}}\n"
    )
    run = tmp_path / "run"
    assert run_cli("fit", recipe, SAMPLES / "diabetes.csv", "--out", run, "-q").exit_code == 0
    diagnostics = json.loads((run / "diagnostics.json").read_text())
    assert diagnostics["classification"] is None
    assert len(diagnostics["regression"]["actual"]) == 442
    assert (run / "figures" / "residuals.svg").is_file()
