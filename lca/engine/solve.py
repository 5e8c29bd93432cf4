"""Solve a process graph with bw2calc and split the scores by process.

For every phase, and every first-tier activity of the phase
(:func:`lca.graph.phase_components`), the demand is solved with one
``bw2calc.LCA`` object per category (factorised once, re-solved per demand).
The direct contribution of each process is a column sum of the characterised
inventory; the contributions of a demand sum to Brightway's score for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ..errors import EngineError
from ..graph import phase_components
from .home import quiet
from .setup import category_method

__all__ = ["Solution", "solve_graph"]


@dataclass
class Solution:
    """Raw results of a solve: contributions, supplies and Brightway scores."""

    contributions: list[dict[str, Any]] = field(default_factory=list)
    supply: list[dict[str, Any]] = field(default_factory=list)
    scores: dict[tuple[str, str], float] = field(default_factory=dict)  # (phase, category) -> score
    component_scores: dict[tuple[str, str, str], float] = field(default_factory=dict)


def solve_graph(bc: Any, graph: nx.DiGraph, ids: dict[str, int], categories: list[str]) -> Solution:
    """Solve every phase of ``graph`` (written with Brightway ids ``ids``)."""
    code_of = {v: k for k, v in ids.items()}
    out = Solution()
    reference = ids[graph.graph["reference"]]
    with quiet():
        lca = bc.LCA({reference: 1.0}, method=category_method(categories[0]))
        lca.lci()
    col_code = {col: code_of[act] for act, col in lca.dicts.activity.items()}
    for phase in graph.graph["phases"]:
        components = phase_components(graph, phase)
        node, amount = graph.graph["phases"][phase]
        with quiet():
            lca.lci(demand={ids[node]: amount})
        supply = np.asarray(lca.supply_array).ravel()
        for col, value in enumerate(supply):
            if value != 0.0:
                code = col_code[col]
                out.supply.append(
                    {"phase": phase, "process": code, "amount": float(value), "unit": graph.nodes[code]["unit"]}
                )
        for cat in categories:
            with quiet():
                lca.switch_method(category_method(cat))
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
                for col in np.nonzero(per_process)[0]:
                    code = col_code[int(col)]
                    out.contributions.append(
                        {
                            "phase": phase,
                            "activity": activity,
                            "process": code,
                            "category": cat,
                            "value": float(per_process[col]),
                        }
                    )
            out.scores[(phase, cat)] = phase_total
    for cat in categories:
        with quiet():
            lca.switch_method(category_method(cat))
            lca.lcia(demand={reference: 1.0})
        out.scores[("total", cat)] = float(lca.score)
    return out
