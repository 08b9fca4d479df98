"""``mlwb compare RECIPE DATA``: identical folds, leaderboard with tests, run folder."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from conftest import SAMPLES, fast_recipe, run_cli, write_recipe

CREDIT = SAMPLES / "credit.csv"


@pytest.fixture(scope="module")
def compared(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("compare")
    recipe = fast_recipe(tmp, "credit", extra="gates: {roc_auc: '>= 0.6'}\n")
    out = tmp / "run"
    result = run_cli("compare", recipe, CREDIT, "--out", out, "--md", tmp / "board.md")
    assert result.exit_code == 0, result.stderr
    return tmp, recipe, out, result


def test_leaderboard_has_p_values_tie_marks_and_times(compared):
    _, _, out, result = compared
    for header in ("rank", "p (Holm)", "vs best", "Δ best", "fit s", "pred s"):
        assert header in result.stdout
    assert "Friedman test across 3 models over 5 folds" in result.stdout
    frame = pd.read_csv(out / "leaderboard.csv")
    assert list(frame["rank"]) == [1, 2, 3, 4]
    assert frame.loc[0, "vs_best"] == "best" and pd.isna(frame.loc[0, "p_value"])
    dummy = frame.set_index("model").loc["dummy"]
    assert dummy["vs_best"] == "worse" and dummy["p_holm"] < 0.05
    assert set(frame["vs_best"]) <= {"best", "tied", "worse"}
    assert (frame["p_holm"].dropna() >= frame["p_value"].dropna()).all()
    assert (frame["fit_seconds"] > 0).all() and (frame["predict_seconds"] > 0).all()


def test_compare_writes_a_run_folder_without_a_model(compared):
    _, _, out, _ = compared
    assert not (out / "model.skops").exists()
    for name in ("metrics.json", "leaderboard.csv", "oof_predictions.csv", "environment.json"):
        assert (out / name).is_file()
    document = json.loads((out / "metrics.json").read_text())
    assert document["kind"] == "compare" and document["final_model"] is None
    assert document["leaderboard"]["best"] == document["best_model"]
    assert document["passed"] is True


def test_markdown_leaderboard_for_a_pull_request(compared):
    tmp, *_ = compared
    text = (tmp / "board.md").read_text()
    assert text.splitlines()[0] == "<!-- mlwb:compare -->"
    lines = text.splitlines()
    last_table_row = max(i for i, line in enumerate(lines) if line.startswith("|"))
    assert lines[last_table_row + 1] == ""
    assert "p (Holm)" in text and len(text) < 60_000


def test_compare_uses_the_same_folds_as_fit_and_is_deterministic(compared, tmp_path):
    _, recipe, out, _ = compared
    again = run_cli("compare", recipe, CREDIT, "--out", tmp_path / "again", "--json")
    fitted = run_cli("fit", recipe, CREDIT, "--out", tmp_path / "fit", "--json")
    assert again.exit_code == 0 and fitted.exit_code == 0
    first = json.loads((out / "metrics.json").read_text())
    second = again.json()
    assert second["leaderboard"] == first["leaderboard"]
    for name, model in fitted.json()["models"].items():
        assert [f["test"] for f in second["models"][name]["folds"]] == [
            f["test"] for f in model["folds"]
        ]
    columns = ["model", "rank", "roc_auc_mean", "p_value", "p_holm", "vs_best"]
    pd.testing.assert_frame_equal(
        pd.read_csv(out / "leaderboard.csv")[columns],
        pd.read_csv(tmp_path / "again" / "leaderboard.csv")[columns],
    )


def test_fit_option_saves_the_best_model(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    out = tmp_path / "run"
    result = run_cli("compare", recipe, SAMPLES / "wine.csv", "--out", out, "--fit", "-q")
    assert result.exit_code == 0, result.stderr
    predicted = run_cli("predict", out, SAMPLES / "wine.csv")
    assert predicted.exit_code == 0 and predicted.stdout.startswith("prediction,")


def test_without_models_compare_runs_the_default_zoo(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml", "target: cultivar\nn_jobs: 1\nvalidation: {outer: {folds: 3}}\n"
    )
    result = run_cli("compare", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run", "--json")
    assert result.exit_code == 0, result.stderr
    models = set(result.json()["models"])
    assert {"logistic_regression", "random_forest", "lightgbm", "xgboost", "knn"} <= models
    assert result.json()["leaderboard"]["friedman"] is not None


def test_failed_gate_exits_4_after_writing(tmp_path):
    recipe = fast_recipe(tmp_path, "credit")
    out = tmp_path / "run"
    result = run_cli("compare", recipe, CREDIT, "--out", out, "--gate", "roc_auc>=0.99", "-q")
    assert result.exit_code == 4
    assert "quality gate failed: roc_auc >= 0.99" in result.stderr
    assert (out / "leaderboard.csv").exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--max-drop", "roc_auc=0.01"], "--baseline and --max-drop compare run folders"),
        (["extra.csv"], "expected RECIPE DATA, got 3 arguments"),
    ],
)
def test_recipe_mode_usage_errors(tmp_path, args, message):
    recipe = fast_recipe(tmp_path, "credit")
    result = run_cli("compare", recipe, CREDIT, *args)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_recipe_options_on_run_folders_are_refused(tmp_path):
    result = run_cli("compare", tmp_path, tmp_path, "--seed", "3")
    assert result.exit_code == 2
    assert "--seed: only for mlwb compare RECIPE DATA" in result.stderr
