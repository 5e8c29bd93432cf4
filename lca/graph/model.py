"""The typed process graph: what the engine writes to Brightway and the reports read.

A :class:`ProcessGraph` is a :class:`networkx.DiGraph` whose nodes are
processes and whose edges are exchanges. A node makes one unit of its
reference product (``unit``) and may emit indicator flows (``flows``: impact
category -> amount per unit, already characterised). An edge ``supplier ->
consumer`` carries ``amount``: units of the supplier's product per unit of the
consumer's product. Loops are allowed; the engine solves the matrix system.

Every amount comes from the activity model: ``quantity`` (on an edge) and
``quantities`` (per flow, on a node) name the quantity it equals, or ``None``
for a structural constant (1 kWh of grid electricity per kWh delivered, the
count of a part in an assembly). The compiled study refills the matrices from
those names for each scenario or sample.

Node attributes
    ``name``, ``unit``, ``kind`` (:class:`NodeKind`), ``scope``
    (``embodied``/``operational`` for nodes with flows), ``component``
    (:class:`~lca.activity.Component`, for the first-tier inputs of a phase),
    ``flows``, ``quantities``, ``values`` (cited inventory values behind the
    flows), ``location``, ``market_gwp100`` (grids), ``background`` (a linked
    background activity), ``comment``.
Edge attributes
    ``amount``, ``quantity``, ``value`` (the cited value when the amount is an
    inventory value).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import networkx as nx

from ..activity import Activity, Component, Note, NoteCode

__all__ = ["NodeKind", "ProcessGraph", "PhaseRef", "GHG_ROLE"]


class NodeKind(StrEnum):
    SYSTEM = "system"  # the life cycle: the reference of every result
    PHASE = "phase"  # one training run, one request, other processes of the life cycle
    COMPONENT = "component"  # a boundary component of a phase (accelerators, host, idle ... embodied)
    ELECTRICITY = "electricity"  # electricity delivered to the IT equipment of a datacenter
    GRID = "grid"  # electricity from the grid, at the meter
    WATER = "water"  # on-site (cooling) water of a datacenter
    MANUFACTURING = "manufacturing"  # hardware manufacturing (embodied)
    USER = "user"  # a user process from an inventory


#: GHG Protocol role of the direct emissions of each kind of node (gwp100).
GHG_ROLE: dict[NodeKind, str] = {
    NodeKind.GRID: "electricity",
    NodeKind.MANUFACTURING: "capital goods",
    NodeKind.WATER: "water",
    NodeKind.USER: "user",
}


@dataclass(frozen=True)
class PhaseRef:
    """A phase in the graph: its node and the quantity of units in the life cycle."""

    node: str
    amount: str | None  # quantity name (None: 1)
    value: float


class ProcessGraph(nx.DiGraph):
    """A process graph with its study, phases, activity and notes as typed attributes."""

    def __init__(self, incoming_graph_data: Any = None, **attr: Any) -> None:
        super().__init__(incoming_graph_data, **attr)
        self.study: str = attr.get("name", "")
        self.reference: str = "system"
        self.phases: dict[str, PhaseRef] = {}
        self.activity: Activity | None = None
        self.extra_notes: list[Note] = []
        self.dropped_notes: list[Note] = []  # notes that no longer hold (about an inventory a link replaced)

    @property
    def notes(self) -> list[Note]:
        """Every modelling note: the activity layer's, then the graph's (links), less the dropped ones."""
        own = list(self.activity.notes) if self.activity is not None else []
        every = own + [n for n in self.extra_notes if n not in own]
        return [n for n in every if n not in self.dropped_notes]

    def drop_notes(self, notes: list[Note]) -> None:
        """Notes that stop holding (e.g. a gap of an inventory that a background activity replaced)."""
        self.dropped_notes.extend(n for n in notes if n not in self.dropped_notes)

    def note(self, code: NoteCode, text: str, subject: str | None = None) -> None:
        if all(n.text != text for n in self.notes):
            self.extra_notes.append(Note(code, text, subject))

    def gaps(self) -> list[Note]:
        """The notes that say an impact or a boundary component is left out."""
        return [n for n in self.notes if n.code == NoteCode.GAP]

    def component_of(self, node: str) -> Component:
        comp = self.nodes[node].get("component")
        return Component(comp) if comp else Component.OTHER

    def nodes_of(self, kind: NodeKind) -> list[str]:
        return [n for n, d in self.nodes(data=True) if d.get("kind") == kind]
