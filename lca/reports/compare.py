"""Side-by-side comparison of studies (or of the scenarios of a sweep)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..activity import Note, NoteCode
from ..units import CATEGORY_UNITS
from .html import CSS, _plt, _svg
from .safe import chart_label, html_text

__all__ = ["comparison_table", "comparison_chart", "uneven_gaps"]


def comparison_table(results: Iterable[Any], label: str = "study") -> pd.DataFrame:
    """One row per (study, category): embodied, operational, total, unit, and the total per phase."""
    rows = []
    for r in results:
        t = r.table
        for cat, unit in CATEGORY_UNITS.items():
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


def comparison_chart(
    table: pd.DataFrame,
    label: str = "study",
    gaps: dict[str, list[str]] | None = None,
    warnings: list[str] | None = None,
    title: str = "Comparison",
) -> str:
    """A self-contained HTML page: stacked embodied/operational bars per category.

    ``gaps`` (see :func:`uneven_gaps`) are listed under the chart.
    """
    plt = _plt()
    cats = list(dict.fromkeys(table["category"]))
    names = list(dict.fromkeys(table[label]))
    fig, axes = plt.subplots(
        len(cats), 1, figsize=(max(6, 0.9 * len(names) + 3), 2.6 * len(cats)), layout="constrained"
    )
    for ax, cat in zip(axes, cats):
        sub = table[table["category"] == cat].set_index(label).loc[names]
        labels = [chart_label(n, 40) for n in names]
        ax.bar(labels, sub["embodied"], color="#8c6d31", label="embodied")
        ax.bar(labels, sub["operational"], bottom=sub["embodied"], color="#3182bd", label="operational")
        ax.set_ylabel(f"{cat}\n[{CATEGORY_UNITS[cat]}]")
        ax.tick_params(axis="x", labelrotation=30)
    axes[0].legend(fontsize=7)
    body = _svg(fig, "cmp")
    rows = "".join(
        f"<tr><td>{html_text(str(r[label]))}</td><td>{html_text(r['category'])}</td>"
        f"<td class='n'>{r['total']:.5g}</td><td>{html_text(r['unit'])}</td></tr>"
        for _, r in table.iterrows()
    )
    warn = "".join(f"<p class='warning'><b>Warning:</b> {html_text(w)}</p>" for w in warnings or [])
    if gaps:
        items = "".join(f"<li><b>{html_text(name)}</b>: {html_text(g)}</li>" for name, gs in gaps.items() for g in gs)
        warn += f"<h2 id='coverage'>Not covered in every {html_text(label)}</h2><ul>{items}</ul>"
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>ai-lca comparison</title>"
        f"<style>{CSS}</style></head><body><h1>{html_text(title)}</h1>{warn}{body}<table><thead><tr><th>{label}</th>"
        f"<th>category</th><th>total</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table></body></html>\n"
    )
