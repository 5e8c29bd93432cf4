"""Link a study's foreground to a background database in a user's Brightway project.

The study names the project, the database, one Brightway method per impact
category (with a unit factor), and the background activities that replace the
foreground's grid mixes and hardware manufacturing. In that project ai-lca
writes its indicator flows, one method per category
(``("ai-lca", category, hash)``: the user's method CFs x factor, plus the
indicator flow at 1.0, so that foreground processes that still carry indicator
flows are counted in the same method; the hash identifies the user's method,
its CFs and the factor, so the key never changes meaning) and the foreground
database; nothing else in the project is changed. Only the categories the
study gives a method for are computed; a method that characterises none of
the elementary flows of the background database is an error, never a silent
0.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from ..errors import EngineError
from ..inventory import CATEGORIES
from .home import brightway, quiet, user_brightway_dir
from .setup import INDICATORS, category_records, method_key, write_indicators

__all__ = [
    "find_activity",
    "setup_background_project",
    "background_ids",
    "link_scores",
    "background_matrix",
    "database_identity",
]


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


def setup_background_project(bd: Any, background: Any, categories: Any = None) -> dict[str, tuple[str, str, str]]:
    """Indicator flows and one ``("ai-lca", category, hash)`` method per category the study gives a method for.

    Returns category -> method key (only for ``categories`` when given).
    """
    records = category_records()
    wanted = [c for c in (categories or background.methods) if c in background.methods]
    with quiet():
        if INDICATORS not in bd.databases:
            write_indicators(bd, records)
        from bw2data.backends import ActivityDataset as AD

        ind = {code: i for i, code in AD.select(AD.id, AD.code).where(AD.database == INDICATORS).tuples()}
        used = _background_flows(background.database)
        keys = {}
        for cat in wanted:
            spec = background.methods[cat]
            source = tuple(spec.method)
            if source not in bd.methods:
                raise EngineError(
                    f"method {source} not found in project {background.project!r}",
                    field=f"background.methods.{cat}",
                    hint="list them with bw2data.methods",
                )
            cfs = []
            for flow, cf in bd.Method(source).load():
                flow_id = flow if isinstance(flow, int) else bd.get_node(database=flow[0], code=flow[1]).id
                cfs.append((int(flow_id), float(cf) * spec.factor))
            if not any(flow in used for flow, _ in cfs):
                raise EngineError(
                    f"method {source} characterises none of the elementary flows of background database "
                    f"{background.database!r}: its {cat} would be 0",
                    field=f"background.methods.{cat}",
                    hint="choose a method for the flows of this database, or drop the category from background.methods",
                )
            content = {"method": list(source), "factor": spec.factor, "cfs": sorted(cfs), "indicator": cat}
            key = method_key(cat, content)
            if key not in bd.methods:
                m = bd.Method(key)
                m.register(
                    unit=records[cat].unit,
                    description=f"{source} x {spec.factor:g} + the ai-lca '{cat}' indicator flow at 1",
                    ai_lca=True,
                )
                m.write(cfs + [(ind[cat], 1.0)])
            keys[cat] = key
    return keys


def _background_flows(database: str) -> set[int]:
    """Ids of the elementary flows the activities of ``database`` exchange."""
    from bw2data.backends import ActivityDataset as AD
    from bw2data.backends import ExchangeDataset as ED

    pairs = (
        ED.select(ED.input_database, ED.input_code)
        .where((ED.output_database == database) & (ED.type == "biosphere"))
        .distinct()
        .tuples()
    )
    codes: dict[str, set[str]] = {}
    for db, code in pairs:
        codes.setdefault(db, set()).add(code)
    out: set[int] = set()
    for db, group in codes.items():
        rows = AD.select(AD.id, AD.code).where(AD.database == db).tuples()
        out |= {i for i, code in rows if code in group}
    return out


def database_identity(bd: Any, database: str) -> dict[str, Any]:
    """What identifies a background database's content: activity count, last change, sha256 of its arrays."""
    meta = bd.databases[database]
    digest = None
    try:
        path = bd.Database(database).filepath_processed()
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
    except (OSError, AttributeError, TypeError):  # pragma: no cover - not processed yet
        digest = None
    return {
        "database": database,
        "activities": meta.get("number"),
        "modified": meta.get("modified"),
        "version": meta.get("version"),
        "sha256": digest,
    }


def background_ids(bd: Any, graph: nx.DiGraph, database: str) -> dict[str, tuple[str, str, int]]:
    """Foreground node -> the background activity that replaces it."""
    return {
        node: find_activity(bd, database, data["background"])
        for node, data in graph.nodes(data=True)
        if data.get("background")
    }


def link_scores(
    lca: Any, links: dict[str, tuple[str, str, int]], methods: Mapping[str, tuple[str, ...]]
) -> dict[tuple[str, str], float]:
    """Score per unit of each linked background activity, per category: ``(node, category) -> score``.

    ``lca`` is a ``bw2calc.LCA`` of the project, already factorised; only the
    demand and the method change between the solves.
    """
    out: dict[tuple[str, str], float] = {}
    for cat, key in methods.items():
        with quiet():
            lca.switch_method(key)
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
        methods = setup_background_project(bd, background, cats)
        links = background_ids(bd, graph, background.database)
        if not links or not methods:
            return h
        first = next(iter(links.values()))[2]
        with quiet():
            lca = bc.LCA({first: 1.0}, method=next(iter(methods.values())))
            lca.lci(factorize=True)
        for (node, cat), score in link_scores(lca, links, methods).items():
            h[cats.index(cat), nodes.index(node)] = score
    return h
