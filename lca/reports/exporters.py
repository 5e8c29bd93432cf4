"""Exporters: CSV, Excel, JSON, Markdown and a self-contained HTML report.

All of them read one :class:`ReportData` (the tidy table, the market-based
table, notes, sources, provenance), built from a fresh result or from a results
folder on disk, so that ``lca run --format ...`` and ``lca report DIR`` write the
same files. Writes are atomic.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from ..activity import Note
from ..environment import source_date
from ..results import TABLE_COLUMNS
from ..units import CATEGORY_UNITS
from . import views
from .atomic import atomic_path, write_text
from .document import run_report
from .html import render_html
from .markdown import render_markdown
from .safe import csv_text
from .workbook import write_workbook

__all__ = ["ReportData", "FORMATS", "export", "to_json_dict", "JSON_SCHEMA_ID"]

FORMATS = ("csv", "xlsx", "json", "md", "html")
JSON_SCHEMA_ID = "ai-lca-report/2"


@dataclass
class ReportData:
    """Everything a report shows."""

    study: str
    table: pd.DataFrame
    provenance: dict[str, Any]
    notes: list[Note] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    market_table: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None  # category, statistic columns (mean, p2.5 ...)

    @classmethod
    def from_result(cls, result: Any) -> ReportData:
        return cls(
            result.study,
            result.table,
            dict(result.provenance),
            list(result.notes),
            list(result.sources),
            result.market_table,
            getattr(result, "uncertainty", None),
        )

    @property
    def units(self) -> list[dict[str, Any]]:
        return self.provenance.get("functional_units", [{"name": "life cycle", "phases": "all", "amount": 1.0}])

    @property
    def energy(self) -> float:
        return float(self.provenance.get("energy_at_meter_kwh", 0.0))


def _records(frame: pd.DataFrame | None) -> list[dict[str, Any]]:
    if frame is None:
        return []
    return [
        {str(k): (None if isinstance(v, float) and math.isnan(v) else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def to_json_dict(data: ReportData) -> dict[str, Any]:
    """The JSON report (schema: docs/report-schema.json)."""
    return {
        "schema": JSON_SCHEMA_ID,
        "study": data.study,
        "units": dict(CATEGORY_UNITS),
        "totals": _records(views.totals(data.table, views.computed(data.provenance))),
        "by_phase": _records(views.by_phase(data.table)),
        "by_process": _records(views.by_process(data.table)),
        "functional_units": _records(
            views.per_functional_unit(data.table, data.units, views.computed(data.provenance))
        ),
        "ghg_protocol": views.ghg_protocol(data.table, data.market_table, data.provenance),
        "sci": views.sci(data.table, data.energy, data.units),
        "phases": data.provenance.get("phases", {}),
        "boundary": _records(views.boundary(data.table, data.provenance)),
        "boundary_summary": _records(views.boundary_summary(data.table, data.provenance)),
        "assumptions": data.provenance.get("assumptions", []),
        "uncertainty": _records(data.uncertainty) if data.uncertainty is not None else None,
        "uncertainty_warnings": views.uncertainty_warnings(data.uncertainty),
        "notes": [n.to_dict() for n in data.notes],
        "sources": data.sources,
        "provenance": {k: v for k, v in data.provenance.items() if k not in ("sources", "notes")},
        "table": _records(data.table[TABLE_COLUMNS]),
    }


# ---------------------------------------------------------------- writers


def csv_with_provenance(result: Any) -> str:
    """The impact table as plain RFC 4180 CSV (``pandas.read_csv`` reads it as is).

    Its provenance (study hash, versions, seed, sources) is in ``provenance.json``
    beside it, which also holds this file's sha256.
    """
    return csv_text(result.table)


def _write_csv(data: ReportData, target: Path) -> None:
    write_text(target, csv_with_provenance(data))


def _write_json(data: ReportData, target: Path) -> None:
    write_text(target, json.dumps(to_json_dict(data), indent=1, sort_keys=True, allow_nan=False) + "\n")


def _write_xlsx(data: ReportData, target: Path) -> None:
    totals = views.totals(data.table, views.computed(data.provenance))
    sheets: dict[str, pd.DataFrame] = {
        "summary": totals,
        "boundary": views.boundary(data.table, data.provenance),
        "boundary summary": views.boundary_summary(data.table, data.provenance),
        "assumptions": views.assumptions(data.provenance),
        "per functional unit": views.per_functional_unit(data.table, data.units, views.computed(data.provenance)),
        "by phase": views.by_phase(data.table),
        "by process": views.by_process(data.table),
    }
    ghg = views.ghg_protocol(data.table, data.market_table, data.provenance)
    sheets["ghg protocol"] = pd.DataFrame(
        [{"key": k.replace("_", " "), "value": v} for k, v in ghg.items() if k != "unit"]
        + [{"key": "unit", "value": ghg["unit"]}]
    )
    sheets["sci"] = pd.DataFrame(views.sci(data.table, data.energy, data.units))
    if data.uncertainty is not None:
        sheets["uncertainty"] = data.uncertainty
    sheets["impacts"] = data.table[TABLE_COLUMNS]
    source_cols = ["id", "kind", "field", "value", "unit", "source", "assumption", "origin", "overrides"]
    sources = pd.DataFrame(data.sources, columns=source_cols)
    sources["overrides"] = sources["overrides"].map(lambda o: "; ".join(o) if isinstance(o, list) else o)
    sheets["inventory sources"] = sources
    quantities = data.provenance.get("quantities")
    if quantities:
        cols = ["name", "label", "value", "unit", "origin", "source", "citation", "range", "distribution"]
        sheets["quantities"] = pd.DataFrame(quantities, columns=cols)
    sheets["provenance"] = pd.DataFrame(_provenance_rows(data), columns=["key", "value"])
    with atomic_path(target) as tmp:
        write_workbook(tmp, sheets, f"ai-lca report: {data.study}")
        _normalise_zip(tmp)


_OWN_SHEETS = ("boundary", "assumptions", "quantities", "functional_units", "sources", "notes", "uncertainty")


def _provenance_rows(data: ReportData) -> list[dict[str, Any]]:
    """Provenance as readable key/value rows (nested mappings flattened; tables are sheets of their own)."""
    rows: list[dict[str, Any]] = []

    def add(key: str, value: Any) -> None:
        if isinstance(value, dict):
            for k, v in sorted(value.items()):
                add(f"{key}.{k}" if key else str(k), v)
        elif isinstance(value, list) and value and all(isinstance(v, str | int | float) for v in value):
            rows.append({"key": key, "value": ", ".join(str(v) for v in value)})
        elif isinstance(value, list):
            rows.append({"key": key, "value": f"{len(value)} entries (see report.json)"})
        else:
            rows.append({"key": key, "value": value})

    for key, value in sorted(data.provenance.items()):
        if key not in _OWN_SHEETS:
            add(key, value)
    rows += [{"key": f"note ({n.code})", "value": n.text} for n in data.notes]
    return rows


def _normalise_zip(path: Path) -> None:
    """Entries in a stable order with the document's date, so the same inputs and date give the same bytes."""
    when = _zip_date()
    stamp = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z".format(*when).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in sorted(src.infolist(), key=lambda i: i.filename):
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps 'modified' with the clock when it saves
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\2", content)
            out = zipfile.ZipInfo(info.filename, date_time=when)
            out.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(out, content)
    path.write_bytes(buf.getvalue())


def _zip_date() -> tuple[int, int, int, int, int, int]:
    when = source_date() or dt.datetime.now(dt.UTC).replace(tzinfo=None)
    when = min(max(when, dt.datetime(1980, 1, 1)), dt.datetime(2107, 12, 31, 23, 59, 58))  # the zip format's years
    return (when.year, when.month, when.day, when.hour, when.minute, when.second)


def to_markdown(data: ReportData) -> str:
    """The report as Markdown: the same sections, tables and numbers as the HTML report."""
    return render_markdown(run_report(data))


def _write_md(data: ReportData, target: Path) -> None:
    write_text(target, to_markdown(data))


def _write_html(data: ReportData, target: Path) -> None:
    write_text(target, render_html(run_report(data)))


_WRITERS = {
    "csv": ("impacts.csv", _write_csv),
    "xlsx": ("report.xlsx", _write_xlsx),
    "json": ("report.json", _write_json),
    "md": ("report.md", _write_md),
    "html": ("report.html", _write_html),
}


def export(data: ReportData, folder: Path, formats: list[str]) -> list[Path]:
    """Write ``formats`` into ``folder``; return the files written."""
    out = []
    for fmt in formats:
        name, writer = _WRITERS[fmt]
        writer(data, Path(folder) / name)
        out.append(Path(folder) / name)
    return out
