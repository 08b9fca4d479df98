"""``report.md``: the report as Markdown, figures as SVG files beside it.

Made to be pasted into a pull-request comment by a CI job: a stable marker on the first line
(so a job can find and update its previous comment), tables followed by a blank line, and a
size cap below GitHub's 65 536-character comment limit.
"""

from __future__ import annotations

from typing import Any

from mlwb.report.sections import Figure, Section, Table

MARKER = "<!-- mlwb:report -->"
LIMIT = 60_000


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _block(block: Any) -> str:
    if isinstance(block, Table):
        lines = [
            "| " + " | ".join(_cell(h) for h in block.headers) + " |",
            "|" + "|".join("---" for _ in block.headers) + "|",
        ]
        lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in block.rows]
        return "\n".join(lines) + "\n"
    if isinstance(block, Figure):
        return f"![{block.caption}](figures/{block.file})\n"
    if isinstance(block, list):
        return "\n".join(f"- {item}" for item in block) + "\n"
    return f"{block}\n"


def render_markdown(title: str, sections: list[Section], marker: str = MARKER) -> str:
    """The whole Markdown document (cut, with a note, if it would exceed ``LIMIT``)."""
    parts = [marker, f"# {title}", ""]
    for section in sections:
        parts += [f"## {section.title}", ""]
        for block in section.blocks:
            parts += [_block(block)]
    text = "\n".join(parts).rstrip() + "\n"
    if len(text) > LIMIT:
        note = "\n\n*(report cut to stay under the size of a pull-request comment)*\n"
        text = text[: LIMIT - len(note)].rsplit("\n", 1)[0] + note
    return text
