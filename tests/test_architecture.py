"""Architecture rules that keep mlwb a library with a thin command line on top."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

CORE_MODULES = [
    "mlwb.evaluation",
    "mlwb.search",
    "mlwb.parallel",
    "mlwb.workflows.fit",
    "mlwb.workflows.predict",
    "mlwb.recipe",
    "mlwb.data",
    "mlwb.pipeline",
    "mlwb.models",
    "mlwb.metrics",
    "mlwb.artifacts",
]


def loaded_modules(code: str) -> set[str]:
    script = f"{code}\nimport sys\nprint('\\n'.join(sorted(sys.modules)))"
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=True
    )
    return set(completed.stdout.split())


BLOCK_UI = """
import sys
class BlockUserInterface:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("rich", "typer"):
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, BlockUserInterface())
"""


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_works_without_rich_or_typer(module):
    """The core imports with Rich and Typer unavailable (scikit-learn may load Rich for its own
    progress bars when it is installed, so their absence from sys.modules proves nothing)."""
    modules = loaded_modules(f"{BLOCK_UI}\nimport {module}")
    assert module in modules


def test_a_whole_fit_runs_without_rich_or_typer(tmp_path):
    code = f"""{BLOCK_UI}
from pathlib import Path
from mlwb.recipe import recipe_from_mapping
from mlwb.workflows.fit import run_fit
recipe = recipe_from_mapping({{"target": "cultivar", "models": {{"logistic_regression": {{}}}},
                              "n_jobs": 1}})
result = run_fit(recipe, "sample_data/wine.csv", Path({str(tmp_path / "run")!r}))
"""
    modules = loaded_modules(code)
    assert "mlwb.workflows.fit" in modules
    assert (tmp_path / "run" / "model.joblib").is_file()


def test_help_does_not_import_heavy_libraries():
    modules = loaded_modules("from mlwb.cli import app")
    for heavy in (
        "pandas",
        "sklearn",
        "lightgbm",
        "xgboost",
        "catboost",
        "optuna",
        "numpy",
        "matplotlib",
        "imblearn",
    ):
        assert heavy not in modules, heavy


def test_model_catalogue_listing_does_not_import_boosting_libraries():
    modules = loaded_modules("from mlwb.models import all_models\nall_models()")
    for heavy in ("lightgbm", "xgboost", "catboost", "optuna"):
        assert heavy not in modules, heavy


def test_python_dash_m_works():
    completed = subprocess.run(
        [sys.executable, "-m", "mlwb", "--help"], capture_output=True, text=True, cwd=ROOT
    )
    assert completed.returncode == 0
    assert "fit" in completed.stdout and "predict" in completed.stdout
    assert "Exit codes" in completed.stdout


def test_ruff_is_clean():
    """The lint rules include the ban on Rich/Typer in the core (TID251) and on print (T20)."""
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
