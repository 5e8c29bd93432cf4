"""The Excel workbook a sustainability team uses: summary first, readable headers, safe cells.

Written with openpyxl's public API: bold frozen header rows, column widths,
number formats, human headers with units, readable provenance and assumption
sheets, and text cells that can never become formulas (a name that starts with
``=``, ``+``, ``-`` or ``@`` is stored as text). Cell values keep their full
precision (openpyxl writes 16 significant digits; Excel itself keeps 15). The
document's dates are ``SOURCE_DATE_EPOCH`` when set (reproducible builds), else
the time of writing.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..environment import source_date
from .people import HEADERS
from .safe import FORMULA_START, printable

if TYPE_CHECKING:
    from openpyxl import Workbook

__all__ = ["write_workbook", "HEADERS"]


def _header(name: Any) -> str:
    return printable(HEADERS.get(str(name), str(name)))


def _cell_value(value: Any) -> Any:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, str):
        return printable(value)  # control characters cannot be stored in a worksheet: shown as \\xNN
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return printable(json.dumps(value, sort_keys=True, default=str))


def _number_format(value: float) -> str:
    mag = abs(value)
    if mag == 0 or mag >= 1000:
        return "#,##0"
    if mag >= 1:
        return "#,##0.00"
    if mag >= 1e-3:
        return "0.0000"
    return "0.00E+00"


def _sheet(book: Workbook, title: str, frame: pd.DataFrame) -> None:
    from openpyxl.styles import Alignment, Font  # openpyxl: only when a workbook is written (~80 ms)
    from openpyxl.utils import get_column_letter

    ws = book.create_sheet(title[:31])
    columns = list(frame.columns)
    ws.append([_header(c) for c in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in frame.itertuples(index=False):
        ws.append([_cell_value(v) for v in row])
    widths = [len(_header(c)) for c in columns]
    for r in ws.iter_rows(min_row=2):
        for i, cell in enumerate(r):
            value = cell.value
            if isinstance(value, str):
                if value.startswith(FORMULA_START):
                    cell.data_type = "s"  # text, never a formula
                widths[i] = max(widths[i], min(len(value), 80))
            elif isinstance(value, float):
                cell.number_format = _number_format(value)
                widths[i] = max(widths[i], 14)
            elif isinstance(value, int) and not isinstance(value, bool):
                cell.number_format = "#,##0"
                widths[i] = max(widths[i], 12)
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 82)
    ws.freeze_panes = "A2"


def _when() -> dt.datetime:
    return source_date() or dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)


def write_workbook(path: Path, sheets: dict[str, pd.DataFrame], title: str) -> None:
    """Write ``sheets`` (in order) to an .xlsx file at ``path``."""
    from openpyxl import Workbook

    book = Workbook()
    default = book.active
    if default is not None:
        book.remove(default)
    for name, frame in sheets.items():
        _sheet(book, name, frame)
    when = _when()
    book.properties.title = printable(title)
    book.properties.creator = "ai-lca"
    book.properties.created = when
    book.properties.modified = when
    book.save(path)
