"""The compiled study: matrices once, then thousands of scenarios per second.

A study is compiled into

* the foreground technosphere ``A`` (n x n, dense: foregrounds are small),
  its indicator flows ``B`` (categories x n) and, for a linked background, the
  cumulative impact per unit of the background activity each foreground node
  takes, ``H`` (categories x n), computed once (the background is factorised
  once);
* the demand vector of each phase;
* a **map from each study parameter to the matrix entries it drives**. A
  parameter whose entries all scale as a power of it (``entry = base x
  (p / p0) ** k``: PUE, power, hours, lifetime, utilisation, grid factors ...)
  is found by perturbing it at compile time and checking the power law at a
  second point; a scenario then costs a few vectorised numpy operations. Any
  other parameter (a grid id, an accelerator, a batch size that goes through
  the roofline) is *structural*: each distinct value is compiled once and
  cached.

Scores of ``N`` scenarios: ``x = A_s^-1 f`` for all of them with one batched
dense solve, ``scores = (B_s + H) x``. The same numbers as the plain Brightway
path (within Brightway's single precision, tested on every bundled study).
"""

from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np

from ..errors import InputError, StudyError
from ..inventory import CATEGORIES, Registry, Value
from .matrices import to_matrices

__all__ = ["CompiledStudy", "compile_study", "ParameterMap", "set_path", "get_path"]

PERTURB = (0.5, 0.25)  # parameter factors used to detect power laws (below 1: fractions stay valid)


@dataclass
class ParameterMap:
    """Entries driven by one scaling parameter: ``entry *= (p / base) ** exponent``."""

    name: str
    base: float
    a_index: tuple[np.ndarray, np.ndarray]  # rows, cols in A
    a_exponent: np.ndarray
    b_index: tuple[np.ndarray, np.ndarray]  # category rows, node cols in B
    b_exponent: np.ndarray


@dataclass
class CompiledStudy:
    name: str
    nodes: list[str]
    A: np.ndarray
    B: np.ndarray
    H: np.ndarray
    demands: dict[str, np.ndarray]
    embodied: np.ndarray  # bool per node: embodied scope
    grid: np.ndarray  # bool per node: grid-mix (electricity at the meter)
    parameters: dict[str, ParameterMap] = field(default_factory=dict)
    uncertain: list[dict[str, Any]] = field(default_factory=list)  # entry-level distributions
    market_ratio: np.ndarray | None = None  # per node: market-based / location-based gwp100 (grids), else 1
    categories: tuple[str, ...] = CATEGORIES
    notes: list[str] = field(default_factory=list)  # the graph's notes (defaults used, what is not covered)

    @property
    def n(self) -> int:
        return len(self.nodes)

    # ------------------------------------------------------------ evaluation
    def matrices(self, values: dict[str, np.ndarray] | None, size: int) -> tuple[np.ndarray, np.ndarray]:
        """``A`` (size x n x n) and ``B`` (size x c x n) for parameter arrays ``values``."""
        a = np.broadcast_to(self.A, (size, *self.A.shape)).copy()
        b = np.broadcast_to(self.B, (size, *self.B.shape)).copy()
        for name, arr in (values or {}).items():
            pm = self.parameters.get(name)
            if pm is None:
                raise InputError(f"'{name}' is not a scaling parameter of this compiled study",
                                 valid=", ".join(sorted(self.parameters)) or "(none)")
            ratio = np.asarray(arr, dtype=float).reshape(-1, 1) / pm.base
            if np.any(ratio <= 0) and (np.any(pm.a_exponent % 1) or np.any(pm.b_exponent % 1)):
                raise InputError(f"parameter '{name}' must stay positive", value=float(np.min(arr)))
            if pm.a_exponent.size:
                a[:, pm.a_index[0], pm.a_index[1]] *= ratio ** pm.a_exponent
            if pm.b_exponent.size:
                b[:, pm.b_index[0], pm.b_index[1]] *= ratio ** pm.b_exponent
        return a, b

    def solve(self, a: np.ndarray, b: np.ndarray, h: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """Per phase: contributions (size x c x n) of every node, for matrices ``a``, ``b``.

        ``h`` (size x c x n) replaces the static background impacts per sample.
        """
        out = {}
        f = np.stack([self.demands[p] for p in self.demands], axis=1)  # n x phases
        x = np.linalg.solve(a, np.broadcast_to(f, (a.shape[0], *f.shape)))  # size x n x phases
        hh = self.H[None] if h is None else h
        for k, phase in enumerate(self.demands):
            xs = x[:, :, k]  # size x n
            out[phase] = (b + hh) * xs[:, None, :]
        return out

    def evaluate(self, values: dict[str, np.ndarray] | None = None, size: int | None = None) -> dict[str, np.ndarray]:
        """Contributions per phase for ``size`` scenarios of the scaling parameters."""
        if size is None:
            size = len(next(iter(values.values()))) if values else 1
        a, b = self.matrices(values, size)
        return self.solve(a, b)

    def totals(self, values: dict[str, np.ndarray] | None = None, size: int | None = None) -> np.ndarray:
        """Life-cycle totals per scenario and category (size x c)."""
        contrib = self.evaluate(values, size)
        return sum(c.sum(axis=2) for c in contrib.values())

    def energy_at_meter(self, values: dict[str, np.ndarray] | None = None, size: int | None = None) -> np.ndarray:
        if size is None:
            size = len(next(iter(values.values()))) if values else 1
        a, _ = self.matrices(values, size)
        f = sum(self.demands.values())
        x = np.linalg.solve(a, np.broadcast_to(f, (size, self.n))[..., None])[..., 0]
        return x[:, self.grid].sum(axis=1)


# ---------------------------------------------------------------- compilation

def get_path(data: dict, path: str) -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def set_path(data: dict, path: str, value: Any) -> dict:
    """A copy of ``data`` with the dotted ``path`` set to ``value``."""
    out = copy.deepcopy(data)
    node = out
    keys = path.split(".")
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value
    return out


def _build(study_data: dict, registry: Registry, base_path: Any) -> tuple[Any, nx.DiGraph]:
    from ..graph import build_graph
    from ..study import study_from_dict

    study = study_from_dict(study_data, path=base_path)
    return study, build_graph(study, registry)


def _arrays(graph: nx.DiGraph, nodes: list[str]) -> tuple[np.ndarray, np.ndarray]:
    m = to_matrices(graph)
    order = [m.index[n] for n in nodes]
    a = m.technosphere.toarray()[np.ix_(order, order)]
    b = m.biosphere[:, order]
    return a, b


def _exponents(base: np.ndarray, changed: np.ndarray, third: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Indices and exponents of entries that follow a power law of the parameter (x0.5, x0.25)."""
    diff = ~np.isclose(base, changed, rtol=1e-12, atol=0.0)
    if np.any(diff & (base == 0)):
        return None
    idx = np.nonzero(diff)
    if not idx[0].size:
        return idx, np.zeros(0)
    r2 = changed[idx] / base[idx]
    r3 = third[idx] / base[idx]
    if np.any(r2 <= 0) or np.any(r3 <= 0):
        return None
    k = np.log(r2) / math.log(PERTURB[0])
    k = np.round(k, 9)
    if not np.allclose(r3, PERTURB[1] ** k, rtol=1e-9):
        return None
    return idx, k


def compile_study(
    study: Any,
    registry: Registry | None = None,
    *,
    parameters: list[str] = (),
    home: Any = None,
    brightway_dir: Any = None,
) -> CompiledStudy:
    """Compile ``study`` (a Study or its raw dict) and the scaling ``parameters`` it should vary.

    Each name in ``parameters`` is a dotted study path (``hardware.lifetime``,
    ``training.average_power``). A parameter that is not a power law of the
    matrices raises an error telling the caller to treat it as structural.
    """
    from ..study import Study

    if isinstance(study, Study):
        data = study.model_dump(exclude_none=True, exclude_defaults=False, mode="json")
        base_path = study.path
        registry = registry or Registry(study.inventory_folders())
        graph_study = study
    else:
        data, base_path = study, None
        registry = registry or Registry()
        graph_study = None
    if graph_study is None:
        graph_study, graph = _build(data, registry, base_path)
    else:
        from ..graph import build_graph

        graph = build_graph(graph_study, registry)
    nodes = sorted(graph.nodes)
    a, b = _arrays(graph, nodes)
    index = {n: i for i, n in enumerate(nodes)}
    demands = {}
    for phase, (node, amount) in graph.graph["phases"].items():
        f = np.zeros(len(nodes))
        f[index[node]] = amount
        demands[phase] = f
    h = np.zeros_like(b)
    if graph_study.background is not None:
        h = _background_vectors(graph, graph_study, nodes, home, brightway_dir)
    embodied = np.array([graph.nodes[n].get("scope") == "embodied" for n in nodes])
    grid = np.array([graph.nodes[n].get("kind") == "grid" for n in nodes])
    compiled = CompiledStudy(graph_study.name, nodes, a, b, h, demands, embodied, grid,
                             notes=list(graph.graph.get("notes", [])))
    ratio = np.ones(len(nodes))
    for j, node in enumerate(nodes):
        attrs = graph.nodes[node]
        location = attrs["flows"].get("gwp100", 0.0)
        if "market_gwp100" in attrs and location > 0:
            ratio[j] = attrs["market_gwp100"] / location
    compiled.market_ratio = ratio
    compiled.uncertain = _uncertain_entries(graph, index)
    for name in parameters:
        compiled.parameters[name] = _scaling(name, data, registry, base_path, nodes, a, b)
    return compiled


def _scaling(name: str, data: dict, registry: Registry, base_path: Any, nodes: list[str],
             a: np.ndarray, b: np.ndarray) -> ParameterMap:
    from ..units import split_quantity

    raw = get_path(data, name)
    if raw is None:
        raise StudyError(f"the study has no value at '{name}' to vary", field=name,
                         hint="set it in the study (a sweep or Monte Carlo varies a given value)")
    parts = split_quantity(raw)
    if parts is None:
        raise StudyError(f"'{name}' is not numeric", value=raw)
    base, raw_unit = parts
    fmt = (lambda v: f"{v!r} {raw_unit}") if raw_unit else (lambda v: v)
    variants = []
    for factor in PERTURB:
        _s, g = _build(set_path(data, name, fmt(base * factor)), registry, base_path)
        if sorted(g.nodes) != nodes:
            raise StudyError(f"'{name}' changes the structure of the process graph: sweep it as a structural "
                             "parameter (each value compiled once)", field=name)
        variants.append(_arrays(g, nodes))
    fit_a = _exponents(a, variants[0][0], variants[1][0])
    fit_b = _exponents(b, variants[0][1], variants[1][1])
    if fit_a is None or fit_b is None:
        raise StudyError(f"'{name}' does not scale the matrices as a power law: sweep it as a structural parameter",
                         field=name)
    return ParameterMap(name, base, fit_a[0], fit_a[1], fit_b[0], fit_b[1])


def _uncertain_entries(graph: nx.DiGraph, index: dict[str, int]) -> list[dict[str, Any]]:
    """Matrix entries whose inventory value has a distribution (for Monte Carlo)."""
    out = []
    for u, v, d in graph.edges(data=True):
        val: Value | None = d.get("value")
        if val is not None and val.distribution is not None and val.value != 0 and u != v:
            out.append({"matrix": "A", "row": index[u], "col": index[v], "value": val, "label": f"{v} <- {u}"})
    for node, data in graph.nodes(data=True):
        for cat, val in data.get("values", {}).items():
            if val.distribution is not None and val.value != 0 and cat in CATEGORIES:
                out.append({"matrix": "B", "row": CATEGORIES.index(cat), "col": index[node], "value": val,
                            "label": f"{node}:{cat}"})
    return out


def _background_vectors(graph: nx.DiGraph, study: Any, nodes: list[str], home: Any,
                        brightway_dir: Any = None) -> np.ndarray:
    """Cumulative impact per unit of the background activity each linked node takes (once)."""
    from .background import background_ids, setup_background_project
    from .home import brightway, quiet, user_brightway_dir
    from .setup import category_method

    bg = study.background
    h = np.zeros((len(CATEGORIES), len(nodes)))
    with brightway(home, base_dir=user_brightway_dir(brightway_dir), project=bg.project) as (bd, bc, _):
        setup_background_project(bd, bg)
        links = background_ids(bd, graph, bg.database)
        if not links:
            return h
        first = next(iter(links.values()))[2]
        with quiet():
            lca = bc.LCA({first: 1.0}, method=category_method(CATEGORIES[0]))
            lca.lci(factorize=True)
        for k, cat in enumerate(CATEGORIES):
            with quiet():
                lca.switch_method(category_method(cat))
            for node, (_db, _code, bg_id) in links.items():
                with quiet():
                    lca.lcia(demand={bg_id: 1.0})
                h[k, nodes.index(node)] = float(lca.score)
    return h
