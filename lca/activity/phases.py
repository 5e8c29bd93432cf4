"""Activity data of a phase: energy per boundary component, hardware time, per unit of the phase.

Every phase is split into the same boundary components, each an amount per
unit of the phase (one training run, one request):

* ``accelerators``: IT energy of the accelerators while they work [kWh];
* ``host``: IT energy of the servers' CPUs, memory, network and fans [kWh];
* ``idle``: IT energy of provisioned capacity that waits [kWh];
* ``it``: accelerators + host, when a measurement covers both together [kWh];
* ``overhead``: the datacenter's energy beyond the IT load, ``(PUE - 1) x IT``
  (or measured) [kWh at the meter];
* ``embodied``: accelerator-hours (busy + provisioned) that carry the share of
  hardware manufacturing [h].

How each is known depends on what the study gives (the *route*): measured
energy (a total with its ``energy_scope``, or per component), CodeCarbon
files, accelerator time with power, or the compute model (training from
tokens, serving from prompt and output tokens). Each value is a quantity of
the activity model: an input (study, default, inventory) or a derived value
with its formula. The formulas are numpy expressions, so that sweeps and
Monte Carlo evaluate them for many scenarios at once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..compute.architecture import Architecture
from ..compute.batching import (
    Schedule,
    batching_energy,
    disaggregated_energy,
    histogram_mean,
    request_lengths,
    schedule,
)
from ..compute.flops import training_flops
from ..compute.memory import kv_cache_bytes, kv_copies, weight_bytes
from ..compute.serving import ServingEnergy, max_batch, replica_devices, serving_energy
from ..errors import InputError, InventoryError, StudyError
from ..inventory import CATEGORIES
from ..inventory.profiles import read_histogram, read_profile, weighted_intensity
from ..inventory.schema import GridRecord
from ..measured import read_codecarbon
from ..study import EnergySplit, InferencePhase, PhaseBase, Study, TrainingPhase
from .hardware import Hardware, check_peak, resolve_hardware
from .inputs import InputTable
from .quantity import Component, NoteCode, Quantity, ValueOrigin

__all__ = ["PhaseActivity", "Site", "resolve_phase", "Step", "DEFAULT_DATACENTER"]

DEFAULT_DATACENTER = "uptime-2024-average"
IT_COMPONENTS = (Component.ACCELERATORS, Component.HOST, Component.IDLE, Component.IT)

Step = Callable[[dict[str, Any]], None]


@dataclass(frozen=True)
class Site:
    """Where a phase draws its electricity: grid mix and datacenter."""

    grid: str  # node key of the grid mix (the grid id, or id@hourly for a load-weighted profile)
    grid_id: str
    grid_name: str
    factors: dict[str, str]  # category -> quantity name of the grid's factor per kWh
    market_gwp100: float | None  # contractual (market-based) factor [kg CO2e/kWh]
    datacenter: str
    datacenter_name: str
    pue: str  # quantity name
    wue: str | None  # quantity name [L/kWh IT]
    overhead_share: str  # quantity name: PUE - 1 [kWh at the meter per kWh IT]
    location: str = "GLO"  # ISO 3166-1 alpha-2 code of the grid's country (ecoinvent's location codes), or GLO


@dataclass
class PhaseActivity:
    """The structure of one phase and the names of its quantities."""

    name: str
    unit: str  # "run" or "request"
    label: str
    source: str  # how the activity is known
    site: Site
    hardware: Hardware
    amount: str  # quantity: units of the phase in the life cycle
    energy: dict[Component, str] = field(default_factory=dict)  # component -> kWh per unit
    hardware_hours: str | None = None  # accelerator-hours per unit carrying the embodied share
    card_share: str | None = None  # cards per accelerator-hour
    server_share: str | None = None  # servers per accelerator-hour
    reported: dict[str, str] = field(default_factory=dict)  # label -> quantity shown in reports (not impacts)
    compute: dict[str, Any] = field(default_factory=dict)  # static summary of the compute model


class _Builder:
    """Collects the quantities and formulas of one phase."""

    def __init__(self, study: Study, table: InputTable, name: str, phase: PhaseBase) -> None:
        self.study, self.table, self.p, self.phase = study, table, name, phase
        self.steps: list[Step] = []
        self.covered: set[Component] = set()  # components whose datacenter overhead is measured

    def calc(self, name: str, unit: str, label: str, formula: str, fn: Callable[..., Any], *deps: str | None) -> str:
        """A derived quantity ``name = fn(*deps)``."""
        if any(d is None for d in deps):  # pragma: no cover - a wiring bug, not an input error
            raise RuntimeError(f"{name}: a quantity it depends on was not resolved")
        self.table.derive(name, unit, label, formula)

        def step(v: dict[str, Any], name=name, fn=fn, deps=deps) -> None:
            v[name] = fn(*(v[d] for d in deps))

        self.steps.append(step)
        return name

    def need(self, fieldname: str, unit: str, label: str, **kwargs: Any) -> str:
        """The phase field ``fieldname`` as an input; the caller knows the study gives it."""
        name = self.field(fieldname, unit, label, **kwargs)
        if name is None:  # pragma: no cover - a wiring bug, not an input error
            raise RuntimeError(f"{self.p}.{fieldname} is not given")
        return name

    def field(
        self, fieldname: str, unit: str, label: str, *, measured: bool = False, continuous: bool = True
    ) -> str | None:
        """The phase field ``fieldname`` as an input, if the study gives it."""
        value = getattr(self.phase, fieldname)
        if value is None:
            return None
        return self.table.study(
            f"{self.p}.{fieldname}", float(value), unit, label, measured=measured, continuous=continuous
        )

    def where(self, *loc: Any) -> dict[str, Any]:
        return self.study.where(self.p, *loc)

    def gap(self, text: str) -> None:
        self.table.notes.add(NoteCode.GAP, text, self.p)


def resolve_site(b: _Builder) -> Site:
    study, table, p, phase = b.study, b.table, b.p, b.phase
    reg = table.registry
    dc_id = phase.datacenter or study.datacenter
    loc = (p,) if phase.grid or phase.datacenter else ()
    if dc_id is None:
        dc_id = DEFAULT_DATACENTER
        dc = reg.get(dc_id, "datacenter")
        table.notes.add(
            NoteCode.DEFAULT,
            f"no datacenter given: using '{dc_id}' (PUE {dc.pue.value:g}, {dc.pue.source})",
            "datacenter",
        )
    dc = reg.get(dc_id, "datacenter", **study.where(*loc, "datacenter"))
    grid_id = phase.grid or study.grid
    if grid_id is None:
        grid_id = dc.grid
        if grid_id is None:
            raise StudyError(
                "no grid given, and the datacenter names none",
                hint="set 'grid' to a grid id (lca inventory list grid)",
                **study.where(p),
            )
        table.notes.add(NoteCode.DEFAULT, f"grid '{grid_id}': the grid of datacenter '{dc_id}'", "grid")
    grid = reg.grid(grid_id, **study.where(*loc, "grid"))
    if grid.gwp100 is None:
        raise StudyError(f"grid '{grid_id}' has no gwp100 intensity", **study.where(*loc, "grid"))
    factors = {}
    label = grid.name or grid_id
    for cat in CATEGORIES:
        value = getattr(grid, cat)
        if value is not None:
            factors[cat] = table.inventory("grid", grid_id, cat, value, f"{cat} per kWh of the grid mix {label}")
    missing = [c for c in CATEGORIES if c not in factors]
    if missing:
        table.notes.add(
            NoteCode.GAP,
            f"grid '{grid_id}' has no factor for {', '.join(missing)}: the electricity's "
            f"{', '.join(missing)} is not included",
            grid_id,
        )
    key = grid_id
    hourly = _profile_intensity(study, table, p, phase, grid_id)
    if hourly is not None:
        key = f"{grid_id}@hourly"
        value = grid.gwp100.model_copy(
            update={
                "value": hourly,
                "range": None,
                "distribution": None,
                "source": f"load-weighted hourly profile of grid '{grid_id}' ({grid.gwp100.source})",
            }
        )
        factors["gwp100"] = table.inventory(
            "grid", key, "gwp100", value, f"gwp100 per kWh of {label}, weighted by the load profile"
        )
        table.notes.add(
            NoteCode.INFO,
            f"grid '{grid_id}': load-weighted hourly intensity {hourly:.4g} kg CO2e/kWh "
            f"(annual average {grid.gwp100.value:.4g})",
            grid_id,
        )
    market = grid.market_based.gwp100.value if grid.market_based and grid.market_based.gwp100 else None
    pue = table.inventory("datacenter", dc_id, "pue", dc.pue, f"PUE of {dc.name or dc_id}")
    wue = None
    if dc.wue is not None and dc.wue.value > 0:
        wue = table.inventory("datacenter", dc_id, "wue", dc.wue, f"on-site water per kWh IT, {dc.name or dc_id}")
    elif dc.wue is None:
        table.notes.add(
            NoteCode.GAP, f"datacenter '{dc_id}' has no WUE: on-site (cooling) water is not included", dc_id
        )
    share = b.calc(
        f"datacenter:{dc_id}.overhead_share",
        "",
        "datacenter overhead per kWh of IT load",
        "PUE - 1",
        lambda u: u - 1.0,
        pue,
    )
    location = _location(reg, grid_id)  # WORLD has no alpha-2 record: GLO
    return Site(key, grid_id, grid.name or grid_id, factors, market, dc_id, dc.name or dc_id, pue, wue, share, location)


def _location(reg: Any, grid_id: str) -> str:
    """The ecoinvent/Brightway location code of a grid: its country's ISO alpha-2 code, else ``GLO``.

    Country records are named by their alpha-2 code (``FR``) and give the alpha-3
    code (``FRA``); another grid gives its country's alpha-3 code or builds on a
    country record (``base``).
    """
    grids = {e.record.id: e.record for e in reg.entries("grid")}
    alpha2 = {r.country: i for i, r in grids.items() if len(i) == 2 and i.isupper() and r.country}
    current: str | None = grid_id
    seen: set[str] = set()
    while current is not None and current not in seen and current in grids:
        seen.add(current)
        rec = grids[current]
        if rec.country in alpha2:
            return alpha2[rec.country]
        current = rec.base
    return "GLO"


def _profile_intensity(study: Study, table: InputTable, p: str, phase: PhaseBase, grid_id: str) -> float | None:
    """Load-weighted gwp100 of the grid's hourly profile, when the phase gives a load profile."""
    if phase.load_profile is None:
        return None
    reg = table.registry
    where = study.where(p, "load_profile")
    entry = reg.entry(grid_id, "grid")
    record: GridRecord = entry.record  # type: ignore[assignment]
    if record.profile is None:
        raise StudyError(f"grid '{grid_id}' has no hourly profile to combine with the load profile", **where)
    folder = entry.origin.folder
    path = (entry.origin.file.parent / record.profile).resolve()
    if folder not in path.parents:
        raise InventoryError(
            "a grid profile must lie inside its inventory folder", file=entry.origin.file, value=record.profile
        )
    try:
        ci = read_profile(path, "gwp100", "kg CO2e/kWh")
        load = read_profile(study.resolve_path(phase.load_profile, f"{p}.load_profile"), "load", None)
        return weighted_intensity(ci, load)
    except ValueError as exc:
        raise StudyError(str(exc), **where) from None


# ---------------------------------------------------------------- the phase


def resolve_phase(study: Study, table: InputTable, name: str, phase: PhaseBase) -> tuple[PhaseActivity, list[Step]]:
    """The activity of phase ``name`` and the formulas that compute it."""
    b = _Builder(study, table, name, phase)
    p = name
    site = resolve_site(b)
    hw = resolve_hardware(study, table, p)
    measured_only = (
        (phase.measured_energy is not None or phase.codecarbon is not None)
        and phase.total_accelerator_hours is None
        and not getattr(phase, "modelled", False)
    )
    if phase.accelerator is not None and measured_only and phase.codecarbon is None:
        raise StudyError(
            "'accelerator' changes nothing in a phase given by measured energy without accelerator "
            "time (the accelerator only sets the embodied share of that time)",
            hint="give the accelerator time ('accelerator_hours' or 'accelerators' and 'duration'), "
            "or drop 'accelerator'",
            **study.where(p, "accelerator"),
        )
    inference = isinstance(phase, InferencePhase)
    amount = _amount(b, inference)
    act = PhaseActivity(
        p,
        "request" if inference else "run",
        "inference, one request" if inference else "training run",
        _source(phase),
        site,
        hw,
        amount,
    )
    if isinstance(phase, TrainingPhase) and phase.modelled:
        _modelled_training(b, act, phase)
    elif isinstance(phase, InferencePhase) and phase.modelled:
        _modelled_inference(b, act, phase)
    elif phase.codecarbon is not None:
        _codecarbon(b, act)
    elif phase.measured_energy is not None:
        _measured(b, act)
    else:
        _time_and_power(b, act)
    _idle(b, act)
    _overhead(b, act)
    _embodied(b, act)
    return act, b.steps


def _source(phase: PhaseBase) -> str:
    if getattr(phase, "modelled", False):
        return "modelled (compute model: FLOPs, bytes, roofline)"
    if phase.codecarbon:
        return "measured (CodeCarbon emissions.csv: " + ", ".join(phase.codecarbon) + ")"
    if phase.measured_energy is not None:
        return "measured energy"
    return "accelerator time and power"


def _amount(b: _Builder, inference: bool) -> str:
    p, _phase = b.p, b.phase
    if not inference:
        return b.calc(f"{p}.amount", "run", "training runs in the life cycle", "1", lambda: 1.0)
    requests = b.field("requests", "request", "requests served")
    if requests is not None:
        return b.calc(f"{p}.amount", "request", "requests served", "requests", lambda r: r, requests)
    rpd = b.field("requests_per_day", "request/day", "requests per day")
    dur = b.field("duration", "h", "deployment duration")
    return b.calc(
        f"{p}.amount",
        "request",
        "requests served",
        "requests_per_day x duration / 24",
        lambda r, d: r * d / 24.0,
        rpd,
        dur,
    )


def accelerator_power(b: _Builder, acc: Any, field_name: str) -> tuple[str, str]:
    """Quantity names of the accelerator's TDP and idle power [W] (idle: the record's, else a share of TDP)."""
    table = b.table
    if acc.tdp is None:
        raise StudyError(
            f"accelerator '{acc.id}' has no published TDP, which '{field_name}' needs",
            hint="give the measured 'average_power' instead, or an inventory record with the TDP",
            **b.where(field_name),
        )
    tdp = table.inventory("accelerator", acc.id, "tdp", acc.tdp, f"TDP of {acc.name or acc.id}")
    if acc.idle_power is not None:
        idle = table.inventory(
            "accelerator", acc.id, "idle_power", acc.idle_power, f"idle power of {acc.name or acc.id}"
        )
        return tdp, idle
    share = table.parameter("default-idle-power-fraction", "accelerator idle power, share of TDP")
    idle = b.calc(
        f"accelerator:{acc.id}.idle_power",
        "W",
        f"idle power of {acc.name or acc.id}",
        "default idle share x TDP",
        lambda f, t: f * t,
        share,
        tdp,
    )
    return tdp, idle


def _busy_total(b: _Builder) -> str | None:
    """Accelerator-hours of the phase as given [h]."""
    hours = b.field("accelerator_hours", "h", "accelerator-hours")
    if hours is not None:
        return hours
    if b.phase.accelerators is None or b.phase.duration is None:
        return None
    n = b.field("accelerators", "", "accelerators")
    d = b.field("duration", "h", "duration")
    return b.calc(
        f"{b.p}.accelerator_hours_total", "h", "accelerator-hours", "accelerators x duration", lambda a, t: a * t, n, d
    )


def _host_power(b: _Builder, act: PhaseActivity, device_power: str | None) -> str | None:
    """Host power per accelerator [W]: host_overhead x device power, or the server's host power."""
    p = b.p
    overhead = b.field("host_overhead", "", "host power / accelerator power")
    if overhead is not None:
        if b.phase.host_overhead == 0:
            b.gap("host (CPU, memory, network) energy excluded by the study (host_overhead: 0)")
        if device_power is None:
            raise StudyError(
                "'host_overhead' is a share of the accelerators' power, which this phase does not give",
                hint="give the host's energy in the measured split, or drop host_overhead",
                **b.where("host_overhead"),
            )
        return b.calc(
            f"{p}.host_power",
            "W",
            "host power per accelerator",
            "host_overhead x accelerator power",
            lambda o, w: o * w,
            overhead,
            device_power,
        )
    server = act.hardware.server
    if server is not None and server.host_power is not None:
        n = server.accelerators
        hp = b.table.record_default(
            f"server:{server.id}.host_power",
            "server",
            server.id,
            "host_power",
            server.host_power,
            f"host power of one {server.name or server.id} ({n} accelerators; all but the accelerators)",
        )
        return b.calc(
            f"{p}.host_power", "W", "host power per accelerator", f"server host power / {n}", lambda w: w / n, hp
        )
    b.gap(
        "host (CPU, memory, network, fans) energy is not included: give hardware.server with a host power, "
        "or host_overhead"
    )
    return None


def _device_power(b: _Builder, act: PhaseActivity, default_load: str | None) -> str:
    """Mean power per accelerator while it works [W]: measured, or idle + load x (TDP - idle)."""
    p = b.p
    measured = b.field("average_power", "W", "mean power per accelerator", measured=True)
    if measured is not None:
        return measured
    load = b.field("load", "", "device load between idle and TDP")
    if load is None:
        if default_load is None:
            raise StudyError(
                "this phase needs the device power",
                hint="give 'average_power' (measured mean W per accelerator) or 'load' (0-1)",
                **b.where(),
            )
        load = b.table.default(f"{p}.load", default_load, "device load between idle and TDP")
    tdp, idle = accelerator_power(b, act.hardware.accelerator, "load")
    return b.calc(
        f"{p}.device_power",
        "W",
        "mean power per accelerator",
        "idle + load x (TDP - idle)",
        lambda u, t, i: i + u * (t - i),
        load,
        tdp,
        idle,
    )


def _it_from_power(b: _Builder, act: PhaseActivity, busy: str, power: str) -> None:
    """Energy components of ``busy`` accelerator-hours per unit at ``power`` W per accelerator."""
    p = b.p
    if b.phase.energy_scope == "it":
        act.energy[Component.IT] = b.calc(
            f"{p}.energy.it",
            "kWh",
            "IT energy (accelerators + host) per unit",
            "busy hours x power (host included) / 1000",
            lambda h, w: h * w / 1000.0,
            busy,
            power,
        )
        b.table.notes.add(NoteCode.INFO, f"{p}: 'average_power' includes the host (energy_scope: it)", p)
        return
    act.energy[Component.ACCELERATORS] = b.calc(
        f"{p}.energy.accelerators",
        "kWh",
        "accelerator energy per unit",
        "busy hours x power / 1000",
        lambda h, w: h * w / 1000.0,
        busy,
        power,
    )
    host = _host_power(b, act, power)
    if host is not None:
        act.energy[Component.HOST] = b.calc(
            f"{p}.energy.host",
            "kWh",
            "host energy per unit",
            "busy hours x host power / 1000",
            lambda h, w: h * w / 1000.0,
            busy,
            host,
        )


def _time_and_power(b: _Builder, act: PhaseActivity) -> None:
    """Accelerator time and power per accelerator (measured or from the load)."""
    p = b.p
    total = _busy_total(b)
    busy = b.calc(
        f"{p}.busy_hours",
        "h",
        "busy accelerator-hours per unit",
        "accelerator-hours / amount",
        lambda h, a: h / a,
        total,
        act.amount,
    )
    act.hardware_hours = busy
    power = _device_power(b, act, None)
    _it_from_power(b, act, busy, power)


def _measured(b: _Builder, act: PhaseActivity) -> None:
    """Measured energy: a total with its scope, or per component."""
    p = b.p
    measured = b.phase.measured_energy
    per_request = isinstance(b.phase, InferencePhase)
    fieldname = "energy_per_request" if per_request else "energy"
    total = _busy_total(b)
    if total is not None:
        act.hardware_hours = b.calc(
            f"{p}.busy_hours",
            "h",
            "busy accelerator-hours per unit",
            "accelerator-hours / amount",
            lambda h, a: h / a,
            total,
            act.amount,
        )
    else:
        b.gap(f"{p} gives measured energy but no accelerator time: its embodied share is not included")

    def per_unit(key: str, component: str, formula: str = "") -> str:
        return b.calc(
            f"{p}.energy.{component}",
            "kWh",
            f"{component} energy per unit",
            (formula or key) + ("" if per_request else " / amount"),
            lambda e, a: e if per_request else e / a,
            key,
            act.amount,
        )

    if isinstance(measured, EnergySplit):
        for component, amount in measured.given().items():
            key = b.table.study(
                f"{p}.{fieldname}.{component}",
                amount,
                "kWh",
                f"measured {component} energy" + (" per request" if per_request else ""),
                measured=True,
            )
            act.energy[Component(component)] = per_unit(key, component)
        if Component.OVERHEAD in act.energy:
            b.covered.update(act.energy)
        if Component.ACCELERATORS in act.energy and Component.HOST not in act.energy:
            _host_of_measured(b, act)
        return
    if measured is None:  # pragma: no cover - the caller routes phases with a measured energy here
        raise StudyError("no measured energy", **b.where())
    given = b.table.study(f"{p}.{fieldname}", float(measured), "kWh", "measured energy", measured=True)
    scope = b.phase.energy_scope
    if scope == "accelerators":
        act.energy[Component.ACCELERATORS] = per_unit(given, "accelerators")
        _host_of_measured(b, act)
    elif scope == "it":
        act.energy[Component.IT] = per_unit(given, "it")
    else:  # facility: the meter reading holds the overhead; split it with the datacenter's PUE
        pue = act.site.pue
        it = b.calc(
            f"{p}.{fieldname}.it",
            "kWh",
            "measured energy less datacenter overhead",
            f"{fieldname} / PUE",
            lambda e, u: e / u,
            given,
            pue,
        )
        act.energy[Component.IT] = per_unit(it, "it")
        ovh = b.calc(
            f"{p}.{fieldname}.overhead",
            "kWh",
            "datacenter overhead in the measured energy",
            f"{fieldname} x (1 - 1 / PUE)",
            lambda e, u: e * (1.0 - 1.0 / u),
            given,
            pue,
        )
        act.energy[Component.OVERHEAD] = per_unit(ovh, "overhead")
        b.covered.update({Component.IT, Component.OVERHEAD})


def _host_of_measured(b: _Builder, act: PhaseActivity) -> None:
    """The host beside a measured accelerator energy: host_overhead x it, or the server's host power x time."""
    p = b.p
    acc_energy = act.energy[Component.ACCELERATORS]
    overhead = b.field("host_overhead", "", "host power / accelerator power")
    if overhead is not None:
        if b.phase.host_overhead == 0:
            b.gap("host (CPU, memory, network) energy excluded by the study (host_overhead: 0)")
        act.energy[Component.HOST] = b.calc(
            f"{p}.energy.host",
            "kWh",
            "host energy per unit",
            "host_overhead x accelerator energy",
            lambda o, e: o * e,
            overhead,
            acc_energy,
        )
        return
    if act.hardware_hours is None:
        b.gap(
            f"{p}: the host's energy (host power x accelerator time) is not included: give the accelerator time "
            "or host_overhead"
        )
        return
    host = _host_power(b, act, None)
    if host is not None:
        act.energy[Component.HOST] = b.calc(
            f"{p}.energy.host",
            "kWh",
            "host energy per unit",
            "busy hours x host power / 1000",
            lambda h, w: h * w / 1000.0,
            act.hardware_hours,
            host,
        )


def _codecarbon(b: _Builder, act: PhaseActivity) -> None:
    """CodeCarbon files: GPU energy (accelerators) and CPU + RAM energy (host)."""
    p = b.p
    paths = [b.study.resolve_path(f, f"{p}.codecarbon") for f in b.phase.codecarbon or ()]
    try:
        cc = read_codecarbon(paths)
    except InputError as exc:
        raise exc.located(field=f"{p}.codecarbon") from None
    b.table.notes.add(NoteCode.INFO, f"{p}: {cc.describe()}", p)
    gpu = b.table.study(f"{p}.codecarbon.gpu_energy", cc.gpu_energy, "kWh", "GPU energy (CodeCarbon)", measured=True)
    host = b.table.study(
        f"{p}.codecarbon.cpu_ram_energy",
        cc.cpu_energy + cc.ram_energy,
        "kWh",
        "CPU + RAM energy (CodeCarbon)",
        measured=True,
    )
    act.energy[Component.ACCELERATORS] = b.calc(
        f"{p}.energy.accelerators",
        "kWh",
        "accelerator energy per unit",
        "GPU energy / amount",
        lambda e, a: e / a,
        gpu,
        act.amount,
    )
    act.energy[Component.HOST] = b.calc(
        f"{p}.energy.host",
        "kWh",
        "host energy per unit",
        "(CPU + RAM energy) / amount",
        lambda e, a: e / a,
        host,
        act.amount,
    )
    total = _busy_total(b)
    if total is None and cc.accelerator_hours is not None:
        total = b.table.study(
            f"{p}.codecarbon.accelerator_hours",
            cc.accelerator_hours,
            "h",
            "CodeCarbon duration x gpu_count",
            measured=True,
        )
    if total is not None:
        act.hardware_hours = b.calc(
            f"{p}.busy_hours",
            "h",
            "busy accelerator-hours per unit",
            "accelerator-hours / amount",
            lambda h, a: h / a,
            total,
            act.amount,
        )
    else:
        b.gap(f"{p} gives measured energy but no accelerator time: its embodied share is not included")


def _modelled_training(b: _Builder, act: PhaseActivity, phase: TrainingPhase) -> None:
    p, table, study = b.p, b.table, b.study
    arch: Architecture = table.registry.get(study.model, "model", **study.where("model"))  # type: ignore[arg-type]
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
    b.field("sequence_length", "token", "tokens per training sequence", continuous=False)
    b.field("target_length", "token", "decoder tokens per example", continuous=False)
    if phase.target_length is not None and not arch.encoder_layers:
        raise StudyError(
            f"'target_length' is for encoder-decoder models; '{arch.id}' is decoder-only",
            **study.where(p, "target_length"),
        )
    precision = phase.precision or "bf16"
    if phase.precision is None:
        table.notes.add(
            NoteCode.DEFAULT,
            "training precision: bf16 (the format of every bundled model's "
            "published training; give 'precision' to change it)",
            f"{p}.precision",
        )
    acc = act.hardware.accelerator
    check_peak(acc, precision, study, p)
    flops = training_flops(
        arch,
        float(phase.tokens or 0.0),
        int(phase.sequence_length or 0),
        recompute=phase.recompute,
        target_length=phase.target_length,
    )
    per_token = flops.model / flops.tokens
    tokens = b.field("tokens", "token", "training tokens")
    peak = table.inventory(
        "accelerator",
        acc.id,
        f"peak_flops.{precision}",
        acc.peak_flops[precision],
        f"dense peak of {acc.name or acc.id} at {precision}",
    )
    if phase.achieved_flops is not None:
        rate = b.field("achieved_flops", "FLOP/s", "measured model FLOP/s per device", measured=True)
        how = f"measured {phase.achieved_flops / 1e12:g} TFLOP/s per device"
        hours = b.calc(
            f"{p}.accelerator_hours_total",
            "h",
            "accelerator-hours",
            "tokens x model FLOPs per token / achieved FLOP/s / 3600",
            lambda t, r: t * per_token / r / 3600.0,
            tokens,
            rate,
        )
    else:
        mfu = b.field("mfu", "", "model FLOPs utilisation")
        if mfu is None:
            mfu = table.default(f"{p}.mfu", "default-training-mfu", "model FLOPs utilisation")
        how = f"MFU {table.inputs[mfu].value:.0%}" + (" (default)" if phase.mfu is None else "")
        hours = b.calc(
            f"{p}.accelerator_hours_total",
            "h",
            "accelerator-hours",
            "tokens x model FLOPs per token / (MFU x peak) / 3600",
            lambda t, m, pk: t * per_token / (m * pk) / 3600.0,
            tokens,
            mfu,
            peak,
        )
    act.hardware_hours = b.calc(
        f"{p}.busy_hours", "h", "busy accelerator-hours per unit", "accelerator-hours", lambda h: h, hours
    )
    ratio = flops.hardware / flops.model
    act.reported["hardware FLOPs executed"] = b.calc(
        f"{p}.hardware_flops",
        "FLOP",
        "FLOPs executed (model FLOPs + recomputation)",
        f"tokens x model FLOPs per token x {ratio:.6g} (recompute: {phase.recompute})",
        lambda t: t * per_token * ratio,
        tokens,
    )
    if phase.accelerators is not None:
        n = b.field("accelerators", "", "accelerators used at once")
        act.reported["wall-clock duration [h]"] = b.calc(
            f"{p}.wall_clock",
            "h",
            "wall-clock duration",
            "accelerator-hours / accelerators",
            lambda h, a: h / a,
            hours,
            n,
        )
    power = _device_power(b, act, "default-training-power-utilisation")
    _it_from_power(b, act, act.hardware_hours, power)
    act.compute = {
        "model": arch.id,
        "model_flops": flops.model,
        "hardware_flops": flops.hardware,
        "precision": precision,
        "rate": how,
    }


@dataclass
class _RequestMix:
    """The requests a continuous-batching phase plays through the scheduler, and its schedules by batch."""

    prompts: np.ndarray
    outputs: np.ndarray
    max_batched_tokens: int
    prefill_share: float | None = None  # disaggregated: share of the devices that prefill
    where: dict[str, Any] = field(default_factory=dict)  # the study's batching block, for errors
    schedules: dict[tuple[int, str], Schedule] = field(default_factory=dict)


def _lengths(b: _Builder, which: str, mean: int, spec: Any, count: int, seed: int) -> np.ndarray:
    if spec is None:
        return np.full(count, mean, dtype=np.int64)
    bins, weights = spec.bins, spec.weights
    where = f"{b.p}.batching.{which}_lengths"
    if spec.family == "histogram" and spec.file is not None:
        bins, weights = read_histogram(b.study.resolve_path(spec.file, f"{where}.file"))
    if spec.family == "histogram" and spec.record is not None:
        rec = b.table.registry.get(spec.record, "length_histogram", **b.where("batching", f"{which}_lengths", "record"))
        bins, weights = rec.bins, rec.weights
        b.table.notes.add(
            NoteCode.INFO,
            f"{which} lengths drawn from '{spec.record}' ({sum(rec.weights):,.0f} requests counted; their mean "
            f"{rec.mean.value:,.0f} tokens; source: {rec.mean.source or rec.source})",
            where,
        )
    if spec.family == "histogram":
        hist_mean = histogram_mean(bins, weights)
        if abs(hist_mean - mean) > max(0.01 * mean, 0.5):  # 1 %, or half a token for short lengths
            shown = f"{hist_mean:,.0f}" if abs(hist_mean - round(hist_mean)) < 0.05 else f"{hist_mean:,.1f}"
            raise StudyError(
                f"the histogram of {which} lengths has a mean of {shown} tokens, not the phase's {which}_tokens",
                value=mean,
                hint=f"set {which}_tokens to {round(hist_mean)}: the mean request is what every per-token result uses",
                **b.where(f"{which}_tokens"),
            )
    return request_lengths(spec.family, mean, count, seed, sigma=spec.sigma, bins=bins, weights=weights)


BATCHING_REQUESTS = 1000  # requests played through the scheduler when the study does not say


def _setting(b: _Builder, field_: str, given: int | None, default: int, unit: str, label: str) -> int:
    """A numerical setting of the batching simulation: the study's, or ai-lca's default (recorded as one)."""
    name = f"{b.p}.batching.{field_}"
    if given is not None:
        b.table.study(name, given, unit, label, continuous=False)
        return int(given)
    b.table.add(Quantity(name, float(default), unit, ValueOrigin.DEFAULT, "ai-lca setting of the scheduler simulation",
                         label, continuous=False))  # fmt: skip
    b.table.notes.add(
        NoteCode.DEFAULT, f"{label}: {default:,} (ai-lca's setting; give batching.{field_} to change it)", name
    )
    return default


def _request_mix(b: _Builder, arch: Architecture, phase: InferencePhase, prompt: int, output: int) -> _RequestMix:
    """Draw the requests of a continuous-batching phase (recorded as inputs; lengths beyond the context cut)."""
    spec = phase.batching
    assert spec is not None
    table, p = b.table, b.p
    table.study(f"{p}.batching.max_batched_tokens", spec.max_batched_tokens, "token", "token budget per engine step",
                continuous=False)  # fmt: skip
    drawn = any(d is not None and d.family != "fixed" for d in (spec.prompt_lengths, spec.output_lengths))
    count = _setting(
        b, "requests", spec.requests, BATCHING_REQUESTS, "request", "requests played through the scheduler"
    )
    seed = _setting(b, "seed", spec.seed, 0, "", "seed of the drawn request lengths") if drawn else 0
    for which, dist in (("prompt", spec.prompt_lengths), ("output", spec.output_lengths)):
        if dist is not None and dist.sigma is not None:
            table.study(f"{p}.batching.{which}_lengths.sigma", dist.sigma, "", f"log-sd of {which} lengths",
                        continuous=False)  # fmt: skip
    prompts = _lengths(b, "prompt", prompt, spec.prompt_lengths, count, seed)
    outputs = _lengths(b, "output", output, spec.output_lengths, count, seed + 1)
    cut = int(np.count_nonzero(prompts + outputs > arch.max_context))
    prompts = np.minimum(prompts, arch.max_context - 1)
    outputs = np.minimum(outputs, arch.max_context - prompts)
    table.notes.add(
        NoteCode.MODEL,
        f"continuous batching: {count} requests (prompts mean {prompts.mean():.0f}, "
        f"p95 {np.percentile(prompts, 95):.0f} tokens; outputs mean {outputs.mean():.0f}, "
        f"p95 {np.percentile(outputs, 95):.0f}) through a scheduler with a {spec.max_batched_tokens}-token "
        "step budget (chunked prefill) and at most batch_size running sequences; memory fit is checked "
        "at the mean context" + (f"; {cut} drawn requests cut to the model's context" if cut else ""),
        p,
    )
    share = None
    if spec.disaggregation is not None:
        share = spec.disaggregation.prefill_share
        table.study(f"{p}.batching.disaggregation.prefill", spec.disaggregation.prefill, "", "prefill devices (ratio)",
                    continuous=False)  # fmt: skip
        table.study(f"{p}.batching.disaggregation.decode", spec.disaggregation.decode, "", "decode devices (ratio)",
                    continuous=False)  # fmt: skip
        table.notes.add(
            NoteCode.MODEL,
            f"prefill/decode disaggregation: {share:.0%} of the devices prefill, {1 - share:.0%} decode; the pool "
            "that waits for the other is charged at idle power; the KV-cache transfer between pools is not counted",
            p,
        )
    return _RequestMix(prompts, outputs, spec.max_batched_tokens, share, b.where("batching"))


def _link_bandwidth(b: _Builder, acc: Any, phase: InferencePhase, devices: float) -> float | None:
    """One direction of a device's link for tensor-parallel all-reduces [B/s], with a note; None if unknown."""
    link = acc.interconnect_bandwidth
    if link is None:
        if devices > 1:
            b.gap(
                f"accelerator '{acc.id}' gives no interconnect bandwidth: the tensor-parallel communication "
                f"of the {devices:g}-device replica is not included"
            )
        return None
    if devices > 1:
        b.table.notes.add(
            NoteCode.MODEL,
            f"tensor parallelism over {devices:g} devices: two ring all-reduces of the activations per layer, "
            f"at {link.value / 2:g} GB/s per direction (half of {acc.interconnect or 'the link'}'s "
            f"{link.value:g} GB/s, a bidirectional total; {link.source})",
            b.p,
        )
    return float(link.value) * 1e9 / 2.0


EXACT_LIMITS = 32  # distinct batch limits scheduled exactly (a sweep); more (Monte Carlo) are interpolated
_GRID_STEP = 0.25  # interpolation grid: batch limits 2^(k/4)


def _schedule_for(
    arch: Architecture, mix: _RequestMix, limit: int, precision: str, kv_precision: str, pool: str = "both"
) -> Schedule:
    """The schedule of ``pool``: "both" (one engine), "prefill" or "decode" (disaggregated pools)."""
    if (limit, pool) not in mix.schedules:
        try:
            mix.schedules[(limit, pool)] = schedule(
                arch,
                mix.prompts,
                np.zeros_like(mix.outputs) if pool == "prefill" else mix.outputs,
                max_seqs=limit,
                max_batched_tokens=mix.max_batched_tokens,
                precision=precision,
                kv_precision=kv_precision,
                prefilled=pool == "decode",
            )
        except ValueError as exc:  # a mix the scheduler cannot play (too many steps)
            raise StudyError(
                str(exc), hint="a larger max_batched_tokens, or fewer batching.requests", **mix.where
            ) from None
    return mix.schedules[(limit, pool)]


def _energy_for(
    arch: Architecture, mix: _RequestMix, limit: int, precision: str, kv_precision: str, device: dict, scenario: dict
) -> ServingEnergy:
    if mix.prefill_share is None:
        return batching_energy(_schedule_for(arch, mix, limit, precision, kv_precision), **device, **scenario)
    return disaggregated_energy(
        _schedule_for(arch, mix, limit, precision, kv_precision, "prefill"),
        _schedule_for(arch, mix, limit, precision, kv_precision, "decode"),
        mix.prefill_share,
        **device,
        **scenario,
    )


def _continuous(
    arch: Architecture, mix: _RequestMix, batch: Any, precision: str, kv_precision: str, device: dict, scenario: dict
) -> ServingEnergy:
    """Energy per request under continuous batching.

    Up to :data:`EXACT_LIMITS` distinct batch limits (a run, a sweep) get a
    schedule each. Monte Carlo samples whose limit varies with the sampled
    usable memory are interpolated, linearly in 1 / limit, between schedules at
    limits ``round(2^(k/4))`` around them (tested within 1 % of the exact
    schedule), so a 1,000-sample run needs a handful of schedules, not one per sample.
    """
    batches = np.asarray(batch, dtype=float).reshape(-1)
    limits = np.maximum(1, np.floor(batches)).astype(np.int64)
    distinct = np.unique(limits)
    if distinct.size == 1 and limits.size == 1:
        return _energy_for(arch, mix, int(limits[0]), precision, kv_precision, device, scenario)
    size = np.broadcast(*(np.asarray(x) for x in scenario.values() if x is not None), batches).shape
    n = size[0] if size else 1
    limits = np.broadcast_to(limits, (n,))
    cols = {k: (None if x is None else np.broadcast_to(np.asarray(x, dtype=float).reshape(-1), (n,))) for k, x in
            scenario.items()}  # fmt: skip
    if distinct.size <= EXACT_LIMITS:
        lower, upper, weight = limits, limits, np.ones(n)
    else:
        k_lo = np.floor(np.log2(limits) / _GRID_STEP + 1e-9)
        lower = np.minimum(limits, np.round(2.0 ** (k_lo * _GRID_STEP))).astype(np.int64)
        upper = np.maximum(limits, np.round(2.0 ** ((k_lo + 1) * _GRID_STEP))).astype(np.int64)
        with np.errstate(invalid="ignore", divide="ignore"):
            weight = np.where(upper == lower, 1.0, (1.0 / limits - 1.0 / upper) / (1.0 / lower - 1.0 / upper))
    parts = {name: np.zeros(n) for name in _PER_SCENARIO}
    last: ServingEnergy | None = None
    for limit in np.unique(np.concatenate([lower, upper])):
        w = np.where(lower == limit, weight, 0.0) + np.where((upper == limit) & (upper != lower), 1.0 - weight, 0.0)
        rows = np.flatnonzero(w > 0)
        if rows.size == 0:
            continue
        sub: dict[str, Any] = {k: (None if x is None else x[rows]) for k, x in cols.items()}
        last = _energy_for(arch, mix, int(limit), precision, kv_precision, device, sub)
        for name in _PER_SCENARIO:
            parts[name][rows] += w[rows] * np.broadcast_to(getattr(last, name), rows.shape)
    assert last is not None
    return ServingEnergy(
        prefill_energy=parts["prefill_energy"],
        decode_energy=parts["decode_energy"],
        prefill_time=parts["prefill_time"],
        decode_time=parts["decode_time"],
        device_hours=parts["device_hours"],
        devices=parts["devices"],
        decode_memory_bound=parts["decode_memory_bound"],
        prefill_flops=last.prefill_flops,  # FLOPs per request do not depend on the batch limit
        decode_flops=last.decode_flops,
        decode_bytes=parts["decode_bytes"],
        output_tokens=last.output_tokens,
    )


_PER_SCENARIO = (
    "prefill_energy",
    "decode_energy",
    "prefill_time",
    "decode_time",
    "device_hours",
    "devices",
    "decode_memory_bound",
    "decode_bytes",
)


def _modelled_inference(b: _Builder, act: PhaseActivity, phase: InferencePhase) -> None:
    p, table, study = b.p, b.table, b.study
    arch: Architecture = table.registry.get(study.model, "model", **study.where("model"))  # type: ignore[arg-type]
    if arch.encoder_layers:
        raise StudyError(
            f"inference is modelled for decoder-only models; '{arch.id}' is an encoder-decoder", **study.where("model")
        )
    prompt, output = int(phase.prompt_tokens), int(phase.output_tokens)  # type: ignore[arg-type]
    b.field("prompt_tokens", "token", "prompt tokens per request", continuous=False)
    b.field("output_tokens", "token", "output tokens per request", continuous=False)
    context = prompt + output
    if context > arch.max_context:
        raise StudyError(
            "prompt_tokens + output_tokens is beyond the model's context",
            value=context,
            valid=f"at most {arch.max_context} for '{arch.id}'",
            **study.where(p, "prompt_tokens"),
        )
    precision = phase.precision or "bf16"
    kv_precision = phase.kv_precision or "bf16"
    for fieldname, given in (("precision", phase.precision), ("kv_precision", phase.kv_precision)):
        if given is None:
            table.notes.add(
                NoteCode.DEFAULT,
                f"serving {fieldname}: bf16 (the released weights' format of every "
                f"bundled model; give '{fieldname}' to change it)",
                f"{p}.{fieldname}",
            )
    acc = act.hardware.accelerator
    check_peak(acc, precision, study, p)
    mem = acc.memory.value * 1e9  # type: ignore[union-attr]
    peak = acc.peak_flops[precision].value
    bandwidth = acc.memory_bandwidth.value * 1e9  # type: ignore[union-attr]
    usable = table.parameter("default-memory-usable", "usable share of accelerator memory (weights + KV cache)")
    usable_value = table.inputs[usable].value
    weights = weight_bytes(arch, precision)
    kv_seq = kv_cache_bytes(arch, context, kv_precision)
    given_batch = b.field("batch_size", "request", "requests per batch")
    # devices of a replica: given, or the fewest (power of two) that hold the weights and the batch
    # (one sequence when the batch is left to the default)
    devices: str
    if phase.devices is not None:
        devices = b.need("devices", "", "devices per model replica", continuous=False)
        n_static = float(phase.devices)
    else:
        n0 = replica_devices(arch, weights, kv_seq, phase.batch_size or 1, mem, usable_value)
        n_static = float(n0)
        devices = table.derive(
            f"{p}.devices",
            "",
            "devices per model replica",
            "fewest (power of two) whose usable memory holds weights + batch x KV cache (its copies included)",
        )

        def n_devices(v: dict[str, Any], name=devices) -> None:
            b_ = v[given_batch] if given_batch is not None else 1.0
            v[name] = replica_devices(arch, weights, kv_seq, b_, mem, v[usable])

        b.steps.append(n_devices)
        table.notes.add(
            NoteCode.DEFAULT,
            f"{p}: {int(n0)} x {acc.name or acc.id} per replica, the fewest that hold "
            f"the weights ({weights / 1e9:.1f} GB) and "
            f"{phase.batch_size or 1} sequence(s) of {context} tokens",
            f"{p}.devices",
        )
    fit = b.calc(
        f"{p}.max_batch",
        "request",
        "largest batch that fits in memory",
        "floor((devices x memory x usable - weights) / (KV cache per sequence x its copies))",
        lambda n, u: max_batch(arch, mem, n, u, context, precision, kv_precision),
        devices,
        usable,
    )
    _kv_copies_note(table, p, arch, n_static)
    if given_batch is not None:
        batch = given_batch
    else:
        cap = table.parameter("default-max-num-seqs", "serving engine's maximum sequences per batch")
        batch = b.calc(
            f"{p}.batch_size",
            "request",
            "requests per batch",
            "min(largest batch that fits, engine maximum sequences)",
            lambda f, c: np.minimum(f, np.floor(c)),
            fit,
            cap,
        )

    def check_fit(v: dict[str, Any]) -> None:
        bad = np.asarray(v[batch], dtype=float) > np.asarray(v[fit], dtype=float)
        small = np.asarray(v[batch], dtype=float) < 1
        if not v.get("__strict__", True):  # a sample: the engine runs the largest batch that fits
            v[batch] = np.maximum(np.minimum(v[batch], v[fit]), 1.0)
            return
        if np.any(bad) or np.any(small):
            i = int(np.argmax(bad | small)) if np.ndim(bad) else 0
            fits = float(np.ravel(v[fit])[i] if np.ndim(v[fit]) else v[fit])
            n = float(np.ravel(v[devices])[i] if np.ndim(v[devices]) else v[devices])
            weights_gb, kv_gb = weights / 1e9, kv_seq * kv_copies(arch, n) / 1e9
            raise StudyError(
                f"the batch does not fit in the memory of {n:g} x {acc.name or acc.id}: weights {weights_gb:.1f} GB + "
                f"{kv_gb:.2f} GB of KV cache per sequence of {context} tokens",
                value=float(np.ravel(v[batch])[i] if np.ndim(v[batch]) else v[batch]),
                valid=(
                    f"at most {fits:g} requests per batch"
                    if fits >= 1
                    else "no batch: give more 'devices' or a shorter context"
                ),
                **study.where(p, "batch_size" if phase.batch_size is not None else "devices"),
            )

    b.steps.append(check_fit)
    ce = b.field("compute_efficiency", "", "prefill compute efficiency (MFU)")
    if ce is None:
        ce = table.default(f"{p}.compute_efficiency", "default-prefill-mfu", "prefill compute efficiency (MFU)")
    me = b.field("memory_efficiency", "", "decode memory-bandwidth efficiency (MBU)")
    if me is None:
        me = table.default(f"{p}.memory_efficiency", "default-decode-mbu", "decode memory-bandwidth efficiency (MBU)")
    measured = b.field("average_power", "W", "mean power per accelerator", measured=True)
    tdp, idle = accelerator_power(b, acc, "precision")
    memory_power = None
    if measured is None:
        memory_power = table.parameter(
            "default-memory-bound-power", "power in a memory-bound step per unit of bandwidth utilisation"
        )
    serve = f"{p}.serving"

    device: dict[str, Any] = {
        "peak_flops": peak,
        "bandwidth": bandwidth,
        "link_bandwidth": _link_bandwidth(b, acc, phase, n_static),
    }
    mix = _request_mix(b, arch, phase, prompt, output) if phase.batching is not None else None

    def run_serving(v: dict[str, Any]) -> None:
        scenario = {
            "devices": v[devices],
            "compute_efficiency": v[ce],
            "memory_efficiency": v[me],
            "tdp": v[tdp],
            "idle_power": v[idle],
            "average_power": None if measured is None else v[measured],
            "memory_power": 1.0 if memory_power is None else v[memory_power],
        }
        if mix is None:
            v[serve] = serving_energy(
                arch,
                prompt_tokens=prompt,
                output_tokens=output,
                batch=v[batch],
                precision=precision,
                kv_precision=kv_precision,
                **device,
                **scenario,
            )
        else:
            v[serve] = _continuous(arch, mix, v[batch], precision, kv_precision, device, scenario)

    b.steps.append(run_serving)

    def pick(attr: str) -> Callable[[Any], Any]:
        return lambda s: _scalar(getattr(s, attr))

    acc_energy = b.calc(
        f"{p}.energy.accelerators",
        "kWh",
        "accelerator energy per request",
        "prefill + decode energy at the devices (roofline)",
        pick("energy"),
        serve,
    )
    act.energy[Component.ACCELERATORS] = acc_energy
    busy = b.calc(
        f"{p}.busy_hours",
        "h",
        "busy accelerator-hours per request",
        "device time of the request",
        pick("device_hours"),
        serve,
    )
    for attr, label, unit in (
        ("prefill_energy", "prefill energy per request", "kWh"),
        ("decode_energy", "decode energy per request", "kWh"),
        ("decode_memory_bound", "share of decode steps that are memory-bound", ""),
    ):
        act.reported[label] = b.calc(f"{p}.{attr}", unit, label, "roofline", pick(attr), serve)
    act.hardware_hours = busy
    power = b.calc(
        f"{p}.device_power",
        "W",
        "mean power per accelerator while busy",
        "accelerator energy / busy hours x 1000",
        lambda e, h: e / h * 1000.0,
        acc_energy,
        busy,
    )
    act.reported["output tokens per second per replica"] = b.calc(
        f"{p}.tokens_per_second",
        "token/s",
        "output tokens per second per replica",
        "output tokens per request / (busy hours x 3600 / devices)",
        lambda s: s.output_tokens / (_scalar(s.device_hours) * 3600.0 / _scalar(s.devices)),
        serve,
    )
    if measured is None:
        act.reported["mean device utilisation (power model)"] = b.calc(
            f"{p}.device_utilisation",
            "",
            "mean device utilisation (power model)",
            "(mean power - idle) / (TDP - idle)",
            lambda w, lo, hi: (w - lo) / (hi - lo),
            power,
            idle,
            tdp,
        )
    host = _host_power(b, act, power if phase.host_overhead is not None else None)
    if host is not None:
        act.energy[Component.HOST] = b.calc(
            f"{p}.energy.host",
            "kWh",
            "host energy per request",
            "busy hours x host power / 1000",
            lambda h, w: h * w / 1000.0,
            busy,
            host,
        )
    provisioned = _busy_total(b)
    if provisioned is not None:
        act.compute["provisioned"] = provisioned

        def check_capacity(v: dict[str, Any]) -> None:
            spare = np.asarray(v[provisioned] - v[busy] * v[act.amount], dtype=float)
            if v.get("__strict__", True) and np.any(spare < -1e-9 * np.asarray(v[provisioned])):
                i = int(np.argmin(spare)) if spare.ndim else 0
                need = float(
                    np.ravel(v[busy] * v[act.amount])[i]
                    if np.ndim(v[busy] * v[act.amount])
                    else v[busy] * v[act.amount]
                )
                raise StudyError(
                    "the provisioned accelerator time is shorter than the time the requests keep the devices busy",
                    value=f"{float(np.ravel(v[provisioned])[i] if np.ndim(v[provisioned]) else v[provisioned]):,.0f} "
                    "h provisioned",
                    valid=f"at least {need:,.0f} h for the requests",
                    **study.where(p),
                )

        b.steps.append(check_capacity)
        act.compute["idle_hours"] = b.calc(
            f"{p}.provisioned_idle",
            "h",
            "provisioned idle accelerator-hours per request",
            "(provisioned hours - busy hours x requests) / requests",
            lambda t, h, a: np.maximum(t / a - h, 0.0),
            provisioned,
            busy,
            act.amount,
        )
    else:
        b.gap(
            f"{p}: idle and provisioned capacity is not included: give the deployment's 'accelerators' and "
            "'duration' (or 'accelerator_hours')"
        )
    act.compute.update(
        {
            "model": arch.id,
            "prompt_tokens": prompt,
            "output_tokens": output,
            "precision": precision,
            "kv_precision": kv_precision,
            "accelerator": acc.name or acc.id,
        }
    )


def _scalar(x: Any) -> Any:
    a = np.asarray(x, dtype=float)
    return float(a[0]) if a.size == 1 else a


def _idle(b: _Builder, act: PhaseActivity) -> None:
    """Idle and provisioned capacity: measured IT energy, or idle hours x (idle power + host power)."""
    p, _phase = b.p, b.phase
    parts: list[str] = []
    idle_energy = b.field("idle_energy", "kWh", "measured idle/provisioned IT energy", measured=True)
    if idle_energy is not None:
        parts.append(
            b.calc(
                f"{p}.energy.idle_measured",
                "kWh",
                "measured idle energy per unit",
                "idle_energy / amount",
                lambda e, a: e / a,
                idle_energy,
                act.amount,
            )
        )
    hours = []
    extra = b.field("provisioned_idle_hours", "h", "provisioned idle accelerator-hours")
    if extra is not None:
        hours.append(
            b.calc(
                f"{p}.idle_hours_given",
                "h",
                "provisioned idle accelerator-hours per unit",
                "provisioned_idle_hours / amount",
                lambda h, a: h / a,
                extra,
                act.amount,
            )
        )
    if "idle_hours" in act.compute:
        hours.append(act.compute.pop("idle_hours"))
    if hours:
        idle_h = b.calc(
            f"{p}.idle_hours", "h", "idle accelerator-hours per unit", " + ".join(hours), lambda *h: sum(h), *hours
        )
        acc = act.hardware.accelerator
        if acc.idle_power is None and acc.tdp is None:
            raise StudyError(
                f"accelerator '{acc.id}' has neither idle power nor TDP for the idle capacity",
                hint="give 'idle_energy' instead",
                **b.where(),
            )
        _tdp, idle_w = accelerator_power(b, acc, "provisioned_idle_hours")
        host = f"{p}.host_power" if f"{p}.host_power" in b.table.derived else None
        if host is None:
            parts.append(
                b.calc(
                    f"{p}.energy.idle_hours",
                    "kWh",
                    "idle energy per unit",
                    "idle hours x idle power / 1000",
                    lambda h, w: h * w / 1000.0,
                    idle_h,
                    idle_w,
                )
            )
        else:
            parts.append(
                b.calc(
                    f"{p}.energy.idle_hours",
                    "kWh",
                    "idle energy per unit",
                    "idle hours x (idle power + host power) / 1000",
                    lambda h, w, x: h * (w + x) / 1000.0,
                    idle_h,
                    idle_w,
                    host,
                )
            )
        act.hardware_hours = (
            b.calc(
                f"{p}.hardware_hours",
                "h",
                "accelerator-hours per unit (busy + idle)",
                "busy hours + idle hours",
                lambda a, c: a + c,
                act.hardware_hours,
                idle_h,
            )
            if act.hardware_hours is not None
            else idle_h
        )
    if parts:
        if Component.IDLE in act.energy:  # pragma: no cover - the schema forbids idle twice
            raise StudyError("idle energy given twice", **b.where())
        act.energy[Component.IDLE] = b.calc(
            f"{p}.energy.idle", "kWh", "idle energy per unit", " + ".join(parts), lambda *e: sum(e), *parts
        )


def _overhead(b: _Builder, act: PhaseActivity) -> None:
    """Datacenter overhead: (PUE - 1) x IT energy, plus what a measured overhead does not cover."""
    p = b.p
    uncovered = [act.energy[c] for c in IT_COMPONENTS if c in act.energy and c not in b.covered]
    measured = act.energy.get(Component.OVERHEAD)
    if measured is None:
        act.energy[Component.OVERHEAD] = b.calc(
            f"{p}.energy.overhead",
            "kWh",
            "datacenter overhead energy per unit",
            "(PUE - 1) x (" + " + ".join(uncovered) + ")",
            lambda u, *e: (u - 1.0) * sum(e),
            act.site.pue,
            *uncovered,
        )
    elif uncovered:
        act.energy[Component.OVERHEAD] = b.calc(
            f"{p}.energy.overhead_total",
            "kWh",
            "datacenter overhead energy per unit",
            f"{measured} + (PUE - 1) x (" + " + ".join(uncovered) + ")",
            lambda m, u, *e: m + (u - 1.0) * sum(e),
            measured,
            act.site.pue,
            *uncovered,
        )


def _embodied(b: _Builder, act: PhaseActivity) -> None:
    """Shares of the cards and servers per accelerator-hour."""
    p, hw = b.p, act.hardware
    if hw.lifetime is None or act.hardware_hours is None:
        return
    if hw.card_embodied is not None:
        act.card_share = b.calc(
            f"{p}.card_share",
            "unit/h",
            "accelerator cards per accelerator-hour",
            "1 / (lifetime x utilisation)",
            lambda life, u: 1.0 / (life * u),
            hw.lifetime,
            hw.utilisation,
        )
    if hw.server_embodied is not None:
        n = hw.per_server
        act.server_share = b.calc(
            f"{p}.server_share",
            "unit/h",
            "servers per accelerator-hour",
            f"1 / (lifetime x utilisation x {n})",
            lambda life, u: 1.0 / (life * u * n),
            hw.lifetime,
            hw.utilisation,
        )


def _kv_copies_note(table: Any, p: str, arch: Any, devices: float) -> None:
    """Say how many copies of the KV cache a tensor-parallel replica holds, where it is more than one.

    The counting is :func:`lca.compute.memory.kv_copies` (vLLM's split of the
    KV heads; the whole MLA latent on every device).
    """
    copies = kv_copies(arch, devices)
    if copies <= 1:
        return
    if arch.attention == "mla":
        held = f"keeps the whole latent KV cache on each of its {devices:g} devices ({copies:g} copies)"
    else:
        held = f"spreads the {arch.n_kv_heads} KV heads over {devices:g} devices by keeping {copies:g} copies of each"
    table.notes.add(
        NoteCode.MODEL,
        f"{p}: a tensor-parallel engine {held}: counted in the memory fit (largest batch) and in every step's "
        "KV-cache reads and writes (attention split by data parallelism would keep one copy: not modelled)",
        f"{p}.max_batch",
    )
