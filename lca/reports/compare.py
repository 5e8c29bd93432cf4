"""Side-by-side comparison of studies (or of the scenarios of a sweep)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..activity import Note, NoteCode
from ..analysis.sweep import SweepResult
from ..inventory import CATEGORIES
from ..units import CATEGORY_UNITS
from . import charts
from .document import Chart, Document, Heading, Items, Table, Text
from .html import render_html
from .people import people_table

__all__ = ["comparison_table", "comparison_chart", "sweep_chart", "uneven_gaps", "varying_parameters"]


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
    params = varying_parameters(table)
    names = list(pd.unique(table[label]))
    many = len(names) > MANY
    cats = set(table["category"].unique())
    cat = "gwp100" if "gwp100" in cats else str(table["category"].iloc[0])
    extremes = table
    if many:  # the lowest and highest items by gwp100 (or the first category) stand for the rest
        ranked = table[table["category"] == cat].sort_values("total")[label].tolist()
        extremes = table[table[label].isin(set(ranked[:EXTREMES] + ranked[-EXTREMES:]))]
    gwp = table["category"] == "gwp100"
    market = "total_market_based" in table and bool(
        (table.loc[gwp, "total_market_based"] != table.loc[gwp, "total"]).any()
    )
    if len(params) >= 2:
        category = table["category"].to_numpy()
        rows, row_values = pd.factorize(table[params[0]], use_na_sentinel=False)
        parts = [pd.factorize(table[col], use_na_sentinel=False) for col in params[1:]]
        cols, col_values = _across([c for c, _u in parts], [[str(v) for v in u] for _c, u in parts])
        grids = {
            c: _grid(rows[category == c], cols[category == c], table["total"].to_numpy(float)[category == c],
                     (len(row_values), len(col_values)))
            for c in cats
        }  # fmt: skip
        chart = charts.heatmap_chart(grids, [str(v) for v in row_values], col_values, *_titles(params))
    elif many and params and pd.api.types.is_numeric_dtype(table[params[0]]):
        lines = {c: table[table["category"] == c].set_index(label).reindex(names) for c in cats}
        x = lines[cat][params[0]].to_numpy(dtype=float)
        chart = charts.line_chart(x, {c: sub["total"].to_numpy(dtype=float) for c, sub in lines.items()}, params[0])
    else:
        chart = charts.bars_chart(extremes, label, market=market)
    return _page(title, chart, extremes, label, len(names) if many else None, cat, gaps, warnings)


def sweep_chart(result: SweepResult, gaps: dict[str, list[str]] | None = None, title: str = "Sweep") -> str:
    """:func:`comparison_chart` of a sweep's scenarios, drawn from its arrays.

    Beyond :data:`MANY` scenarios the page is built without the long table:
    the heatmap from the scenarios' codes, the list from the rows of the
    lowest and highest scenarios only (10^6 scenarios in seconds).
    """
    if result.n <= MANY:
        return comparison_chart(result.table, "scenario", gaps, title=title)
    scens = result.scenarios
    params = [p for p in scens.paths if len(np.unique(scens.codes[p])) > 1]
    k = CATEGORIES.index("gwp100")
    order = result.ranked("gwp100")
    extremes = result.rows(np.unique(np.concatenate([order[:EXTREMES], order[-EXTREMES:]])))
    if len(params) >= 2:
        rows, row_values = _compact(scens, params[0])
        across = [_compact(scens, p) for p in params[1:]]
        cols, col_values = _across([c for c, _v in across], [v for _c, v in across])
        grids = {c: _grid(rows, cols, result.total[:, j], (len(row_values), len(col_values)))
                 for j, c in enumerate(CATEGORIES)}  # fmt: skip
        chart = charts.heatmap_chart(grids, row_values, col_values, *_titles(params))
    elif params and _numeric(scens.values[params[0]]) and bool(np.all(scens.codes[params[0]] >= 0)):
        x = np.array(scens.values[params[0]], dtype=float)[scens.codes[params[0]]]
        chart = charts.line_chart(x, {c: result.total[:, j] for j, c in enumerate(CATEGORIES)}, params[0])
    else:
        market = bool((np.isfinite(result.market) & (result.market != result.total[:, k])).any())
        chart = charts.bars_chart(extremes, "scenario", market=market)
    return _page(title, chart, extremes, "scenario", result.n, "gwp100", gaps, None)


def _numeric(values: list[Any]) -> bool:
    return all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)


def _titles(params: list[str]) -> tuple[str, str]:
    """The heatmap's axis titles: the first parameter down, the others across."""
    return params[0].removeprefix("param:"), ", ".join(p.removeprefix("param:") for p in params[1:])


def _compact(scens: Any, path: str) -> tuple[np.ndarray, list[str]]:
    """A parameter's codes renumbered over the values that occur (unset last), and their labels."""
    values = scens.values[path]
    codes = np.where(scens.codes[path] < 0, len(values), scens.codes[path])
    present, inverse = np.unique(codes, return_inverse=True)
    labels = [str(values[v]) if v < len(values) else "(as in the study)" for v in present]
    return inverse.ravel(), labels


def _across(codes: Sequence[np.ndarray], labels: Sequence[list[str]]) -> tuple[np.ndarray, list[str]]:
    """One code per combination of several parameters' codes that occurs, and its label ("a, b")."""
    sizes = [len(u) for u in labels]
    combined, inverse = np.unique(np.ravel_multi_index(list(codes), sizes), return_inverse=True)
    where = np.unravel_index(combined, sizes)
    return inverse.ravel(), [", ".join(labels[k][where[k][j]] for k in range(len(sizes))) for j in range(len(combined))]


def _grid(rows: np.ndarray, cols: np.ndarray, totals: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The total in each (row, column) cell; the first item of a cell wins, nan where none falls."""
    out = np.full(shape, np.nan)
    out[rows[::-1], cols[::-1]] = totals[::-1]
    return out


def _page(
    title: str,
    chart: str,
    shown: pd.DataFrame,
    label: str,
    many: int | None,
    cat: str,
    gaps: dict[str, list[str]] | None,
    warnings: list[str] | None,
) -> str:
    """The page: warnings, ``chart``, the table of ``shown`` items (the extremes of ``many``), the gaps."""
    doc = Document(title)
    doc.add(*[Text(w, "warning") for w in warnings or []])
    if gaps:
        doc.add(Text(f"Not covered in every {label}; see the list below the table.", "warning"))
    doc.add(Chart(chart))
    cols = [label, "category", "embodied", "operational", "total"]
    if "total_market_based" in shown:
        cols.append("total_market_based")
    if many:
        doc.add(
            Text(
                f"{many:,} {label}s: the table lists the {EXTREMES} lowest and {EXTREMES} highest by {cat} "
                "total; every one is in the CSV file beside this page.",
                "muted",
            )
        )
    shown = shown[[*cols, "unit"]].copy()
    if "total_market_based" in shown:  # market-based scope 2 applies to gwp100 only
        shown["total_market_based"] = shown["total_market_based"].where(shown["category"] == "gwp100")
    doc.add(Table(people_table(shown)))
    if "total_market_based" in shown:
        doc.add(Text("Market-based totals apply to gwp100 only; other categories read 'not available'.", "muted"))
    if gaps:
        doc.add(Heading(f"Not covered in every {label}", anchor="coverage"))
        doc.add(Items([f"{name}: {g}" for name, gs in gaps.items() for g in gs]))
    return render_html(doc)
