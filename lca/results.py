"""The result of a study: one tidy table and views of it."""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

import lca

from .activity import Note
from .errors import InputError
from .graph import NodeKind, ProcessGraph
from .numbers import fmt
from .units import CATEGORY_UNITS

__all__ = ["Result", "TABLE_COLUMNS", "build_table", "build_activity", "market_based_table", "market_basis"]


def market_basis(provenance: dict[str, Any]) -> str:
    """What a market-based (GHG Protocol scope 2) figure rests on, the same words in every output.

    A grid without contractual (market-based) data keeps its location-based
    factor: the last step of the emission-factor hierarchy of the GHG Protocol
    Scope 2 Guidance (2015, Table 6.3).
    """
    m = provenance.get("market_based", {})
    contract, fallback = m.get("contractual", []), m.get("location_fallback", [])
    if not contract:
        return (
            "equal to location-based: no grid of this study has contractual data, so location-based factors "
            "stand in (GHG Protocol Scope 2 Guidance)"
        )
    text = f"contractual factors of {', '.join(contract)}"
    if fallback:
        text += f"; location-based factors stand in for {', '.join(fallback)}"
    return text


TABLE_COLUMNS = [
    "study",
    "phase",
    "component",
    "activity",
    "process",
    "scope",
    "category",
    "value",
    "unit",
    "activity_id",
    "process_id",
    "process_kind",
]


def build_table(study: str, graph: ProcessGraph, contributions: list[dict[str, Any]]) -> pd.DataFrame:
    """The tidy impact table: one row per (phase, component, process, scope, category).

    ``component`` is the boundary component (accelerators, host, idle, it,
    overhead, embodied, other) of the phase's first-tier input the row is
    under; ``activity`` its process name.
    """
    rows = []
    for c in contributions:
        node = graph.nodes[c["process"]]
        rows.append(
            {
                "study": study,
                "phase": c["phase"],
                "component": str(graph.component_of(c["activity"])),
                "activity": graph.nodes[c["activity"]]["name"],
                "process": node["name"],
                "scope": node["scope"] or "operational",
                "category": c["category"],
                "value": c["value"],
                "unit": CATEGORY_UNITS[c["category"]],
                "activity_id": c["activity"],
                "process_id": c["process"],
                "process_kind": str(node["kind"]),
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.sort_values(["category", "phase", "activity_id", "process_id"], kind="stable").reset_index(drop=True)


def market_based_table(graph: ProcessGraph, table: pd.DataFrame) -> pd.DataFrame | None:
    """The gwp100 rows with market-based (contractual) grid factors, GHG Protocol scope 2.

    The direct contribution of a grid-mix process is ``factor x supply``, and
    the supply does not depend on the factor, so swapping the location-based
    factor for the market-based one scales that row by their ratio. Grids
    without market data keep their location-based factor. ``None`` when no
    grid of the study has market data.
    """
    ratios = {}
    for node, data in graph.nodes(data=True):
        if data.get("kind") == NodeKind.GRID and data.get("market_gwp100") is not None and not data.get("background"):
            location = data["flows"].get("gwp100", 0.0)
            if location <= 0.0:
                continue
            ratios[node] = data["market_gwp100"] / location
    if not ratios:
        return None
    out = table[table["category"] == "gwp100"].copy()
    factor = out["process_id"].map(ratios).fillna(1.0)
    out["value"] = out["value"] * factor
    return out.reset_index(drop=True)


def build_activity(graph: ProcessGraph, supply: list[dict[str, Any]]) -> pd.DataFrame:
    """Activity levels (supply) of every process, per phase."""
    rows = [
        {
            "phase": s["phase"],
            "process": graph.nodes[s["process"]]["name"],
            "amount": s["amount"],
            "unit": s["unit"],
            "kind": str(graph.nodes[s["process"]].get("kind")),
            "process_id": s["process"],
        }
        for s in supply
    ]
    return pd.DataFrame(rows, columns=["phase", "process", "amount", "unit", "kind", "process_id"])


@dataclass
class Result:
    """What :func:`lca.run` returns.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy impacts, one row per (phase, activity, process, scope, category)
        direct contribution; columns :data:`TABLE_COLUMNS`.
    activity : pandas.DataFrame
        Activity level (supply) of each process per phase, e.g. kWh of grid
        electricity at the meter.
    scores : dict
        Brightway LCA scores per (phase, category) and ('total', category).
    notes : list of Note
        Modelling notes (typed: a gap, a default, a link ...); ``str(note)`` is its text.
    sources : list of dict
        Every inventory value used: id, field, value, unit, source, origin.
    provenance : dict
        Study file and hash, package versions, inventory folders, the
        assumptions (defaults) used, every quantity with its origin, the
        boundary split.
    uncertainty : pandas.DataFrame or None
        Monte Carlo summary per category: the static result beside the
        median and percentiles (see :meth:`lca.analysis.MonteCarloResult.percentiles`).
    """

    study: str
    table: pd.DataFrame
    activity: pd.DataFrame
    scores: dict[tuple[str, str], float]
    notes: list[Note] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    graph: ProcessGraph | None = None
    market_table: pd.DataFrame | None = None
    uncertainty: pd.DataFrame | None = None
    monte_carlo: Any = None
    warnings: list[str] = field(default_factory=list)  # e.g. the static result outside its 5-95 % band
    inventory_folders: list[Path] = field(default_factory=list, repr=False)  # read by the run (never written into)

    def __repr__(self) -> str:
        totals = ", ".join(
            f"{c} {fmt(v, CATEGORY_UNITS[str(c)])}" for c, v in self.table.groupby("category")["value"].sum().items()
        )
        return f"Result(study={self.study!r}, {len(self.table)} rows: {totals})"

    def report(
        self, out: str | Path, formats: Iterable[str] = ("xlsx", "json", "md", "html"), *, force: bool = False
    ) -> list[Path]:
        """Write this result's reports into ``out`` (the same as ``lca.report(result, out, formats, force=)``)."""
        return lca.report(self, out, formats, force=force)

    def _repr_html_(self) -> str:
        totals = self.totals()
        rows = "".join(
            f"<tr><td>{c}</td><td style='text-align:right'>{fmt(r['embodied'], r['unit'])}</td>"
            f"<td style='text-align:right'>{fmt(r['operational'], r['unit'])}</td>"
            f"<td style='text-align:right'><b>{fmt(r['total'], r['unit'])}</b></td></tr>"
            for c, r in totals.iterrows()
        )
        warn = "".join(f"<p><b>Warning:</b> {html.escape(w)}</p>" for w in self.warnings)
        return (
            f"<div><b>{html.escape(self.study)}</b>: life-cycle impacts<table><tr><th>category</th>"
            f"<th>embodied</th><th>operational</th><th>total</th></tr>{rows}</table>{warn}</div>"
        )

    def market_statement(self) -> str:
        """Market-based gwp100 with what it rests on (the same text in every output)."""
        return f"{fmt(self.total('gwp100', basis='market'), 'kg CO2e')} ({market_basis(self.provenance)})"

    # ------------------------------------------------------------------ views
    def total(self, category: str = "gwp100", *, basis: str = "location") -> float:
        """Total impact of the life cycle in ``category`` [unit of the category].

        ``basis="market"`` gives gwp100 with market-based grid factors where
        the grid records have them and location-based factors standing in
        elsewhere (GHG Protocol scope 2, market-based; :func:`market_basis`
        says which).
        """
        if category not in CATEGORY_UNITS:
            raise InputError("unknown impact category", value=category, valid=", ".join(CATEGORY_UNITS))
        done = self.provenance.get("categories") or list(CATEGORY_UNITS)
        if category not in done:
            raise InputError(
                f"{category} was not computed in this run",
                value=category,
                valid=", ".join(done),
                hint=(self.provenance.get("not_computed") or {}).get(category),
            )
        if basis == "market":
            if category != "gwp100":
                raise InputError("market-based totals exist for gwp100 only", value=category, valid="gwp100")
            table = self.market_table if self.market_table is not None else self.table
            return float(table.loc[table["category"] == "gwp100", "value"].sum())
        if basis != "location":
            raise InputError("unknown basis", value=basis, valid="location, market")
        return float(self.table.loc[self.table["category"] == category, "value"].sum())

    def totals(self) -> pd.DataFrame:
        """Per category: embodied, operational and total."""
        pivot = self.table.pivot_table(index="category", columns="scope", values="value", aggfunc="sum", fill_value=0.0)
        for scope in ("embodied", "operational"):
            if scope not in pivot:
                pivot[scope] = 0.0
        pivot = pivot[["embodied", "operational"]]
        pivot["total"] = pivot["embodied"] + pivot["operational"]
        pivot["unit"] = [CATEGORY_UNITS[c] for c in pivot.index]
        order = [c for c in CATEGORY_UNITS if c in pivot.index]
        return pivot.loc[order]

    def by(self, *columns: str, category: str | None = None) -> pd.DataFrame:
        """Sum of ``value`` grouped by ``columns`` (and category)."""
        table = self.table if category is None else self.table[self.table["category"] == category]
        keys = list(columns) + (["category"] if category is None else [])
        return table.groupby(keys, sort=False)["value"].sum().reset_index()

    def energy_at_meter(self, phase: str | None = None) -> float:
        """Grid electricity drawn at the meter (IT energy x PUE) [kWh]."""
        act = self.activity[self.activity["kind"] == "grid"]
        if phase is not None:
            act = act[act["phase"] == phase]
        return float(act["amount"].sum())

    def value(self, category: str = "gwp100", **where: str) -> float:
        """Sum of ``value`` for ``category`` over rows matching ``where`` (column=value)."""
        table = self.table[self.table["category"] == category]
        for column, wanted in where.items():
            table = table[table[column] == wanted]
        return float(table["value"].sum())
