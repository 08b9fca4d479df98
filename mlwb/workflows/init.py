"""``mlwb init``: a commented starter recipe for a CSV, from what the data says.

The recipe states every inference explicitly (task, positive class, the role of every
column with the reason) so the user reads and corrects decisions instead of discovering
them, and picks models and validation by the data's size: repeated folds for small data,
boosting with modest settings for larger data, class imbalance handled by a tuned threshold.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlwb.data.dataset import Dataset, load_dataset
from mlwb.metrics import DEFAULT_METRICS
from mlwb.recipe.schema import Recipe

SMALL_ROWS = 5_000
TINY_ROWS = 1_000  # below this, folds are repeated to steady the estimate
LARGE_ROWS = 100_000
IMBALANCED_SHARE = 0.2
MAX_LISTED = 40
GATE_EXAMPLES = {
    "binary": '{roc_auc: ">= 0.80"}',
    "multiclass": '{balanced_accuracy: ">= 0.80"}',
    "regression": '{r2: ">= 0.50"}',
}


@dataclass(frozen=True)
class StarterRecipe:
    """The recipe text and the facts it was built from."""

    text: str
    task: str
    rows: int
    notices: tuple[str, ...]


def _yaml_scalar(value: Any) -> str:
    """A YAML 1.2 scalar that reads back as the same string (quoted unless plainly safe)."""
    import json

    text = str(value)
    plain = text.replace("_", "").replace("-", "").replace(".", "").isalnum() and not (
        text.lower() in {"yes", "no", "on", "off", "true", "false", "null", "y", "n"}
        or text[:1].isdigit()
        or text[:1] == "-"
    )
    return text if plain else json.dumps(text, ensure_ascii=False)


def _flow(items: list[str], indent: int = 4, width: int = 88) -> str:
    """A flow sequence, wrapped onto indented lines when it is long."""
    lines, current = [], ""
    for item in (_yaml_scalar(i) for i in items):
        if current and len(current) + len(item) + 2 > width:
            lines.append(current + ",")
            current = ""
        current = f"{current}, {item}" if current else item
    lines.append(current)
    return "[" + ("\n" + " " * indent).join(lines) + "]"


def _models(task: str, rows: int) -> list[str]:
    linear = "linear_regression: {}" if task == "regression" else "logistic_regression: {C: 1.0}"
    if rows < SMALL_ROWS:
        return [
            linear,
            "random_forest: {n_estimators: 200, min_samples_leaf: 2}",
            "lightgbm: {n_estimators: 200, learning_rate: 0.05, num_leaves: 15}",
        ]
    if rows < LARGE_ROWS:
        return [
            linear,
            "random_forest: {n_estimators: 200, min_samples_leaf: 3}",
            "lightgbm: {n_estimators: 400, learning_rate: 0.05, num_leaves: 31}",
            "xgboost: {n_estimators: 400, learning_rate: 0.05, max_depth: 6}",
        ]
    return [linear, "lightgbm: {n_estimators: 800, learning_rate: 0.05, num_leaves: 63}"]


def _validation(task: str, rows: int) -> str:
    stratified = task != "regression"
    if rows < TINY_ROWS:
        method = "repeated_stratified_kfold" if stratified else "repeated_kfold"
        return f"  outer: {{method: {method}, folds: 5, repeats: 3}}   # small data: repeat"
    if rows < LARGE_ROWS:
        method = "stratified_kfold" if stratified else "kfold"
        return f"  outer: {{method: {method}, folds: 5}}"
    method = "stratified_kfold" if stratified else "kfold"
    return f"  outer: {{method: {method}, folds: 3}}   # large data: 3 folds are enough"


def _columns(dataset: Dataset) -> list[str]:
    lines = ["columns:"]
    dropped = [c for c in dataset.roles.columns if c.role == "dropped"]
    if dropped:
        lines.append(f"  drop: {_flow([c.name for c in dropped])}")
        lines += [f"  #   {c.name}: {c.reason}" for c in dropped[:MAX_LISTED]]
    for role in ("numeric", "categorical", "datetime"):
        chosen = [c for c in dataset.roles.columns if c.role == role]
        if not chosen:
            continue
        lines.append(f"  {role}: {_flow([c.name for c in chosen])}")
        lines += [f"  #   {c.name}: {c.reason}" for c in chosen[:MAX_LISTED]]
        if len(chosen) > MAX_LISTED:
            lines.append(f"  #   … and {len(chosen) - MAX_LISTED} more")
    lines += [
        "  # group: patient_id   # rows sharing a value never straddle train and test",
        "  # time: date          # split in time order instead of shuffling",
    ]
    return lines


def starter_recipe(data: str | Path, target: str, name: str | None = None) -> StarterRecipe:
    """Read ``data``, infer the task and column roles, and write a starter recipe."""
    dataset = load_dataset(data, Recipe.model_validate({"target": target}))
    task, rows = dataset.task, dataset.n_rows
    source = Path(str(data)).name if str(data) != "-" else "stdin"
    stem = name or (Path(str(data)).stem if str(data) != "-" else "data")
    reason = dataset.target.reason
    lines = [
        f"# Starter recipe for {source}, written by mlwb init.",
        f"# {rows} rows; target '{target}': {task} ({reason}).",
        f"# Check: mlwb validate <this file> {data}   Run: mlwb fit <this file> {data}",
        "# Every key is described by: mlwb schema (see the README for editor completion).",
        f"name: {_yaml_scalar(stem)}",
        f"target: {_yaml_scalar(target)}",
        f"task: {task}",
    ]
    imbalanced = False
    if task == "binary":
        counts = dataset.target.class_counts()
        positive = dataset.positive_label
        share = counts[positive] / rows
        imbalanced = share < IMBALANCED_SHARE
        lines.append(
            f"positive: {_yaml_scalar(positive)}   # {share:.0%} of rows; the class the "
            "metrics are about"
        )
    elif task == "multiclass":
        counts = dataset.target.class_counts()
        imbalanced = min(counts.values()) / max(counts.values()) < IMBALANCED_SHARE
    lines += _columns(dataset)
    lines += [
        "preprocess:",
        "  numeric: {impute: auto, scale: auto, missing_indicator: true}",
        "  categorical: {impute: constant, encode: auto, max_categories: 20}",
        "validation:",
        _validation(task, rows),
        f"metrics: {_flow(list(DEFAULT_METRICS[task]))}   # the first one picks the best model",
    ]
    if task == "binary" and imbalanced:
        lines += [
            "threshold: {objective: f1}   # imbalanced: tune the decision threshold on inner folds",
            "# imbalance: {method: class_weight}   # or reweight the classes instead",
        ]
    elif task == "multiclass" and imbalanced:
        lines.append("imbalance: {method: class_weight}   # some classes are much rarer")
    lines.append("models:   # mlwb models lists them all, with their parameters")
    lines += [f"  {entry}" for entry in _models(task, rows)]
    lines += [
        "# search: {strategy: bayes, trials: 30}   # tune each model (nested cross-validation)",
        "# gates: {" + f'{DEFAULT_METRICS[task][0]}: ">= 0.0"' + "}   # fail CI below a score",
        "seed: 0",
        "n_jobs: -1",
    ]
    return StarterRecipe("\n".join(lines) + "\n", task, rows, tuple(dataset.notices))
