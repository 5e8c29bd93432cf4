"""Text that is safe to put in each output: CSV cells, chart labels, Markdown, HTML, the terminal.

* CSV: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return is prefixed with ``'`` (the OWASP rule against formula
  injection when a spreadsheet opens the file); numbers are left alone.
* Charts: ``$`` would start matplotlib's mathtext (and crash on unbalanced
  dollars): it is escaped.
* Control characters (terminal escape sequences among them) are shown as
  ``\\xNN``, never sent.
"""

from __future__ import annotations

import html
import re
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["csv_text", "write_csv", "csv_cell", "printable", "chart_label", "markdown_text", "html_text"]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: object) -> str:
    """``text`` with control characters (escape sequences, bells ...) shown as ``\\xNN``."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group(0)):02x}", str(text))


def csv_cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(frame: pd.DataFrame) -> str:
    """RFC 4180 CSV (header row, comma, double quotes, LF) with formula-like text cells neutralised."""
    return _guarded(frame).to_csv(index=False, lineterminator="\n")


def write_csv(frame: pd.DataFrame, handle: IO[str], chunk: int = 100_000) -> None:
    """:func:`csv_text` written to ``handle`` in chunks of ``chunk`` rows (the same bytes, bounded memory)."""
    for start in range(0, max(len(frame), 1), chunk):
        part = _guarded(frame.iloc[start : start + chunk])
        handle.write(part.to_csv(index=False, header=start == 0, lineterminator="\n"))


def _guarded(frame: pd.DataFrame) -> pd.DataFrame:
    import numpy as np  # the terminal imports this module: numbers libraries only when a CSV is written
    import pandas as pd

    out = frame.copy()
    for col in out.select_dtypes(exclude="number").columns:  # object and pandas' string dtypes alike
        codes, uniques = pd.factorize(out[col], use_na_sentinel=True)  # each distinct text checked once
        guarded = np.array([csv_cell(u) for u in uniques] + [None], dtype=object)
        cells = guarded[codes]  # code -1 (missing) takes the trailing None
        out[col] = pd.Series(cells, index=out.index, dtype=object).where(codes >= 0, out[col].astype(object))
    return out


def chart_label(text: object, limit: int = 80) -> str:
    """A label for matplotlib: printable, ``$`` escaped (no mathtext), shortened with an ellipsis."""
    label = printable(text).replace("$", r"\$")
    return label if len(label) <= limit else label[: limit - 1] + "…"


def markdown_text(text: object) -> str:
    """Text for a Markdown table cell or list item: printable, HTML and table syntax escaped."""
    return html.escape(printable(text), quote=False).replace("|", "\\|").replace("\n", " ")


def html_text(text: object) -> str:
    return html.escape(printable(text))
