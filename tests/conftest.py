"""Shared fixtures: sample data paths, a CLI runner, and small fast recipes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "sample_data"
RECIPES = ROOT / "recipes"

# Small, fast models for tests: same code paths, fewer trees.
FAST_MODELS = {
    "binary": {
        "logistic_regression": {"C": 1.0},
        "random_forest": {"n_estimators": 25},
        "lightgbm": {"n_estimators": 25},
    },
    "multiclass": {
        "logistic_regression": {},
        "random_forest": {"n_estimators": 25},
        "lightgbm": {"n_estimators": 25, "min_child_samples": 5},
    },
    "regression": {
        "linear_regression": {},
        "random_forest": {"n_estimators": 25},
        "lightgbm": {"n_estimators": 25},
    },
}

# Tests whose subject is not diagnostics switch them off: the learning curve and permutation
# importance refit the model dozens of times, and the report files draw figures.
NO_DIAGNOSTICS = {
    "diagnostics": {"learning_curve": False, "importance": "none"},
    "report": ["console"],
}
NO_DIAGNOSTICS_YAML = "diagnostics: {learning_curve: false, importance: none}\nreport: [console]\n"

SAMPLE_CASES = {
    "credit": ("credit.csv", "default", "binary"),
    "wine": ("wine.csv", "cultivar", "multiclass"),
    "diabetes": ("diabetes.csv", "progression", "regression"),
}


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> dict:
        return json.loads(self.stdout)


def run_cli(*args: str | Path) -> CliResult:
    """Invoke the Typer app in-process, stdout and stderr captured separately."""
    from mlwb.cli import app

    result = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


def run_process(
    *args: str | Path,
    stdin: str | None = None,
    env: dict | None = None,
    cwd: Path | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run ``python -m mlwb`` as a real process (for exit codes, pipes, signals)."""
    full_env = {**os.environ, "NO_COLOR": "1", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "mlwb", *[str(a) for a in args]],
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd or ROOT,
        timeout=timeout,
    )


def start_fit(recipe: Path, data: Path, out: Path, env: dict | None = None) -> subprocess.Popen:
    """Start ``python -m mlwb fit`` as a real process to interrupt or kill, stdout and stderr
    as text pipes. A shell starts background jobs with SIGINT ignored, and Python keeps an
    inherited "ignore": the child gets the default disposition, as from a terminal."""
    return subprocess.Popen(
        [sys.executable, "-m", "mlwb", "fit", str(recipe), str(data), "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def write_recipe(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def fast_recipe(
    tmp_path: Path,
    case: str,
    extra: str = "",
    name: str | None = None,
    diagnostics: bool = False,
) -> Path:
    """A recipe for a sample dataset with fast models, written to ``tmp_path`` (with the
    default diagnostics and reports only when ``diagnostics``)."""
    import yaml

    _, target, task = SAMPLE_CASES[case]
    data = {"name": name or case, "target": target, "models": FAST_MODELS[task], "n_jobs": 1}
    if not diagnostics and "diagnostics:" not in extra and "report:" not in extra:
        data.update(NO_DIAGNOSTICS)
    text = yaml.safe_dump(data) + extra
    return write_recipe(tmp_path / f"{name or case}.yaml", text)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture(scope="session")
def credit_run(tmp_path_factory) -> Path:
    """One fit of the credit sample with fast models, shared by predict tests."""
    tmp = tmp_path_factory.mktemp("credit_run")
    recipe = fast_recipe(tmp, "credit")
    out = tmp / "run"
    result = run_cli("fit", recipe, SAMPLES / "credit.csv", "--out", out, "--quiet")
    assert result.exit_code == 0, result.stderr
    return out


def build_pipeline(model: str, recipe, dataset, sampler=None, **params):
    """The unfitted pipeline mlwb would build for ``model`` on ``dataset``."""
    from mlwb.models import ModelContext, find_model
    from mlwb.pipeline import plan_pipeline

    levels = {name: int(dataset.X[name].nunique()) for name in dataset.roles.categorical}
    plan = plan_pipeline(
        find_model(model),
        recipe,
        dataset.roles,
        ModelContext(dataset.task, recipe.seed, 1),
        levels,
        dataset.target.classes,
        sampler,
        params,
    )
    return plan.build()


def make_dataset(frame, recipe_data: dict):
    """A Dataset from an in-memory frame and a recipe mapping."""
    from mlwb.data import dataset_from_table
    from mlwb.data.reading import RawTable
    from mlwb.recipe import recipe_from_mapping

    recipe = recipe_from_mapping(recipe_data)
    return recipe, dataset_from_table(RawTable(frame, "data.csv", "0" * 64, "utf-8", ","), recipe)
