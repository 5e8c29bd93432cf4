"""The sensitivity page: a tornado chart per category and the indices with their intervals."""

from __future__ import annotations

import pandas as pd

from ..numbers import fmt
from . import charts
from .document import Chart, Document, Heading, Table, Text
from .html import render_html

__all__ = ["sensitivity_page"]


def _interval(value: float, low: float, high: float) -> str:
    return f"{value:.3f} [{low:.3f}, {high:.3f}]"


def _rows(sub: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for _, r in sub.sort_values("swing", ascending=False).iterrows():
        rows.append(
            {
                "Input": r["input"],
                "Swing (tornado)": fmt(r["swing"], r["unit"]),
                "Spearman": f"{r['spearman']:.3f}",
                "Sobol first order [95 %]": _interval(r["first_order"], r["first_order_low"], r["first_order_high"]),
                "Sobol total order [95 %]": _interval(r["total_order"], r["total_order_low"], r["total_order_high"]),
            }
        )
    return pd.DataFrame(rows)


def sensitivity_page(study: str, table: pd.DataFrame, samples: int, sobol_samples: int) -> str:
    """One HTML page: what each method says, the tornado chart and one table per category."""
    doc = Document(f"Sensitivity: {study}")
    doc.add(
        Text(
            "Tornado: the total with one input at the low, then the high end of its range, the others at their "
            "base value. Spearman: rank correlation of each input with the total over "
            f"{samples:,} Monte Carlo samples. Sobol: first-order and total-order indices (SALib, "
            f"{sobol_samples:,} quasi-random base samples) with 95 % bootstrap intervals; an interval that "
            "reaches below 0, or a first order above its total order, is sampling noise of that size."
        ),
        Chart(charts.tornado_chart(table)),
    )
    for cat, sub in table.groupby("category", sort=False):
        doc.add(Heading(str(cat)), Table(_rows(sub)))
    return render_html(doc)
