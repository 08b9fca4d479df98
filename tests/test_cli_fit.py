"""End-to-end tests of `mlwb fit` on the sample data (real libraries, fast settings)."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest
import yaml
from conftest import NO_DIAGNOSTICS_YAML, SAMPLE_CASES, SAMPLES, fast_recipe, run_cli, write_recipe

TIMING = re.compile(r"seconds$")


def without_timings(value):
    """metrics.json with every *_seconds value removed (they legitimately vary)."""
    if isinstance(value, dict):
        return {k: without_timings(v) for k, v in value.items() if not TIMING.search(k)}
    if isinstance(value, list):
        return [without_timings(v) for v in value]
    return value


@pytest.mark.parametrize("case", list(SAMPLE_CASES))
def test_fit_then_predict_on_each_sample(tmp_path, case):
    file, _, task = SAMPLE_CASES[case]
    recipe = fast_recipe(tmp_path, case)
    out = tmp_path / "run"
    result = run_cli("fit", recipe, SAMPLES / file, "--out", out)
    assert result.exit_code == 0, result.stderr
    # The metric table and the best model are on stdout; progress on stderr.
    assert "best model:" in result.stdout
    assert "validation" in result.stdout and "gap" in result.stdout
    assert "evaluate:" in result.stderr and "evaluate:" not in result.stdout
    for name in (
        "model.skops",
        "model.json",
        "metrics.json",
        "leaderboard.csv",
        "oof_predictions.csv",
        "recipe.resolved.yaml",
        "environment.json",
    ):
        assert (out / name).is_file(), name
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"]["task"] == task
    listed = set(yaml.safe_load(recipe.read_text())["models"])
    assert set(metrics["models"]) == listed | {"dummy"}  # the baseline is always evaluated
    rows = metrics["dataset"]["rows"]
    oof = pd.read_csv(out / "oof_predictions.csv")
    for model in metrics["models"]:
        part = oof[oof["model"] == model]
        assert len(part) == rows and part["row"].tolist() == list(range(1, rows + 1))
        assert part["prediction"].notna().all()

    predicted = run_cli("predict", out / "model.skops", SAMPLES / file)
    assert predicted.exit_code == 0, predicted.stderr
    frame = pd.read_csv(pd.io.common.StringIO(predicted.stdout))
    assert len(frame) == rows
    if task == "regression":
        assert list(frame.columns) == ["prediction"]
    else:
        classes = metrics["dataset"]["classes"]
        assert [c for c in frame.columns if c.startswith("proba_")] == [
            f"proba_{c}" for c in classes
        ]
        assert set(frame["prediction"].astype(str)) <= {str(c) for c in classes}


def test_json_output_is_metrics_json(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    out = tmp_path / "run"
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out, "--json")
    assert result.exit_code == 0, result.stderr
    document = json.loads(result.stdout)  # exactly one document, nothing else on stdout
    saved = json.loads((out / "metrics.json").read_text())
    assert document == saved
    assert document["schema_version"] == 1
    assert document["best_model"] in document["models"]
    assert "NaN" not in result.stdout


def test_same_seed_gives_identical_metrics(tmp_path):
    recipe = fast_recipe(tmp_path, "credit")
    runs = []
    for i in range(2):
        out = tmp_path / f"run{i}"
        assert run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", out, "-q").exit_code == 0
        runs.append(without_timings(json.loads((out / "metrics.json").read_text())))
    for run in runs:
        run.pop("run_dir")
    assert runs[0] == runs[1]
    assert (tmp_path / "run0" / "oof_predictions.csv").read_bytes() == (
        tmp_path / "run1" / "oof_predictions.csv"
    ).read_bytes()


def test_different_seed_gives_different_folds(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    scores = []
    for seed in (0, 1):
        out = tmp_path / f"run{seed}"
        result = run_cli(
            "fit", recipe, SAMPLES / "wine.csv", "--out", out, "--seed", seed, "--json"
        )
        assert result.exit_code == 0
        scores.append(result.json()["models"]["random_forest"]["folds"])
    assert scores[0] != scores[1]


@pytest.mark.slow
def test_results_do_not_depend_on_n_jobs(tmp_path):
    recipe = fast_recipe(tmp_path, "credit")
    documents = []
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}"
        result = run_cli(
            "fit", recipe, SAMPLES / "credit.csv", "--out", out, "--n-jobs", jobs, "--json"
        )
        assert result.exit_code == 0, result.stderr
        document = without_timings(result.json())
        document.pop("run_dir")
        documents.append(document)
    assert documents[0] == documents[1]


def test_resolved_recipe_fills_defaults_and_reloads(tmp_path):
    recipe = write_recipe(
        tmp_path / "minimal.yaml",
        "target: cultivar\nmodels: {logistic_regression: {}}\n" + NO_DIAGNOSTICS_YAML,
    )
    out = tmp_path / "run"
    assert run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out, "-q").exit_code == 0
    resolved = yaml.safe_load((out / "recipe.resolved.yaml").read_text())
    assert resolved["task"] == "multiclass"
    assert resolved["name"] == "minimal"
    assert resolved["metrics"][0] == "balanced_accuracy"
    assert resolved["validation"]["outer"]["folds"] == 5
    # The resolved recipe is itself a valid recipe that reproduces the run.
    again = tmp_path / "again"
    result = run_cli(
        "fit", out / "recipe.resolved.yaml", SAMPLES / "wine.csv", "--out", again, "--json"
    )
    assert result.exit_code == 0, result.stderr
    first = without_timings(json.loads((out / "metrics.json").read_text()))
    second = without_timings(result.json())
    assert first["models"] == second["models"]


def test_set_overrides_recipe_keys(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    out = tmp_path / "run"
    result = run_cli(
        "fit",
        recipe,
        SAMPLES / "wine.csv",
        "--out",
        out,
        "--json",
        "--set",
        "validation.outer.folds=3",
        "--set",
        "metrics=[accuracy, log_loss]",
        "--set",
        "models.random_forest.max_depth=3",
    )
    assert result.exit_code == 0, result.stderr
    document = result.json()
    assert document["metrics"] == ["accuracy", "log_loss"]
    assert len(document["models"]["random_forest"]["folds"]) == 3
    assert document["models"]["random_forest"]["params"]["max_depth"] == 3


def test_existing_run_folder_needs_force(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    out = tmp_path / "run"
    assert run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out, "-q").exit_code == 0
    stamp = (out / "metrics.json").read_text()
    refused = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out, "-q")
    assert refused.exit_code == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert (out / "metrics.json").read_text() == stamp
    forced = run_cli(
        "fit", recipe, SAMPLES / "wine.csv", "--out", out, "-q", "--force", "--seed", "3"
    )
    assert forced.exit_code == 0
    assert json.loads((out / "metrics.json").read_text())["seed"] == 3
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_failure_half_way_leaves_no_folder(tmp_path, monkeypatch):
    import mlwb.workflows.fit as fit_module

    def broken_save(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fit_module, "save_model", broken_save)
    recipe = fast_recipe(tmp_path, "wine")
    out = tmp_path / "run"
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out)
    assert result.exit_code == 1
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.glob(".run*")) == []


def test_failure_with_force_keeps_the_old_folder(tmp_path, monkeypatch):
    import mlwb.workflows.fit as fit_module

    recipe = fast_recipe(tmp_path, "wine")
    out = tmp_path / "run"
    assert run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out, "-q").exit_code == 0
    before = (out / "metrics.json").read_text()

    def broken_save(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fit_module, "save_model", broken_save)
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", out, "--force", "-q")
    assert result.exit_code == 1
    assert (out / "metrics.json").read_text() == before


def test_default_run_folder_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    recipe = fast_recipe(tmp_path, "wine", name="my-wine")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--json")
    assert result.exit_code == 0
    run_dir = result.json()["run_dir"]
    assert re.fullmatch(r"runs/my-wine-\d{8}T\d{6}Z", run_dir)
    assert (tmp_path / run_dir / "model.skops").is_file()


def test_quiet_prints_nothing(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run", "--quiet")
    assert result.exit_code == 0
    assert result.stdout == "" and result.stderr == ""


def test_plain_output_has_no_escape_codes(tmp_path):
    recipe = fast_recipe(tmp_path, "wine")
    result = run_cli("fit", recipe, SAMPLES / "wine.csv", "--out", tmp_path / "run")
    assert "\x1b[" not in result.stdout and "\x1b[" not in result.stderr


def test_notices_name_dropped_columns(tmp_path):
    recipe = write_recipe(
        tmp_path / "r.yaml",
        "target: default\nmodels: {logistic_regression: {}}\nn_jobs: 1\n" + NO_DIAGNOSTICS_YAML,
    )
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", tmp_path / "run")
    assert result.exit_code == 0
    assert "column 'customer_id' dropped: identifier" in result.stderr
    roles = {
        c["name"]: c["role"]
        for c in json.loads((tmp_path / "run" / "metrics.json").read_text())["dataset"]["columns"]
    }
    assert roles["customer_id"] == "dropped" and roles["region"] == "categorical"
