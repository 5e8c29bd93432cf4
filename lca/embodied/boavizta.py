"""Bottom-up embodied impacts of GPU cards and servers, after the Boavizta API.

Boavizta's method (boaviztapi, ``models/component/gpu.py`` and the server
components; factors in ``data/factors.yml``): each part's amount (mass, board
area, effective die area, capacity) times a per-unit factor, for every impact
criterion. Effective die area accounts for the wafer: a die of side ``s`` plus
a 0.2 mm kerf on a 300 mm wafer, the share of wafer lost at the edge, and a
yield ``exp(-sqrt(0.1 * A[cm2]))``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

__all__ = ["effective_die_area", "gpu_card", "server_platform", "Factors"]

KERF = 0.2  # [mm]
WAFER_DIAMETER = 300.0  # [mm]
VRAM_DIE_AREA_PER_GB = 15.5  # [mm2/GB], Boavizta's average of studied GPUs

Factors = Mapping[str, Mapping[str, float]]  # part -> category -> factor per unit of the part


def effective_die_area(die_area: float) -> float:
    """Wafer area consumed per good die, kerf, edge loss and yield included [mm2].

    Parameters
    ----------
    die_area : float
        Area of one die. [mm2]
    """
    wafer = math.pi * (WAFER_DIAMETER / 2.0) ** 2
    side = math.sqrt(die_area) + KERF
    actual = side * side
    per_wafer = wafer / actual - math.pi * WAFER_DIAMETER / math.sqrt(2.0 * actual)
    effective = actual * wafer / (per_wafer * actual)
    usable = math.exp(-math.sqrt(actual / 100.0 * 0.1))
    return effective / usable


def _add(out: dict[str, dict[str, float]], part: str, factors: Factors, amount: float) -> None:
    out[part] = {cat: f * amount for cat, f in factors[part].items()}


def gpu_card(
    factors: Factors,
    *,
    gpu_die_effective_area: float,
    vram: float,
    vram_dies: int,
    pwb_area: float,
    casing_mass: float,
    heatsink_mass: float,
    mass: float,
    boat_km: float = 0.0,
    truck_km: float = 0.0,
    plane_km: float = 0.0,
) -> dict[str, dict[str, float]]:
    """Embodied impacts of one GPU card, by part.

    Parameters
    ----------
    factors : mapping
        Per-unit factors of the parts ``casing`` [/kg], ``heatsink`` [/kg],
        ``pwb`` [/cm2], ``gpu_die`` [/mm2], ``vram`` [/mm2],
        ``upstream_transport`` [/kg], ``boat``/``truck``/``plane`` [/(km kg)],
        ``end_of_life`` [/kg], each by category.
    gpu_die_effective_area : float
        Effective (wafer-consumed) area of the GPU die. [mm2]
    vram : float
        Memory capacity. [GB]
    vram_dies : int
        Memory dies the capacity is split over. [count]
    pwb_area : float
        Printed wiring board area. [cm2]
    casing_mass, heatsink_mass, mass : float
        Masses of the casing, the heatsink and the whole card. [kg]
    boat_km, truck_km, plane_km : float
        Transport distances. [km]

    Returns
    -------
    dict
        part -> category -> impact per card.
    """
    out: dict[str, dict[str, float]] = {}
    _add(out, "casing", factors, casing_mass)
    _add(out, "heatsink", factors, heatsink_mass)
    _add(out, "pwb", factors, pwb_area)
    _add(out, "gpu_die", factors, gpu_die_effective_area)
    vram_area = effective_die_area(vram * VRAM_DIE_AREA_PER_GB / vram_dies) * vram_dies if vram_dies else 0.0
    _add(out, "vram", factors, vram_area)
    _add(out, "upstream_transport", factors, mass)
    transport: dict[str, float] = {}
    for mode, km in (("boat", boat_km), ("truck", truck_km), ("plane", plane_km)):
        for cat, f in factors[mode].items():
            transport[cat] = transport.get(cat, 0.0) + f * km * mass
    out["transport"] = transport
    _add(out, "end_of_life", factors, mass)
    return out


def server_platform(
    factors: Factors,
    *,
    cpu_die_area: float,
    cpus: int,
    ram_modules: int,
    ram_module_capacity: float,
    ram_density: float,
    ssds: int,
    ssd_capacity: float,
    ssd_density: float,
    power_supplies: int,
    power_supply_mass: float,
    case: str = "rack",
) -> dict[str, dict[str, float]]:
    """Embodied impacts of a server platform without its accelerators, by part.

    Parameters
    ----------
    factors : mapping
        ``cpu_die`` [/mm2] and ``cpu_base`` [/CPU], ``ram_die`` [/cm2] and
        ``ram_base`` [/module], ``ssd_die`` [/cm2] and ``ssd_base`` [/drive],
        ``power_supply`` [/kg], ``case_rack`` or ``case_blade`` [/server],
        ``motherboard`` and ``assembly`` [/server], each by category.
    cpu_die_area : float
        Die area of one CPU (all chiplets). [mm2]
    ram_module_capacity, ram_density : float
        [GB] per module and [GB/cm2] of memory die.
    ssd_capacity, ssd_density : float
        [GB] per drive and [GB/cm2] of flash die.
    power_supply_mass : float
        [kg] per power supply.
    """
    out: dict[str, dict[str, float]] = {}
    cpu = {c: cpus * (factors["cpu_die"][c] * cpu_die_area + factors["cpu_base"][c]) for c in factors["cpu_die"]}
    out["cpu"] = cpu
    ram_area = ram_module_capacity / ram_density
    out["ram"] = {
        c: ram_modules * (factors["ram_die"][c] * ram_area + factors["ram_base"][c]) for c in factors["ram_die"]
    }
    ssd_area = ssd_capacity / ssd_density
    out["ssd"] = {c: ssds * (factors["ssd_die"][c] * ssd_area + factors["ssd_base"][c]) for c in factors["ssd_die"]}
    _add(out, "power_supply", factors, power_supplies * power_supply_mass)
    _add(out, f"case_{case}", factors, 1.0)
    _add(out, "motherboard", factors, 1.0)
    _add(out, "assembly", factors, 1.0)
    return out
