"""Markdown from a :class:`~lca.reports.document.Document`: the same sections, tables and numbers as the HTML."""

from __future__ import annotations

import pandas as pd

from .document import Chart, Document, Heading, Items, References, Table, Text
from .safe import markdown_text

__all__ = ["render_markdown"]


def _table(frame: pd.DataFrame) -> str:
    cols = list(frame.columns)
    lines = ["| " + " | ".join(markdown_text(c) for c in cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(markdown_text(v) for v in row) + " |" for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def render_markdown(doc: Document) -> str:
    """The document as Markdown (charts are in the HTML report; a line says so once)."""
    parts = [f"# {markdown_text(doc.title)}", ""]
    said_charts = False
    for block in doc.blocks:
        if isinstance(block, Heading):
            parts += ["#" * block.level + " " + markdown_text(block.text), ""]
        elif isinstance(block, Text):
            text = markdown_text(block.text)
            parts += [f"**Warning:** {text}" if block.style == "warning" else f"_{text}_" if block.style == "muted"
                      else text, ""]  # fmt: skip
        elif isinstance(block, Table):
            parts += [_table(block.frame), ""]
        elif isinstance(block, Chart) and not said_charts:
            parts += ["_Charts: see report.html._", ""]
            said_charts = True
        elif isinstance(block, Items):
            parts += [f"- {markdown_text(i)}" for i in block.items] + [""]
        elif isinstance(block, References):
            parts += [f"- {markdown_text(k)} {markdown_text(t)}" for k, t in block.items] + [""]
    return "\n".join(parts)
