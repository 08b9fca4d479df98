"""Quality gates: exit 4 when not met (after the run folder is written), 0 when met, 2 when
malformed; a gate that cannot be evaluated fails."""

from __future__ import annotations

import json
import math

import pytest
from conftest import SAMPLES, fast_recipe, run_cli

from mlwb.compare.gates import Gate, check_gates, command_line_gates, failure_message, recipe_gates
from mlwb.errors import RecipeError, UsageError


def test_parsing_and_checking():
    gates = command_line_gates(["roc_auc>=0.8", "brier <= 0.1", "f1>0.3"])
    assert [str(g) for g in gates] == ["roc_auc >= 0.8", "brier <= 0.1", "f1 > 0.3"]
    results = check_gates(gates, {"roc_auc": 0.85, "brier": 0.12, "f1": 0.3}, "cv")
    assert [r.passed for r in results] == [True, False, False]
    assert "brier <= 0.1" in failure_message(results)
    assert recipe_gates({"roc_auc": ">= 0.80"}) == [Gate("roc_auc", ">=", 0.8)]


def test_a_gate_that_cannot_be_evaluated_fails():
    gate = Gate("roc_auc", ">=", 0.5)
    missing, undefined = (
        check_gates([gate, gate], {"f1": 1.0}, "cv")[0],
        check_gates([gate], {"roc_auc": math.nan}, "cv")[0],
    )
    assert not missing.passed and "cannot be evaluated" in missing.reason
    assert not undefined.passed


@pytest.mark.parametrize("text", ["roc_auc", "roc_auc>=", ">=0.8", "roc_auc=>0.8", "roc_auc>=high"])
def test_malformed_command_line_gates(text):
    with pytest.raises(UsageError, match="--gate"):
        command_line_gates([text])


def test_unknown_metric_in_recipe_gates():
    with pytest.raises(RecipeError, match=r"gates\.rocauc: unknown metric 'rocauc'; did you"):
        recipe_gates({"rocauc": ">= 0.8"})


def test_failed_gate_exits_4_after_writing_the_run(tmp_path):
    recipe = fast_recipe(tmp_path, "credit")
    out = tmp_path / "run"
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", out, "--gate", "roc_auc>=0.99")
    assert result.exit_code == 4
    assert "quality gate failed: roc_auc >= 0.99" in result.stderr
    assert "✗ roc_auc >= 0.99" in result.stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["passed"] is False and metrics["gates"][0]["value"] < 0.99
    assert (out / "model.skops").is_file()


def test_passing_gates_exit_0_and_recipe_gates_apply(tmp_path):
    recipe = fast_recipe(tmp_path, "credit", extra='gates: {roc_auc: ">= 0.7", brier: "<= 0.2"}\n')
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run", "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["passed"] is True and len(document["gates"]) == 2


def test_a_gated_metric_outside_metrics_is_computed(tmp_path):
    recipe = fast_recipe(tmp_path, "credit", extra="metrics: [roc_auc]\n")
    result = run_cli(
        "fit",
        recipe,
        SAMPLES / "credit.csv",
        "--out",
        tmp_path / "run",
        "--json",
        "--gate",
        "mcc>=0.9",
    )
    assert result.exit_code == 4
    assert "mcc" in result.json()["metrics"]


def test_gate_on_a_metric_of_another_task_is_exit_2(tmp_path):
    recipe = fast_recipe(tmp_path, "credit")
    result = run_cli(
        "fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run", "--gate", "rmse<=1"
    )
    assert result.exit_code == 2
    assert "gates.rmse: metric 'rmse' does not apply to a binary task" in result.stderr
    assert not (tmp_path / "run").exists()


def test_gates_use_the_holdout_when_there_is_one(tmp_path):
    recipe = fast_recipe(tmp_path, "credit", extra="validation: {holdout: 0.25}\n")
    result = run_cli(
        "fit",
        recipe,
        SAMPLES / "credit.csv",
        "--out",
        tmp_path / "run",
        "--json",
        "--gate",
        "roc_auc>=0.5",
    )
    assert result.exit_code == 0, result.stderr
    gate = result.json()["gates"][0]
    assert gate["source"].startswith("holdout")
    assert gate["value"] == pytest.approx(result.json()["holdout"]["roc_auc"])
