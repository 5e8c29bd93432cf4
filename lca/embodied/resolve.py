"""Turn ``embodied`` inventory records into impacts per unit.

A record gives its ``impacts`` directly or through one model (see
:class:`lca.inventory.schema.EmbodiedRecord`). Computed values carry a
source that names the formula and its inputs, and a range propagated from
the ranges of the inputs (the models are monotonic in every input).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InventoryError
from ..inventory import CATEGORIES, Registry, Value
from ..inventory.schema import EmbodiedRecord
from ..units import CATEGORY_UNITS, convert
from .act import carbon_per_area
from .boavizta import effective_die_area, gpu_card, server_platform

__all__ = ["ResolvedEmbodied", "resolve_embodied"]

_GPU_PARTS = (
    "casing",
    "heatsink",
    "pwb",
    "gpu_die",
    "vram",
    "upstream_transport",
    "boat",
    "truck",
    "plane",
    "end_of_life",
)
_SERVER_PARTS = (
    "cpu_die",
    "cpu_base",
    "ram_die",
    "ram_base",
    "ssd_die",
    "ssd_base",
    "power_supply",
    "case_rack",
    "case_blade",
    "motherboard",
    "assembly",
)


@dataclass
class ResolvedEmbodied:
    record: EmbodiedRecord
    impacts: dict[str, Value]  # category -> value per unit (canonical units)
    parts: list[tuple[str, float]] = field(default_factory=list)  # (embodied id, count) of an assembly
    breakdown: dict[str, dict[str, float]] = field(default_factory=dict)  # part -> category -> value


def _value(value: float, cat: str, source: str, lo: float | None = None, hi: float | None = None) -> Value:
    rng = None
    if lo is not None and hi is not None and (lo != value or hi != value):
        rng = (min(lo, value), max(hi, value))
    return Value(value=value, unit=CATEGORY_UNITS[cat], source=source, range=rng)


def _factors(reg: Registry, prefix: str, parts: tuple[str, ...]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for part in parts:
        rec = reg.get(f"{prefix}-{part.replace('_', '-')}", "factor")
        out[part] = {c: getattr(rec, c).value for c in CATEGORIES if getattr(rec, c) is not None}
    return out


def resolve_embodied(reg: Registry, ident: str, _stack: tuple[str, ...] = ()) -> ResolvedEmbodied:
    """Impacts per unit of embodied record ``ident`` (recursively for assemblies).

    A record's ``spread`` (the range of published figures) replaces the range
    of the computed value and sets its distribution.
    """
    res = _resolve(reg, ident, _stack)
    for cat, spread in res.record.spread.items():
        if cat not in res.impacts:
            raise InventoryError(f"embodied record '{ident}' has a spread for {cat} but no {cat} impact")
        lo, hi = (convert(x, spread.unit, CATEGORY_UNITS[cat]) for x in spread.range)
        v = res.impacts[cat]
        if not lo <= v.value <= hi:
            raise InventoryError(
                f"embodied record '{ident}': the {cat} spread does not contain the value",
                value=v.value,
                valid=f"[{lo:g}, {hi:g}] {CATEGORY_UNITS[cat]}",
            )
        res.impacts[cat] = v.model_copy(
            update={
                "range": (lo, hi),
                "distribution": spread.distribution,
                "source": f"{v.source}; spread: {spread.source}",
            }
        )
    return res


def _resolve(reg: Registry, ident: str, _stack: tuple[str, ...] = ()) -> ResolvedEmbodied:
    if ident in _stack:
        raise InventoryError("circular 'parts' between embodied records", value=" -> ".join(_stack + (ident,)))
    rec: EmbodiedRecord = reg.get(ident, "embodied")
    if rec.impacts is not None:
        impacts = {c: getattr(rec.impacts, c) for c in CATEGORIES if getattr(rec.impacts, c) is not None}
        return ResolvedEmbodied(rec, impacts)
    if rec.die is not None:
        d = rec.die
        if d.cpa is not None:
            cpa, cpa_lo, cpa_hi = d.cpa.value, *d.cpa.bounds
            how = f"CPA {cpa:.4g} kg/cm2"
        else:
            node = reg.get(str(d.node), "fab_node")
            gpa = {"95": node.gpa95.value, "99": node.gpa99.value, "97": (node.gpa95.value + node.gpa99.value) / 2}[
                d.gpa
            ]
            ci = d.fab_intensity
            if ci is None:  # pragma: no cover - the schema requires it with a node
                raise InventoryError(f"embodied record '{ident}': an ACT node needs fab_intensity")
            cpa = carbon_per_area(node.epa.value, gpa, node.mpa.value, ci.value, d.yield_)
            cpa_lo = carbon_per_area(
                node.epa.value, min(node.gpa95.value, node.gpa99.value), node.mpa.value, ci.bounds[0], d.yield_
            )
            cpa_hi = carbon_per_area(
                node.epa.value, max(node.gpa95.value, node.gpa99.value), node.mpa.value, ci.bounds[1], d.yield_
            )
            how = (
                f"ACT CPA {cpa:.4g} kg/cm2 ({d.node}, GPA{d.gpa}, fab grid {ci.value * 1000:g} g/kWh, yield {d.yield_})"
            )
        pack = d.packaging.value if d.packaging else 0.0
        a_lo, a_hi = d.area.bounds
        value = d.area.value * cpa + pack
        src = f"computed: die {d.area.value:g} cm2 x {how}" + (f" + packaging {pack:g} kg" if pack else "")
        return ResolvedEmbodied(
            rec, {"gwp100": _value(value, "gwp100", src, a_lo * cpa_lo + pack, a_hi * cpa_hi + pack)}
        )
    if rec.memory is not None:
        m = rec.memory
        value = m.capacity.value * m.cps.value
        lo = m.capacity.bounds[0] * m.cps.bounds[0]
        hi = m.capacity.bounds[1] * m.cps.bounds[1]
        src = f"computed: {m.capacity.value:g} GB x {m.cps.value:g} kg CO2e/GB ({m.cps.source})"
        return ResolvedEmbodied(rec, {"gwp100": _value(value, "gwp100", src, lo, hi)})
    if rec.parts is not None:
        totals: dict[str, list[float]] = {}
        breakdown: dict[str, dict[str, float]] = {}
        for part in rec.parts:
            sub = resolve_embodied(reg, part.embodied, _stack + (ident,))
            breakdown[part.embodied] = {}
            for cat, v in sub.impacts.items():
                lo, hi = v.bounds
                acc = totals.setdefault(cat, [0.0, 0.0, 0.0])
                acc[0] += part.count * v.value
                acc[1] += part.count * lo
                acc[2] += part.count * hi
                breakdown[part.embodied][cat] = part.count * v.value
        names = ", ".join(f"{p.count:g} x {p.embodied}" for p in rec.parts)
        impacts = {c: _value(v, c, f"computed: sum of parts ({names})", lo, hi) for c, (v, lo, hi) in totals.items()}
        return ResolvedEmbodied(rec, impacts, [(p.embodied, p.count) for p in rec.parts], breakdown)
    if rec.boavizta_gpu is not None:
        g = rec.boavizta_gpu
        if g.die_effective_area is not None:
            die_area = g.die_effective_area.value
        else:
            die_area = sum(d.count * effective_die_area(d.area.value) for d in g.dies or ())
        breakdown = gpu_card(
            _factors(reg, "boavizta-gpu", _GPU_PARTS),
            gpu_die_effective_area=die_area,
            vram=g.vram.value,
            vram_dies=g.vram_dies,
            pwb_area=g.pwb_area.value,
            casing_mass=g.casing_mass.value,
            heatsink_mass=g.heatsink_mass.value,
            mass=g.mass.value,
            boat_km=g.boat.value if g.boat else 0.0,
            truck_km=g.truck.value if g.truck else 0.0,
            plane_km=g.plane.value if g.plane else 0.0,
        )
        return _summed(
            rec,
            breakdown,
            "computed: Boavizta GPU card model (die, VRAM, board, casing, heatsink, "
            "transport, end of life) with factors boavizta-gpu-*",
        )
    if rec.boavizta_server is not None:
        s = rec.boavizta_server
        breakdown = server_platform(
            _factors(reg, "boavizta-server", _SERVER_PARTS),
            cpu_die_area=s.cpu_die_area.value,
            cpus=s.cpus,
            ram_modules=s.ram_modules,
            ram_module_capacity=s.ram_module_capacity.value,
            ram_density=s.ram_density.value,
            ssds=s.ssds,
            ssd_capacity=s.ssd_capacity.value,
            ssd_density=s.ssd_density.value,
            power_supplies=s.power_supplies,
            power_supply_mass=s.power_supply_mass.value,
            case=s.case,
        )
        return _summed(
            rec,
            breakdown,
            "computed: Boavizta server platform model (CPU, RAM, SSD, power supplies, "
            "case, motherboard, assembly) with factors boavizta-server-*",
        )
    raise InventoryError(f"embodied record '{ident}' has no impacts and no model")  # pragma: no cover


def _summed(rec: EmbodiedRecord, breakdown: dict[str, dict[str, float]], source: str) -> ResolvedEmbodied:
    totals: dict[str, float] = {}
    for part in breakdown.values():
        for cat, v in part.items():
            totals[cat] = totals.get(cat, 0.0) + v
    return ResolvedEmbodied(rec, {c: _value(v, c, source) for c, v in totals.items()}, [], breakdown)
