"""``mlwb evaluate MODEL DATA``: a saved model scored on an external labelled set."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import NO_DIAGNOSTICS, SAMPLES, run_cli, write_recipe
from sklearn import metrics as skm


@pytest.fixture(scope="module")
def split_credit(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("evaluate")
    frame = pd.read_csv(SAMPLES / "credit.csv")
    frame.iloc[:1400].to_csv(tmp / "train.csv", index=False)
    frame.iloc[1400:].to_csv(tmp / "test.csv", index=False)
    recipe = write_recipe(
        tmp / "r.yaml",
        yaml.safe_dump(
            {
                "target": "default",
                "positive": "yes",
                "models": {"logistic_regression": {}},
                "threshold": {"objective": "f1"},
                "validation": {"outer": {"folds": 3}, "inner": {"folds": 3}},
                "n_jobs": 1,
                **NO_DIAGNOSTICS,
            }
        ),
    )
    assert run_cli("fit", recipe, tmp / "train.csv", "--out", tmp / "run", "-q").exit_code == 0
    return tmp


def test_evaluate_reproduces_predict_and_scikit_learn(split_credit):
    tmp = split_credit
    result = run_cli("evaluate", tmp / "run", tmp / "test.csv", "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    predicted = run_cli("predict", tmp / "run", tmp / "test.csv")
    frame = pd.read_csv(io.StringIO(predicted.stdout))
    truth = pd.read_csv(tmp / "test.csv")["default"]
    positive = truth == "yes"
    scores = document["metrics"]
    assert document["rows"] == len(truth) == 600
    assert 0 < document["threshold"] < 1
    assert scores["roc_auc"] == pytest.approx(skm.roc_auc_score(positive, frame["proba_yes"]))
    assert scores["average_precision"] == pytest.approx(
        skm.average_precision_score(positive, frame["proba_yes"])
    )
    assert scores["brier"] == pytest.approx(skm.brier_score_loss(positive, frame["proba_yes"]))
    for name, function in (
        ("f1", skm.f1_score),
        ("precision", skm.precision_score),
        ("recall", skm.recall_score),
    ):
        assert scores[name] == pytest.approx(function(truth, frame["prediction"], pos_label="yes"))
    assert scores["balanced_accuracy"] == pytest.approx(
        skm.balanced_accuracy_score(truth, frame["prediction"])
    )
    matrix = skm.confusion_matrix(truth, frame["prediction"], labels=["no", "yes"])
    assert document["confusion_matrix"] == matrix.tolist()


def test_console_shows_metrics_and_the_confusion_matrix(split_credit):
    tmp = split_credit
    result = run_cli("evaluate", tmp / "run", tmp / "test.csv")
    assert result.exit_code == 0
    assert "confusion matrix" in result.stdout and "roc_auc" in result.stdout
    assert "saved with the model" in result.stdout


def test_regression_metrics_match_scikit_learn(tmp_path):
    frame = pd.read_csv(SAMPLES / "diabetes.csv")
    frame.iloc[:300].to_csv(tmp_path / "train.csv", index=False)
    frame.iloc[300:].to_csv(tmp_path / "test.csv", index=False)
    recipe = write_recipe(
        tmp_path / "r.yaml",
        yaml.safe_dump(
            {"target": "progression", "models": {"ridge": {}}, "n_jobs": 1, **NO_DIAGNOSTICS}
        ),
    )
    assert (
        run_cli("fit", recipe, tmp_path / "train.csv", "--out", tmp_path / "run", "-q").exit_code
        == 0
    )
    result = run_cli("evaluate", tmp_path / "run", tmp_path / "test.csv", "--json")
    predicted = pd.read_csv(
        io.StringIO(run_cli("predict", tmp_path / "run", tmp_path / "test.csv").stdout)
    )
    truth = frame.iloc[300:]["progression"].to_numpy()
    scores = result.json()["metrics"]
    assert scores["rmse"] == pytest.approx(
        np.sqrt(skm.mean_squared_error(truth, predicted["prediction"]))
    )
    assert scores["mae"] == pytest.approx(skm.mean_absolute_error(truth, predicted["prediction"]))
    assert scores["r2"] == pytest.approx(skm.r2_score(truth, predicted["prediction"]))
    assert result.json()["confusion_matrix"] is None


def test_gate_exits_4(split_credit):
    tmp = split_credit
    failed = run_cli("evaluate", tmp / "run", tmp / "test.csv", "--gate", "roc_auc>=0.99")
    assert failed.exit_code == 4 and "quality gate failed: roc_auc >= 0.99" in failed.stderr
    passed = run_cli("evaluate", tmp / "run", tmp / "test.csv", "--gate", "roc_auc>=0.5", "-q")
    assert passed.exit_code == 0


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda f: f.drop(columns="default"), "no target column 'default'"),
        (
            lambda f: f.assign(default=f["default"].replace("yes", "maybe")),
            "labels the model never saw",
        ),
        (lambda f: f.drop(columns="income"), "missing 1 column(s) the model needs: income"),
        (
            lambda f: f.assign(default=f["default"].where(f.index != 3)),
            "missing in 1 rows (lines 5)",
        ),
    ],
)
def test_bad_data_is_exit_3_with_one_line(split_credit, tmp_path, change, message):
    frame = change(pd.read_csv(split_credit / "test.csv"))
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    result = run_cli("evaluate", split_credit / "run", path)
    assert result.exit_code == 3, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in result.stderr
