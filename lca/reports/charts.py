"""Charts as inline SVG that stay readable from one item to hundreds.

Rules every chart keeps (checked in a real browser by
``tests/reports/test_charts_in_a_browser.py`` with 1, 4, 18 and 60 items):

* items run down the page as horizontal bars, labels in full (wrapped, never
  cut), one facet per impact category side by side; the figure grows with the
  number of items instead of squeezing them;
* two or more swept parameters make a heatmap (first parameter down, the
  others across), one per category, every cell labelled;
* axis values are scaled to the unit that reads best (t CO2e, MWh ...) and
  printed by :func:`lca.numbers.fmt_number`: no offset text, no ``1e6``;
* text never becomes mathtext or markup (:func:`lca.reports.safe.chart_label`).
"""

from __future__ import annotations

import functools
import io
import re
import textwrap
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import numpy as np
import pandas as pd

from ..numbers import fmt_number, pretty_unit, scale
from ..units import CATEGORY_UNITS
from .safe import chart_label

P = ParamSpec("P")

__all__ = [
    "svg",
    "totals_chart",
    "boundary_chart",
    "phase_chart",
    "process_chart",
    "bars_chart",
    "heatmap_chart",
    "line_chart",
    "tornado_chart",
]

COLORS = {"embodied": "#8c6d31", "operational": "#3182bd"}
COMPONENT_COLORS = {
    "accelerators": "#3182bd",
    "host": "#6baed6",
    "idle": "#9ecae1",
    "overhead": "#fd8d3c",
    "network": "#74c476",
    "storage": "#a1d99b",
    "embodied": "#8c6d31",
    "other": "#969696",
}
WRAP = 44  # characters per label line
LINE_IN = 0.17  # inches per label line at 9 pt
FACET_W = 2.3  # inches per category facet


STYLE = {"svg.hashsalt": "ai-lca", "font.size": 9, "svg.fonttype": "none", "axes.formatter.useoffset": False}


def _styled(chart: Callable[P, str]) -> Callable[P, str]:
    """Draw ``chart`` in ai-lca's style without touching the caller's matplotlib settings or backend."""

    @functools.wraps(chart)
    def drawn(*args: P.args, **kwargs: P.kwargs) -> str:
        import matplotlib

        with matplotlib.rc_context(STYLE):  # type: ignore[arg-type]  # its stubs type the keys as literals
            return chart(*args, **kwargs)

    return drawn


def _subplots(nrows: int = 1, ncols: int = 1, **kw: Any) -> tuple[Any, Any]:
    """A figure and its axes, made without pyplot (no global figure manager, no GUI backend)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=kw.pop("figsize"), layout=kw.pop("layout", None))
    return fig, fig.subplots(nrows, ncols, **kw)


def svg(fig: Any, prefix: str, *, tight: bool = True) -> str:
    """The figure as an inline SVG block with stable ids (the same inputs give the same bytes).

    ``tight`` crops the figure to what is drawn, at the cost of drawing it twice;
    a figure laid out by constrained layout already fits its page.
    """
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight" if tight else None, metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = re.sub(r"<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    ids: dict[str, str] = {}

    def stable(match: re.Match) -> str:
        old = match.group(1)
        ids.setdefault(old, f"{prefix}{len(ids)}")
        return ids[old]

    text = re.sub(r'(?<=id=")([^"]+)(?=")', stable, text)
    # references url(#id) and href="#id", in one pass (a replace per id is quadratic in large charts)
    text = re.sub(r'#([^")\s]+)(?=[)"])', lambda m: "#" + ids.get(m.group(1), m.group(1)), text)
    return f'<div class="chart">{text}</div>'


def _categories(frame: pd.DataFrame) -> list[str]:
    """The impact categories present in ``frame``, in the canonical order."""
    present = set(frame["category"].unique())
    return [c for c in CATEGORY_UNITS if c in present]


def _label(text: Any) -> str:
    """A full label, wrapped (never cut) and safe for matplotlib."""
    return "\n".join(textwrap.wrap(chart_label(text, 400), WRAP, break_long_words=True) or [""])


def _row_height(labels: Sequence[str]) -> float:
    lines = max((lbl.count("\n") + 1 for lbl in labels), default=1)
    return max(0.28, LINE_IN * lines + 0.12)


def _scaled(values: np.ndarray, unit: str) -> tuple[float, str]:
    """The factor and unit that make the largest value read best."""
    finite = values[np.isfinite(values)]
    largest = float(np.max(np.abs(finite))) if finite.size else 0.0
    if largest == 0:
        return 1.0, pretty_unit(unit)
    head, sep, tail = unit.partition(" per ")
    value, new = scale(largest, head)
    return value / largest, pretty_unit(new) + (sep + tail if sep else "")


def _numbers_on(axis: Any, bins: int = 3) -> None:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    axis.set_major_locator(MaxNLocator(nbins=bins))
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: fmt_number(float(v), 3)))


def _legend(fig: Any, axes: Any) -> None:
    """One legend for the figure, above the plots (never over a bar), entries from every facet."""
    seen: dict[str, Any] = {}
    for ax in np.ravel(axes):
        for handle, label in zip(*ax.get_legend_handles_labels()):
            seen.setdefault(label, handle)
    if seen:
        fig.legend(list(seen.values()), list(seen), loc="outside upper left", ncols=min(len(seen), 6), fontsize=7)


@_styled
def _empty(message: str) -> str:
    fig, ax = _subplots(figsize=(4, 0.6))
    ax.axis("off")
    ax.text(0, 0.5, message, va="center")
    return svg(fig, "empty")


@_styled
def totals_chart(totals: pd.DataFrame, uncertainty: pd.DataFrame | None = None) -> str:
    """Embodied + operational per category, with the Monte Carlo median and 95 % interval beside the bar."""
    n = len(totals)
    fig, axes = _subplots(1, n, figsize=(FACET_W * n, 3.0), layout="constrained", squeeze=False)
    for ax, (_, row) in zip(axes[0], totals.iterrows()):
        factor, unit = _scaled(np.array([row["total"]], dtype=float), row["unit"])
        ax.bar([0], [row["embodied"] * factor], color=COLORS["embodied"], label="embodied")
        ax.bar(
            [0],
            [row["operational"] * factor],
            bottom=[row["embodied"] * factor],
            color=COLORS["operational"],
            label="operational",
        )
        if uncertainty is not None and row["category"] in set(uncertainty["category"].unique()):
            u = uncertainty[uncertainty["category"] == row["category"]].iloc[0]
            ax.errorbar(
                [0.55],
                [u["p50"] * factor],
                yerr=[[(u["p50"] - u["p2.5"]) * factor], [(u["p97.5"] - u["p50"]) * factor]],
                fmt="o",
                color="black",
                capsize=6,
                markersize=4,
                label="Monte Carlo median, 95 %",
            )
        ax.set_xlim(-0.6, 1.0)
        ax.set_title(f"{row['category']} [{unit}]")
        ax.set_xticks([])
        _numbers_on(ax.yaxis)
    _legend(fig, axes)
    return svg(fig, "tot")


@_styled
def boundary_chart(boundary: pd.DataFrame, column: str = "gwp100 [kg CO2e per unit]") -> str:
    """Per phase, one bar split into its boundary components (accelerators, host, idle, overhead, embodied)."""
    if boundary.empty or column not in boundary:
        return _empty("no boundary components")
    phases = list(pd.unique(boundary["phase"]))
    unit = column[column.index("[") + 1 : column.index(" per ")]
    fig, axes = _subplots(len(phases), 1, figsize=(8.5, 1.0 + 0.9 * len(phases)), layout="constrained", squeeze=False)
    seen: set[str] = set()
    for ax, phase in zip(axes[:, 0], phases):
        sub = boundary[boundary["phase"] == phase]
        factor, shown = _scaled(sub[column].to_numpy(dtype=float), unit)
        left = 0.0
        for _, row in sub.iterrows():
            value = float(row[column]) * factor
            comp = str(row["component"])
            ax.barh(
                [0],
                [value],
                left=left,
                color=COMPONENT_COLORS.get(comp, "#bdbdbd"),
                label=None if comp in seen else comp,
                height=0.6,
            )
            seen.add(comp)
            left += value
        per = str(sub["per"].iloc[0])
        ax.set_yticks([0], [_label(phase)])
        ax.set_xlabel(f"gwp100 [{shown} per {per}]")
        _numbers_on(ax.xaxis)
    _legend(fig, axes)
    return svg(fig, "bnd")


@_styled
def phase_chart(by_phase: pd.DataFrame) -> str:
    """Per category, embodied and operational per phase (horizontal bars)."""
    cats = _categories(by_phase)
    phases = sorted(set(by_phase["phase"]))
    labels = [_label(p) for p in phases]
    height = _row_height(labels) * len(phases) + 1.2
    fig, axes = _subplots(
        1, len(cats), figsize=(FACET_W * len(cats) + 1, height), layout="constrained", sharey=True, squeeze=False
    )
    y = np.arange(len(phases))
    for ax, cat in zip(axes[0], cats):
        sub = by_phase[by_phase["category"] == cat]
        vals = {
            s: np.array([float(sub[(sub["phase"] == p) & (sub["scope"] == s)]["value"].sum()) for p in phases])
            for s in ("embodied", "operational")
        }
        factor, unit = _scaled(vals["embodied"] + vals["operational"], CATEGORY_UNITS[cat])
        ax.barh(y, vals["embodied"] * factor, color=COLORS["embodied"], label="embodied")
        ax.barh(y, vals["operational"] * factor, left=vals["embodied"] * factor, color=COLORS["operational"],
                label="operational")  # fmt: skip
        ax.set_title(f"{cat} [{unit}]")
        _numbers_on(ax.xaxis)
    axes[0][0].set_yticks(y, labels)
    axes[0][0].invert_yaxis()
    _legend(fig, axes)
    return svg(fig, "phs")


@_styled
def process_chart(by_process: pd.DataFrame, category: str = "gwp100", top: int = 10) -> str:
    """The ``top`` processes of one category."""
    sub = by_process[by_process["category"] == category].groupby(["process", "scope"])["value"].sum().reset_index()
    sub = sub.sort_values("value", ascending=False).head(top)
    if sub.empty:
        return _empty(f"no process contributes to {category}")
    labels = [_label(p) for p in sub["process"]]
    factor, unit = _scaled(sub["value"].to_numpy(dtype=float), CATEGORY_UNITS[category])
    fig, ax = _subplots(figsize=(8.5, _row_height(labels) * len(sub) + 1.0), layout="constrained")
    y = np.arange(len(sub))
    ax.barh(y, sub["value"].to_numpy(dtype=float) * factor, color=[COLORS[s] for s in sub["scope"]])
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlabel(f"{category} [{unit}]")
    ax.set_title(f"By process ({category}, top {len(sub)})")
    _numbers_on(ax.xaxis)
    return svg(fig, "prc")


@_styled
def bars_chart(table: pd.DataFrame, label: str, market: bool = False) -> str:
    """Items (studies or scenarios) down the page, one facet per category, embodied + operational stacked.

    ``market``: mark the market-based gwp100 total of each item (sweeps over
    contracts) beside its location-based bar.
    """
    cats = _categories(table)
    names = list(pd.unique(table[label]))
    labels = [_label(n) for n in names]
    height = _row_height(labels) * len(names) + 1.3
    fig, axes = _subplots(
        1, len(cats), figsize=(FACET_W * len(cats) + 2.5, height), layout="constrained", sharey=True, squeeze=False
    )
    y = np.arange(len(names))
    for ax, cat in zip(axes[0], cats):
        sub = table[table["category"] == cat].set_index(label).reindex(names)
        emb = sub["embodied"].to_numpy(dtype=float)
        ope = sub["operational"].to_numpy(dtype=float)
        factor, unit = _scaled(emb + ope, CATEGORY_UNITS[cat])
        ax.barh(y, emb * factor, color=COLORS["embodied"], label="embodied")
        ax.barh(y, ope * factor, left=emb * factor, color=COLORS["operational"], label="operational")
        if market and cat == "gwp100" and "total_market_based" in sub:
            mb = sub["total_market_based"].to_numpy(dtype=float)
            ok = np.isfinite(mb)
            ax.plot(mb[ok] * factor, y[ok], "D", color="black", markersize=4, label="market-based total")
        ax.set_title(f"{cat} [{unit}]")
        ax.set_ylim(len(names) - 0.5, -0.5)
        _numbers_on(ax.xaxis)
    axes[0][0].set_yticks(y, labels)
    _legend(fig, axes)
    return svg(fig, "bars")


@_styled
def line_chart(x: np.ndarray, totals: dict[str, np.ndarray], param: str) -> str:
    """Totals against one numeric swept parameter, one facet per category (for sweeps too long for bars).

    ``x``: the parameter's value per item; ``totals``: per category, the total per item.
    """
    cats = [c for c in CATEGORY_UNITS if c in totals]
    fig, axes = _subplots(1, len(cats), figsize=(FACET_W * len(cats) + 1, 3.0), layout="constrained", squeeze=False)
    order = np.argsort(x, kind="stable")
    for ax, cat in zip(axes[0], cats):
        y = totals[cat][order]
        factor, unit = _scaled(y, CATEGORY_UNITS[cat])
        ax.plot(x[order], y * factor, color=COLORS["operational"], linewidth=1.2)
        ax.set_title(f"{cat} total [{unit}]")
        ax.set_xlabel(chart_label(param.removeprefix("param:"), 60))
        _numbers_on(ax.xaxis)
        _numbers_on(ax.yaxis)
    return svg(fig, "line")


def _thin(labels: list[str], most: int = 60) -> tuple[list[int], list[str]]:
    """Tick positions and labels, every k-th one where there are more than ``most``."""
    step = max(1, -(-len(labels) // most))
    idx = list(range(0, len(labels), step))
    return idx, [_label(labels[i]) for i in idx]


HEAT_TICKS = 16  # tick labels per heatmap axis at most (every k-th value beyond)


@_styled
def heatmap_chart(
    grids: dict[str, np.ndarray], row_values: list[str], col_values: list[str], row_title: str, col_title: str
) -> str:
    """Totals over two or more swept parameters: the first down, the others (combined) across; one per category.

    ``grids``: per category, the total of each (row value, column value) cell (nan where no item falls).
    """
    cats = [c for c in CATEGORY_UNITS if c in grids]
    cell_w = 0.75
    row_h = 0.34 if len(row_values) <= 60 else 8.0 / len(row_values)  # a long axis fits 8 inches
    cell_w = cell_w if len(col_values) <= 60 else 8.0 / len(col_values)
    annotate = len(row_values) * len(col_values) <= 600
    width = max(4.0, cell_w * len(col_values) + 2.5)
    height_each = row_h * len(row_values) + 1.6
    fig, axes = _subplots(len(cats), 1, figsize=(width, height_each * len(cats)), layout="constrained", squeeze=False)
    for ax, cat in zip(axes[:, 0], cats):
        values = grids[cat]
        factor, unit = _scaled(values, CATEGORY_UNITS[cat])
        shown = values * factor
        image = ax.imshow(shown, aspect="auto", cmap="YlOrRd", interpolation="none")
        if annotate:
            mid = np.nanmean(shown)
            for (i, j), v in np.ndenumerate(shown):
                if np.isfinite(v):
                    ax.text(j, i, fmt_number(float(v), 3), ha="center", va="center", fontsize=7,
                            color="white" if v > mid else "black")  # fmt: skip
        ax.set_yticks(*_thin(row_values, HEAT_TICKS))
        ax.set_xticks(*_thin(col_values, HEAT_TICKS), rotation=90)
        ax.set_ylabel(chart_label(row_title, 60))
        ax.set_xlabel(chart_label(col_title, 120))
        ax.set_title(f"{cat} total [{unit}]")
        bar = fig.colorbar(image, ax=ax, shrink=0.9)
        _numbers_on(bar.ax.yaxis)
    return svg(fig, "heat", tight=False)


@_styled
def tornado_chart(tornado: pd.DataFrame, top: int = 10) -> str:
    """Per category, the ``top`` inputs by swing: the total with each input at the low and high end of its range."""
    cats = _categories(tornado)
    if tornado.empty:
        return _empty("no uncertain inputs")
    blocks = []
    for cat in cats:
        sub = tornado[tornado["category"] == cat].sort_values("swing", ascending=False).head(top)
        blocks.append((cat, sub))
    heights = [_row_height([_label(i) for i in sub["input"]]) * max(len(sub), 1) + 0.9 for _, sub in blocks]
    fig, axes = _subplots(
        len(blocks), 1, figsize=(8.5, sum(heights)), layout="constrained", squeeze=False,
        gridspec_kw={"height_ratios": heights},
    )  # fmt: skip
    for ax, (cat, sub) in zip(axes[:, 0], blocks):
        base = float(sub["base"].iloc[0]) if len(sub) else 0.0
        lo = sub["total_at_low"].to_numpy(dtype=float)
        hi = sub["total_at_high"].to_numpy(dtype=float)
        factor, unit = _scaled(np.concatenate([lo, hi, [base]]), CATEGORY_UNITS[cat])
        y = np.arange(len(sub))
        ax.barh(y, (lo - base) * factor, left=base * factor, color="#6baed6", label="input at its low end")
        ax.barh(y, (hi - base) * factor, left=base * factor, color="#fd8d3c", label="input at its high end")
        ax.axvline(base * factor, color="black", linewidth=0.8)
        ax.set_yticks(y, [_label(i) for i in sub["input"]])
        ax.set_ylim(len(sub) - 0.5, -0.5)
        ax.set_title(f"{cat} total [{unit}]; line: all inputs at their base value")
        _numbers_on(ax.xaxis)
    _legend(fig, axes)
    return svg(fig, "tor")
