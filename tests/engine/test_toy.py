"""Layer (a): a hand-worked toy system with a loop, solved three ways.

Processes (amounts per unit of the consumer's reference product)::

    P1 service [unit]          <- 10 kWh P2, 0.01 unit P4
    P2 datacenter electricity  <- 1.25 kWh P3 (PUE)
    P3 grid electricity [kWh]  <- 0.04 kWh P2 (loop: the grid's control centre runs in the
                                  datacenter); emits 0.4 kg CO2e, 2 L water per kWh
    P4 server manufacturing    <- 500 kWh P3; emits 1000 kg CO2e, 0.1 kg Sb-eq per unit

By hand, for one unit of P1: x1 = 1, x4 = 0.01, x2 = 10 + 0.04 x3, x3 = 1.25 x2 + 500 x4
=> 0.95 x2 = 10.2 => x2 = 204/19 kWh, x3 = 350/19 kWh;
gwp100 = 0.4 x3 + 1000 x4 = 330/19 kg; water = 2 x3 = 700/19 L; adpe = 0.001 kg Sb-eq.
"""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from lca.engine import run_graph, to_matrices
from lca.errors import SingularSystemError
from lca.engine.matrices import check_solvable
from lca.graph import NodeKind, PhaseRef, ProcessGraph, add_exchange, add_process

HAND = {"gwp100": 330 / 19, "water": 700 / 19, "adpe": 0.001, "pe": 0.0}
SUPPLY = {"P1": 1.0, "P2": 204 / 19, "P3": 350 / 19, "P4": 0.01}


def toy_graph() -> ProcessGraph:
    g = ProcessGraph(name="toy")
    add_process(g, "P1", name="service", unit="unit", kind=NodeKind.PHASE)
    add_process(g, "P2", name="datacenter electricity", unit="kWh", kind=NodeKind.ELECTRICITY)
    add_process(g, "P3", name="grid electricity", unit="kWh", kind=NodeKind.GRID, scope="operational",
                flows={"gwp100": 0.4, "water": 2.0})
    add_process(g, "P4", name="server manufacturing", unit="unit", kind=NodeKind.MANUFACTURING, scope="embodied",
                flows={"gwp100": 1000.0, "adpe": 0.1})
    add_exchange(g, "P2", "P1", 10.0)
    add_exchange(g, "P4", "P1", 0.01)
    add_exchange(g, "P3", "P2", 1.25)
    add_exchange(g, "P2", "P3", 0.04)
    add_exchange(g, "P3", "P4", 500.0)
    add_process(g, "system", name="life cycle", unit="unit", kind=NodeKind.SYSTEM)
    add_exchange(g, "P1", "system", 1.0)
    g.phases["use"] = PhaseRef("P1", None, 1.0)
    return g


def test_graph_has_a_loop():
    assert not nx.is_directed_acyclic_graph(toy_graph())


def test_numpy_solve_matches_hand():
    m = to_matrices(toy_graph())
    x = m.supply({"P1": 1.0})
    for node, expected in SUPPLY.items():
        assert x[m.index[node]] == pytest.approx(expected, rel=1e-12)
    scores = m.scores({"P1": 1.0})
    for cat, expected in HAND.items():
        assert scores[cat] == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_brightway_matches_hand(home):
    sol = run_graph(toy_graph(), "ai-lca/test-toy", home=home)
    # Brightway stores amounts as float32: compare at 1e-6 relative
    for cat, expected in HAND.items():
        assert sol.scores[("use", cat)] == pytest.approx(expected, rel=1e-6, abs=1e-12)
        assert sol.scores[("total", cat)] == pytest.approx(expected, rel=1e-6, abs=1e-12)
    supply = {s["process"]: s["amount"] for s in sol.supply}
    for node, expected in SUPPLY.items():
        assert supply[node] == pytest.approx(expected, rel=1e-6)


def test_contributions_sum_to_score(home):
    sol = run_graph(toy_graph(), "ai-lca/test-toy", home=home)
    for cat in HAND:
        rows = [c["value"] for c in sol.contributions if c["category"] == cat]
        assert sum(rows) == pytest.approx(sol.scores[("use", cat)], rel=1e-9, abs=1e-15)
    direct = {c["process"]: c["value"] for c in sol.contributions if c["category"] == "gwp100"}
    # direct contributions: grid 0.4 * 350/19, server 1000 * 0.01 (summed over activities)
    by_process: dict[str, float] = {}
    for c in sol.contributions:
        if c["category"] == "gwp100":
            by_process[c["process"]] = by_process.get(c["process"], 0.0) + c["value"]
    assert set(direct) <= {"P3", "P4"}
    assert by_process["P3"] == pytest.approx(0.4 * 350 / 19, rel=1e-6)
    assert by_process["P4"] == pytest.approx(10.0, rel=1e-6)


def test_self_loop_solves():
    g = toy_graph()
    add_exchange(g, "P2", "P2", 0.2)  # the datacenter uses 20 % of its own output
    m = to_matrices(g)
    x = m.supply({"P1": 1.0})
    # x2 (1 - 0.2) = 10 + 0.04 x3, x3 = 1.25 x2 + 5 => 0.75 x2 = 10.2
    assert x[m.index["P2"]] == pytest.approx(10.2 / 0.75, rel=1e-12)


def test_singular_loop_is_named():
    g = toy_graph()
    add_process(g, "A", name="alpha", unit="kg", kind=NodeKind.USER)
    add_process(g, "B", name="beta", unit="kg", kind=NodeKind.USER)
    add_exchange(g, "A", "B", 1.0)
    add_exchange(g, "B", "A", 1.0)
    add_exchange(g, "A", "P1", 1.0)
    with pytest.raises(SingularSystemError, match=r"alpha \[A\]"):
        check_solvable(g)
    # the dense solve agrees that the matrix is singular
    assert np.linalg.matrix_rank(to_matrices(g).technosphere.toarray()) < len(g)


@pytest.mark.parametrize("scale", [1e-20, 1e14, 1e30])
def test_regular_systems_at_any_scale_are_solvable(scale):
    """Singularity does not depend on units: a loop that uses less than it makes, at any scale of one input."""
    g = toy_graph()
    g.edges["P2", "P1"]["amount"] = 10.0 * scale  # the service's electricity, at any scale
    check_solvable(g)
    add_process(g, "A", name="alpha", unit="kg", kind=NodeKind.USER)
    add_process(g, "B", name="beta", unit="kg", kind=NodeKind.USER)
    add_exchange(g, "A", "B", 0.5 * scale)
    add_exchange(g, "B", "A", 1.0 / scale)  # a loop of gain 0.5: regular
    add_exchange(g, "A", "P1", 1.0)
    check_solvable(g)
    m = to_matrices(g)
    assert np.isfinite(m.supply({"P1": 1.0})).all()


def test_a_factorisation_brightway_gives_up_on_is_a_scale_error():
    """SuperLU can lose a pivot to round-off in a regular system: the error names the amounts, no traceback."""
    import types

    from lca.engine.solve import solve_graph
    from lca.errors import ScaleError

    class GivesUp:
        def __init__(self, *args, **kwargs):
            pass

        def lci(self, factorize=False):
            raise RuntimeError("Factor is exactly singular")

    g = toy_graph()
    g.edges["P3", "P4"]["amount"] = 5e30
    ids = {node: i for i, node in enumerate(g.nodes)}
    with pytest.raises(ScaleError, match=r"span 5\.0e\+32 \(largest 5e\+30 kWh of P3 into P4; smallest 0\.01"):
        solve_graph(types.SimpleNamespace(LCA=GivesUp), g, ids, {"gwp100": ("m",)})
