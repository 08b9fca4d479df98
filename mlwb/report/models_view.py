"""Console rendering of the catalogues (``mlwb models``): models, feature-selection methods
and metrics — the three lists a recipe names entries from."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from mlwb.recipe.params import format_space_value
from mlwb.report.console import Output

TASK_ABBREVIATIONS = {"binary": "bin", "multiclass": "multi", "regression": "reg"}


def _space(space: dict[str, Any] | None) -> str:
    if not space:
        return "—"
    return "\n".join(f"{name}: {format_space_value(value)}" for name, value in space.items())


def _tasks(tasks: list[str]) -> str:
    return (
        "all"
        if len(tasks) == len(TASK_ABBREVIATIONS)
        else ", ".join(TASK_ABBREVIATIONS[t] for t in tasks)
    )


def _table(title: str, output: Output) -> Table:
    return Table(
        title=Text(title, style="bold"),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
        show_lines=not output.plain,
    )


def render_selectors(selectors: list[dict[str, Any]], output: Output) -> None:
    """One row per ``features.select`` method: kind, tasks, what it learns from, options."""
    table = _table("feature selection (features: {select: …})", output)
    table.add_column("select", no_wrap=True, style="bold")
    table.add_column("kind")
    table.add_column("tasks", max_width=11)
    table.add_column("learns from", max_width=12)
    table.add_column("options", max_width=16)
    table.add_column("what it does", min_width=30)
    for entry in selectors:
        options = [
            f"k ({entry['keeps']})" if name == "k" and entry["keeps"] else name
            for name in entry["options"]
        ]
        table.add_row(
            entry["name"],
            entry["kind"],
            _tasks(entry["tasks"]),
            entry["learns_from"],
            ", ".join(options),
            Text(entry["summary"]),
        )
    output.out.print(table)


def render_metrics(metrics: list[dict[str, Any]], output: Output) -> None:
    """One row per metric: tasks, direction, what it is computed from, when it is n/a."""
    table = _table("metrics (metrics: [...], search.metric, gates)", output)
    table.add_column("metric", no_wrap=True, style="bold")
    table.add_column("tasks", max_width=11)
    table.add_column("better")
    table.add_column("from")
    table.add_column("default for", max_width=11)
    table.add_column("what it measures", min_width=30)
    for entry in metrics:
        summary = entry["summary"]
        if entry["undefined_when"]:
            summary += f"; n/a when {entry['undefined_when']}"
        table.add_row(
            entry["name"],
            _tasks(entry["tasks"]),
            "higher" if entry["greater_is_better"] else "lower",
            entry["needs"],
            _tasks(entry["default_for"]) if entry["default_for"] else "—",
            Text(summary),
        )
    output.out.print(table)


def render_models(document: dict[str, Any], output: Output) -> None:
    """One row per catalogue entry: tasks, handling, and the default search space; then the
    selection methods and metrics when the document has them."""
    title = "model catalogue" + (f" ({document['task']})" if document["task"] else "")
    show_losses = document["task"] in (None, "regression")
    table = Table(
        title=Text(title, style="bold"),
        title_justify="left",
        box=output.table_box,
        pad_edge=False,
        show_lines=not output.plain,
    )
    table.add_column("model", no_wrap=True, style="bold")
    table.add_column("tasks", max_width=11)
    table.add_column("scaled")
    table.add_column("categoricals")
    table.add_column("class weights", max_width=13)
    if show_losses:
        table.add_column("losses", max_width=10)
    table.add_column("default search space", min_width=30)
    for model in document["models"]:
        regression_space = model["regression_space"]
        task = document["task"]
        if task == "regression" and regression_space is not None:
            space = _space(regression_space)
        else:
            space = _space(model["default_space"])
            if regression_space is not None and task is None:
                space += "\n(regression) " + _space(regression_space).replace("\n", "; ")
        row = [
            model["name"],
            ", ".join(TASK_ABBREVIATIONS[t] for t in model["tasks"]),
            "yes" if model["needs_scaling"] else "no",
            model["categorical"],
            model["class_weight"],
        ]
        if show_losses:
            row.append(", ".join(model["losses"]) if "regression" in model["tasks"] else "—")
        row.append(space)
        table.add_row(*row)
    output.out.print(table)
    if document.get("selectors"):
        render_selectors(document["selectors"], output)
    if document.get("metrics"):
        render_metrics(document["metrics"], output)
    output.out.print(
        Text(
            "tasks: bin = binary, multi = multiclass, reg = regression; "
            "--json adds a summary of each model",
            style="dim",
        )
    )
