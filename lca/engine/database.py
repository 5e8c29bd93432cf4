"""Write a process graph as a Brightway foreground database that reads like any other.

What a practitioner sees in ``bw2data`` (or Activity Browser):

* database ``ai-lca study <study name>``; activity codes are the graph's node
  ids with ``.`` for ``/`` (``training.accelerators``, ``grid.FR``);
* Brightway's unit names (``kilowatt hour``, ``hour``, ``litre``, ``unit``),
  ecoinvent location codes (a grid mix and the electricity drawn from it at
  the grid's country, ISO 3166-1 alpha-2; ``GLO`` elsewhere), a reference
  product, and a comment naming the inventory record and its source;
* every exchange whose amount is an input of the activity model with a range
  carries that range as a ``stats_arrays`` distribution (the same law ``lca mc``
  samples), and a comment naming the quantity, where it comes from and, for a
  derived amount, its formula. Derived amounts (energy from hours x power x
  PUE, the roofline) are written at their static value: Brightway's own Monte
  Carlo varies the plain exchanges only.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from ..errors import ScaleError
from .home import quiet
from .setup import INDICATORS

__all__ = [
    "database_name",
    "node_code",
    "write_graph",
    "graph_to_data",
    "check_storable",
    "BRIGHTWAY_UNITS",
    "FOREGROUND_PREFIX",
    "STORABLE",
]

FOREGROUND_PREFIX = "ai-lca study "
BRIGHTWAY_UNITS = {
    "kWh": "kilowatt hour",
    "h": "hour",
    "L": "litre",
    "kg": "kilogram",
    "MJ": "megajoule",
    "m3": "cubic meter",
    "unit": "unit",
    "run": "unit",
    "request": "unit",
}


# Brightway keeps matrix amounts as 32-bit floats (bw_processing datapackages): beyond this
# range an amount would be stored as 0 or as infinite
STORABLE = (float(np.finfo(np.float32).tiny), float(np.finfo(np.float32).max))


def check_storable(graph: nx.DiGraph) -> None:
    """Raise :class:`ScaleError` for an amount that Brightway would store as 0 or as infinite.

    Every non-zero exchange amount and indicator flow must lie within the
    normal range of a 32-bit float (1.2e-38 to 3.4e38 in magnitude).
    """
    low, high = STORABLE
    for supplier, consumer, data in graph.edges(data=True):
        _storable(float(data["amount"]), f"{graph.nodes[supplier]['unit']} of {supplier} into {consumer}", low, high)
    for node, attrs in graph.nodes(data=True):
        for cat, amount in attrs["flows"].items():
            _storable(float(amount), f"{cat} per {graph.nodes[node]['unit']} of {node}", low, high)


def _storable(amount: float, where: str, low: float, high: float) -> None:
    if amount == 0.0 or low <= abs(amount) <= high:
        return
    fate = "as 0" if abs(amount) < low else "as infinite" if abs(amount) > high else "as not a number"
    raise ScaleError(
        f"Brightway stores amounts as 32-bit floats ({low:.2g} to {high:.2g} in magnitude): "
        f"{amount:g} {where} would be stored {fate}",
        value=amount,
        hint="check the study for a unit or magnitude error in the quantity behind this amount",
    )


def database_name(study_name: str) -> str:
    """The Brightway database that holds a study's foreground (one per study name)."""
    return f"{FOREGROUND_PREFIX}{study_name}"


def node_code(node: str) -> str:
    """The Brightway code of a graph node: its id with ``.`` for ``/``."""
    return node.replace("/", ".")


def _quantity(graph: nx.DiGraph, name: str | None) -> Any:
    act = getattr(graph, "activity", None)
    if act is None or not name:
        return None
    try:
        return act.quantity(name)
    except KeyError:
        return None


def _uncertainty(graph: nx.DiGraph, name: str | None, amount: float) -> dict[str, Any]:
    """The ``stats_arrays`` fields of an exchange whose amount is an uncertain input (else nothing)."""
    act = getattr(graph, "activity", None)
    q = _quantity(graph, name)
    if q is None or act is None or name not in act.inputs or not q.uncertain:
        return {}
    value = q.sampling_value()
    if not math.isclose(value.value, amount, rel_tol=1e-9, abs_tol=0.0):
        return {}  # the exchange is not the record's value itself (scaled): leave it static
    return dict(value.stats_arrays())


def _comment(graph: nx.DiGraph, name: str | None) -> str:
    q = _quantity(graph, name)
    if q is None:
        return ""
    text = f"{q.label or q.name} [{q.name}]: {q.origin}, {q.source}"
    return text + (f" ({q.citation})" if q.citation else "")


DIGEST_KEY = "ai-lca content"  # [sha256 of what was written, Brightway's 'modified' stamp after the write]


def _digest(data: dict[tuple[str, str], Any], background: dict[str, tuple[str, str, int]] | None) -> str:
    """sha256 of the database content and of the ids of the background activities it links to."""
    payload = json.dumps(
        [sorted((list(k), v) for k, v in data.items()), sorted((background or {}).items())],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _unchanged(bd: Any, db: str, digest: str) -> bool:
    """Whether ``db`` holds exactly this content, unmodified since ai-lca wrote it, with its arrays on disk.

    Anyone else's change to the database (Activity Browser, bw2data) moves its
    'modified' stamp or marks it dirty, and the next run writes it again.
    """
    if db not in bd.databases:
        return False
    meta = bd.databases[db]
    if meta.get(DIGEST_KEY) != [digest, meta.get("modified")] or meta.get("dirty"):
        return False
    return Path(bd.Database(db).filepath_processed()).exists()


def graph_to_data(
    graph: nx.DiGraph, db: str, background: dict[str, tuple[str, str, int]] | None = None
) -> dict[tuple[str, str], dict[str, Any]]:
    """Brightway ``Database.write`` data for ``graph``.

    A node replaced by a background activity takes one unit of it per unit.
    """
    background = background or {}
    codes = {node: node_code(node) for node in graph.nodes}
    if len(set(codes.values())) != len(codes):  # pragma: no cover - node ids never differ by '/' vs '.' only
        raise ValueError("two graph nodes map to the same Brightway code")
    data: dict[tuple[str, str], dict[str, Any]] = {}

    def label(node: str) -> dict[str, Any]:
        """The fields that name an input in an exchange (kept by bw2io's Excel export, used to relink it)."""
        a = graph.nodes[node]
        return {
            "name": a["name"],
            "reference product": a["name"],
            "unit": BRIGHTWAY_UNITS.get(a["unit"], a["unit"]),
            "location": a.get("location") or "GLO",
            "database": db,
        }

    for node, attrs in graph.nodes(data=True):
        code = codes[node]
        exchanges: list[dict[str, Any]] = [{"input": (db, code), "amount": 1.0, "type": "production", **label(node)}]
        if node in background:
            bg_db, bg_code, _ = background[node]
            exchanges.append(
                {
                    "input": (bg_db, bg_code),
                    "amount": 1.0,
                    "type": "technosphere",
                    "comment": f"replaces ai-lca's inventory of this process (background database '{bg_db}')",
                }
            )
        for supplier, _, edge in graph.in_edges(node, data=True):
            q = edge.get("quantity")
            exc: dict[str, Any] = {
                "input": (db, codes[supplier]),
                "amount": edge["amount"],
                "type": "technosphere",
                **label(supplier),
            }
            exc.update(_uncertainty(graph, q, edge["amount"]))
            exc["amount"] = edge["amount"]
            if q:
                exc["comment"] = _comment(graph, q)
            exchanges.append(exc)
        for cat, amount in attrs["flows"].items():
            q = attrs.get("quantities", {}).get(cat)
            exc = {"input": (INDICATORS, cat), "amount": amount, "type": "biosphere", "database": INDICATORS}
            exc.update(_uncertainty(graph, q, amount))
            exc["amount"] = amount
            if q:
                exc["comment"] = _comment(graph, q)
            exchanges.append(exc)
        sources = sorted({v.source for v in attrs.get("values", {}).values() if v is not None and v.source})
        comment = "; ".join(filter(None, [attrs.get("comment"), *sources]))
        data[(db, code)] = {
            "name": attrs["name"],
            "unit": BRIGHTWAY_UNITS.get(attrs["unit"], attrs["unit"]),
            "location": attrs.get("location") or "GLO",
            "reference product": attrs["name"],
            "type": "process",
            "comment": comment,
            "ai_lca_node": node,
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

    data = graph_to_data(graph, db, background)
    digest = _digest(data, background)
    if not _unchanged(bd, db, digest):
        with quiet():
            bd.Database(db).write(data)
            bd.databases[db][DIGEST_KEY] = [digest, bd.databases[db].get("modified")]
            bd.databases.flush()
    by_code = {code: node_id for node_id, code in AD.select(AD.id, AD.code).where(AD.database == db).tuples()}
    return {node: by_code[node_code(node)] for node in graph.nodes}
