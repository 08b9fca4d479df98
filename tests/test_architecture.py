"""Architecture rules that keep mlwb a library with a thin command line on top."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
    assert (tmp_path / "run" / "model.skops").is_file()


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


def test_import_contracts_hold():
    """The layers of DESIGN.md (cli → report → workflows → core, imports only downward), the
    core without Typer and Rich, and no cycles between siblings: import-linter's contracts
    in pyproject.toml."""
    linter = Path(sys.executable).with_name("lint-imports")
    completed = subprocess.run(
        [str(linter), "--no-cache"], capture_output=True, text=True, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def module_imports() -> dict[str, set[str]]:
    """Every mlwb module and the mlwb modules it imports — at the top or inside a
    function, both count: a lazy import that closes a loop is still a cycle."""
    package = ROOT / "mlwb"
    paths = {}
    for path in package.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        paths[".".join(parts)] = path
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in paths else node.module)
        graph[name] = {m for m in found if m in paths and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_in_mlwb():
    assert cycles(module_imports()) == []


def test_the_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


def test_ruff_is_clean():
    """The lint rules include the ban on Rich/Typer in the core (TID251) and on print (T20)."""
    completed = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "."], capture_output=True, text=True, cwd=ROOT
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
