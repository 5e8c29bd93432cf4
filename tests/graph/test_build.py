"""The graph builder wires the activity data: the right processes, the right links, no arithmetic of its own."""

from __future__ import annotations

import pytest

import lca
from lca.activity import Component
from lca.graph import NodeKind, build_graph, phase_components
from lca.inventory import Registry

BODY = """
training:
  accelerator_hours: 1000
  average_power: 300 W
  provisioned_idle_hours: 500
"""


@pytest.fixture
def graph(toy):
    study = lca.load_study(toy(BODY))
    return build_graph(study, Registry(study.inventory_folders()))


def test_every_amount_is_a_quantity_of_the_activity_model(graph):
    """Edges and flows equal the quantity they name (or are structural constants of 1 / part counts)."""
    values = graph.activity.values
    for supplier, consumer, data in graph.edges(data=True):
        if data["quantity"] is None:
            assert data["amount"] == 1.0, (supplier, consumer)
        else:
            assert data["amount"] == values[data["quantity"]], (supplier, consumer)
    for node, data in graph.nodes(data=True):
        for cat, q in data["quantities"].items():
            assert data["flows"][cat] == values[q], (node, cat)


def test_boundary_components_are_the_first_tier_of_the_phase(graph):
    firsts = {graph.component_of(n) for n, _ in phase_components(graph, "training")}
    assert firsts == {Component.ACCELERATORS, Component.HOST, Component.IDLE, Component.OVERHEAD,
                      Component.EMBODIED}
    for n, _ in phase_components(graph, "training"):
        assert graph.nodes[n]["kind"] == NodeKind.COMPONENT


def test_it_components_draw_on_the_datacenter_and_overhead_on_the_grid(graph):
    it = "electricity/toy-dc@toy-grid"
    assert graph.nodes[it]["kind"] == NodeKind.ELECTRICITY
    for comp in ("accelerators", "host", "idle"):
        assert list(graph.predecessors(f"training/{comp}")) == [it]
    assert list(graph.predecessors("training/overhead")) == ["grid/toy-grid"]
    assert graph["grid/toy-grid"][it]["amount"] == 1.0  # PUE is not an edge any more: overhead is a process
    assert graph["water/toy-dc"][it]["amount"] == 1.0  # WUE, L per kWh of IT energy
    assert graph["water/toy-dc"][it]["quantity"] == "datacenter:toy-dc.wue"


def test_hardware_shares(graph):
    hours = 5 * 8766.0
    emb = "training/embodied"
    assert graph[emb]["training"]["amount"] == 1500.0  # busy + provisioned idle hours
    assert graph["manufacturing/toy-card"][emb]["amount"] == pytest.approx(1 / hours, rel=1e-15)
    assert graph["manufacturing/toy-platform"][emb]["amount"] == pytest.approx(1 / (hours * 4), rel=1e-15)
    assert graph.nodes["manufacturing/toy-card"]["scope"] == "embodied"


def test_phases_feed_the_life_cycle(graph):
    assert graph.reference == "system"
    assert graph["training"]["system"]["amount"] == 1.0
    assert graph.phases["training"].node == "training"


def test_a_user_process_pays_the_datacenter_overhead_on_its_electricity(toy, tmp_path):
    (tmp_path / "inv" / "processes.yaml").write_text("""
kind: process
source: "toy values for hand-worked tests"
records:
  - id: toy-pipeline
    unit: unit
    inputs: [{input: electricity, amount: 10}]
""")
    study = lca.load_study(toy(BODY + "processes:\n  - {process: toy-pipeline, phase: training, amount: 2}\n"))
    graph = build_graph(study, Registry(study.inventory_folders()))
    metered = "electricity/toy-dc@toy-grid/metered"
    assert graph[metered]["process/toy-pipeline"]["amount"] == 10.0
    assert graph["grid/toy-grid"][metered]["amount"] == pytest.approx(0.5)  # PUE 1.5 - 1
    assert graph["process/toy-pipeline"]["training"]["amount"] == 2.0
    assert graph.component_of("process/toy-pipeline") == Component.OTHER


def test_notes_are_typed(graph):
    codes = {n.code for n in graph.notes}
    assert codes <= {"gap", "default", "model", "link", "info"}
    assert all(n.text for n in graph.notes)
