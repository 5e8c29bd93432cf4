"""The compiled study: matrices once, then thousands of scenarios per second.

A study is compiled into

* the foreground technosphere ``A`` (n x n, dense: foregrounds are small), its
  indicator flows ``B`` (categories x n) and, for a linked background, the
  cumulative impact per unit of the background activity each foreground node
  takes, ``H`` (categories x n), computed once (the background is factorised
  once);
* the demand of each phase;
* the **entries driven by quantities** of the activity model: every exchange
  and flow of the process graph equals a quantity (an input such as a PUE, a
  grid factor, a lifetime, or a derived value such as the accelerator energy
  per request) or a structural constant.

A scenario (a sweep point, a Monte Carlo sample) is a set of input values:
:meth:`lca.activity.Activity.evaluate` computes every quantity for all
scenarios at once (its formulas are numpy expressions), the driven entries are
refilled, and ``x = A_s^-1 f`` is solved for all scenarios at once: as a
low-rank (Woodbury) update of one factorised ``A`` when few entries change
across the scenarios, else one batched dense solve; ``scores = (B_s + H) x``.
Inputs that fix the structure of the graph (an id, a token count) are compiled
once per value. The numbers equal the
Brightway path (within Brightway's single precision; tested on every bundled
study).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..activity import Activity, Note
from ..engine.background import background_matrix
from ..engine.matrices import to_matrices
from ..graph import NodeKind, ProcessGraph, build_graph
from ..inventory import CATEGORIES, Registry
from ..study import Study

__all__ = ["CompiledStudy", "compile_study", "compile_graph", "LOW_RANK_SHARE"]

LOW_RANK_SHARE = 0.5  # a Woodbury update when at most this share of the foreground's entries change


@dataclass
class _Driven:
    """Matrix entries that equal a quantity: ``matrix[rows, cols] = sign x value``."""

    rows: np.ndarray
    cols: np.ndarray
    names: list[str]
    sign: float


@dataclass
class CompiledStudy:
    name: str
    nodes: list[str]
    technosphere: np.ndarray  # A: n x n, 1 on the diagonal minus the inputs
    biosphere: np.ndarray  # B: categories x n, the indicator flows
    background_impacts: np.ndarray  # H: categories x n, impact per unit of the linked background activity
    demands: dict[str, np.ndarray]  # phase -> static demand vector
    embodied: np.ndarray  # bool per node: embodied scope
    grid: np.ndarray  # bool per node: grid mix (electricity at the meter)
    market: np.ndarray  # per node: market-based gwp100 factor of a grid, NaN elsewhere
    activity: Activity
    a_driven: _Driven
    b_driven: _Driven
    demand_driven: dict[str, tuple[int, str | None]]  # phase -> (node index, quantity of its amount)
    categories: tuple[str, ...] = CATEGORIES
    notes: list[Note] = field(default_factory=list)  # the graph's notes (defaults used, what is not covered)

    @property
    def n(self) -> int:
        return len(self.nodes)

    # ------------------------------------------------------------ evaluation
    def supply(self, values: dict[str, Any], size: int) -> tuple[np.ndarray, np.ndarray]:
        """Activity levels ``x`` (size x n x phases) and ``B`` (size x c x n) for evaluated quantities.

        When few technosphere entries change across the scenarios (``K`` of
        them, at most :data:`LOW_RANK_SHARE` of ``n``), ``A`` is factorised once
        at the first scenario's values and each scenario is a rank-``K``
        update solved by the Woodbury identity: ``K x K`` systems for all
        scenarios at once, no ``n x n`` matrix per scenario (memory
        ``O(size x n x K)`` instead of ``O(size x n^2)``). Otherwise every
        scenario's ``A`` is solved densely.
        """
        d = self.a_driven
        cols = (
            np.column_stack([np.broadcast_to(np.asarray(values[q], dtype=float), (size,)) for q in d.names])
            if d.names
            else np.zeros((size, 0))
        )
        varying = np.flatnonzero(np.ptp(cols, axis=0) > 0) if size > 1 else np.zeros(0, dtype=int)
        b, f = self._biosphere_and_demand(values, size)
        if len(varying) > LOW_RANK_SHARE * self.n:
            a = np.broadcast_to(self.technosphere, (size, *self.technosphere.shape)).copy()
            if d.names:
                a[:, d.rows, d.cols] = d.sign * cols
            return np.linalg.solve(a, f), b
        base = self.technosphere.copy()
        if d.names:
            base[d.rows, d.cols] = d.sign * cols[0]
        index = [self.demand_driven[phase][0] for phase in self.demands]
        unit = np.linalg.solve(base, np.eye(self.n)[:, index])  # n x phases: A0^-1 per unit of each phase
        amounts = f[:, index, np.arange(len(index))]  # size x phases: each phase's demand is one entry
        x = unit[None] * amounts[:, None, :]
        if len(varying):
            rows, cols_k = d.rows[varying], d.cols[varying]
            delta = d.sign * (cols[:, varying] - cols[0, varying])  # size x K
            z = np.linalg.solve(base, np.eye(self.n)[:, rows])  # n x K: A0^-1 U
            w = z[cols_k, :]  # K x K: V^T A0^-1 U
            k = len(varying)
            m = np.eye(k)[None] + delta[:, :, None] * w[None]  # size x K x K: I + D W
            rhs = delta[:, :, None] * x[:, cols_k, :]  # size x K x phases: D V^T x0
            y = np.linalg.solve(m, rhs)
            x = x - np.einsum("nk,skp->snp", z, y)
        return x, b

    def _biosphere_and_demand(self, values: dict[str, Any], size: int) -> tuple[np.ndarray, np.ndarray]:
        b = np.broadcast_to(self.biosphere, (size, *self.biosphere.shape)).copy()
        d = self.b_driven
        if d.names:
            cols = np.column_stack([np.broadcast_to(np.asarray(values[q], dtype=float), (size,)) for q in d.names])
            b[:, d.rows, d.cols] = d.sign * cols
        f = np.zeros((size, self.n, len(self.demands)))
        for k, phase in enumerate(self.demands):
            index, q = self.demand_driven[phase]
            f[:, index, k] = 1.0 if q is None else np.broadcast_to(np.asarray(values[q], dtype=float), (size,))
        return b, f

    def evaluate(
        self,
        overrides: dict[str, Any] | None = None,
        size: int | None = None,
        *,
        strict: bool = True,
        h: np.ndarray | None = None,
    ) -> dict[str, np.ndarray]:
        """Contributions per phase for ``size`` scenarios of the activity model's inputs.

        ``overrides`` maps input names (``hardware.lifetime``, ``grid:US.gwp100``
        ...) to numbers or arrays of ``size``. ``strict=False`` (Monte Carlo)
        lets a sample that would not fit the memory run with the largest batch
        that fits, where a scenario raises.
        """
        overrides = overrides or {}
        if size is None:
            size = max([np.size(v) for v in overrides.values()] or [1])
        values = self.activity.evaluate(overrides, strict=strict)
        x, b = self.supply(values, size)
        hh = self.background_impacts[None] if h is None else h
        return {phase: (b + hh) * x[:, None, :, k] for k, phase in enumerate(self.demands)}

    def totals(self, overrides: dict[str, Any] | None = None, size: int | None = None) -> np.ndarray:
        """Life-cycle totals per scenario and category (size x c)."""
        contrib = self.evaluate(overrides, size)
        return sum(c.sum(axis=2) for c in contrib.values())

    def market_totals(self, contrib: dict[str, np.ndarray]) -> np.ndarray:
        """Market-based gwp100 totals per scenario (GHG Protocol scope 2, market-based).

        Grid contributions at their contractual factors; a grid without
        contractual data keeps its location-based factor (the last step of
        the GHG Protocol Scope 2 Guidance's emission-factor hierarchy), as
        everywhere in ai-lca.
        """
        k = self.categories.index("gwp100")
        has = ~np.isnan(self.market)
        ratio = np.ones(self.n)
        location = self.biosphere[k]
        ok = has & (location > 0)
        ratio[ok] = self.market[ok] / location[ok]
        return sum((c[:, k, :] * ratio).sum(axis=1) for c in contrib.values())

    def energy_at_meter(self, overrides: dict[str, Any] | None = None, size: int | None = None) -> np.ndarray:
        """Electricity drawn from the grid, all phases [kWh] (per scenario)."""
        overrides = overrides or {}
        if size is None:
            size = max([np.size(v) for v in overrides.values()] or [1])
        values = self.activity.evaluate(overrides)
        x, _b = self.supply(values, size)
        return x.sum(axis=2)[:, self.grid].sum(axis=1)


# ---------------------------------------------------------------- compilation


def compile_graph(graph: ProcessGraph, h: np.ndarray | None = None) -> CompiledStudy:
    """Compile a process graph (and its activity) into matrices and quantity-driven entries."""
    if graph.activity is None:  # pragma: no cover - every graph built by build_graph has one
        raise ValueError("the graph has no activity model")
    nodes = sorted(graph.nodes)
    m = to_matrices(graph)
    order = [m.index[n] for n in nodes]
    a = m.technosphere.toarray()[np.ix_(order, order)]
    b = m.biosphere[:, order]
    index = {n: i for i, n in enumerate(nodes)}
    a_rows, a_cols, a_names = [], [], []
    for supplier, consumer, data in graph.edges(data=True):
        q = data.get("quantity")
        if q is not None and supplier != consumer:
            a_rows.append(index[supplier])
            a_cols.append(index[consumer])
            a_names.append(q)
    b_rows, b_cols, b_names = [], [], []
    for node, data in graph.nodes(data=True):
        for cat, q in data.get("quantities", {}).items():
            if cat in CATEGORIES:
                b_rows.append(CATEGORIES.index(cat))
                b_cols.append(index[node])
                b_names.append(q)
    demands, driven = {}, {}
    for phase, ref in graph.phases.items():
        f = np.zeros(len(nodes))
        f[index[ref.node]] = ref.value
        demands[phase] = f
        driven[phase] = (index[ref.node], ref.amount)
    embodied = np.array([graph.nodes[n].get("scope") == "embodied" for n in nodes])
    grid = np.array([graph.nodes[n].get("kind") == NodeKind.GRID for n in nodes])
    market = np.array(
        [
            graph.nodes[n].get("market_gwp100")
            if graph.nodes[n].get("market_gwp100") is not None and not graph.nodes[n].get("background")
            else np.nan
            for n in nodes
        ],
        dtype=float,
    )
    return CompiledStudy(
        graph.study,
        nodes,
        a,
        b,
        np.zeros_like(b) if h is None else h,
        demands,
        embodied,
        grid,
        market,
        graph.activity,
        _Driven(np.array(a_rows, dtype=int), np.array(a_cols, dtype=int), a_names, -1.0),
        _Driven(np.array(b_rows, dtype=int), np.array(b_cols, dtype=int), b_names, 1.0),
        driven,
        notes=list(graph.notes),
    )


def compile_study(
    study: Study,
    registry: Registry | None = None,
    *,
    home: Any = None,
    brightway_dir: Any = None,
    graph: ProcessGraph | None = None,
) -> CompiledStudy:
    """Compile ``study``: its process graph, and for a linked background the impacts per unit of each link."""
    registry = registry or Registry(study.inventory_folders())
    graph = graph if graph is not None else build_graph(study, registry)
    nodes = sorted(graph.nodes)
    h = None
    if study.background is not None:
        h = background_matrix(graph, study.background, nodes, home=home, brightway_dir=brightway_dir)
    return compile_graph(graph, h)
