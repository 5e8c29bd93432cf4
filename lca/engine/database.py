"""Write a process graph as a Brightway foreground database."""

from __future__ import annotations

from typing import Any

import networkx as nx

from .home import quiet
from .setup import INDICATORS

__all__ = ["database_name", "write_graph"]


def database_name(study_name: str) -> str:
    """The Brightway database that holds a study's foreground (one per study name)."""
    return f"ai-lca/{study_name}"


def graph_to_data(
    graph: nx.DiGraph, db: str, background: dict[str, tuple[str, str, int]] | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """Brightway ``Database.write`` data for ``graph`` (codes are node ids).

    A node replaced by a background activity takes one unit of it per unit.
    """
    background = background or {}
    data: dict[tuple[str, str], dict[str, Any]] = {}
    for node, attrs in graph.nodes(data=True):
        exchanges: list[dict[str, Any]] = [{"input": (db, node), "amount": 1.0, "type": "production"}]
        if node in background:
            bg_db, bg_code, _ = background[node]
            exchanges.append({"input": (bg_db, bg_code), "amount": 1.0, "type": "technosphere"})
        for supplier, _, edge in graph.in_edges(node, data=True):
            exc: dict[str, Any] = {"input": (db, supplier), "amount": edge["amount"], "type": "technosphere"}
            value = edge.get("value")
            if value is not None:
                exc.update(value.stats_arrays())
                exc["amount"] = edge["amount"]
            exchanges.append(exc)
        for cat, amount in attrs["flows"].items():
            exc = {"input": (INDICATORS, cat), "amount": amount, "type": "biosphere"}
            value = attrs.get("values", {}).get(cat)
            if value is not None:
                exc.update(value.stats_arrays())
                exc["amount"] = amount
            exchanges.append(exc)
        data[(db, node)] = {
            "name": attrs["name"],
            "unit": attrs["unit"],
            "location": "GLO",
            "reference product": attrs["name"],
            "type": "process",
            "ai_lca_scope": attrs.get("scope"),
            "ai_lca_kind": str(attrs.get("kind")),
            "ai_lca_component": str(attrs["component"]) if attrs.get("component") else None,
            "exchanges": exchanges,
        }
    return data


def write_graph(
    bd: Any, graph: nx.DiGraph, db: str, background: dict[str, tuple[str, str, int]] | None = None
) -> dict[str, int]:
    """Write (replace) database ``db`` from ``graph``; return node id -> Brightway id."""
    from bw2data.backends import ActivityDataset as AD

    with quiet():
        bd.Database(db).write(graph_to_data(graph, db, background))
    return {code: node_id for node_id, code in AD.select(AD.id, AD.code).where(AD.database == db).tuples()}
