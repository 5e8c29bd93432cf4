"""The process graph as LCA matrices, in plain numpy/scipy.

``technosphere`` A (products x processes): 1 on the diagonal for each
process's reference product, minus the amount of every input (a self-loop
gives ``1 - a`` on the diagonal). ``biosphere`` B (categories x processes):
the indicator flows. With characterisation 1:1 for indicator flows,
``score = B A^-1 f``. This path is independent of Brightway and serves to
check it (tests), to detect a singular system before writing anything, and
as the base of the compiled solver.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import EngineError, SingularSystemError
from ..inventory import CATEGORIES

__all__ = ["Matrices", "to_matrices", "check_solvable", "amount_range"]


@dataclass
class Matrices:
    nodes: list[str]
    index: dict[str, int]
    technosphere: sp.csc_matrix
    biosphere: np.ndarray  # categories x processes
    categories: tuple[str, ...]

    def demand(self, demand: dict[str, float]) -> np.ndarray:
        f = np.zeros(len(self.nodes))
        for node, amount in demand.items():
            f[self.index[node]] += amount
        return f

    def supply(self, demand: dict[str, float]) -> np.ndarray:
        """Solve ``A x = f``."""
        return spla.spsolve(self.technosphere.tocsr(), self.demand(demand))

    def scores(self, demand: dict[str, float]) -> dict[str, float]:
        x = self.supply(demand)
        return {c: float(v) for c, v in zip(self.categories, self.biosphere @ x)}


def to_matrices(graph: nx.DiGraph, categories: tuple[str, ...] = CATEGORIES) -> Matrices:
    """Build A and B from a process graph."""
    nodes = sorted(graph.nodes)
    index = {n: i for i, n in enumerate(nodes)}
    rows, cols, vals = [], [], []
    for n in nodes:
        rows.append(index[n])
        cols.append(index[n])
        vals.append(1.0)
    for supplier, consumer, data in graph.edges(data=True):
        rows.append(index[supplier])
        cols.append(index[consumer])
        vals.append(-float(data["amount"]))
    a = sp.csc_matrix((vals, (rows, cols)), shape=(len(nodes), len(nodes)))
    b = np.zeros((len(categories), len(nodes)))
    for n in nodes:
        for cat, amount in graph.nodes[n]["flows"].items():
            if cat in categories:
                b[categories.index(cat), index[n]] = amount
    return Matrices(nodes, index, a, b, tuple(categories))


def amount_range(graph: nx.DiGraph) -> tuple[tuple[str, float], tuple[str, float]]:
    """The largest and the smallest non-zero technosphere amount of ``graph``, each labelled with where it is.

    Every process makes 1 unit of its product: that amount counts too.
    """
    found: list[tuple[float, str]] = [(1.0, "1 unit of each process's own product")]
    for supplier, consumer, data in graph.edges(data=True):
        amount = float(data["amount"])
        if amount != 0.0:
            found.append((abs(amount), f"{amount:g} {graph.nodes[supplier]['unit']} of {supplier} into {consumer}"))
    big, small = max(found), min(found)
    return (big[1], big[0]), (small[1], small[0])


def _singular_block(block: np.ndarray) -> np.ndarray | None:
    """Right null vectors of a loop's block of the technosphere matrix, or None if it is regular.

    The block is balanced first (a diagonal similarity, as LAPACK's gebal does:
    a change of each process's unit), which keeps every loop's gain and so
    whether the loop can be run, but not the spread of magnitudes that units
    alone would give it (a loop of 1e20 kWh per unit and 0.5e-20 units per kWh
    is as regular as one of 1 and 0.5).
    """
    from scipy.linalg import matrix_balance

    balanced, _ = matrix_balance(block, permute=False)
    _, s, vt = np.linalg.svd(balanced)
    null = np.where(s <= 1e-10 * max(s.max(), 1.0))[0]
    return vt[null] if null.size else None


def check_solvable(graph: nx.DiGraph) -> None:
    """Raise :class:`SingularSystemError` naming the processes of a singular system.

    The technosphere matrix is block triangular over the loops of the graph
    (its strongly connected components), so it is singular exactly when the
    block of one loop is: a process without loops when it makes exactly what
    it consumes of itself, a loop of processes when its balanced block has a
    (near-)zero singular value. The right singular vectors of those values
    show which processes form the degenerate loop (e.g. two processes that
    each make all of the other's input). Amounts far apart in magnitude
    (4e14 kWh beside 1 unit) are not a reason to call a system singular.
    """
    m = to_matrices(graph)
    if not m.nodes:
        return
    a = m.technosphere.tocsr()
    if not np.all(np.isfinite(a.data)):
        raise EngineError(
            "the process graph has a non-finite exchange amount",
            value=sorted(f"{u} -> {v}" for u, v, amount in graph.edges(data="amount") if not np.isfinite(amount)),
        )
    links = nx.DiGraph()
    links.add_nodes_from(m.nodes)
    links.add_edges_from((u, v) for u, v in graph.edges() if u != v)
    involved: set[str] = set()
    for loop in nx.strongly_connected_components(links):
        idx = sorted(m.index[n] for n in loop)
        block = a[idx][:, idx].toarray()
        if len(idx) == 1:
            if abs(block[0, 0]) > 1e-12:
                continue
            involved.add(m.nodes[idx[0]])
            continue
        null = _singular_block(block)
        if null is None:
            continue
        for vec in null:
            for i in np.where(np.abs(vec) > 1e-6 * np.abs(vec).max())[0]:
                involved.add(m.nodes[idx[i]])
    if not involved:
        return
    names = sorted(f"{graph.nodes[n]['name']} [{n}]" for n in involved)
    raise SingularSystemError(
        "the technosphere matrix is singular: these processes make exactly what they consume "
        "in a closed loop, so no finite supply meets the demand",
        value=names,
        hint="check the amounts of the loop between them (a loop must use less than it makes)",
    )
