"""A self-contained HTML page from a :class:`~lca.reports.document.Document`: inline SVG, no script, no network."""

from __future__ import annotations

import pandas as pd

from .document import Chart, Document, Heading, Items, References, Table, Text
from .safe import html_text

__all__ = ["render_html", "CSS"]

CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
h3{font-size:1.05em}table{border-collapse:collapse;margin:.6em 0;font-size:.9em}
td,th{border:1px solid #ddd;padding:.25em .6em;vertical-align:top}th{background:#f4f4f4;text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.chart{margin:.5em 0}.chart svg{max-width:100%;height:auto}.muted{color:#666;font-size:.9em}
.warning{background:#fff4e5;border-left:4px solid #f0a030;padding:.4em .8em}
ol.refs{font-size:.85em;color:#444;padding-left:0;list-style:none}ol.refs li{margin:.2em 0}
"""


def _numeric(text: str) -> bool:
    head = text.split(" ")[0].replace(",", "").replace("-", "", 1).replace(".", "", 1)
    return head.isdigit()


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html_text(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = "".join(
            f'<td class="n">{html_text(v)}</td>' if _numeric(str(v)) else f"<td>{html_text(v)}</td>" for v in row
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(doc: Document) -> str:
    """The document as one HTML page."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html_text(doc.title)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>{html_text(doc.title)}</h1>",
    ]
    for block in doc.blocks:
        if isinstance(block, Heading):
            anchor = f' id="{html_text(block.anchor)}"' if block.anchor else ""
            parts.append(f"<h{block.level}{anchor}>{html_text(block.text)}</h{block.level}>")
        elif isinstance(block, Text):
            if block.style == "warning":
                parts.append(f'<p class="warning"><b>Warning:</b> {html_text(block.text)}</p>')
            else:
                parts.append(f'<p class="{block.style}">{html_text(block.text)}</p>')
        elif isinstance(block, Table):
            parts.append(_table(block.frame))
        elif isinstance(block, Chart):
            parts.append(block.svg)
        elif isinstance(block, Items):
            parts.append("<ul>" + "".join(f"<li>{html_text(i)}</li>" for i in block.items) + "</ul>")
        elif isinstance(block, References):
            items = "".join(f"<li>{html_text(k)} {html_text(t)}</li>" for k, t in block.items)
            parts.append(f'<ol class="refs">{items}</ol>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
