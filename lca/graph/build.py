"""Wire the activity data of a study into its process graph (no arithmetic here).

Chain of a phase (one training run, or one request)::

    phase <- accelerators in use [kWh] <- electricity at the IT equipment <- grid mix
          |                                                              <- on-site water (WUE)
          <- host [kWh]            <- electricity at the IT equipment ...
          <- idle capacity [kWh]   <- electricity at the IT equipment ...
          <- datacenter overhead (PUE - 1) [kWh] <- grid mix
          <- accelerator time [h]  <- manufacturing of a share of a card and of a server

The first-tier inputs of a phase are its boundary components; each is a
process of its own in the graph, the tidy table, every report and the
Brightway database.
"""

from __future__ import annotations

from typing import Any

from ..activity import COMPONENT_LABELS, Activity, Component, NoteCode, Site, resolve
from ..errors import StudyError
from ..inventory import Registry
from ..study import Study
from .model import NodeKind, PhaseRef, ProcessGraph

__all__ = ["build_graph", "add_process", "add_exchange", "phase_components"]

_COMPONENT_NAMES = {
    Component.ACCELERATORS: "electricity, accelerators in use",
    Component.HOST: "electricity, host (CPU, memory, network, fans)",
    Component.IDLE: "electricity, idle and provisioned capacity",
    Component.IT: "electricity, IT equipment (accelerators + host, measured together)",
    Component.OVERHEAD: "electricity, datacenter overhead (PUE - 1)",
    Component.EMBODIED: "accelerator time, share of hardware manufacturing",
}


def add_process(
    graph: ProcessGraph,
    node: str,
    *,
    name: str,
    unit: str,
    kind: NodeKind,
    scope: str | None = None,
    flows: dict[str, float] | None = None,
    quantities: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    **attrs: Any,
) -> str:
    """Add a process node (idempotent for the same id)."""
    if node in graph:
        return node
    flows = {k: float(v) for k, v in (flows or {}).items()}
    if flows and scope not in ("embodied", "operational"):
        raise ValueError(f"process {node!r} has flows but no scope")  # pragma: no cover - wiring bug
    graph.add_node(
        node,
        name=name,
        unit=unit,
        kind=kind,
        scope=scope,
        flows=flows,
        quantities=quantities or {},
        values=values or {},
        location=attrs.pop("location", "GLO"),
        **attrs,
    )
    return node


def add_exchange(
    graph: ProcessGraph, supplier: str, consumer: str, amount: float, quantity: str | None = None, value: Any = None
) -> None:
    """``amount`` of ``supplier``'s product per unit of ``consumer``."""
    if graph.has_edge(supplier, consumer):  # pragma: no cover - every pair is wired once
        raise ValueError(f"exchange {supplier} -> {consumer} wired twice")
    graph.add_edge(supplier, consumer, amount=float(amount), quantity=quantity, value=value)


def _inventory_value(activity: Activity, name: str | None) -> Any:
    q = activity.inputs.get(name) if name else None
    return q.record if q is not None else None


def build_graph(study: Study, registry: Registry, activity: Activity | None = None) -> ProcessGraph:
    """The process graph of ``study`` (its activity resolved through ``registry`` unless given)."""
    act = activity if activity is not None else resolve(study, registry)
    v = act.values
    g = ProcessGraph(name=study.name)
    g.study, g.activity = study.name, act
    for name, phase in act.phases.items():
        site = phase.site
        grid = f"grid/{site.grid}"
        add_process(
            g,
            grid,
            name=f"electricity, grid mix, {site.grid_name}",
            unit="kWh",
            kind=NodeKind.GRID,
            scope="operational",
            flows={c: v[q] for c, q in site.factors.items()},
            quantities=site.factors,
            values={c: _inventory_value(act, q) for c, q in site.factors.items()},
            market_gwp100=site.market_gwp100,
            comment=f"grid record '{site.grid_id}'",
            location=site.location,
        )
        it = f"electricity/{site.datacenter}@{site.grid}"
        if it not in g:
            add_process(
                g,
                it,
                name=f"electricity at the IT equipment, {site.datacenter_name}",
                unit="kWh",
                kind=NodeKind.ELECTRICITY,
                comment=f"datacenter record '{site.datacenter}'",
                location=site.location,
            )
            add_exchange(g, grid, it, 1.0)
            if site.wue is not None:
                water = f"water/{site.datacenter}"
                add_process(
                    g,
                    water,
                    name=f"on-site cooling water, {site.datacenter_name}",
                    unit="L",
                    kind=NodeKind.WATER,
                    scope="operational",
                    flows={"water": 1.0},
                )
                add_exchange(g, water, it, v[site.wue], site.wue, _inventory_value(act, site.wue))
        add_process(g, name, name=phase.label, unit=phase.unit, kind=NodeKind.PHASE)
        g.phases[name] = PhaseRef(name, phase.amount, float(v[phase.amount]))
        for component, q in phase.energy.items():
            node = f"{name}/{component}"
            add_process(
                g,
                node,
                name=_COMPONENT_NAMES[component],
                unit="kWh",
                kind=NodeKind.COMPONENT,
                component=component,
                comment=COMPONENT_LABELS[component],
            )
            add_exchange(g, grid if component == Component.OVERHEAD else it, node, 1.0)
            add_exchange(g, node, name, v[q], q)
        _embodied(g, act, name)
    add_process(g, "system", name=f"life cycle: {study.functional_unit.name}", unit="unit", kind=NodeKind.SYSTEM)
    for use in act.uses:
        if use.consumer == "system" and "other" not in g:
            add_process(g, "other", name="other processes of the life cycle", unit="unit", kind=NodeKind.PHASE)
            g.phases["other"] = PhaseRef("other", None, 1.0)
        consumer = "other" if use.consumer == "system" else use.consumer
        use_site: Site | None = act.phases[use.consumer].site if use.consumer != "system" else None
        node = _user_process(g, act, use.process, use_site)
        if g.has_edge(node, consumer):
            raise StudyError(
                f"process '{use.process}' is attached to phase '{use.consumer}' twice",
                hint="give it once, with the summed amount",
            )
        add_exchange(g, node, consumer, v[use.amount], use.amount)
        g.nodes[node].setdefault("component", Component.OTHER)
    for ref in g.phases.values():
        add_exchange(g, ref.node, "system", ref.value, ref.amount)
    if study.background is not None:
        _link_background(g, study)
    return g


def _embodied(g: ProcessGraph, act: Activity, name: str) -> None:
    phase = act.phases[name]
    if phase.hardware_hours is None or not (phase.card_share or phase.server_share):
        return
    v = act.values
    node = f"{name}/{Component.EMBODIED}"
    add_process(
        g,
        node,
        name=_COMPONENT_NAMES[Component.EMBODIED],
        unit="h",
        kind=NodeKind.COMPONENT,
        component=Component.EMBODIED,
        comment=COMPONENT_LABELS[Component.EMBODIED],
    )
    add_exchange(g, node, name, v[phase.hardware_hours], phase.hardware_hours)
    hw = phase.hardware
    for ident, share, role in (
        (hw.server_embodied, phase.server_share, "server"),
        (hw.card_embodied, phase.card_share, "accelerator"),
    ):
        if ident is None or share is None:
            continue
        supplier = _manufacturing(g, act, ident)
        g.nodes[supplier].setdefault("roles", set()).add(role)
        add_exchange(g, supplier, node, v[share], share)


def _manufacturing(g: ProcessGraph, act: Activity, ident: str) -> str:
    node = f"manufacturing/{ident}"
    if node in g:
        return node
    spec = act.embodied[ident]
    v = act.values
    if spec.parts:
        add_process(
            g,
            node,
            name=spec.name,
            unit=spec.unit,
            kind=NodeKind.MANUFACTURING,
            comment=f"embodied record '{ident}': assembly",
        )
        for part, count in spec.parts:
            add_exchange(g, _manufacturing(g, act, part), node, count)
        return node
    add_process(
        g,
        node,
        name=spec.name,
        unit=spec.unit,
        kind=NodeKind.MANUFACTURING,
        scope="embodied",
        flows={c: v[q] for c, q in spec.impacts.items()},
        quantities=dict(spec.impacts),
        values={c: _inventory_value(act, q) for c, q in spec.impacts.items()},
        comment=f"embodied record '{ident}'",
    )
    return node


def _user_process(g: ProcessGraph, act: Activity, ident: str, site: Site | None) -> str:
    node = f"process/{ident}"
    if node in g:
        return node
    proc = act.processes[ident]
    v = act.values
    add_process(
        g,
        node,
        name=proc.name,
        unit=proc.unit,
        kind=NodeKind.USER,
        scope=proc.scope,
        flows={c: v[q] for c, q in proc.impacts.items()},
        quantities=dict(proc.impacts),
        values={c: _inventory_value(act, q) for c, q in proc.impacts.items()},
        comment=f"process record '{ident}'",
    )
    for supplier, amount in proc.inputs:
        if supplier == "electricity":
            if site is None:  # pragma: no cover - the activity layer refuses electricity outside a phase
                raise StudyError(f"process '{ident}' uses electricity outside a phase")
            add_exchange(g, _metered(g, act, site), node, amount)
        else:
            add_exchange(g, _user_process(g, act, supplier, site), node, amount)
    return node


def _metered(g: ProcessGraph, act: Activity, site: Site) -> str:
    """Electricity for a user process in a datacenter: 1 kWh to the IT equipment + (PUE - 1) kWh overhead."""
    node = f"electricity/{site.datacenter}@{site.grid}/metered"
    if node not in g:
        add_process(
            g,
            node,
            name=f"electricity used in {site.datacenter_name}, datacenter overhead included",
            unit="kWh",
            kind=NodeKind.ELECTRICITY,
        )
        add_exchange(g, f"electricity/{site.datacenter}@{site.grid}", node, 1.0)
        add_exchange(g, f"grid/{site.grid}", node, act.values[site.overhead_share], site.overhead_share)
    return node


def _link_background(g: ProcessGraph, study: Study) -> None:
    """Mark the processes that the background database replaces (grid mixes, hardware)."""
    bg = study.background
    if bg is None:  # pragma: no cover - the caller checks
        return
    roles: dict[str, list[str]] = {
        "grid": g.nodes_of(NodeKind.GRID),
        "server": [n for n, d in g.nodes(data=True) if "server" in d.get("roles", ())],
        "accelerator": [n for n, d in g.nodes(data=True) if "accelerator" in d.get("roles", ())],
    }
    for role, ref in bg.links.items():
        if not roles[role]:
            raise StudyError(
                f"background link '{role}' has no process to replace in this study",
                **study.where("background", "links", role),
            )
        for node in roles[role]:
            g.remove_edges_from(list(g.in_edges(node)))  # an assembly's parts are replaced too
            g.nodes[node]["background"] = ref.model_dump(exclude_none=True)
            g.nodes[node]["flows"] = {}
            g.nodes[node]["quantities"] = {}
            g.nodes[node]["values"] = {}
        g.note(NoteCode.LINK, f"{role} linked to background database '{bg.database}' of project '{bg.project}'", role)


def phase_components(graph: ProcessGraph, phase: str) -> list[tuple[str, dict[str, float]]]:
    """Split a phase's demand into its first-tier inputs (its boundary components).

    Returns ``(activity node, demand)`` pairs whose results sum exactly to the
    phase's result. With ``t`` the phase node, column ``t`` of the
    technosphere matrix is ``e_t - sum_k a_kt e_k``, so the supply for ``e_t``
    is ``e_t + sum_k a_kt A^-1 e_k``: exact with loops too, as long as ``t``
    has no flows and no self-loop of its own (then it is kept whole).
    """
    ref = graph.phases[phase]
    node, amount = ref.node, ref.value
    if graph.nodes[node]["flows"] or graph.has_edge(node, node):
        return [(node, {node: amount})]
    return [
        (supplier, {supplier: amount * data["amount"]}) for supplier, _, data in sorted(graph.in_edges(node, data=True))
    ]
