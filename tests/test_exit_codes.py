"""One test per exit code (DESIGN.md): 0, 1, 2, 3, 4, 130, 143 — each with one error line
(130 and 143 with real signals in test_interrupts.py too)."""

from __future__ import annotations

import signal
import time

import pandas as pd
import pytest
from conftest import SAMPLES, fast_recipe, run_cli, run_process, start_fit, write_recipe

from mlwb.errors import ExitCode, GateFailed


def single_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, stderr
    assert "Traceback" not in stderr
    return lines[0]


def test_exit_code_values_are_the_design():
    assert [int(c) for c in ExitCode] == [0, 1, 2, 3, 4, 130, 143]


def test_0_success_and_version():
    completed = run_process("--version")
    assert completed.returncode == 0
    assert completed.stdout.startswith("mlwb ")


def test_1_internal_error_is_short_unless_debug(tmp_path, monkeypatch):
    import mlwb.workflows.fit as fit_module

    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(fit_module, "run_fit", bug)
    recipe = fast_recipe(tmp_path, "wine")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv")
    assert result.exit_code == ExitCode.INTERNAL
    line = single_error_line(result.stderr)
    assert "internal error: ZeroDivisionError: division by zero" in line
    assert "--debug" in line
    debug = run_cli("fit", recipe, SAMPLES / "wine.csv", "--debug")
    assert debug.exit_code == ExitCode.INTERNAL
    assert "Traceback (most recent call last)" in debug.stderr


def test_2_invalid_recipe_names_key_and_suggestion(tmp_path):
    recipe = write_recipe(tmp_path / "bad.yaml", "target: default\nmodles:\n  random_forest: {}\n")
    completed = run_process("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run")
    assert completed.returncode == ExitCode.USAGE
    line = single_error_line(completed.stderr)
    assert "modles: unknown key; did you mean models?" in line
    assert completed.stdout == ""
    assert not (tmp_path / "run").exists()


def test_2_invalid_command_line():
    completed = run_process("fit", "--no-such-option")
    assert completed.returncode == ExitCode.USAGE
    assert "Traceback" not in completed.stderr


def test_2_bad_override(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--set", "seed")
    assert result.exit_code == ExitCode.USAGE
    assert "expected KEY.PATH=VALUE" in single_error_line(result.stderr)


def test_2_unknown_model_parameter(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml", "target: cultivar\nmodels: {random_forest: {max_dept: 3}}\n"
    )
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.USAGE
    line = single_error_line(result.stderr)
    assert "models.random_forest.max_dept: not a parameter of RandomForestClassifier" in line
    assert "did you mean max_depth?" in line


def test_2_invalid_model_parameter_value(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        "target: cultivar\nmodels: {random_forest: {max_depth: -4}}\nn_jobs: 1\n",
    )
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.USAGE
    assert "models.random_forest.max_depth:" in single_error_line(result.stderr)
    assert not (tmp_path / "run").exists()


def test_2_model_that_cannot_do_the_task(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml", "target: progression\nmodels: {logistic_regression: {}}\n"
    )
    result = run_cli("fit", recipe, SAMPLES / "diabetes.csv", "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.USAGE
    line = single_error_line(result.stderr)
    assert "models.logistic_regression: cannot do a regression task" in line
    assert "binary, multiclass" in line


def test_3_csv_without_the_target(tmp_path):
    frame = pd.read_csv(SAMPLES / "credit.csv").drop(columns=["default"])
    frame["defualt"] = "no"
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    recipe = fast_recipe(tmp_path, "credit")
    completed = run_process("fit", recipe, path, "--out", tmp_path / "run")
    assert completed.returncode == ExitCode.DATA
    line = single_error_line(completed.stderr)
    assert "target column 'default' not found; did you mean defualt?" in line
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "file is empty"),
        ("a,b,y\n", "has a header but no rows"),
        ("a,a,y\n1,2,x\n3,4,z\n", "duplicated column names: 'a'"),
        ("a,b,y\n1,2,x\n3,4,5,z\n", "line 3 has 4 fields but the header has 3"),
        ("a,b,y\n1,2,x\n3,4,\n5,6,z\n", "target 'y' is missing in 1 rows (lines 3)"),
        ("a,b,y\n1,2,x\n3,4,x\n", "has a single value"),
    ],
)
def test_3_data_errors(tmp_path, content, expected):
    path = tmp_path / "data.csv"
    path.write_text(content)
    recipe = write_recipe(tmp_path / "r.yaml", "target: y\n")
    result = run_cli("fit", recipe, path, "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.DATA, result.stderr
    assert expected in single_error_line(result.stderr)
    assert not (tmp_path / "run").exists()


def test_3_class_with_fewer_rows_than_folds(tmp_path):
    frame = pd.read_csv(SAMPLES / "wine.csv")
    keep = frame[frame["cultivar"] != "class_2"]
    rare = frame[frame["cultivar"] == "class_2"].head(3)
    path = tmp_path / "data.csv"
    pd.concat([keep, rare]).to_csv(path, index=False)
    recipe = fast_recipe(tmp_path, "wine")
    result = run_cli("fit", recipe, path, "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.DATA
    line = single_error_line(result.stderr)
    assert "class 'class_2' has 3 rows, fewer than the 5 folds" in line
    assert "validation.outer.folds: 3" in line


def test_3_task_contradicts_data(tmp_path):
    recipe = write_recipe(tmp_path / "r.yaml", "target: cultivar\ntask: regression\n")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run")
    assert result.exit_code == ExitCode.DATA
    assert "task is regression but target 'cultivar' is not numeric" in single_error_line(
        result.stderr
    )


def test_3_missing_data_file(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    result = run_cli("fit", recipe, tmp_path / "nope.csv")
    assert result.exit_code == ExitCode.DATA
    assert "nope.csv: file not found" in single_error_line(result.stderr)


def test_4_gate_failure_maps_to_exit_4(tmp_path, monkeypatch):
    # Gates arrive with the threshold/gates capability; the mapping is fixed now.
    import mlwb.workflows.fit as fit_module

    def gate(*args, **kwargs):
        raise GateFailed("gate roc_auc >= 0.99 failed: 0.82")

    monkeypatch.setattr(fit_module, "run_fit", gate)
    result = run_cli("fit", fast_recipe(tmp_path, "wine"), SAMPLES / "wine.csv")
    assert result.exit_code == ExitCode.GATE_FAILED == 4
    assert "gate roc_auc >= 0.99 failed" in single_error_line(result.stderr)


@pytest.mark.slow
def test_130_interrupt_leaves_no_run_folder(tmp_path):
    recipe = write_recipe(
        tmp_path / "slow.yaml",
        "target: default\nmodels: {random_forest: {n_estimators: 3000}}\nn_jobs: 1\n",
    )
    out = tmp_path / "run"
    process = start_fit(
        recipe, SAMPLES / "credit.csv", out, env={"NO_COLOR": "1", "PATH": "/usr/bin:/bin"}
    )
    assert process.stderr is not None
    deadline = time.time() + 120
    while time.time() < deadline:
        line = process.stderr.readline()
        if line.startswith("evaluate"):
            break
    time.sleep(1.0)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == ExitCode.INTERRUPTED == 130
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not out.exists()
    assert list(tmp_path.glob(".run*")) == []
