"""Console rendering of a run folder's report sections (``mlwb report --format console``)."""

from __future__ import annotations

from typing import Any

from rich.table import Table as RichTable
from rich.text import Text

from mlwb.report.console import Output
from mlwb.report.diagnostics_view import render_diagnostics
from mlwb.report.sections import Figure, Section, Table


def _plain(text: str) -> str:
    return str(text).replace("**", "").replace("`", "")


def render_sections(sections: list[Section], output: Output, skip: tuple[str, ...] = ()) -> None:
    """Print sections as text and tables (figures are left to the file reports)."""
    console = output.out
    for section in sections:
        if section.title.startswith(skip):
            continue
        console.print(Text(section.title, style="bold underline"))
        for block in section.blocks:
            if isinstance(block, Table):
                table = RichTable(box=output.table_box, pad_edge=False)
                for header in block.headers:
                    table.add_column(_plain(header))
                for row in block.rows:
                    table.add_row(*[_plain(c) for c in row])
                console.print(table)
            elif isinstance(block, Figure):
                continue
            elif isinstance(block, list):
                for item in block:
                    console.print(Text(f"  • {_plain(item)}"), soft_wrap=True)
            else:
                console.print(Text(_plain(block)), soft_wrap=True)
        console.print()


def render_run(
    metrics: dict[str, Any], diagnostics: dict[str, Any] | None, output: Output, top: int = 10
) -> None:
    """The console report of a run folder: overview, leaderboard, best model, gates, then
    the diagnostics with their terminal charts."""
    from mlwb.report.sections import build_sections

    sections = build_sections(metrics, None, set(), top)
    render_sections(sections, output)
    if diagnostics:
        render_diagnostics(diagnostics, output, top)
