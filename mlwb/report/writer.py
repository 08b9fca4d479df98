"""Write the Markdown and HTML reports (and their SVG figures) into a run folder."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mlwb.outputs import ensure_folder, write_output
from mlwb.report.figures import build_figures
from mlwb.report.html import render_html
from mlwb.report.markdown import render_markdown
from mlwb.report.sections import build_sections

FILE_FORMATS = ("markdown", "html")


def write_reports(
    folder: Path,
    metrics: dict[str, Any],
    diagnostics: dict[str, Any] | None,
    formats: Sequence[str],
    top: int = 15,
    option: str = "--out",
) -> list[Path]:
    """Write ``report.md`` (+ ``figures/*.svg``) and/or ``report.html``; return the paths.

    ``folder`` (and missing parents) is created, as for a run folder. Each file goes
    through :func:`mlwb.outputs.write_output`: whole or absent, a replaced one keeps its
    mode; ``option`` names the command-line option in errors.
    """
    wanted = [f for f in formats if f in FILE_FORMATS]
    if not wanted:
        return []
    ensure_folder(folder, option)
    figures = build_figures(diagnostics or {}, top)
    sections = build_sections(metrics, diagnostics, set(figures), top)
    title = f"{metrics['name']} — mlwb report"
    written = []
    if "markdown" in wanted:
        if figures:
            ensure_folder(folder / "figures", option)
        for name, svg in figures.items():
            write_output(folder / "figures" / name, svg, option)
        write_output(folder / "report.md", render_markdown(title, sections), option)
        written.append(folder / "report.md")
    if "html" in wanted:
        write_output(folder / "report.html", render_html(title, sections, figures), option)
        written.append(folder / "report.html")
    return written
