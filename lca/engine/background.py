"""Link a study's foreground to a background database in a user's Brightway project.

The study names the project, the database, one Brightway method per impact
category (with a unit factor), and the background activities that replace the
foreground's grid mixes and hardware manufacturing. In that project ai-lca
writes its indicator flows, one method per category (``("ai-lca", category)``:
the user's method CFs x factor, plus the indicator flow at 1.0, so that
foreground processes that still carry indicator flows are counted in the same
method) and the foreground database; nothing else in the project is changed.
"""

from __future__ import annotations

from typing import Any

import networkx as nx
import numpy as np

from ..errors import EngineError
from ..inventory import CATEGORIES
from .home import brightway, quiet, user_brightway_dir
from .setup import INDICATORS, category_method, category_records

__all__ = ["find_activity", "setup_background_project", "background_ids", "link_scores", "background_matrix"]


def find_activity(bd: Any, database: str, ref: dict[str, str]) -> tuple[str, str, int]:
    """``(database, code, id)`` of the background activity ``ref`` describes (exactly one)."""
    from bw2data.backends import ActivityDataset as AD

    if database not in bd.databases:
        raise EngineError(
            f"background database {database!r} not found in the project", valid=", ".join(sorted(bd.databases))
        )
    query = AD.select(AD.id, AD.code, AD.name, AD.location, AD.product, AD.data).where(AD.database == database)
    if "code" in ref:
        query = query.where(AD.code == ref["code"])
    else:
        query = query.where(AD.name == ref["name"])
        if "location" in ref:
            query = query.where(AD.location == ref["location"])
        if "reference_product" in ref:
            query = query.where(AD.product == ref["reference_product"])
    rows = [r for r in query if "unit" not in ref or (r.data or {}).get("unit") == ref["unit"]]
    if len(rows) != 1:
        raise EngineError(
            f"{'no' if not rows else len(rows)} activities in {database!r} match {ref}",
            hint="add location, unit or reference_product, or give the activity's code",
        )
    return database, rows[0].code, rows[0].id


def setup_background_project(bd: Any, background: Any) -> None:
    """Indicator flows and ``("ai-lca", category)`` methods in the user's project."""
    records = category_records()
    with quiet():
        bd.Database(INDICATORS).write(
            {
                (INDICATORS, cat): {
                    "name": f"{cat} indicator ({rec.unit})",
                    "unit": rec.unit,
                    "type": "emission",
                    "categories": ("ai-lca indicator",),
                }
                for cat, rec in records.items()
            }
        )
        from bw2data.backends import ActivityDataset as AD

        ind = {code: i for i, code in AD.select(AD.id, AD.code).where(AD.database == INDICATORS).tuples()}
        for cat, spec in background.methods.items():
            key = tuple(spec.method)
            if key not in bd.methods:
                raise EngineError(
                    f"method {key} not found in project {background.project!r}", hint="list them with bw2data.methods"
                )
            cfs = []
            for flow, cf in bd.Method(key).load():
                flow_id = flow if isinstance(flow, int) else bd.get_node(database=flow[0], code=flow[1]).id
                cfs.append((flow_id, float(cf) * spec.factor))
            m = bd.Method(category_method(cat))
            m.register(unit=records[cat].unit, description=f"{key} x {spec.factor:g} + ai-lca indicator flow")
            m.write(cfs + [(ind[cat], 1.0)])


def background_ids(bd: Any, graph: nx.DiGraph, database: str) -> dict[str, tuple[str, str, int]]:
    """Foreground node -> the background activity that replaces it."""
    return {
        node: find_activity(bd, database, data["background"])
        for node, data in graph.nodes(data=True)
        if data.get("background")
    }


def link_scores(
    lca: Any, links: dict[str, tuple[str, str, int]], categories: list[str] | tuple[str, ...]
) -> dict[tuple[str, str], float]:
    """Score per unit of each linked background activity, per category: ``(node, category) -> score``.

    ``lca`` is a ``bw2calc.LCA`` of the project, already factorised; only the
    demand and the method change between the solves.
    """
    out: dict[tuple[str, str], float] = {}
    for cat in categories:
        with quiet():
            lca.switch_method(category_method(cat))
        for node, (_db, _code, bg_id) in links.items():
            with quiet():
                lca.lcia(demand={bg_id: 1.0})
            out[(node, cat)] = float(lca.score)
    return out


def background_matrix(
    graph: nx.DiGraph,
    background: Any,
    nodes: list[str],
    *,
    home: Any = None,
    brightway_dir: Any = None,
    categories: tuple[str, ...] = (),
) -> np.ndarray:
    """Cumulative impact per unit of the background activity each linked node takes (categories x nodes)."""
    cats = tuple(categories) or CATEGORIES
    h = np.zeros((len(cats), len(nodes)))
    with brightway(home, base_dir=user_brightway_dir(brightway_dir), project=background.project) as (bd, bc, _):
        setup_background_project(bd, background)
        links = background_ids(bd, graph, background.database)
        if not links:
            return h
        first = next(iter(links.values()))[2]
        with quiet():
            lca = bc.LCA({first: 1.0}, method=category_method(cats[0]))
            lca.lci(factorize=True)
        for (node, cat), score in link_scores(lca, links, cats).items():
            h[cats.index(cat), nodes.index(node)] = score
    return h
