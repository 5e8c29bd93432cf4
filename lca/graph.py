"""Build the process graph of a study.

The graph is a :class:`networkx.DiGraph`. A node is a process: it makes one
unit of its reference product (``unit``) and may emit indicator flows
(``flows``: impact category -> amount per unit, already characterised). An
edge ``supplier -> consumer`` carries ``amount``: units of the supplier's
product used per unit of the consumer's product. A self-loop is allowed (a
process that uses some of its own product), and so is any cycle: the engine
solves the matrix system, it never walks a tree.

Node attributes: ``name``, ``unit``, ``scope`` (``embodied``/``operational``
for processes with flows), ``flows``, ``values`` (the cited
:class:`~lca.inventory.Value` behind each flow, for uncertainty), ``kind``.
Edge attributes: ``amount`` and optionally ``value`` (the cited Value).
Graph attributes: ``reference`` (the node of the whole life cycle),
``phases`` (phase -> (node, amount)), ``notes`` (modelling notes and
assumptions, reported with the results).

Typical chain for a training phase::

    training run <- accelerator time <- IT electricity (dynamic) <- electricity
                 |                   |                               at IT <- grid mix
                 |                   <- server manufacturing share
                 <- IT electricity (idle)  <- electricity at IT ...
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import networkx as nx

from .compute.architecture import Architecture
from .compute.flops import training_flops
from .compute.hardware import device_from_record
from .compute.operational import amortised_units, device_power
from .compute.roofline import Device, Efficiency, RequestEnergy, request_energy, training_run
from .errors import InputError, InventoryError, StudyError
from .measured import read_codecarbon
from .inventory import CATEGORIES, Registry, Value
from .inventory.profiles import read_profile, weighted_intensity
from .embodied.resolve import resolve_embodied
from .inventory.schema import AcceleratorRecord, ServerRecord
from .study import InferencePhase, PhaseBase, Study, TrainingPhase

__all__ = ["build_graph", "add_process", "add_exchange", "coverage_gaps", "DEFAULT_DATACENTER", "phase_components"]

DEFAULT_DATACENTER = "uptime-2024-average"


def add_process(
    graph: nx.DiGraph,
    node: str,
    *,
    name: str,
    unit: str,
    scope: str | None = None,
    flows: dict[str, float] | None = None,
    values: dict[str, Value] | None = None,
    kind: str = "activity",
) -> str:
    """Add a process node (idempotent for the same id)."""
    if node in graph:
        return node
    flows = {k: float(v) for k, v in (flows or {}).items() if v is not None}
    if flows and scope not in ("embodied", "operational"):
        raise ValueError(f"process {node!r} has flows but no scope")
    graph.add_node(node, name=name, unit=unit, scope=scope, flows=flows, values=values or {}, kind=kind)
    return node


def add_exchange(graph: nx.DiGraph, supplier: str, consumer: str, amount: float, value: Value | None = None) -> None:
    """Add ``amount`` of ``supplier``'s product per unit of ``consumer`` (summed if repeated)."""
    if graph.has_edge(supplier, consumer):
        graph[supplier][consumer]["amount"] += float(amount)
        graph[supplier][consumer]["value"] = None
    else:
        graph.add_edge(supplier, consumer, amount=float(amount), value=value)


def _note(notes: list[str], text: str) -> None:
    if text not in notes:
        notes.append(text)


_GAP_MARKERS = ("not included", "counted as 0", "excluded by the study")


def coverage_gaps(notes: Iterable[str]) -> list[str]:
    """The notes that say an impact is left out (no inventory, no factor, excluded)."""
    return [n for n in notes if any(m in n for m in _GAP_MARKERS)]


@dataclass
class _Hardware:
    accelerator: AcceleratorRecord
    server: ServerRecord | None
    accelerator_embodied: str | None  # id of an embodied record
    server_embodied: str | None
    lifetime: float | None
    utilisation: float
    registry: Registry


def _resolve_hardware(
    study: Study, reg: Registry, notes: list[str], phase: str | None = None, defaults: dict | None = None
) -> _Hardware:
    hw = study.hardware
    override = getattr(study, phase).accelerator if phase else None
    if override:
        acc: AcceleratorRecord = reg.get(override, "accelerator", **study.where(phase, "accelerator"))
    else:
        acc = reg.get(hw.accelerator, "accelerator", **study.where("hardware", "accelerator"))
    server: ServerRecord | None = None
    if hw.server:
        server = reg.get(hw.server, "server", **study.where("hardware", "server"))
    acc_emb_id = hw.accelerator_embodied or acc.embodied
    srv_emb_id = hw.server_embodied or (server.embodied if server else None)
    if acc_emb_id:
        reg.get(acc_emb_id, "embodied", **study.where("hardware", "accelerator_embodied"))
    if srv_emb_id:
        reg.get(srv_emb_id, "embodied", **study.where("hardware", "server_embodied"))
    acc_emb, srv_emb = acc_emb_id, srv_emb_id
    if not hw.include_embodied:
        acc_emb = srv_emb = None
        _note(notes, "embodied impacts excluded by the study (hardware.include_embodied: false)")
    if server is not None and server.includes_accelerators and hw.accelerator_embodied is None:
        acc_emb = None  # the server figure already holds the cards
    lifetime = hw.lifetime
    if lifetime is None and server is not None and server.lifetime is not None:
        lifetime = server.lifetime.value
        _note(notes, f"hardware lifetime {lifetime / 8766:.1f} years: default of server '{server.id}'")
        if defaults is not None:
            defaults["hardware.lifetime"] = server.lifetime
    utilisation = hw.utilisation
    if utilisation is None and server is not None and server.utilisation is not None:
        utilisation = server.utilisation.value
        _note(notes, f"hardware utilisation {utilisation:.0%}: default of server '{server.id}'")
        if defaults is not None:
            defaults["hardware.utilisation"] = server.utilisation
    if (acc_emb or srv_emb) and lifetime is None:
        raise StudyError(
            "embodied impacts need a hardware lifetime",
            hint="set hardware.lifetime (e.g. '5 years') or use a server with a default lifetime",
            **study.where("hardware"),
        )
    if not acc_emb and not srv_emb and hw.include_embodied:
        _note(notes, "no embodied (manufacturing) inventory given: embodied impacts are not included")
    else:
        if server is None:
            _note(notes, "no server platform given: host (CPU, memory, chassis) manufacturing is not included")
        if not acc_emb and hw.include_embodied and not (server is not None and server.includes_accelerators):
            _note(notes, f"accelerator '{acc.id}' has no embodied inventory: the manufacturing of the accelerators "
                         "is not included (give hardware.accelerator_embodied)")
    return _Hardware(acc, server, acc_emb, srv_emb, lifetime, utilisation if utilisation is not None else 1.0, reg)


def _profile_intensity(reg: Registry, study: Study, name: str, phase: PhaseBase, grid_id: str) -> float | None:
    """Load-weighted gwp100 of the grid's hourly profile, when the phase gives a load profile."""
    if phase.load_profile is None:
        return None
    where = study.where(name, "load_profile")
    entry = reg.entry(grid_id, "grid")
    if entry.record.profile is None:
        raise StudyError(f"grid '{grid_id}' has no hourly profile to combine with the load profile", **where)
    folder = entry.origin.folder
    path = (entry.origin.file.parent / entry.record.profile).resolve()
    if folder not in path.parents:
        raise InventoryError("a grid profile must lie inside its inventory folder", file=entry.origin.file,
                             value=entry.record.profile)
    try:
        ci = read_profile(path, "gwp100", "kg CO2e/kWh")
        load = read_profile(study.resolve_path(phase.load_profile), "load", None)
        value = weighted_intensity(ci, load)
    except ValueError as exc:
        raise StudyError(str(exc), **where) from None
    return value


def _electricity(
    graph: nx.DiGraph, reg: Registry, study: Study, grid_id: str, dc_id: str, loc: tuple, hourly: float | None = None
) -> str:
    """Nodes grid mix -> electricity at the IT equipment (PUE) <- on-site water (WUE).

    ``hourly``: a load-weighted gwp100 from hourly profiles, replacing the annual average.
    """
    grid = reg.grid(grid_id, **study.where(*loc, "grid"))
    if grid.gwp100 is None:
        raise StudyError(f"grid '{grid_id}' has no gwp100 intensity", **study.where(*loc, "grid"))
    grid_node = f"grid/{grid_id}"
    values = {c: getattr(grid, c) for c in CATEGORIES if getattr(grid, c) is not None}
    if hourly is not None:
        grid_node = f"grid/{grid_id}@hourly-{hourly:.6g}"
        values["gwp100"] = grid.gwp100.model_copy(update={
            "value": hourly, "range": None, "distribution": None,
            "source": f"load-weighted hourly profile of grid '{grid_id}' ({grid.gwp100.source})"})
        _note(graph.graph["notes"], f"grid '{grid_id}': load-weighted hourly intensity {hourly:.4g} kg CO2e/kWh "
                                    f"(annual average {grid.gwp100.value:.4g})")
    add_process(
        graph,
        grid_node,
        name=f"electricity, grid mix, {grid.name or grid_id}",
        unit="kWh",
        scope="operational",
        flows={c: v.value for c, v in values.items()},
        values=values,
        kind="grid",
    )
    if grid.market_based is not None and grid.market_based.gwp100 is not None:
        graph.nodes[grid_node]["market_gwp100"] = grid.market_based.gwp100.value
    missing = [c for c in CATEGORIES if c not in values]
    if missing and graph.nodes[grid_node].get("noted") is None:
        graph.nodes[grid_node]["noted"] = True
        graph.graph["notes"].append(f"grid '{grid_id}' has no factor for {', '.join(missing)}: counted as 0")
    dc = reg.get(dc_id, "datacenter", **study.where(*loc, "datacenter"))
    node = f"datacenter/{dc_id}@{grid_node[len('grid/'):]}"
    if node in graph:
        return node
    add_process(graph, node, name=f"electricity at the IT equipment, {dc.name or dc_id}", unit="kWh", kind="datacenter")
    add_exchange(graph, grid_node, node, dc.pue.value, dc.pue)
    if dc.wue is not None and dc.wue.value > 0:
        water = f"datacenter/{dc_id}/water"
        add_process(
            graph,
            water,
            name=f"on-site cooling water, {dc.name or dc_id}",
            unit="L",
            scope="operational",
            flows={"water": 1.0},
            kind="water",
        )
        add_exchange(graph, water, node, dc.wue.value, dc.wue)
    elif dc.wue is None:
        graph.graph["notes"].append(f"datacenter '{dc_id}' has no WUE: on-site water counted as 0")
    return node


def _embodied_node(graph: nx.DiGraph, reg: Registry, ident: str) -> str:
    """Manufacturing process of embodied record ``ident``; assemblies get one process per part."""
    node = f"manufacturing/{ident}"
    if node in graph:
        return node
    res = resolve_embodied(reg, ident)
    rec = res.record
    if res.parts:
        add_process(graph, node, name=f"manufacturing, {rec.name or rec.id}", unit=rec.unit, kind="manufacturing")
        for part, count in res.parts:
            add_exchange(graph, _embodied_node(graph, reg, part), node, count)
        return node
    add_process(
        graph,
        node,
        name=f"manufacturing, {rec.name or rec.id}",
        unit=rec.unit,
        scope="embodied",
        flows={c: v.value for c, v in res.impacts.items()},
        values=res.impacts,
        kind="manufacturing",
    )
    missing = [c for c in CATEGORIES if c not in res.impacts]
    if missing:
        _note(graph.graph["notes"], f"embodied inventory '{ident}' gives no {', '.join(missing)}: counted as 0")
    return node


def _amortise(graph: nx.DiGraph, hw: _Hardware, consumer: str) -> None:
    """Per hour of accelerator time: a share of the server and of the card."""
    if hw.lifetime is None:
        return
    per_hour = amortised_units(1.0, hw.lifetime, hw.utilisation)
    roles = graph.graph.setdefault("embodied_roles", {"server": [], "accelerator": []})
    if hw.server_embodied is not None:
        n = hw.server.accelerators if hw.server is not None else 1
        node = _embodied_node(graph, hw.registry, hw.server_embodied)
        add_exchange(graph, node, consumer, per_hour / n)
        if node not in roles["server"]:
            roles["server"].append(node)
    if hw.accelerator_embodied is not None:
        node = _embodied_node(graph, hw.registry, hw.accelerator_embodied)
        add_exchange(graph, node, consumer, per_hour)
        if node not in roles["accelerator"]:
            roles["accelerator"].append(node)


def _default(reg: Registry, ident: str) -> float:
    return float(reg.get(ident, "parameter").value.value)


def _phase_power(phase: PhaseBase, hw: _Hardware, study: Study, name: str, reg: Registry) -> float | None:
    if phase.average_power is not None:
        return phase.average_power
    if phase.utilisation is not None:
        acc = hw.accelerator
        if acc.tdp is None:
            raise StudyError(
                f"accelerator '{acc.id}' has no published TDP: 'utilisation' cannot give its power",
                hint="give the measured 'average_power' instead",
                **study.where(name, "utilisation"),
            )
        idle = acc.idle_power.value if acc.idle_power else _default(reg, "default-idle-power-fraction") * acc.tdp.value
        return device_power(acc.tdp.value, phase.utilisation, idle)
    return None


def _device(reg: Registry, study: Study, name: str, hw: _Hardware, precision: str) -> Device:
    try:
        return device_from_record(hw.accelerator, precision, _default(reg, "default-idle-power-fraction"))
    except InventoryError as exc:
        raise StudyError(exc.message, valid=exc.valid, hint=exc.hint, **study.where(name, "precision")) from None


def _modelled_training(graph: nx.DiGraph, reg: Registry, study: Study, phase: TrainingPhase, hw: _Hardware) -> tuple[float, float]:
    """Accelerator-hours and mean power per device of a training phase given by tokens."""
    arch: Architecture = reg.get(study.model, "model", **study.where("model"))  # type: ignore[arg-type]
    if arch.encoder_layers and phase.target_length is None:
        raise StudyError(
            f"model '{arch.id}' is an encoder-decoder: training needs 'target_length' (decoder tokens per example)",
            **study.where("training"),
        )
    if phase.sequence_length > arch.max_context and not arch.encoder_layers:  # type: ignore[operator]
        raise StudyError(
            f"sequence_length is beyond the context of model '{arch.id}'",
            value=phase.sequence_length,
            valid=f"at most {arch.max_context}",
            **study.where("training", "sequence_length"),
        )
    device = _device(reg, study, "training", hw, phase.precision)
    flops = training_flops(
        arch, phase.tokens, phase.sequence_length, recompute=phase.recompute, target_length=phase.target_length  # type: ignore[arg-type]
    )
    if phase.achieved_flops is not None:
        rate = {"achieved_flops": phase.achieved_flops}
        how = f"measured {phase.achieved_flops / 1e12:g} TFLOP/s per device"
    else:
        mfu = phase.mfu if phase.mfu is not None else _default(reg, "default-training-mfu")
        if phase.mfu is None:
            graph.graph["defaults"]["training.mfu"] = reg.get("default-training-mfu", "parameter").value
        rate = {"mfu": mfu}
        how = f"MFU {mfu:.0%}" + (" (default)" if phase.mfu is None else "")
    power = _phase_power(phase, hw, study, "training", reg)
    util = _default(reg, "default-training-power-utilisation")
    run = training_run(
        flops.model,
        flops.hardware,
        device,
        accelerators=phase.accelerators,
        utilisation=util,
        average_power=power,
        **rate,
    )
    duration = f", {run.duration / 24:.1f} days on {phase.accelerators} devices" if run.duration else ""
    _note(
        graph.graph["notes"],
        f"training modelled: {flops.model:.3g} model FLOPs ({flops.hardware:.3g} executed) on "
        f"{device.name} at {how} -> {run.accelerator_hours:,.0f} accelerator-hours{duration}, "
        f"{run.power:.0f} W per device",
    )
    graph.graph["compute"]["training"] = {"flops": flops, "run": run, "device": device}
    return run.accelerator_hours, run.power


def _modelled_inference(
    graph: nx.DiGraph, reg: Registry, study: Study, phase: InferencePhase, hw: _Hardware
) -> RequestEnergy:
    arch: Architecture = reg.get(study.model, "model", **study.where("model"))  # type: ignore[arg-type]
    if arch.encoder_layers:
        raise StudyError(
            f"inference is modelled for decoder-only models; '{arch.id}' is an encoder-decoder",
            **study.where("model"),
        )
    total = int(phase.prompt_tokens) + int(phase.output_tokens)  # type: ignore[arg-type]
    if total > arch.max_context:
        raise StudyError(
            "prompt_tokens + output_tokens is beyond the model's context",
            value=total,
            valid=f"at most {arch.max_context} for '{arch.id}'",
            **study.where("inference", "prompt_tokens"),
        )
    device = _device(reg, study, "inference", hw, phase.precision)
    eff = Efficiency(
        compute=phase.compute_efficiency or _default(reg, "default-prefill-mfu"),
        memory=phase.memory_efficiency or _default(reg, "default-decode-mbu"),
    )
    energy = request_energy(
        arch,
        device,
        int(phase.prompt_tokens),  # type: ignore[arg-type]
        int(phase.output_tokens),  # type: ignore[arg-type]
        phase.batch_size,
        devices=phase.devices,
        eff=eff,
        precision=phase.precision,
        kv_precision=phase.kv_precision,
        average_power=phase.average_power,
    )
    _note(
        graph.graph["notes"],
        f"inference modelled: {arch.name or arch.id} on {energy.devices} x {device.name}, batch "
        f"{phase.batch_size}: {energy.prefill_energy * 1000:.4g} Wh prefill + {energy.decode_energy * 1000:.4g} Wh "
        f"decode per request at the devices ({energy.decode_memory_bound:.0%} of decode steps memory-bound)",
    )
    graph.graph["compute"]["inference"] = {"energy": energy, "device": device, "efficiency": eff}
    return energy


def _accelerator_time(graph: nx.DiGraph, hw: _Hardware, phase: str, label: str, hours_per_unit: float) -> str:
    """The accelerator-time process of a phase: hours per unit of the phase, with its hardware share."""
    node = f"{phase}/accelerator-time"
    add_process(graph, node, name=label, unit="h")
    add_exchange(graph, node, phase, hours_per_unit)
    _amortise(graph, hw, node)
    return node


def _phase_source(phase: PhaseBase) -> str:
    """How a phase's activity is known: measured, or modelled by the compute model."""
    if getattr(phase, "modelled", False):
        return "modelled (compute model: FLOPs, bytes, roofline)"
    if getattr(phase, "codecarbon", None):
        return "measured (CodeCarbon emissions.csv: " + ", ".join(phase.codecarbon) + ")"  # type: ignore[union-attr]
    if getattr(phase, "energy", None) is not None or getattr(phase, "energy_per_request", None) is not None:
        return "measured energy"
    return "accelerator time and power"


def _add_phase(graph: nx.DiGraph, reg: Registry, study: Study, name: str, phase: PhaseBase) -> None:
    hw = _resolve_hardware(study, reg, graph.graph["notes"], name, graph.graph["defaults"])
    dc_id = phase.datacenter or study.datacenter
    if dc_id is None:
        dc_id = DEFAULT_DATACENTER
        dc = reg.get(dc_id, "datacenter")
        _note(graph.graph["notes"], f"no datacenter given: using '{dc_id}' (PUE {dc.pue.value:g}, {dc.pue.source})")
    grid_id = phase.grid or study.grid
    if grid_id is None:
        grid_id = reg.get(dc_id, "datacenter", **study.where("datacenter")).grid
        if grid_id is None:
            raise StudyError(
                "no grid given, and the datacenter names none",
                hint="set 'grid' to a grid id (lca inventory list grid)",
                **study.where(name),
            )
        _note(graph.graph["notes"], f"grid '{grid_id}': the grid of datacenter '{dc_id}'")
    elec = _electricity(graph, reg, study, grid_id, dc_id, (name,) if phase.grid or phase.datacenter else (),
                        _profile_intensity(reg, study, name, phase, grid_id))
    graph.graph["electricity"][name] = elec
    inference = isinstance(phase, InferencePhase)
    per = phase.total_requests if inference else 1.0  # type: ignore[union-attr]
    top = name
    if inference:
        add_process(graph, top, name="inference, one request", unit="request", kind="phase")
    else:
        add_process(graph, top, name="training run", unit="run", kind="phase")
    graph.graph["phases"][name] = (top, per)
    graph.graph.setdefault("phase_sources", {})[name] = _phase_source(phase)
    host = 1.0 + phase.host_overhead
    acc_label = f"accelerator time, {hw.accelerator.name or hw.accelerator.id}"

    if isinstance(phase, TrainingPhase) and phase.modelled:
        busy_hours, power = _modelled_training(graph, reg, study, phase, hw)
    else:
        busy_hours = phase.total_accelerator_hours
        power = _phase_power(phase, hw, study, name, reg)
    if not inference and power is None and phase.energy is None and phase.codecarbon is None:  # type: ignore[union-attr]
        raise StudyError(
            "training needs the device power",
            hint="give 'average_power' (measured mean W per accelerator) or 'utilisation' (of TDP)",
            **study.where(name),
        )
    provisioned: float | None = None
    if inference and phase.modelled:  # type: ignore[union-attr]
        energy = _modelled_inference(graph, reg, study, phase, hw)  # type: ignore[arg-type]
        for part, kwh in (("prefill", energy.prefill_energy), ("decode", energy.decode_energy)):
            node = f"{name}/{part}"
            add_process(graph, node, name=f"IT electricity, {part} (devices + host)", unit="kWh")
            add_exchange(graph, elec, node, 1.0)
            add_exchange(graph, node, top, kwh * host)
        provisioned = busy_hours
        busy_hours = energy.device_hours * per
        _accelerator_time(graph, hw, name, acc_label + " (busy)", busy_hours / per)
    elif busy_hours is not None:
        acc_node = _accelerator_time(graph, hw, name, acc_label, busy_hours / per)
        if power is not None:
            dynamic = f"{name}/dynamic"
            add_process(graph, dynamic, name="IT electricity, accelerators in use (dynamic)", unit="kWh")
            add_exchange(graph, elec, dynamic, 1.0)
            add_exchange(graph, dynamic, acc_node, power * host / 1000.0)
    measured = phase.energy_per_request if inference else phase.energy  # type: ignore[union-attr]
    label = "IT electricity, measured (devices + host)"
    if phase.codecarbon is not None:
        paths = [study.resolve_path(p) for p in phase.codecarbon]
        try:
            cc = read_codecarbon(paths)
        except InputError as exc:
            raise exc.located(field=f"{name}.codecarbon") from None
        measured = cc.energy / per
        label = f"IT electricity, measured by CodeCarbon ({cc.runs} runs)"
        _note(graph.graph["notes"], f"{name}: {cc.describe()}")
        if cc.accelerator_hours is not None and busy_hours is None:
            busy_hours = cc.accelerator_hours
            _accelerator_time(graph, hw, name, acc_label + " (CodeCarbon duration x gpu_count)", busy_hours / per)
    if measured is not None:
        dynamic = f"{name}/dynamic"
        add_process(graph, dynamic, name=label, unit="kWh")
        add_exchange(graph, elec, dynamic, 1.0)
        add_exchange(graph, dynamic, top, measured)
        if busy_hours is None:
            _note(graph.graph["notes"], f"{name} gives measured energy but no accelerator time: "
                                        "its embodied share is not included")

    idle_hours = phase.provisioned_idle_hours
    if provisioned is not None:
        if provisioned < busy_hours * (1 - 1e-9):
            raise StudyError(
                "the provisioned accelerator time is shorter than the time the requests keep the devices busy",
                value=f"{provisioned:,.0f} h provisioned",
                valid=f"at least {busy_hours:,.0f} h for {per:,.0f} requests",
                **study.where(name),
            )
        idle_hours = (idle_hours or 0.0) + provisioned - busy_hours
    if phase.idle_energy is not None or idle_hours:
        idle = f"{name}/idle"
        add_process(graph, idle, name="IT electricity, idle and provisioned capacity", unit="kWh")
        add_exchange(graph, elec, idle, 1.0)
        if phase.idle_energy is not None:
            add_exchange(graph, idle, top, phase.idle_energy / per)
        if idle_hours:
            acc = hw.accelerator
            if acc.idle_power is not None:
                idle_w = acc.idle_power.value
            elif acc.tdp is not None:
                idle_w = _default(reg, "default-idle-power-fraction") * acc.tdp.value
            else:
                raise StudyError(
                    f"accelerator '{acc.id}' has neither idle power nor TDP for the idle capacity",
                    hint="give 'idle_energy' instead",
                    **study.where(name),
                )
            prov = f"{name}/provisioned"
            add_process(graph, prov, name="accelerator time, provisioned but idle", unit="h")
            add_exchange(graph, idle, prov, idle_w * host / 1000.0)
            _amortise(graph, hw, prov)
            add_exchange(graph, prov, top, idle_hours / per)


def _user_process(graph: nx.DiGraph, reg: Registry, ident: str, elec: str | None, where: dict) -> str:
    """Add user process ``ident`` (kind 'process') and, recursively, its inputs."""
    node = f"process/{ident}"
    if node in graph:
        return node
    rec = reg.get(ident, "process", **where)
    values = {c: getattr(rec.impacts, c) for c in CATEGORIES if getattr(rec.impacts, c) is not None}
    add_process(graph, node, name=rec.name or rec.id, unit=rec.unit, scope=rec.scope,
                flows={c: v.value for c, v in values.items()}, values=values, kind="user")
    for item in rec.inputs:
        if item.input == "electricity":
            if elec is None:
                raise StudyError(f"process '{ident}' uses 'electricity' but is attached to no phase", **where)
            supplier = elec
        else:
            supplier = _user_process(graph, reg, item.input, elec, where)
        add_exchange(graph, supplier, node, item.amount)
    return node


def build_graph(study: Study, registry: Registry) -> nx.DiGraph:
    """The process graph of ``study`` with data resolved through ``registry``."""
    graph = nx.DiGraph(name=study.name, reference="system", phases={}, notes=[], compute={}, electricity={},
                       defaults={})
    for name, phase in study.phases():
        _add_phase(graph, registry, study, name, phase)
    add_process(graph, "system", name=f"life cycle: {study.functional_unit.name}", unit="unit", kind="system")
    for i, use in enumerate(study.processes):
        where = study.where("processes", i, "process")
        if use.phase == "system" and "other" not in graph:
            add_process(graph, "other", name="other processes of the life cycle", unit="unit", kind="phase")
            graph.graph["phases"]["other"] = ("other", 1.0)
        consumer = "other" if use.phase == "system" else graph.graph["phases"][use.phase][0]
        elec = graph.graph["electricity"].get(use.phase)
        add_exchange(graph, _user_process(graph, registry, use.process, elec, where), consumer, use.amount)
    for _phase, (node, amount) in graph.graph["phases"].items():
        add_exchange(graph, node, "system", amount)
    if study.background is not None:
        _link_background(graph, study)
    return graph


def _link_background(graph: nx.DiGraph, study: Study) -> None:
    """Mark the processes that the background database replaces (grid mixes, hardware)."""
    bg = study.background
    if bg is None:  # pragma: no cover - checked by the caller
        return
    embodied = graph.graph.get("embodied_roles", {})
    roles: dict[str, list[str]] = {
        "grid": [n for n, d in graph.nodes(data=True) if d.get("kind") == "grid"],
        "server": list(embodied.get("server", [])),
        "accelerator": list(embodied.get("accelerator", [])),
    }
    for role, ref in bg.links.items():
        if not roles[role]:
            raise StudyError(f"background link '{role}' has no process to replace in this study",
                             **study.where("background", "links", role))
        for node in roles[role]:
            graph.remove_edges_from(list(graph.in_edges(node)))  # an assembly's parts are replaced too
            graph.nodes[node]["background"] = ref.model_dump(exclude_none=True)
            graph.nodes[node]["flows"] = {}
            graph.nodes[node]["values"] = {}
        graph.graph["notes"].append(
            f"{role} linked to background database '{bg.database}' of project '{bg.project}'"
        )


def phase_components(graph: nx.DiGraph, phase: str) -> list[tuple[str, dict[str, float]]]:
    """Split a phase's demand into its first-tier inputs.

    Returns ``(activity node, demand)`` pairs whose results sum exactly to the
    phase's result, so that results can be shown per activity (dynamic energy,
    idle energy, accelerator time ...). With ``t`` the phase node, column ``t``
    of the technosphere matrix is ``e_t - sum_k a_kt e_k``, so the supply for
    ``e_t`` is ``e_t + sum_k a_kt A^-1 e_k``: exact with loops too, as long as
    ``t`` has no flows and no self-loop of its own (then it is kept whole).
    """
    node, amount = graph.graph["phases"][phase]
    if graph.nodes[node]["flows"] or graph.has_edge(node, node):
        return [(node, {node: amount})]
    return [
        (supplier, {supplier: amount * data["amount"]})
        for supplier, _, data in sorted(graph.in_edges(node, data=True))
    ]
