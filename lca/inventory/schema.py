"""Typed inventory records: every number with a unit, a source and an uncertainty.

A file in ``inventories/`` holds records of one ``kind``. Each number is a
:class:`Value`: ``value`` + ``unit`` + ``source`` (inherited from the record or
the file when not given on the value), optionally marked as an ``assumption``
with a ``range`` and/or a ``distribution`` (the stats_arrays families that
Brightway uses). Loaders convert every value to the canonical unit of its
field (see :data:`FIELD_UNITS`), once, so later code never sees another unit.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from ..units import CATEGORY_UNITS
from ..validation import Strict
from .architecture import Architecture
from .value import CATEGORIES, Distribution, Record, Value

__all__ = [
    "Value",
    "GridRecord",
    "DatacenterRecord",
    "AcceleratorRecord",
    "ServerRecord",
    "EmbodiedImpacts",
    "EmbodiedRecord",
    "FabNodeRecord",
    "FactorRecord",
    "ParameterRecord",
    "ProcessRecord",
    "MethodRecord",
    "RECORD_TYPES",
    "CATEGORIES",
]


class MarketBased(Strict):
    """Market-based (contractual) electricity inputs for GHG Protocol scope 2."""

    gwp100: Value | None = None
    renewable_share: Value | None = None
    residual_mix: Value | None = None


class GridRecord(Record):
    kind: Literal["grid"] = "grid"
    year: int | None = Field(default=None, ge=1990, le=2100)
    country: str | None = None
    base: str | None = None  # take indicators not given here from this grid id
    gwp100: Value | None = None
    water: Value | None = None
    adpe: Value | None = None
    pe: Value | None = None
    market_based: MarketBased | None = None
    profile: str | None = None  # CSV of hourly intensity, relative to the file


class DatacenterRecord(Record):
    kind: Literal["datacenter"] = "datacenter"
    provider: str | None = None
    grid: str | None = None
    pue: Value
    wue: Value | None = None  # on-site water usage effectiveness

    @model_validator(mode="after")
    def _pue_at_least_one(self) -> DatacenterRecord:
        if self.pue.value < 1.0 or (self.pue.range is not None and self.pue.range[0] < 1.0):
            raise ValueError(f"PUE must be at least 1 (total facility energy / IT energy), got {self.pue.value}")
        return self


class EmbodiedImpacts(Strict):
    """Impacts of one unit (cradle-to-gate, plus end of life where the source has it)."""

    gwp100: Value | None = None
    water: Value | None = None
    adpe: Value | None = None
    pe: Value | None = None


class DieModel(Strict):
    """Logic die: ``area x CPA`` (+ packaging); CPA given, or from an ACT fab node."""

    area: Value  # cm2
    cpa: Value | None = None  # kg CO2e/cm2
    node: str | None = None  # id of a 'fab_node' record (ACT)
    fab_intensity: Value | None = None  # kg CO2e/kWh of the fab's grid
    yield_: float = Field(default=0.875, alias="yield", gt=0.0, le=1.0)
    gpa: Literal["95", "97", "99"] = "97"
    packaging: Value | None = None  # kg CO2e per IC

    @model_validator(mode="after")
    def _cpa_or_node(self) -> DieModel:
        if (self.cpa is None) == (self.node is None):
            raise ValueError("a die needs either 'cpa' or an ACT 'node' (with 'fab_intensity')")
        if self.node is not None and self.fab_intensity is None:
            raise ValueError("an ACT 'node' needs the fab grid's 'fab_intensity'")
        return self


class MemoryModel(Strict):
    """Memory or storage: ``capacity x CPS``."""

    capacity: Value  # GB
    cps: Value  # kg CO2e/GB


class Part(Strict):
    """A part of an assembly: another embodied record, ``count`` times."""

    embodied: str
    count: float = Field(default=1.0, gt=0.0)


class DieCount(Strict):
    """``count`` identical logic dies of ``area`` each in one package (chiplets)."""

    area: Value  # mm2, one die
    count: int = Field(default=1, ge=1)


class BoaviztaGpu(Strict):
    """Inputs of the Boavizta GPU card model (factors: records 'boavizta-gpu-*').

    The logic silicon is given either as Boavizta's ``die_effective_area``
    (wafer losses included, as in its gpu_specs.csv) or as the ``dies`` of the
    package, whose effective areas are then computed with Boavizta's formula
    (:func:`lca.embodied.boavizta.effective_die_area`) and summed.
    """

    die_effective_area: Value | None = None  # mm2, wafer losses included
    dies: list[DieCount] | None = None
    vram: Value  # GB
    vram_dies: int = Field(ge=0)
    pwb_area: Value  # cm2
    casing_mass: Value  # kg
    heatsink_mass: Value  # kg
    mass: Value  # kg
    boat: Value | None = None  # km
    truck: Value | None = None  # km
    plane: Value | None = None  # km

    @model_validator(mode="after")
    def _one_die_input(self) -> BoaviztaGpu:
        if (self.die_effective_area is None) == (self.dies is None):
            raise ValueError("give either 'die_effective_area' or 'dies' (a list of {area, count})")
        return self


class BoaviztaServer(Strict):
    """Inputs of the Boavizta server platform model, accelerators excluded."""

    cpu_die_area: Value  # mm2
    cpus: int = Field(ge=0)
    ram_modules: int = Field(ge=0)
    ram_module_capacity: Value  # GB
    ram_density: Value  # GB/cm2
    ssds: int = Field(ge=0)
    ssd_capacity: Value  # GB
    ssd_density: Value  # GB/cm2
    power_supplies: int = Field(ge=0)
    power_supply_mass: Value  # kg
    case: Literal["rack", "blade"] = "rack"


class Spread(Strict):
    """The range of published figures for a computed embodied impact (for Monte Carlo)."""

    range: tuple[float, float]
    unit: str
    distribution: Distribution = "triangular"
    source: str

    @model_validator(mode="after")
    def _ordered(self) -> Spread:
        if not 0 <= self.range[0] <= self.range[1]:
            raise ValueError(f"spread range {self.range} must be ordered and non-negative")
        return self


class EmbodiedRecord(Record):
    """Manufacturing inventory of one piece of hardware (a card, a server platform).

    Either the ``impacts`` are given, or they are computed from one model:
    ``die`` (ACT), ``memory``, ``parts`` (an assembly of other records, which
    become processes of their own in the graph), ``boavizta_gpu`` or
    ``boavizta_server``.
    """

    kind: Literal["embodied"] = "embodied"
    unit: str = "unit"
    impacts: EmbodiedImpacts | None = None
    die: DieModel | None = None
    memory: MemoryModel | None = None
    parts: list[Part] | None = None
    boavizta_gpu: BoaviztaGpu | None = None
    boavizta_server: BoaviztaServer | None = None
    scope_note: str | None = None  # what the figure covers (die only, card, server ...)
    spread: dict[str, Spread] = Field(default_factory=dict)  # category -> range across sources

    @model_validator(mode="after")
    def _one_model(self) -> EmbodiedRecord:
        given = [
            n
            for n in ("impacts", "die", "memory", "parts", "boavizta_gpu", "boavizta_server")
            if getattr(self, n) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of impacts, die, memory, parts, boavizta_gpu, boavizta_server"
                + (f" (got {', '.join(given)})" if given else "")
            )
        return self


class FabNodeRecord(Record):
    """ACT fab parameters of a process node (per cm2 of wafer)."""

    kind: Literal["fab_node"] = "fab_node"
    epa: Value  # kWh/cm2
    gpa95: Value  # kg CO2e/cm2
    gpa99: Value  # kg CO2e/cm2
    mpa: Value  # kg CO2e/cm2


class FactorRecord(Record):
    """A per-unit impact factor of a hardware part (Boavizta), by category.

    ``per`` is the unit of the part's amount (kg, cm**2, mm**2, km*kg, unit);
    each category's value is converted to ``<category unit>/<per>``.
    """

    kind: Literal["factor"] = "factor"
    per: str
    gwp100: Value | None = None
    adpe: Value | None = None
    pe: Value | None = None
    water: Value | None = None

    def canonical_units(self) -> dict[str, str]:
        per = self.per if self.per != "unit" else "1"
        return {cat: f"{CATEGORY_UNITS[cat]}/({per})" if per != "1" else CATEGORY_UNITS[cat] for cat in CATEGORIES}


class AcceleratorRecord(Record):
    kind: Literal["accelerator"] = "accelerator"
    vendor: str | None = None
    year: int | None = None
    memory: Value | None = None  # GB
    memory_bandwidth: Value | None = None  # GB/s
    tdp: Value | None = None  # W (not published for every device)
    idle_power: Value | None = None  # W
    peak_flops: dict[str, Value] = Field(default_factory=dict)  # dense FLOP/s by precision
    interconnect: str | None = None
    interconnect_bandwidth: Value | None = None  # GB/s
    die_area: Value | None = None  # cm2
    process_node: str | None = None
    embodied: str | None = None  # id of an 'embodied' record


class ServerRecord(Record):
    """A server platform that hosts accelerators."""

    kind: Literal["server"] = "server"
    accelerators: int = Field(ge=1)
    embodied: str  # id of an 'embodied' record
    includes_accelerators: bool = False  # does that embodied figure include the cards?
    lifetime: Value | None = None  # h
    utilisation: Value | None = None  # fraction of lifetime in use
    host_power: Value | None = None  # W, non-accelerator power of the whole server


class FlowAmount(Strict):
    input: str
    amount: float


class ProcessRecord(Record):
    """A whole user process: reference unit, inputs from other processes, impacts."""

    kind: Literal["process"] = "process"
    unit: str
    scope: Literal["embodied", "operational"] = "operational"
    inputs: list[FlowAmount] = Field(default_factory=list)
    impacts: EmbodiedImpacts = Field(default_factory=EmbodiedImpacts)


class MethodRecord(Record):
    """How an impact category maps onto Brightway methods and indicator flows."""

    kind: Literal["method"] = "method"
    unit: str
    brightway_method: list[str]
    factor: float = 1.0  # multiplies the Brightway CFs to reach ``unit``
    indicator_flow: str
    description: str | None = None


class ParameterRecord(Record):
    """A named default of the models (an efficiency, an overhead), with its source."""

    kind: Literal["parameter"] = "parameter"
    value: Value


RECORD_TYPES: dict[str, type[Record]] = {
    "grid": GridRecord,
    "datacenter": DatacenterRecord,
    "accelerator": AcceleratorRecord,
    "server": ServerRecord,
    "process": ProcessRecord,
    "embodied": EmbodiedRecord,
    "method": MethodRecord,
    "parameter": ParameterRecord,
    "model": Architecture,
    "fab_node": FabNodeRecord,
    "factor": FactorRecord,
}

# canonical unit of every Value field, by (kind, dotted field path); '*' = any key
FIELD_UNITS: dict[str, dict[str, str]] = {
    "grid": {
        "gwp100": "kg CO2e/kWh",
        "water": "L/kWh",
        "adpe": "kg Sb-eq/kWh",
        "pe": "MJ/kWh",
        "market_based.gwp100": "kg CO2e/kWh",
        "market_based.renewable_share": "",
        "market_based.residual_mix": "kg CO2e/kWh",
    },
    "datacenter": {"pue": "", "wue": "L/kWh"},
    "accelerator": {
        "memory": "GB",
        "memory_bandwidth": "GB/s",
        "tdp": "W",
        "idle_power": "W",
        "peak_flops.*": "FLOP/s",
        "interconnect_bandwidth": "GB/s",
        "die_area": "cm**2",
    },
    "embodied": {
        "impacts.gwp100": "kg CO2e",
        "impacts.water": "L",
        "impacts.adpe": "kg Sb-eq",
        "impacts.pe": "MJ",
        "die.area": "cm**2",
        "die.cpa": "kg CO2e/cm**2",
        "die.fab_intensity": "kg CO2e/kWh",
        "die.packaging": "kg CO2e",
        "memory.capacity": "GB",
        "memory.cps": "kg CO2e/GB",
        "boavizta_gpu.die_effective_area": "mm**2",
        "boavizta_gpu.dies.area": "mm**2",
        "boavizta_gpu.vram": "GB",
        "boavizta_gpu.pwb_area": "cm**2",
        "boavizta_gpu.casing_mass": "kg",
        "boavizta_gpu.heatsink_mass": "kg",
        "boavizta_gpu.mass": "kg",
        "boavizta_gpu.boat": "km",
        "boavizta_gpu.truck": "km",
        "boavizta_gpu.plane": "km",
        "boavizta_server.cpu_die_area": "mm**2",
        "boavizta_server.ram_module_capacity": "GB",
        "boavizta_server.ram_density": "GB/cm**2",
        "boavizta_server.ssd_capacity": "GB",
        "boavizta_server.ssd_density": "GB/cm**2",
        "boavizta_server.power_supply_mass": "kg",
    },
    "fab_node": {"epa": "kWh/cm**2", "gpa95": "kg CO2e/cm**2", "gpa99": "kg CO2e/cm**2", "mpa": "kg CO2e/cm**2"},
    "factor": {},
    "server": {
        "lifetime": "h",
        "utilisation": "",
        "host_power": "W",
    },
    "process": {
        "impacts.gwp100": "kg CO2e",
        "impacts.water": "L",
        "impacts.adpe": "kg Sb-eq",
        "impacts.pe": "MJ",
    },
    "method": {},
    "parameter": {},
    "model": {"published_params": "", "published_active_params": ""},
}
