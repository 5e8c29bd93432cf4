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
refilled, and ``x = A_s^-1 f`` is solved for all scenarios at once: by
substitution in supply order when the foreground is acyclic (every bundled
study: one multiply-add over the scenarios per exchange), else as a low-rank
(Woodbury) update of one factorised ``A`` when few entries change across the
scenarios, else one batched dense solve; ``scores = (B_s + H) x``, and totals
without building the per-node contributions.
Inputs that fix the structure of the graph (an id, a token count) are compiled
once per value. The numbers equal the
Brightway path (within Brightway's single precision; tested on every bundled
study).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
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

    @cached_property
    def _triangular(self) -> list[tuple[int, float, list[tuple[int, float, int]]]] | None:
        """For an acyclic foreground: per node in supply order (consumers first), its diagonal and inputs.

        Each input is ``(consumer, static entry, driven index or -1)``: node j's
        level is ``(f_j - sum A[j, c] x_c) / A[j, j]`` over its consumers c. None
        when the foreground has a cycle (then :meth:`_activity_levels` solves).
        """
        a = self.technosphere
        driven = {
            (int(r), int(c)): i for i, (r, c) in enumerate(zip(self.a_driven.rows, self.a_driven.cols, strict=True))
        }
        consumers: dict[int, list[int]] = {j: [] for j in range(self.n)}
        for r, c in zip(*np.nonzero(a), strict=True):
            if r != c:
                consumers[int(r)].append(int(c))
        for r, c in driven:
            if r != c and c not in consumers[r]:
                consumers[r].append(c)
        order: list[int] = []
        state = [0] * self.n  # 0 new, 1 on the path, 2 done
        for start in range(self.n):
            stack = [(start, iter(consumers[start]))]
            if state[start]:
                continue
            state[start] = 1
            while stack:
                node, it = stack[-1]
                nxt = next(it, None)
                if nxt is None:
                    state[node] = 2
                    order.append(node)
                    stack.pop()
                elif state[nxt] == 1:
                    return None  # a cycle: no substitution order
                elif state[nxt] == 0:
                    state[nxt] = 1
                    stack.append((nxt, iter(consumers[nxt])))
        if any((j, j) in driven for j in range(self.n)) or np.any(np.diag(a) == 0):
            return None
        return [(j, float(a[j, j]), [(c, float(a[j, c]), driven.get((j, c), -1)) for c in consumers[j]]) for j in order]

    # ------------------------------------------------------------ evaluation
    def supply(self, values: dict[str, Any], size: int, method: str = "auto") -> tuple[np.ndarray, np.ndarray]:
        """Activity levels ``x`` (size x n x phases) and ``B`` (size x c x n) for evaluated quantities.

        When few technosphere entries change across the scenarios (``K`` of
        them, at most :data:`LOW_RANK_SHARE` of ``n``), ``A`` is factorised once
        at the first scenario's values and each scenario is a rank-``K``
        update solved by the Woodbury identity: ``K x K`` systems for all
        scenarios at once, no ``n x n`` matrix per scenario (memory
        ``O(size x n x K)`` instead of ``O(size x n^2)``). Otherwise every
        scenario's ``A`` is solved densely. An acyclic foreground is solved
        by substitution first (see :meth:`_activity_levels`). ``method``
        ("auto", "substitution", "woodbury", "dense") forces one path (tests).
        """
        b, _f = self._biosphere_and_demand(values, size, demand=False)
        return self._activity_levels(values, size, method), b

    def _activity_levels(self, values: dict[str, Any], size: int, method: str = "auto") -> np.ndarray:
        """``x``: size x n x phases (see :meth:`supply`).

        An acyclic foreground (every bundled study) is solved by substitution in
        supply order, one multiply-add over the scenarios per exchange: no
        factorisation, no ``K x K`` systems. A foreground with a cycle takes the
        Woodbury or the dense path.
        """
        if method not in ("auto", "substitution", "woodbury", "dense"):
            raise ValueError(f"unknown method {method!r}")
        plan = self._triangular if method in ("auto", "substitution") else None
        if plan is not None:
            return self._substitute(plan, values, size)
        if method == "substitution":
            raise ValueError("the foreground has a cycle: no substitution order")
        d = self.a_driven
        cols = (
            np.column_stack([np.broadcast_to(np.asarray(values[q], dtype=float), (size,)) for q in d.names])
            if d.names
            else np.zeros((size, 0))
        )
        varying = np.flatnonzero((cols != cols[:1]).any(axis=0)) if size > 1 and d.names else np.zeros(0, dtype=int)
        if method == "dense" or (method == "auto" and len(varying) > LOW_RANK_SHARE * self.n):
            _b, f = self._biosphere_and_demand(values, size, biosphere=False)
            a = np.broadcast_to(self.technosphere, (size, *self.technosphere.shape)).copy()
            a[:, d.rows, d.cols] = d.sign * cols
            return np.linalg.solve(a, f)
        base = self.technosphere.copy()
        if d.names:
            base[d.rows, d.cols] = d.sign * cols[0]
        index = [self.demand_driven[phase][0] for phase in self.demands]
        unit = np.linalg.solve(base, np.eye(self.n)[:, index])  # n x phases: A0^-1 per unit of each phase
        amounts = self._demand_amounts(values, size)  # size x phases: each phase's demand is one entry
        x = unit[None] * amounts[:, None, :]
        if len(varying):
            rows, cols_k = d.rows[varying], d.cols[varying]
            delta = d.sign * (cols[:, varying] - cols[0, varying])  # size x K
            z = np.linalg.solve(base, np.eye(self.n)[:, rows])  # n x K: A0^-1 U
            w = z[cols_k, :]  # K x K: V^T A0^-1 U
            rhs = delta[:, :, None] * x[:, cols_k, :]  # size x K x phases: D V^T x0
            y = _solve_small(delta, w, rhs)  # (I + D W)^-1 D V^T x0
            x = x - np.einsum("nk,skp->snp", z, y)
        return x

    def _substitute(
        self, plan: list[tuple[int, float, list[tuple[int, float, int]]]], values: dict[str, Any], size: int
    ) -> np.ndarray:
        d = self.a_driven
        entries = [d.sign * np.asarray(values[q], dtype=float) for q in d.names]
        amounts = self._demand_amounts(values, size)
        x = np.zeros((len(self.demands), self.n, size))
        for k, phase in enumerate(self.demands):
            x[k, self.demand_driven[phase][0]] = amounts[:, k]
        for j, diag, inputs in plan:  # consumers are done before their suppliers
            level = x[:, j]
            for c, static, i in inputs:
                level -= (static if i < 0 else entries[i]) * x[:, c]
            if diag != 1.0:
                level /= diag
        return x.transpose(2, 1, 0)

    def _demand_amounts(self, values: dict[str, Any], size: int) -> np.ndarray:
        out = np.empty((size, len(self.demands)))
        for k, phase in enumerate(self.demands):
            q = self.demand_driven[phase][1]
            out[:, k] = 1.0 if q is None else np.broadcast_to(np.asarray(values[q], dtype=float), (size,))
        return out

    def _biosphere_and_demand(
        self, values: dict[str, Any], size: int, *, biosphere: bool = True, demand: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        b = np.zeros((0,))
        if biosphere:
            b = np.broadcast_to(self.biosphere, (size, *self.biosphere.shape)).copy()
            d = self.b_driven
            if d.names:
                cols = np.column_stack([np.broadcast_to(np.asarray(values[q], dtype=float), (size,)) for q in d.names])
                b[:, d.rows, d.cols] = d.sign * cols
        f = np.zeros((0,))
        if demand:
            f = np.zeros((size, self.n, len(self.demands)))
            amounts = self._demand_amounts(values, size)
            for k, phase in enumerate(self.demands):
                f[:, self.demand_driven[phase][0], k] = amounts[:, k]
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
        size = _size(overrides, size)
        values = self.activity.evaluate(overrides, strict=strict)
        x, b = self.supply(values, size)
        hh = self.background_impacts[None] if h is None else h
        return {phase: (b + hh) * x[:, None, :, k] for k, phase in enumerate(self.demands)}

    def totals(self, overrides: dict[str, Any] | None = None, size: int | None = None) -> np.ndarray:
        """Life-cycle totals per scenario and category (size x c).

        The same numbers as summing :meth:`evaluate`'s contributions, without
        building them: ``(B + H) x`` with ``x`` summed over the phases, and the
        scenario-driven entries of ``B`` added as corrections.
        """
        overrides = overrides or {}
        size = _size(overrides, size)
        values = self.activity.evaluate(overrides, strict=True)
        xs = self._activity_levels(values, size).sum(axis=2)  # size x n
        out = xs @ (self.biosphere + self.background_impacts).T  # size x c
        d = self.b_driven
        for j, q in enumerate(d.names):
            change = d.sign * np.broadcast_to(np.asarray(values[q], dtype=float), (size,))
            out[:, d.rows[j]] += (change - self.biosphere[d.rows[j], d.cols[j]]) * xs[:, d.cols[j]]
        return out

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
        size = _size(overrides, size)
        x = self._activity_levels(self.activity.evaluate(overrides), size)
        return x.sum(axis=2)[:, self.grid].sum(axis=1)


def _size(overrides: dict[str, Any], size: int | None) -> int:
    """The number of scenarios: given, else the longest override (1 for numbers only)."""
    return size if size is not None else max([np.size(v) for v in overrides.values()] or [1])


def _solve_small(delta: np.ndarray, w: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    """``y`` with ``(I + diag(delta_s) W) y_s = rhs_s`` for every scenario ``s`` (K x K systems).

    K = 1 and 2 in closed form (a batched LAPACK call costs more than the
    arithmetic for such small systems); larger K through ``numpy.linalg.solve``.
    """
    k = w.shape[0]
    if k == 1:
        return rhs / (1.0 + delta[:, 0, None, None] * w[0, 0])
    if k == 2:
        a = 1.0 + delta[:, 0] * w[0, 0]
        b = delta[:, 0] * w[0, 1]
        c = delta[:, 1] * w[1, 0]
        e = 1.0 + delta[:, 1] * w[1, 1]
        det = (a * e - b * c)[:, None]
        r0, r1 = rhs[:, 0, :], rhs[:, 1, :]
        return np.stack([(e[:, None] * r0 - b[:, None] * r1) / det, (a[:, None] * r1 - c[:, None] * r0) / det], axis=1)
    m = np.eye(k)[None] + delta[:, :, None] * w[None]  # size x K x K: I + D W
    return np.linalg.solve(m, rhs)


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
