"""``mlwb compare RUN RUN …``: deltas against a baseline run and CI checks."""

from __future__ import annotations

import json
import shutil

import pytest
from conftest import NO_DIAGNOSTICS_YAML, SAMPLES, run_cli, write_recipe

CREDIT = SAMPLES / "credit.csv"


def _fit(tmp, name: str, model: str):
    recipe = write_recipe(
        tmp / f"{name}.yaml",
        f"name: {name}\ntarget: default\nmodels: {model}\nn_jobs: 1\n"
        "validation: {outer: {folds: 3}}\n" + NO_DIAGNOSTICS_YAML,
    )
    out = tmp / name
    assert run_cli("fit", recipe, CREDIT, "--out", out, "-q").exit_code == 0
    return out


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("runs")
    good = _fit(tmp, "good", "{logistic_regression: {C: 1.0}}")
    worse = _fit(tmp, "worse", "{decision_tree: {max_depth: 1}}")
    return tmp, good, worse


def _auc(run) -> float:
    document = json.loads((run / "metrics.json").read_text())
    return document["models"][document["best_model"]]["summary"]["roc_auc"]["mean"]


def test_the_fixture_runs_differ_in_the_expected_direction(runs):
    _, good, worse = runs
    assert _auc(worse) < _auc(good)


def test_deltas_against_the_first_run(runs):
    _, good, worse = runs
    result = run_cli("compare", good, worse, "--json")
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["kind"] == "run_comparison" and document["schema_version"] == 1
    assert document["baseline"] == str(good)
    deltas = document["runs"][1]["deltas"]
    assert deltas["roc_auc"] == pytest.approx(_auc(worse) - _auc(good))
    assert document["runs"][0]["deltas"] is None


def test_baseline_option_reverses_the_deltas(runs):
    _, good, worse = runs
    result = run_cli("compare", good, worse, "--baseline", worse, "--json")
    document = result.json()
    assert document["baseline"] == str(worse)
    assert document["runs"][0]["deltas"]["roc_auc"] == pytest.approx(_auc(good) - _auc(worse))


def test_max_drop_exits_4_when_the_metric_fell_and_0_when_not(runs):
    _, good, worse = runs
    fell = run_cli("compare", good, worse, "--max-drop", "roc_auc=0.0001")
    assert fell.exit_code == 4
    assert "roc_auc drop <= 0.0001" in fell.stderr and "fell by" in fell.stderr
    assert run_cli("compare", good, worse, "--max-drop", "roc_auc=0.5", "-q").exit_code == 0
    improved = run_cli("compare", worse, good, "--max-drop", "roc_auc=0.0001", "-q")
    assert improved.exit_code == 0


def test_gates_exit_4_and_0(runs):
    _, good, worse = runs
    assert run_cli("compare", good, worse, "--gate", "roc_auc>=0.99", "-q").exit_code == 4
    assert run_cli("compare", good, worse, "--gate", "roc_auc>=0.5", "-q").exit_code == 0


def test_a_gate_on_a_metric_the_runs_lack_fails(runs):
    _, good, worse = runs
    result = run_cli("compare", good, worse, "--gate", "r2>=0.1")
    assert result.exit_code == 4
    assert "cannot be evaluated: no r2" in result.stderr
    dropped = run_cli("compare", good, worse, "--max-drop", "rmse=1")
    assert dropped.exit_code == 4 and "cannot be evaluated" in dropped.stderr


def test_a_missing_or_unreadable_run_is_an_error_not_a_pass(runs, tmp_path):
    _, good, _ = runs
    missing = run_cli("compare", good, tmp_path / "nope", "--max-drop", "roc_auc=1")
    assert missing.exit_code == 3 and "run folder not found" in missing.stderr
    broken = tmp_path / "broken"
    shutil.copytree(good, broken)
    (broken / "metrics.json").write_text("{not json")
    unreadable = run_cli("compare", good, broken, "--gate", "roc_auc>=0")
    assert unreadable.exit_code == 3 and "unreadable run record" in unreadable.stderr
    assert "Traceback" not in unreadable.stderr


def test_bad_max_drop_is_a_usage_error(runs):
    _, good, worse = runs
    result = run_cli("compare", good, worse, "--max-drop", "roc_acu=0.1")
    assert result.exit_code == 2 and "did you mean roc_auc" in result.stderr


def test_markdown_for_a_pull_request_comment(runs, tmp_path):
    _, good, worse = runs
    path = tmp_path / "diff.md"
    result = run_cli("compare", good, worse, "--max-drop", "roc_auc=0.0001", "--md", path)
    assert result.exit_code == 4  # the comment is written even when a check fails
    lines = path.read_text().splitlines()
    assert lines[0] == "<!-- mlwb:compare -->"
    last_row = max(i for i, line in enumerate(lines) if line.startswith("|"))
    assert lines[last_row + 1] == ""
    assert any("❌ roc_auc drop <= 0.0001" in line for line in lines)


def test_runs_on_other_data_are_flagged(runs, tmp_path):
    _, good, _ = runs
    other = tmp_path / "other"
    shutil.copytree(good, other)
    document = json.loads((other / "metrics.json").read_text())
    document["dataset"]["sha256"] = "0" * 64
    (other / "metrics.json").write_text(json.dumps(document))
    result = run_cli("compare", good, other)
    assert result.exit_code == 0
    assert "fitted on other data" in result.stderr


def test_the_same_run_twice_is_a_usage_error(runs):
    _, good, _ = runs
    result = run_cli("compare", good, good)
    assert result.exit_code == 2 and "given twice" in result.stderr
