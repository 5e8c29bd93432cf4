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

import collections
import csv
import html
import io
import re
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING, Any

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
    """RFC 4180 CSV (header row, comma, double quotes, LF) with formula-like text cells neutralised.

    Written by Arrow's CSV writer: text cells are always quoted, numbers are
    the shortest text that reads back to the same float (``3``, ``1e-7``),
    missing values are empty cells.
    """
    out = io.StringIO()
    write_csv(frame, out)
    return out.getvalue()


def write_csv(frame: pd.DataFrame | Iterable[pd.DataFrame], handle: IO[str], chunk: int = 100_000) -> None:
    """:func:`csv_text` of ``frame`` (or of its parts, one after the other) written to ``handle``, ``chunk`` rows
    at a time: the same bytes as the whole table at once, in bounded memory.

    Chunks are formatted on two threads (Arrow's writer releases the GIL) and
    written in order; at most three are held at once.
    """
    from concurrent.futures import ThreadPoolExecutor

    parts: Iterable[pd.DataFrame] = [frame] if hasattr(frame, "columns") else frame  # type: ignore[list-item]
    raw = getattr(handle, "buffer", None)  # a file: Arrow's UTF-8 bytes go to it as they are (no decode + encode)

    def put(text: bytes) -> None:
        if raw is None:
            handle.write(text.decode("utf-8"))
        else:
            handle.flush()
            raw.write(text)

    header = False
    with ThreadPoolExecutor(2) as pool:
        pending: collections.deque = collections.deque()
        for part in parts:
            if not header:
                line = io.StringIO()
                csv.writer(line, lineterminator="\n").writerow([csv_cell(printable(c)) for c in part.columns])
                put(line.getvalue().encode("utf-8"))
                header = True
            for start in range(0, len(part), chunk):
                pending.append(pool.submit(_csv_rows, part.iloc[start : start + chunk]))
                if len(pending) >= 3:
                    put(pending.popleft().result())
        while pending:
            put(pending.popleft().result())


def _csv_rows(frame: pd.DataFrame) -> bytes:
    """The CSV rows of ``frame``, without the header."""
    import pyarrow.csv as pacsv  # the terminal imports this module: Arrow only when a CSV is written

    sink = io.BytesIO()
    pacsv.write_csv(_arrow(frame), sink, pacsv.WriteOptions(include_header=False))
    return sink.getvalue()


def _arrow(frame: pd.DataFrame) -> Any:
    """``frame`` as an Arrow table: text columns guarded (each distinct text checked once), numbers as they are."""
    import numpy as np  # the terminal imports this module: numbers libraries only when a CSV is written
    import pandas as pd
    import pyarrow as pa

    columns = {}
    for j in range(frame.shape[1]):
        col = frame.iloc[:, j]
        if pd.api.types.is_bool_dtype(col) or pd.api.types.is_numeric_dtype(col):
            columns[f"c{j}"] = pa.array(col.to_numpy(), from_pandas=True)
            continue
        if isinstance(col.dtype, pd.CategoricalDtype):  # codes and their values as they are (sweeps)
            codes, uniques = col.cat.codes.to_numpy(), col.cat.categories
        else:
            codes, uniques = pd.factorize(col, use_na_sentinel=True)
        kind = pd.api.types.infer_dtype(uniques, skipna=True)
        if kind in ("floating", "integer", "mixed-integer-float"):  # numbers held as objects (None where unset)
            numbers = np.array([*uniques, np.nan], dtype=float)
            columns[f"c{j}"] = pa.array(numbers[codes], from_pandas=True)  # code -1 takes the trailing nan
            continue
        texts = np.asarray(uniques, dtype=object) if kind == "string" else [str(u) for u in uniques]
        indices = pa.array(codes, mask=codes < 0, type=pa.int64())
        columns[f"c{j}"] = pa.DictionaryArray.from_arrays(indices, _guarded(pa.array(texts, type=pa.string())))
        columns[f"c{j}"] = columns[f"c{j}"].cast(pa.string())
    return pa.table(columns) if columns else pa.table({"": pa.nulls(len(frame))})


def _guarded(texts: Any) -> Any:
    """Arrow strings with :func:`csv_cell`'s rule applied to each (in Arrow's kernels, no Python per text)."""
    import pyarrow.compute as pc

    starts = [pc.starts_with(texts, prefix) for prefix in FORMULA_START]
    formula = starts[0]
    for more in starts[1:]:
        formula = pc.or_(formula, more)
    return pc.if_else(formula, pc.binary_join_element_wise("'", texts, ""), texts)


def chart_label(text: object, limit: int = 80) -> str:
    """A label for matplotlib: printable, ``$`` escaped (no mathtext), shortened with an ellipsis."""
    label = printable(text).replace("$", r"\$")
    return label if len(label) <= limit else label[: limit - 1] + "…"


def markdown_text(text: object) -> str:
    """Text for a Markdown table cell or list item: printable, HTML and table syntax escaped."""
    return html.escape(printable(text), quote=False).replace("|", "\\|").replace("\n", " ")


def html_text(text: object) -> str:
    return html.escape(printable(text))
