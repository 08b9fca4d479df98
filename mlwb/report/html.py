"""``report.html``: one self-contained file — inline SVG figures, inline CSS, no scripts and
no external URL — that opens in any browser. Every text that came from the data or the
recipe is HTML-escaped."""

from __future__ import annotations

import html
import re
from typing import Any

from mlwb.report.figures import inline_svg
from mlwb.report.sections import Figure, Section, Table

STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;
max-width:60rem;padding:0 1rem;color:#1b1f24;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.6rem 0;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f6f8fa}
figure{margin:1rem 0}figcaption{font-size:.85rem;color:#57606a}svg{max-width:100%;height:auto}
code{background:#f6f8fa;padding:0 .2rem}
"""

_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")


def _text(text: str) -> str:
    """Escape, then turn the few Markdown marks the sections use into tags."""
    escaped = html.escape(str(text))
    escaped = _CODE.sub(r"<code>\1</code>", escaped)
    return _BOLD.sub(r"<strong>\1</strong>", escaped)


def _block(block: Any, figures: dict[str, str]) -> str:
    if isinstance(block, Table):
        head = "".join(f"<th>{_text(h)}</th>" for h in block.headers)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_text(c)}</td>" for c in row) + "</tr>" for row in block.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    if isinstance(block, Figure):
        svg = figures.get(block.file)
        if svg is None:
            return ""
        return f"<figure>{inline_svg(svg)}<figcaption>{_text(block.caption)}</figcaption></figure>"
    if isinstance(block, list):
        return "<ul>" + "".join(f"<li>{_text(item)}</li>" for item in block) + "</ul>"
    return f"<p>{_text(block)}</p>"


def render_html(title: str, sections: list[Section], figures: dict[str, str]) -> str:
    """The whole HTML document."""
    body = [f"<h1>{_text(title)}</h1>"]
    for section in sections:
        body.append(f"<h2>{_text(section.title)}</h2>")
        body += [_block(block, figures) for block in section.blocks]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{_text(title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )
