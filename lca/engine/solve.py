"""Solve a process graph with bw2calc and split the scores by process.

For every phase, and every first-tier activity of the phase
(:func:`lca.graph.phase_components`), the demand is solved with one
``bw2calc.LCA`` object per category (factorised once, re-solved per demand).
The direct contribution of each process is a column sum of the characterised
inventory; the contributions of a demand sum to Brightway's score for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import EngineError, ScaleError
from ..graph import ProcessGraph, phase_components
from ..inventory import CATEGORIES
from .background import background_ids, database_identity, link_scores, setup_background_project
from .database import check_storable, write_graph
from .home import brightway, quiet, user_brightway_dir
from .matrices import amount_range, check_solvable
from .setup import ensure_setup

__all__ = ["Solution", "solve_graph", "run_graph"]

NOISE = 1e-13  # contributions below this share of a solve's absolute total are solver round-off


@dataclass
class Solution:
    """Raw results of a solve: contributions, supplies and Brightway scores."""

    contributions: list[dict[str, Any]] = field(default_factory=list)
    supply: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (phase, category) -> score
    component_scores: dict[tuple[str, str, str], float] = field(default_factory=dict)
    link_scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (node, category) -> per unit
    methods: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category -> Brightway method key
    links: dict[str, dict[str, Any]] = field(default_factory=dict)  # node -> the background activity replacing it


def solve_graph(
    bc: Any,
    graph: ProcessGraph,
    ids: dict[str, int],
    methods: Mapping[str, tuple[str, ...]],
    background: dict[str, tuple[str, str, int]] | None = None,
) -> Solution:
    """Solve every phase of ``graph`` (written with Brightway ids ``ids``).

    Processes of a linked background database are not listed one by one: the
    foreground process that takes a background activity is credited with its
    cumulative impact (supply x score per unit of the activity), so rows stay
    per foreground process and still sum to Brightway's score.
    """
    background = background or {}
    categories = list(methods)
    code_of = {v: k for k, v in ids.items()}
    out = Solution(methods=dict(methods))
    reference = ids[graph.reference]
    with quiet():
        lca = bc.LCA({reference: 1.0}, method=methods[categories[0]])
        try:
            lca.lci(factorize=True)  # factorise once: every later demand reuses it
        except RuntimeError as exc:  # SuperLU: a pivot lost to round-off (check_solvable found the system regular)
            (big, high), (small, low) = amount_range(graph)
            raise ScaleError(
                f"Brightway's solver could not factorise the foreground ({exc}), which is not singular: "
                f"its amounts span {high / low:.1e} (largest {big}; smallest {small})",
                value=high,
                hint="check the study for a unit or magnitude error in the quantity behind the largest amount",
            ) from None
    col_code = {col: code_of[act] for act, col in lca.dicts.activity.items() if act in code_of}
    row_code = {row: code_of[prod] for prod, row in lca.dicts.product.items() if prod in code_of}
    per_unit = link_scores(lca, background, methods)  # (node, category) -> score per unit of its bg activity
    out.link_scores = per_unit
    node_col = {code: col for col, code in col_code.items()}
    tech = lca.technosphere_matrix.tocsc()
    for phase, ref in graph.phases.items():
        node, amount = ref.node, ref.value
        components = _stored_components(graph, phase, tech, ids, lca, row_code)
        with quiet():
            lca.lci(demand={ids[node]: amount})
        supply = np.asarray(lca.supply_array).ravel()
        for col, value in enumerate(supply):
            if value != 0.0 and col in col_code:
                code = col_code[col]
                out.supply.append(
                    {"phase": phase, "process": code, "amount": float(value), "unit": graph.nodes[code]["unit"]}
                )
        for cat in categories:
            with quiet():
                lca.switch_method(methods[cat])
            phase_total = 0.0
            for activity, demand in components:
                with quiet():
                    lca.lcia(demand={ids[k]: v for k, v in demand.items()})
                score = float(lca.score)
                if not np.isfinite(score):
                    raise EngineError(f"Brightway returned a non-finite {cat} score for phase '{phase}'")
                phase_total += score
                out.component_scores[(phase, activity, cat)] = score
                per_process = np.asarray(lca.characterized_inventory.sum(axis=0)).ravel()
                # the sparse solver leaves round-off (~1e-17 of the total) where the supply is exactly 0
                per_process[np.abs(per_process) <= NOISE * np.abs(per_process).sum()] = 0.0
                if background:
                    supply_now = np.asarray(lca.supply_array).ravel()
                    for node in background:
                        value = supply_now[node_col[node]] * per_unit[(node, cat)]
                        if value != 0.0:
                            out.contributions.append(
                                {
                                    "phase": phase,
                                    "activity": activity,
                                    "process": node,
                                    "category": cat,
                                    "value": float(value),
                                }
                            )
                for nz in np.nonzero(per_process)[0]:
                    found = col_code.get(int(nz))
                    if found is None:  # a background process: credited to its foreground consumer above
                        continue
                    out.contributions.append(
                        {
                            "phase": phase,
                            "activity": activity,
                            "process": found,
                            "category": cat,
                            "value": float(per_process[nz]),
                        }
                    )
            out.scores[(phase, cat)] = phase_total
    for cat in categories:
        with quiet():
            lca.switch_method(methods[cat])
            lca.lcia(demand={reference: 1.0})
        out.scores[("total", cat)] = float(lca.score)
    return out


def _stored_components(graph, phase, tech, ids, lca, row_code) -> list[tuple[str, dict[str, float]]]:
    """:func:`phase_components` with the amounts Brightway stored (float32).

    Using the stored amounts makes the components sum to Brightway's score of
    the whole system to rounding (1e-12), not to float32 precision.
    """
    ref = graph.phases[phase]
    node, amount = ref.node, ref.value
    components = phase_components(graph, phase)
    if len(components) == 1 and components[0][0] == node:
        return components
    col = lca.dicts.activity[ids[node]]
    column = tech.getcol(col)
    stored = {row_code[int(r)]: -float(v) for r, v in zip(column.indices, column.data) if row_code[int(r)] != node}
    # the phase's own demand as Brightway sees it: the system's stored input of it
    ref_col = lca.dicts.activity[ids[graph.reference]]
    ref_column = tech.getcol(ref_col)
    stored_amount = amount
    for r, v in zip(ref_column.indices, ref_column.data):
        if row_code[int(r)] == node:
            stored_amount = -float(v)
    return [(k, {k: stored_amount * stored[k]}) for k, _ in components]


def run_graph(
    graph: ProcessGraph,
    db: str,
    *,
    home: Any = None,
    categories: list[str] | None = None,
    background: Any = None,
    brightway_dir: Any = None,
) -> Solution:
    """Write ``graph`` as Brightway database ``db`` and solve it.

    Without ``background`` this uses the embedded ai-lca project; with a
    study's ``background`` block, the user's project that holds the
    background database.
    """
    check_storable(graph)
    check_solvable(graph)
    cats = list(categories or CATEGORIES)
    if background is None:
        with brightway(home) as (bd, bc, _home):
            methods = ensure_setup(bd)["methods"]
            ids = write_graph(bd, graph, db)
            return solve_graph(bc, graph, ids, {c: methods[c] for c in cats})
    base = user_brightway_dir(brightway_dir)
    with brightway(home, base_dir=base, project=background.project) as (bd, bc, _home):
        methods = setup_background_project(bd, background, cats)
        links = background_ids(bd, graph, background.database)
        ids = write_graph(bd, graph, db, links)
        solution = solve_graph(bc, graph, ids, methods, links)
        identity = database_identity(bd, background.database)
        for node, (bg_db, code, _id) in links.items():
            act = bd.get_node(database=bg_db, code=code)
            solution.links[node] = {
                "name": act.get("name"),
                "location": act.get("location"),
                "reference_product": act.get("reference product"),
                "unit": act.get("unit"),
                "code": code,
                "project": background.project,
                **identity,
            }
        return solution
