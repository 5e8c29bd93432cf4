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

from ..errors import SingularSystemError
from ..inventory import CATEGORIES

__all__ = ["Matrices", "to_matrices", "check_solvable"]


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


def check_solvable(graph: nx.DiGraph) -> None:
    """Raise :class:`SingularSystemError` naming the processes of a singular system.

    A sparse LU factorisation tells whether the technosphere matrix is
    singular. If it is, the foreground is small enough for a dense SVD of the
    equilibrated matrix: the right singular vectors of (near-)zero singular
    values show which processes form the degenerate loop (e.g. two processes
    that each make all of the other's input).
    """
    m = to_matrices(graph)
    if not m.nodes:
        return
    try:
        lu = spla.splu(m.technosphere.tocsc())
        diag = np.abs(lu.U.diagonal())
        if np.all(np.isfinite(diag)) and diag.min() > 1e-12 * max(diag.max(), 1.0):
            return
    except RuntimeError:
        pass
    dense = m.technosphere.toarray()
    col = np.abs(dense).max(axis=0)
    col[col == 0] = 1.0
    scaled = dense / col
    row = np.abs(scaled).max(axis=1)
    row[row == 0] = 1.0
    scaled = scaled / row[:, None]
    _, s, vt = np.linalg.svd(scaled)
    null = np.where(s <= 1e-10 * max(s.max(), 1.0))[0]
    if null.size == 0:
        return
    involved: set[str] = set()
    for k in null:
        vec = vt[k]
        for i in np.where(np.abs(vec) > 1e-6 * np.abs(vec).max())[0]:
            involved.add(m.nodes[i])
    names = sorted(f"{graph.nodes[n]['name']} [{n}]" for n in involved)
    raise SingularSystemError(
        "the technosphere matrix is singular: these processes make exactly what they consume "
        "in a closed loop, so no finite supply meets the demand",
        value=names,
        hint="check the amounts of the loop between them (a loop must use less than it makes)",
    )
