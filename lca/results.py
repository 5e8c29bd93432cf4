"""The result of a study: one tidy table and views of it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import pandas as pd

from .units import CATEGORY_UNITS

__all__ = ["Result", "TABLE_COLUMNS", "build_table", "build_activity"]

TABLE_COLUMNS = [
    "study",
    "phase",
    "activity",
    "process",
    "scope",
    "category",
    "value",
    "unit",
    "activity_id",
    "process_id",
]


def build_table(study: str, graph: nx.DiGraph, contributions: list[dict[str, Any]]) -> pd.DataFrame:
    """The tidy impact table: one row per (phase, activity, process, scope, category)."""
    rows = []
    for c in contributions:
        node = graph.nodes[c["process"]]
        rows.append(
            {
                "study": study,
                "phase": c["phase"],
                "activity": graph.nodes[c["activity"]]["name"],
                "process": node["name"],
                "scope": node["scope"] or "operational",
                "category": c["category"],
                "value": c["value"],
                "unit": CATEGORY_UNITS[c["category"]],
                "activity_id": c["activity"],
                "process_id": c["process"],
            }
        )
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    return table.sort_values(["category", "phase", "activity_id", "process_id"], kind="stable").reset_index(drop=True)


def build_activity(graph: nx.DiGraph, supply: list[dict[str, Any]]) -> pd.DataFrame:
    """Activity levels (supply) of every process, per phase."""
    rows = [
        {
            "phase": s["phase"],
            "process": graph.nodes[s["process"]]["name"],
            "amount": s["amount"],
            "unit": s["unit"],
            "kind": graph.nodes[s["process"]].get("kind"),
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
    notes : list of str
        Modelling notes and assumptions made while building the graph.
    sources : list of dict
        Every inventory value used: id, field, value, unit, source, origin.
    provenance : dict
        Study file and hash, package versions, inventory folders.
    """

    study: str
    table: pd.DataFrame
    activity: pd.DataFrame
    scores: dict[tuple[str, str], float]
    notes: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    provenance: dict[str, Any] = field(default_factory=dict)
    graph: nx.DiGraph | None = None
    market_table: pd.DataFrame | None = None

    # ------------------------------------------------------------------ views
    def total(self, category: str = "gwp100") -> float:
        """Total impact of the life cycle in ``category`` [unit of the category]."""
        return float(self.table.loc[self.table["category"] == category, "value"].sum())

    def totals(self) -> pd.DataFrame:
        """Per category: embodied, operational and total."""
        pivot = self.table.pivot_table(
            index="category", columns="scope", values="value", aggfunc="sum", fill_value=0.0
        )
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
