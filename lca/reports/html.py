"""A self-contained HTML report: one file, charts as inline SVG, no script, no network."""

from __future__ import annotations

import io
import re
from typing import Any

import pandas as pd

from ..units import CATEGORY_UNITS
from . import views
from .safe import chart_label, html_text

__all__ = ["render_html"]

COLORS = {"embodied": "#8c6d31", "operational": "#3182bd"}
CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:2em auto;max-width:1100px;color:#222}
h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
table{border-collapse:collapse;margin:.6em 0;font-size:.9em}td,th{border:1px solid #ddd;padding:.25em .6em}
th{background:#f4f4f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.chart{margin:.5em 0}.muted{color:#666;font-size:.9em}.grid{display:flex;flex-wrap:wrap;gap:1em}
"""


def _svg(fig: Any, prefix: str) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<\?xml[^>]*>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # matplotlib ids are random per run: make them stable so the file is reproducible
    ids: dict[str, str] = {}

    def stable(match: re.Match) -> str:
        old = match.group(1)
        ids.setdefault(old, f"{prefix}{len(ids)}")
        return ids[old]

    text = re.sub(r'(?<=id=")([^"]+)(?=")', stable, text)
    for old, new in ids.items():
        text = text.replace(f"#{old})", f"#{new})").replace(f'"#{old}"', f'"#{new}"')
    return f'<div class="chart">{text}</div>'


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "ai-lca", "font.size": 9, "svg.fonttype": "none"})
    return plt


def _scope_chart(data, uncertainty: pd.DataFrame | None) -> str:
    plt = _plt()
    totals = views.totals(data.table)
    fig, axes = plt.subplots(1, len(totals), figsize=(2.6 * len(totals), 3.0), layout="constrained")
    for ax, (_, row) in zip(axes, totals.iterrows()):
        ax.bar([0], [row["embodied"]], color=COLORS["embodied"], label="embodied")
        ax.bar([0], [row["operational"]], bottom=[row["embodied"]], color=COLORS["operational"], label="operational")
        if uncertainty is not None and row["category"] in set(uncertainty["category"]):
            u = uncertainty[uncertainty["category"] == row["category"]].iloc[0]
            # the Monte Carlo median with its 95 % interval (the bar is the static result)
            ax.errorbar(
                [0.25],
                [u["p50"]],
                yerr=[[u["p50"] - u["p2.5"]], [u["p97.5"] - u["p50"]]],
                fmt="o",
                color="black",
                ecolor="black",
                capsize=6,
                markersize=4,
                label="Monte Carlo median, 95 %",
            )
        ax.set_title(f"{row['category']} [{row['unit']}]")
        ax.set_xticks([])
    axes[0].legend(fontsize=7, loc="upper left")
    fig.suptitle("Totals: embodied and operational")
    return _svg(fig, "tot")


def _phase_chart(data) -> str:
    plt = _plt()
    phases = views.by_phase(data.table)
    cats = list(CATEGORY_UNITS)
    fig, axes = plt.subplots(1, len(cats), figsize=(2.6 * len(cats), 3.2), layout="constrained")
    for ax, cat in zip(axes, cats):
        sub = phases[phases["category"] == cat]
        names = sorted(set(sub["phase"]))
        bottom = [0.0] * len(names)
        for scope in ("embodied", "operational"):
            vals = [float(sub[(sub["phase"] == p) & (sub["scope"] == scope)]["value"].sum()) for p in names]
            ax.bar(names, vals, bottom=bottom, color=COLORS[scope], label=scope)
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_title(f"{cat} [{CATEGORY_UNITS[cat]}]")
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle("By phase")
    return _svg(fig, "phs")


def _process_chart(data, category: str = "gwp100", top: int = 10) -> str:
    plt = _plt()
    proc = views.by_process(data.table)
    sub = proc[proc["category"] == category].groupby(["process", "scope"])["value"].sum().reset_index()
    sub = sub.sort_values("value", ascending=True).tail(top)
    fig, ax = plt.subplots(figsize=(9, 0.35 * len(sub) + 1.2), layout="constrained")
    ax.barh([chart_label(p, 70) for p in sub["process"]], sub["value"], color=[COLORS[s] for s in sub["scope"]])
    ax.set_xlabel(f"{category} [{CATEGORY_UNITS[category]}]")
    ax.set_title(f"By process ({category}, top {len(sub)})")
    return _svg(fig, "prc")


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html_text(str(c))}</th>" for c in frame.columns)
    rows = []
    for _, row in frame.iterrows():
        cells = []
        for c in frame.columns:
            v = row[c]
            if isinstance(v, float):
                cells.append(f'<td class="n">{v:.5g}</td>')
            else:
                cells.append(f"<td>{html_text(str(v))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(data) -> str:
    """The report as one HTML string."""
    ghg = views.ghg_protocol(data.table, data.market_table, data.provenance)
    fu = views.per_functional_unit(data.table, data.units)
    sci = pd.DataFrame(views.sci(data.table, data.energy, data.units))
    versions = data.provenance.get("versions", {})
    market = ghg["scope2_market_based"]
    ghg_rows = pd.DataFrame(
        [
            {"item": "Scope 2, location-based (purchased electricity)", "kg CO2e": ghg["scope2_location_based"]},
            {"item": f"Scope 2, market-based ({ghg['scope2_market_based_basis']})", "kg CO2e": market},
            {"item": "Scope 3 cat. 2, capital goods (hardware manufacturing)", "kg CO2e": ghg["scope3_capital_goods"]},
            {"item": "Other (user processes)", "kg CO2e": ghg["other"]},
        ]
    )
    sources = pd.DataFrame(data.sources)
    if not sources.empty:
        sources = sources.drop_duplicates(["id", "field"])[["id", "field", "value", "unit", "source", "origin"]]
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>ai-lca report: {html_text(data.study)}</title>",
        f"<style>{CSS}</style></head><body>",
        f"<h1>Life-cycle impacts: {html_text(data.study)}</h1>",
        f'<p class="muted">ai-lca {html_text(str(versions.get("ai-lca", "")))}, Brightway bw2calc '
        f"{html_text(str(versions.get('bw2calc', '')))}; study sha256 "
        f"{html_text(str(data.provenance.get('study_sha256', ''))[:16])}; seed {data.provenance.get('seed')}</p>",
        "<h2>Totals per category</h2>",
        _table(views.totals(data.table)),
        _scope_chart(data, data.uncertainty),
        "<h2>By phase</h2>",
        _phase_chart(data),
        _table(views.by_phase(data.table)),
        "<h2>Boundary: accelerators, host, idle capacity, datacenter overhead, hardware</h2>",
        _table(views.boundary(data.table, data.provenance)),
        "<p>Narrow boundary (active accelerators only) beside the comprehensive one, per unit of each phase:</p>",
        _table(views.boundary_summary(data.table, data.provenance)),
        "<h2>Assumptions used (defaults taken from the inventory)</h2>",
        _table(views.assumptions(data.provenance)) if data.provenance.get("assumptions") else "<p>none</p>",
        "<h2>By process</h2>",
        _process_chart(data),
        "<h2>Per functional unit</h2>",
        _table(fu),
        "<h2>GHG Protocol</h2>",
        _table(ghg_rows),
        f'<p class="muted">{html_text(ghg["note"])}</p>',
        "<h2>Software Carbon Intensity (SCI = (E&middot;I + M) / R)</h2>",
        _table(sci),
    ]
    if data.uncertainty is not None:
        parts += ["<h2>Uncertainty (static result beside the Monte Carlo samples)</h2>", _table(data.uncertainty)]
        parts += [f"<p><b>Warning:</b> {html_text(w)}</p>" for w in views.uncertainty_warnings(data.uncertainty)]
    parts += ["<h2>How each phase is known</h2><ul>"]
    parts += [f"<li>{html_text(p)}: {html_text(h)}</li>" for p, h in sorted(data.provenance.get("phases", {}).items())]
    parts += ["</ul><h2>Assumptions and notes</h2><ul>"]
    parts += [f"<li>{html_text(n.text)}</li>" for n in data.notes]
    parts += ["</ul><h2>Inventory sources</h2>", _table(sources) if not sources.empty else "<p>none</p>"]
    parts += ["</body></html>"]
    return "\n".join(parts) + "\n"
