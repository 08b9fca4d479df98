"""Console rendering of the model catalogue (``mlwb models``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from mlwb.documents import format_space_value
from mlwb.report.console import Output

TASK_ABBREVIATIONS = {"binary": "bin", "multiclass": "multi", "regression": "reg"}


def _space(space: dict[str, Any] | None) -> str:
    if not space:
        return "—"
    return "\n".join(f"{name}: {format_space_value(value)}" for name, value in space.items())


def render_models(document: dict[str, Any], output: Output) -> None:
    """One row per catalogue entry: tasks, handling, and the default search space."""
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
    output.out.print(
        Text(
            "tasks: bin = binary, multi = multiclass, reg = regression; "
            "--json adds a summary of each model",
            style="dim",
        )
    )
