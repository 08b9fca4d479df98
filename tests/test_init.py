"""``mlwb init DATA --target COL``: a starter recipe that validates and runs."""

from __future__ import annotations

import pytest
from conftest import SAMPLE_CASES, SAMPLES, run_cli

from mlwb.recipe import load_recipe


@pytest.mark.parametrize("case", sorted(SAMPLE_CASES))
def test_init_recipe_validates_on_each_sample(tmp_path, case):
    file, target, task = SAMPLE_CASES[case]
    out = tmp_path / "recipe.yaml"
    result = run_cli("init", SAMPLES / file, "--target", target, "--out", out)
    assert result.exit_code == 0, result.stderr
    recipe = load_recipe(out, [])
    assert recipe.target == target and recipe.task == task
    assert recipe.models  # models are listed explicitly
    text = out.read_text()
    assert text.startswith("# Starter recipe for")
    assert "#   " in text  # every column's role comes with its reason
    validated = run_cli("validate", out, SAMPLES / file, "--json")
    assert validated.exit_code == 0, validated.stderr
    assert validated.json()["dataset"]["task"] == task


def test_init_states_roles_and_handles_imbalance(tmp_path):
    result = run_cli("init", SAMPLES / "credit.csv", "--target", "default")
    assert result.exit_code == 0
    text = result.stdout
    assert "drop: [customer_id]" in text and "identifier" in text
    assert 'positive: "yes"' in text  # quoted: a bare yes is a boolean to many YAML tools
    assert "threshold: {objective: f1}" in text  # 13 % positive: tune the threshold
    assert "categorical: [home, purpose, employment, region, has_guarantor]" in text


def test_init_recipe_runs(tmp_path):
    out = tmp_path / "wine.yaml"
    assert run_cli("init", SAMPLES / "wine.csv", "-t", "cultivar", "--out", out).exit_code == 0
    fitted = run_cli(
        "fit",
        out,
        SAMPLES / "wine.csv",
        "--out",
        tmp_path / "run",
        "-q",
        "--set",
        "validation.outer.repeats=1",
        "--set",
        "diagnostics.learning_curve=false",
        "--set",
        "diagnostics.importance=none",
        "--no-report",
    )
    assert fitted.exit_code == 0, fitted.stderr
    assert (tmp_path / "run" / "model.skops").exists()


@pytest.mark.slow
@pytest.mark.parametrize("case", sorted(SAMPLE_CASES))
def test_init_then_fit_as_written_on_each_sample(tmp_path, case):
    file, target, _ = SAMPLE_CASES[case]
    out = tmp_path / "recipe.yaml"
    assert run_cli("init", SAMPLES / file, "--target", target, "--out", out).exit_code == 0
    fitted = run_cli("fit", out, SAMPLES / file, "--out", tmp_path / "run", "-q")
    assert fitted.exit_code == 0, fitted.stderr


def test_init_errors(tmp_path):
    missing = run_cli("init", SAMPLES / "credit.csv", "--target", "defualt")
    assert missing.exit_code == 3 and "did you mean default" in missing.stderr
    out = tmp_path / "r.yaml"
    out.write_text("keep me\n")
    refused = run_cli("init", SAMPLES / "credit.csv", "--target", "default", "--out", out)
    assert refused.exit_code == 2 and "already exists" in refused.stderr
    assert out.read_text() == "keep me\n"
    forced = run_cli("init", SAMPLES / "credit.csv", "-t", "default", "--out", out, "--force")
    assert forced.exit_code == 0 and out.read_text().startswith("# Starter recipe")
