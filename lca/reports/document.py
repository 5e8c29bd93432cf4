"""A report as a list of blocks, rendered the same way to HTML and Markdown.

Building the content once and rendering it twice keeps the two formats
saying the same thing: the same sections, tables and numbers (Markdown leaves
out the charts and says so once).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..activity import NoteCode
from ..numbers import fmt_number, pretty_unit, scale
from . import charts, views
from .people import Citations, people_table

__all__ = ["Heading", "Text", "Table", "Chart", "Items", "References", "Document", "run_report"]


@dataclass
class Heading:
    text: str
    level: int = 2
    anchor: str | None = None  # an id to link to (HTML)


@dataclass
class Text:
    text: str
    style: str = "p"  # p | muted | warning


@dataclass
class Table:
    frame: pd.DataFrame  # text for people (people_table)


@dataclass
class Chart:
    svg: str


@dataclass
class Items:
    items: list[str]


@dataclass
class References:
    items: list[tuple[str, str]]


Block = Heading | Text | Table | Chart | Items | References


@dataclass
class Document:
    title: str
    blocks: list[Block] = field(default_factory=list)

    def add(self, *blocks: Block) -> Document:
        self.blocks.extend(blocks)
        return self


def _header_line(data: Any) -> str:
    prov = data.provenance
    versions = prov.get("versions", {})
    parts = [f"ai-lca {versions.get('ai-lca', '')}", f"Brightway bw2calc {versions.get('bw2calc', '')}"]
    parts.append(f"study sha256 {str(prov.get('study_sha256', ''))[:16]}")
    if data.uncertainty is not None and prov.get("seed") is not None:
        samples = int(data.uncertainty["samples"].iloc[0]) if "samples" in data.uncertainty else None
        parts.append(f"Monte Carlo: {samples:,} samples, seed {prov['seed']}" if samples else f"seed {prov['seed']}")
    return "; ".join(parts)


def _ghg_table(ghg: dict[str, Any]) -> pd.DataFrame:
    rows = [
        ("Scope 2, location-based (purchased electricity)", ghg["scope2_location_based"]),
        (f"Scope 2, market-based ({ghg['scope2_market_based_basis']})", ghg["scope2_market_based"]),
        ("Scope 3 category 2, capital goods (hardware manufacturing)", ghg["scope3_capital_goods"]),
        ("Other (user processes)", ghg["other"]),
        ("Total, location-based", ghg["total_location_based"]),
        ("Total, market-based", ghg["total_market_based"]),
    ]
    return pd.DataFrame([{"item": k, "value": v, "unit": ghg["unit"]} for k, v in rows])


def _assumptions(data: Any, cite: Citations) -> pd.DataFrame:
    """The defaults taken, value and range in the same scaled unit, sources as keys."""
    rows = []
    for a in data.provenance.get("assumptions", []):
        value, unit = float(a["value"]), str(a["unit"] or "")
        scaled, shown_unit = scale(value, unit) if unit else (value, unit)
        factor = scaled / value if value else 1.0
        rng = a.get("range")
        rows.append(
            {
                "assumption": a.get("label") or a["name"],
                "field": a["name"],
                "value": fmt_number(scaled),
                "unit": pretty_unit(shown_unit),
                "range": f"{fmt_number(rng[0] * factor)} - {fmt_number(rng[1] * factor)}" if rng else "",
                "distribution": a.get("distribution") or "",
                "source": cite.key(a.get("citation") or a["source"]),
            }
        )
    return pd.DataFrame(rows, columns=["assumption", "field", "value", "unit", "range", "distribution", "source"])


def run_report(data: Any) -> Document:
    """The report of one run (a :class:`~lca.reports.exporters.ReportData`)."""
    cite = Citations()
    table = data.table
    totals = views.totals(table, views.computed(data.provenance))
    boundary = views.boundary(table, data.provenance)
    phases = views.by_phase(table)
    processes = views.by_process(table)
    ghg = views.ghg_protocol(table, data.market_table, data.provenance)
    top = (
        processes[processes["category"] == "gwp100"]
        .sort_values("value", ascending=False)
        .head(10)[["process", "scope", "value", "unit"]]
    )
    doc = Document(f"Life-cycle impacts: {data.study}")
    doc.add(Text(_header_line(data), "muted"), Heading("Totals"), Table(people_table(totals)))
    doc.add(Chart(charts.totals_chart(totals, data.uncertainty)))
    if data.uncertainty is not None:
        doc.add(*[Text(w, "warning") for w in views.uncertainty_warnings(data.uncertainty)])
    doc.add(Heading("Boundary: accelerators, host, idle capacity, datacenter overhead, hardware"))
    if not boundary.empty:
        doc.add(Chart(charts.boundary_chart(boundary)), Table(people_table(boundary)))
        doc.add(Text("Narrow boundary (active accelerators only) beside the comprehensive one, per unit of phase:"))
        doc.add(Table(people_table(views.boundary_summary(table, data.provenance))))
    else:
        doc.add(Text("The study has no modelled or measured phase: no boundary components."))
    doc.add(Heading("Assumptions used (defaults taken from the inventory)"))
    if data.provenance.get("assumptions"):
        doc.add(Table(people_table(_assumptions(data, cite))))
    else:
        doc.add(Text("none: every value came from the study"))
    doc.add(Heading("By phase"), Chart(charts.phase_chart(phases)), Table(people_table(phases)))
    doc.add(Heading("By process (gwp100, top 10)"), Chart(charts.process_chart(processes)))
    doc.add(Table(people_table(top)))
    doc.add(Heading("Per functional unit"))
    doc.add(Table(people_table(views.per_functional_unit(table, data.units, views.computed(data.provenance)))))
    doc.add(Heading("GHG Protocol"), Table(people_table(_ghg_table(ghg))), Text(ghg["note"], "muted"))
    doc.add(Heading("Software Carbon Intensity (SCI = (E·I + M) / R)"))
    doc.add(Table(people_table(pd.DataFrame(views.sci(table, data.energy, data.units)))))
    if data.uncertainty is not None:
        doc.add(Heading("Uncertainty (static result beside the Monte Carlo samples)"))
        doc.add(Table(people_table(data.uncertainty)))
    doc.add(Heading("How each phase is known"))
    doc.add(Items([f"{p}: {how}" for p, how in sorted(data.provenance.get("phases", {}).items())]))
    tabled = {a["name"] for a in data.provenance.get("assumptions", [])}  # in the assumptions table already
    notes = [n.text for n in data.notes if not (n.code == NoteCode.DEFAULT and n.subject in tabled)]
    doc.add(Heading("Notes and assumptions"), Items(notes or ["none"]))
    doc.add(Heading("Inventory sources"))
    if data.sources:
        doc.add(Table(cite.inventory_table(data.sources)))
    else:
        doc.add(Text("none"))
    doc.add(Heading("References", 3), References(cite.references))
    return doc
