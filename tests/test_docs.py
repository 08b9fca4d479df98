"""The README, recipes and CI script stay true to the code."""

from __future__ import annotations

import re

import pytest
from conftest import RECIPES, ROOT, SAMPLES, run_cli

from mlwb.cli import app
from mlwb.errors import ExitCode
from mlwb.recipe import load_recipe

README = (ROOT / "README.md").read_text(encoding="utf-8")

# Which sample file each shipped recipe runs on.
RECIPE_DATA = {
    "credit.yaml": "credit.csv",
    "wine.yaml": "wine.csv",
    "diabetes.yaml": "diabetes.csv",
    "minimal.yaml": "credit.csv",
    "credit_prep.yaml": "credit.csv",
    "credit_all_models.yaml": "credit.csv",
    "credit_tuned.yaml": "credit.csv",
}


def quickstart_commands() -> list[str]:
    section = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    section = section.split("Then predict", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_quickstart_has_exactly_two_commands():
    commands = quickstart_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "mlwb fit" in commands[0] and "sample_data/" in commands[0]
    assert "pytest" in commands[1] and "[dev," in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert quickstart_commands()[1] in ci


def test_every_command_is_documented():
    names = [c.name for c in app.registered_commands]
    assert names
    for name in names:
        assert f"mlwb {name}" in README, name


def test_every_exit_code_is_documented():
    for code in ExitCode:
        assert re.search(rf"^\| {int(code)} \|", README, re.M), code


def test_every_recipe_has_sample_data():
    assert {p.name for p in RECIPES.glob("*.yaml")} == set(RECIPE_DATA)
    for data in RECIPE_DATA.values():
        assert (SAMPLES / data).is_file()
        assert data in (SAMPLES / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(RECIPE_DATA))
def test_recipes_validate(name):
    recipe = load_recipe(RECIPES / name)
    assert recipe.target


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(RECIPE_DATA))
def test_recipes_run(tmp_path, name):
    result = run_cli(
        "fit", RECIPES / name, SAMPLES / RECIPE_DATA[name], "--out", tmp_path / "run", "--json"
    )
    assert result.exit_code == 0, result.stderr
    assert result.json()["best_model"]
    run = tmp_path / "run"
    html = (run / "report.html").read_text()
    assert (run / "report.md").is_file() and "<svg" in html and "http" not in html
    document = result.json()
    # under a time budget (the one-line recipe's default) the curve may be cut, and said
    cut = document["budget"] is not None and any(
        n.startswith("learning curve skipped") for n in document["notices"]
    )
    assert (run / "learning_curve.csv").is_file() or cut, document["notices"]
