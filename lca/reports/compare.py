"""Side-by-side comparison of studies (or of the scenarios of a sweep)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..activity import Note, NoteCode
from ..units import CATEGORY_UNITS
from . import charts
from .document import Chart, Document, Heading, Items, Table, Text
from .html import render_html
from .people import people_table

__all__ = ["comparison_table", "comparison_chart", "uneven_gaps", "varying_parameters"]


def comparison_table(results: Iterable[Any], label: str = "study") -> pd.DataFrame:
    """One row per (study, category): embodied, operational, total, unit, and the total per phase."""
    rows = []
    for r in results:
        t = r.table
        done = set((getattr(r, "provenance", None) or {}).get("categories") or CATEGORY_UNITS)
        for cat, unit in CATEGORY_UNITS.items():
            if cat not in done:  # not computed (no method for it): not available, never 0
                nan = float("nan")
                rows.append({label: r.study, "category": cat, "embodied": nan, "operational": nan, "total": nan,
                             "unit": unit})  # fmt: skip
                continue
            sub = t[t["category"] == cat]
            row = {
                label: r.study,
                "category": cat,
                "embodied": float(sub.loc[sub["scope"] == "embodied", "value"].sum()),
                "operational": float(sub.loc[sub["scope"] == "operational", "value"].sum()),
            }
            row["total"] = row["embodied"] + row["operational"]
            for phase, value in sub.groupby("phase")["value"].sum().items():
                row[f"phase:{phase}"] = float(value)
            row["unit"] = unit
            rows.append(row)
    return pd.DataFrame(rows)


def uneven_gaps(notes: dict[str, list[Note]]) -> dict[str, list[str]]:
    """Per study (or scenario), the coverage gaps that not all the others share.

    A gap (an impact left out: no embodied inventory, a factor counted as 0)
    present in some of the compared items only makes their totals not
    comparable on that point; these are the gaps to show next to the numbers.
    """

    def key(gap: str) -> str:  # the same gap for another record id is the same gap
        return re.sub(r"'[^']*'", "'…'", gap)

    gaps = {name: [n.text for n in ns if n.code == NoteCode.GAP] for name, ns in notes.items()}
    shared = set.intersection(*({key(g) for g in gs} for gs in gaps.values())) if gaps else set()
    out = {name: [g for g in gs if key(g) not in shared] for name, gs in gaps.items()}
    return {name: gs for name, gs in out.items() if gs}


MANY = 60  # items drawn one by one; beyond, the extremes stand for the rest
EXTREMES = 10


def varying_parameters(table: pd.DataFrame) -> list[str]:
    """The ``param:`` columns of a sweep table that take more than one value."""
    return [c for c in table.columns if str(c).startswith("param:") and table[c].astype(str).nunique() > 1]


def comparison_chart(
    table: pd.DataFrame,
    label: str = "study",
    gaps: dict[str, list[str]] | None = None,
    warnings: list[str] | None = None,
    title: str = "Comparison",
) -> str:
    """A self-contained HTML page: the warnings, the chart, the table and the coverage gaps.

    Studies, and sweeps over one parameter, are horizontal bars (one facet per
    category); sweeps over two or more parameters are heatmaps. A sweep with
    contractual factors shows its market-based gwp100 totals beside the
    location-based bars and in the table.
    """
    doc = Document(title)
    doc.add(*[Text(w, "warning") for w in warnings or []])
    if gaps:
        doc.add(Text(f"Not covered in every {label}; see the list below the table.", "warning"))
    params = varying_parameters(table)
    names = list(pd.unique(table[label]))
    many = len(names) > MANY
    extremes, cat = table, "gwp100"
    if many:  # the lowest and highest items by gwp100 (or the first category) stand for the rest
        cat = "gwp100" if "gwp100" in set(table["category"].unique()) else str(table["category"].iloc[0])
        ranked = table[table["category"] == cat].sort_values("total")[label].tolist()
        shown_names = set(ranked[:EXTREMES] + ranked[-EXTREMES:])
        extremes = table[table[label].isin(shown_names)]
    market = "total_market_based" in table and bool(
        (table["category"] == "gwp100").any()
        and (
            table.loc[table["category"] == "gwp100", "total_market_based"]
            != table.loc[table["category"] == "gwp100", "total"]
        ).any()
    )
    if len(params) >= 2:
        doc.add(Chart(charts.heatmap_chart(table, params, label)))
    elif many and params and pd.api.types.is_numeric_dtype(table[params[0]]):
        doc.add(Chart(charts.line_chart(table, params[0])))
    else:
        doc.add(Chart(charts.bars_chart(extremes if many else table, label, market=market)))
    cols = [label, "category", "embodied", "operational", "total"]
    if "total_market_based" in table:
        cols.append("total_market_based")
    if many:
        doc.add(
            Text(
                f"{len(names):,} {label}s: the table lists the {EXTREMES} lowest and {EXTREMES} highest by {cat} "
                "total; every one is in the CSV file beside this page.",
                "muted",
            )
        )
    shown = (extremes if many else table)[[*cols, "unit"]].copy()
    if "total_market_based" in shown:  # market-based scope 2 applies to gwp100 only
        shown["total_market_based"] = shown["total_market_based"].where(shown["category"] == "gwp100")
    doc.add(Table(people_table(shown)))
    if "total_market_based" in shown:
        doc.add(Text("Market-based totals apply to gwp100 only; other categories read 'not available'.", "muted"))
    if gaps:
        doc.add(Heading(f"Not covered in every {label}", anchor="coverage"))
        doc.add(Items([f"{name}: {g}" for name, gs in gaps.items() for g in gs]))
    return render_html(doc)
