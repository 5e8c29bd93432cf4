"""Side-by-side comparison of studies (or of the scenarios of a sweep)."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..units import CATEGORY_UNITS
from .html import CSS, _plt, _svg

__all__ = ["comparison_table", "comparison_chart"]


def comparison_table(results: Iterable[Any], label: str = "study") -> pd.DataFrame:
    """One row per (study, category): embodied, operational, total, unit, and the total per phase."""
    rows = []
    for r in results:
        t = r.table
        for cat, unit in CATEGORY_UNITS.items():
            sub = t[t["category"] == cat]
            row = {label: r.study, "category": cat,
                   "embodied": float(sub.loc[sub["scope"] == "embodied", "value"].sum()),
                   "operational": float(sub.loc[sub["scope"] == "operational", "value"].sum())}
            row["total"] = row["embodied"] + row["operational"]
            for phase, value in sub.groupby("phase")["value"].sum().items():
                row[f"phase:{phase}"] = float(value)
            row["unit"] = unit
            rows.append(row)
    return pd.DataFrame(rows)


def comparison_chart(table: pd.DataFrame, label: str = "study") -> str:
    """A self-contained HTML page: stacked embodied/operational bars per category."""
    plt = _plt()
    cats = list(dict.fromkeys(table["category"]))
    names = list(dict.fromkeys(table[label]))
    fig, axes = plt.subplots(len(cats), 1, figsize=(max(6, 0.9 * len(names) + 3), 2.6 * len(cats)),
                             layout="constrained")
    for ax, cat in zip(axes, cats):
        sub = table[table["category"] == cat].set_index(label).loc[names]
        ax.bar(names, sub["embodied"], color="#8c6d31", label="embodied")
        ax.bar(names, sub["operational"], bottom=sub["embodied"], color="#3182bd", label="operational")
        ax.set_ylabel(f"{cat}\n[{CATEGORY_UNITS[cat]}]")
        ax.tick_params(axis="x", labelrotation=30)
    axes[0].legend(fontsize=7)
    body = _svg(fig, "cmp")
    rows = "".join(
        f"<tr><td>{html.escape(str(r[label]))}</td><td>{html.escape(r['category'])}</td>"
        f"<td class='n'>{r['total']:.5g}</td><td>{html.escape(r['unit'])}</td></tr>"
        for _, r in table.iterrows()
    )
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>ai-lca comparison</title>"
            f"<style>{CSS}</style></head><body><h1>Comparison</h1>{body}<table><thead><tr><th>{label}</th>"
            f"<th>category</th><th>total</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table></body></html>\n")
