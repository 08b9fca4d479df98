"""The keys of every document and the columns of every CSV file mlwb writes are a contract
(CI scripts read them): each is pinned by a snapshot in ``tests/snapshots/``.

A document's key set is the set of its key paths (``models.*.summary.*.mean``,
``models.*.folds[].fold``), with names that vary with the data — models, metrics, classes,
parameters — collapsed into ``*``; a CSV file's are its columns in order, with such names
as ``{metric}``, ``{class}``, ``{param}``. A changed key set fails here; when the change is
deliberate (keys are only ever added within a schema version, and the README's "JSON
output" section lists them), rewrite the snapshots with::

    MLWB_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_documents.py
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import SAMPLES, fast_recipe, run_cli, write_recipe

from mlwb.documents import SCHEMA_VERSION

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("MLWB_UPDATE_SNAPSHOTS") == "1"
CREDIT = SAMPLES / "credit.csv"
KINDS = {  # one snapshot each: JSON documents, then CSV files
    "fit",
    "diagnostics",
    "environment",
    "compare",
    "run_comparison",
    "evaluate",
    "predict",
    "predict_to_file",
    "recipe",
    "plan",
    "models",
    "worker",
    "leaderboard.csv",
    "oof_predictions.csv",
    "trials.csv",
    "holdout_predictions.csv",
    "learning_curve.csv",
    "validation_curve.csv",
    "importance.csv",
    "compare_leaderboard.csv",
}

# One run that fills the optional parts of the documents: a search (tuning, trials), a
# tuned threshold and calibration (decision), a holdout, a gate, and every diagnostic of a
# classifier.
FULL_RECIPE = """\
name: documents
target: default
models:
  logistic_regression: {C: {log_uniform: [0.01, 10]}}
  random_forest: {n_estimators: 5}
search: {strategy: random, trials: 2}
validation:
  outer: {method: stratified_kfold, folds: 2}
  inner: {method: stratified_kfold, folds: 2}
  holdout: 0.2
threshold: {objective: f1}
calibration: sigmoid
gates: {roc_auc: ">= 0.5"}
diagnostics:
  learning_curve: true
  importance: permutation
  validation_curve: {model: random_forest, param: max_depth, values: [2, 4]}
report: [console]
n_jobs: 1
"""

# Maps whose keys are names from the data (models, metrics, classes): collapsed into "*".
NAMED = {
    "models",
    "models.*.summary",
    "models.*.folds[].train",
    "models.*.folds[].test",
    "dataset.class_counts",
    "holdout",
    "leaderboard.significance",
    "runs[].scores",
    "runs[].deltas",
    "metrics",
    "predictions[]",
    "fits.per_model",
}
# Values whose shape is free-form (a model's parameters, a search space, the recipe —
# described by ``mlwb schema``): the key is pinned, what is inside is not.
OPAQUE = {
    "models.*.params",
    "models.*.folds[].best_params",
    "models.*.tuning.space",
    "final_model.params",
    "models[].default_space",
    "models[].regression_space",
    "recipe",
}


def key_paths(value: Any, path: str = "") -> set[str]:
    """Every key path of a JSON value: ``a.b`` for mappings, ``a[]`` for list items (an
    empty list too, so a list's path does not depend on whether it has items)."""
    if path in OPAQUE or not isinstance(value, dict | list):
        return {path}
    if isinstance(value, list):
        items = [key_paths(item, f"{path}[]") for item in value]
        return set().union(*items) if items else {f"{path}[]"}
    if not value:
        return {path}
    paths: set[str] = set()
    for key, item in value.items():
        name = "*" if path in NAMED else key
        paths |= key_paths(item, f"{path}.{name}" if path else name)
    return paths


def column_pattern(columns: list[str], names: dict[str, list[str]]) -> list[str]:
    """The columns in order, each data name replaced by its placeholder (``{metric}``,
    ``{class}``, ``{param}``), repeats dropped."""
    patterns: list[str] = []
    for column in columns:
        for placeholder, values in names.items():
            for value in sorted(values, key=len, reverse=True):
                column = re.sub(
                    rf"(?<![A-Za-z0-9]){re.escape(value)}(?![A-Za-z0-9])", placeholder, column
                )
        if column not in patterns:
            patterns.append(column)
    return patterns


def check_snapshot(name: str, keys: list[str]) -> None:
    """``keys`` against ``tests/snapshots/<name>.keys.json`` (written when updating)."""
    path = SNAPSHOTS / f"{name}.keys.json"
    if UPDATE:
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(json.dumps(keys, indent=1) + "\n", encoding="utf-8")
        return
    how = (
        "if the change is deliberate (keys are only added within a schema version; update "
        "the README's 'JSON output' section too), rewrite the snapshots with "
        "MLWB_UPDATE_SNAPSHOTS=1 .venv/bin/python -m pytest tests/test_documents.py"
    )
    assert path.is_file(), f"no snapshot {path.name}; {how}"
    expected = json.loads(path.read_text(encoding="utf-8"))
    if keys != expected:
        added = [k for k in keys if k not in expected]
        removed = [k for k in expected if k not in keys]
        pytest.fail(
            f"the keys of {name} changed: added {added}, removed {removed}"
            + ("" if added or removed else " (same keys, another order)")
            + f"; {how}",
            pytrace=False,
        )


def check_document(name: str, document: dict[str, Any]) -> None:
    assert list(document)[:2] == ["schema_version", "kind"]
    assert document["schema_version"] == SCHEMA_VERSION
    check_snapshot(name, sorted(key_paths(document)))


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def stdout_document(*args: str | Path) -> dict[str, Any]:
    result = run_cli(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return result.json()


@pytest.fixture(scope="module")
def full_run(tmp_path_factory) -> tuple[Path, dict[str, Any]]:
    """The run folder of FULL_RECIPE on the credit sample, and ``fit --json``'s document."""
    tmp = tmp_path_factory.mktemp("documents")
    recipe = write_recipe(tmp / "documents.yaml", FULL_RECIPE)
    document = stdout_document("fit", recipe, CREDIT, "--out", tmp / "run")
    return tmp / "run", document


def test_fit_document_is_metrics_json(full_run):
    run, printed = full_run
    saved = json.loads((run / "metrics.json").read_text(encoding="utf-8"))
    assert printed == saved
    check_document("fit", saved)


@pytest.mark.parametrize("name", ["diagnostics", "environment"])
def test_run_folder_documents(full_run, name):
    run, _ = full_run
    document = json.loads((run / f"{name}.json").read_text(encoding="utf-8"))
    if name == "environment":  # never versioned: its keys are pinned all the same
        check_snapshot(name, sorted(key_paths(document)))
    else:
        check_document(name, document)


@pytest.mark.parametrize(
    "name",
    [
        "leaderboard",
        "oof_predictions",
        "trials",
        "holdout_predictions",
        "learning_curve",
        "validation_curve",
        "importance",
    ],
)
def test_run_folder_csv_columns(full_run, name):
    run, document = full_run
    columns = header(run / f"{name}.csv")
    names = {
        "{metric}": document["metrics"],
        "{class}": [str(c) for c in document["dataset"]["classes"]],
        "{param}": ["max_depth"] + [c.removeprefix("param_") for c in columns if "param_" in c],
    }
    check_snapshot(f"{name}.csv", column_pattern(columns, names))


def test_compare_document_and_leaderboard(tmp_path):
    recipe = fast_recipe(tmp_path, "credit")
    out = tmp_path / "compared"
    document = stdout_document("compare", recipe, CREDIT, "--out", out, "--gate", "roc_auc>=0.5")
    check_document("compare", document)
    names = {"{metric}": document["metrics"]}
    check_snapshot(
        "compare_leaderboard.csv", column_pattern(header(out / "leaderboard.csv"), names)
    )


def test_run_comparison_document(credit_run, full_run):
    run, _ = full_run
    document = stdout_document(
        "compare", credit_run, run, "--gate", "roc_auc>=0.5", "--max-drop", "roc_auc=0.5"
    )
    check_document("run_comparison", document)


def test_evaluate_document(credit_run):
    check_document(
        "evaluate", stdout_document("evaluate", credit_run, CREDIT, "--gate", "roc_auc>=0.5")
    )


def test_predict_documents(credit_run, tmp_path):
    check_document("predict", stdout_document("predict", credit_run, CREDIT))
    to_file = stdout_document("predict", credit_run, CREDIT, "--out", tmp_path / "p.csv")
    check_document("predict_to_file", to_file)


def test_validate_documents(tmp_path):
    recipe = write_recipe(tmp_path / "documents.yaml", FULL_RECIPE)
    check_document("recipe", stdout_document("validate", recipe))
    check_document("plan", stdout_document("validate", recipe, CREDIT))


def test_catalogue_document():
    check_document("models", stdout_document("models"))


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": {"b": 1}, "c": [{"d": None}, {"e": []}]}, {"a.b", "c[].d", "c[].e[]"}),
        ({"models": {"x": {"summary": {"f1": {"mean": 1}}}}}, {"models.*.summary.*.mean"}),
        ({"recipe": {"anything": {"at": "all"}}}, {"recipe"}),
    ],
)
def test_key_paths_collapse_data_names(value, expected):
    assert key_paths(value) == expected


def test_every_snapshot_belongs_to_a_test():
    """A snapshot nobody compares against pins nothing, and a kind without one is unpinned."""
    assert {p.name.removesuffix(".keys.json") for p in SNAPSHOTS.glob("*.keys.json")} == KINDS


def test_worker_document():
    """``mlwb worker --json``: built from what a worker leaves in its studies (the worker
    itself runs against a PostgreSQL server in tests/test_cluster.py)."""
    from mlwb.documents import worker_document
    from mlwb.results import WorkerModel

    check_document("worker", worker_document([WorkerModel("lightgbm", 5, 100, 98)]))
