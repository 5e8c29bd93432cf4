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

from pydantic import Field, StrictBool, model_validator

from ..units import CATEGORY_UNITS
from ..validation import Strict, check_histogram
from .architecture import Architecture
from .value import CATEGORIES, Distribution, Record, Value, field_units, unit

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
    "LengthHistogramRecord",
    "RECORD_TYPES",
    "CATEGORIES",
]


class MarketBased(Strict):
    """Market-based (contractual) electricity inputs for GHG Protocol scope 2."""

    gwp100: Value | None = unit("kg CO2e/kWh")
    renewable_share: Value | None = unit("")
    residual_mix: Value | None = unit("kg CO2e/kWh")


class GridRecord(Record):
    kind: Literal["grid"] = "grid"
    year: int | None = Field(default=None, ge=1990, le=2100)
    country: str | None = None
    base: str | None = None  # take indicators not given here from this grid id
    gwp100: Value | None = unit("kg CO2e/kWh")
    water: Value | None = unit("L/kWh")
    adpe: Value | None = unit("kg Sb-eq/kWh")
    pe: Value | None = unit("MJ/kWh")
    market_based: MarketBased | None = None
    profile: str | None = None  # CSV of hourly intensity, relative to the file


class DatacenterRecord(Record):
    kind: Literal["datacenter"] = "datacenter"
    provider: str | None = None
    grid: str | None = None
    pue: Value = unit("", required=True)
    wue: Value | None = unit("L/kWh")

    @model_validator(mode="after")
    def _pue_at_least_one(self) -> DatacenterRecord:
        if self.pue.value < 1.0 or (self.pue.range is not None and self.pue.range[0] < 1.0):
            raise ValueError(f"PUE must be at least 1 (total facility energy / IT energy), got {self.pue.value}")
        return self


class EmbodiedImpacts(Strict):
    """Impacts of one unit (cradle-to-gate, plus end of life where the source has it)."""

    gwp100: Value | None = unit("kg CO2e")
    water: Value | None = unit("L")
    adpe: Value | None = unit("kg Sb-eq")
    pe: Value | None = unit("MJ")


class DieModel(Strict):
    """Logic die: ``area x CPA`` (+ packaging); CPA given, or from an ACT fab node."""

    area: Value = unit("cm**2", required=True)
    cpa: Value | None = unit("kg CO2e/cm**2")
    node: str | None = None  # id of a 'fab_node' record (ACT)
    fab_intensity: Value | None = unit("kg CO2e/kWh")
    yield_: float = Field(default=0.875, alias="yield", gt=0.0, le=1.0)
    gpa: Literal["95", "97", "99"] = "97"
    packaging: Value | None = unit("kg CO2e")

    @model_validator(mode="after")
    def _cpa_or_node(self) -> DieModel:
        if (self.cpa is None) == (self.node is None):
            raise ValueError("a die needs either 'cpa' or an ACT 'node' (with 'fab_intensity')")
        if self.node is not None and self.fab_intensity is None:
            raise ValueError("an ACT 'node' needs the fab grid's 'fab_intensity'")
        return self


class MemoryModel(Strict):
    """Memory or storage: ``capacity x CPS``."""

    capacity: Value = unit("GB", required=True)
    cps: Value = unit("kg CO2e/GB", required=True)


class Part(Strict):
    """A part of an assembly: another embodied record, ``count`` times."""

    embodied: str
    count: float = Field(default=1.0, gt=0.0)


class DieCount(Strict):
    """``count`` identical logic dies of ``area`` each in one package (chiplets)."""

    area: Value = unit("mm**2", required=True)
    count: int = Field(default=1, ge=1)


class BoaviztaGpu(Strict):
    """Inputs of the Boavizta GPU card model (factors: records 'boavizta-gpu-*').

    The logic silicon is given either as Boavizta's ``die_effective_area``
    (wafer losses included, as in its gpu_specs.csv) or as the ``dies`` of the
    package, whose effective areas are then computed with Boavizta's formula
    (:func:`lca.embodied.boavizta.effective_die_area`) and summed.
    """

    die_effective_area: Value | None = unit("mm**2")
    dies: list[DieCount] | None = None
    vram: Value = unit("GB", required=True)
    vram_dies: int = Field(ge=0)
    pwb_area: Value = unit("cm**2", required=True)
    casing_mass: Value = unit("kg", required=True)
    heatsink_mass: Value = unit("kg", required=True)
    mass: Value = unit("kg", required=True)
    boat: Value | None = unit("km")
    truck: Value | None = unit("km")
    plane: Value | None = unit("km")

    @model_validator(mode="after")
    def _one_die_input(self) -> BoaviztaGpu:
        if (self.die_effective_area is None) == (self.dies is None):
            raise ValueError("give either 'die_effective_area' or 'dies' (a list of {area, count})")
        return self


class BoaviztaServer(Strict):
    """Inputs of the Boavizta server platform model, accelerators excluded."""

    cpu_die_area: Value = unit("mm**2", required=True)
    cpus: int = Field(ge=0)
    ram_modules: int = Field(ge=0)
    ram_module_capacity: Value = unit("GB", required=True)
    ram_density: Value = unit("GB/cm**2", required=True)
    ssds: int = Field(ge=0)
    ssd_capacity: Value = unit("GB", required=True)
    ssd_density: Value = unit("GB/cm**2", required=True)
    power_supplies: int = Field(ge=0)
    power_supply_mass: Value = unit("kg", required=True)
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
    epa: Value = unit("kWh/cm**2", required=True)
    gpa95: Value = unit("kg CO2e/cm**2", required=True)
    gpa99: Value = unit("kg CO2e/cm**2", required=True)
    mpa: Value = unit("kg CO2e/cm**2", required=True)


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
    memory: Value | None = unit("GB")
    memory_bandwidth: Value | None = unit("GB/s")
    tdp: Value | None = unit("W")
    idle_power: Value | None = unit("W")
    peak_flops: dict[str, Value] = unit("FLOP/s", default_factory=dict)  # dense, by precision
    interconnect: str | None = None
    interconnect_bandwidth: Value | None = unit("GB/s")
    die_area: Value | None = unit("cm**2")
    process_node: str | None = None
    embodied: str | None = None  # id of an 'embodied' record


class ServerRecord(Record):
    """A server platform that hosts accelerators."""

    kind: Literal["server"] = "server"
    accelerators: int = Field(ge=1)
    embodied: str  # id of an 'embodied' record
    includes_accelerators: StrictBool = False  # does that embodied figure include the cards?
    lifetime: Value | None = unit("h")
    utilisation: Value | None = unit("")
    host_power: Value | None = unit("W")


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


class LengthHistogramRecord(Record):
    """Request lengths counted into bins, e.g. from a serving trace [token].

    Bin ``i`` holds the lengths ``bins[i]`` to ``bins[i + 1] - 1`` (integer token
    counts); ``weights[i]`` is how many requests fell in it. A study draws from it
    with ``batching.prompt_lengths: {family: histogram, record: <id>}``.
    """

    kind: Literal["length_histogram"] = "length_histogram"
    bins: list[int] = Field(min_length=2, max_length=10_001)  # bin edges [token], increasing, from 1
    weights: list[float] = Field(min_length=1, max_length=10_000)  # requests per bin
    mean: Value = unit("token", required=True)  # the mean of the counted lengths (the data's, not the bins')

    @model_validator(mode="after")
    def _bins(self) -> LengthHistogramRecord:
        check_histogram(self.bins, self.weights)
        return self


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
    "length_histogram": LengthHistogramRecord,
}

# canonical unit of every Value field, by (kind, dotted field path); '*' = any key of a mapping.
# Read off the schema: each Value field declares its unit (``unit(...)``) where it is defined.
FIELD_UNITS: dict[str, dict[str, str]] = {kind: field_units(cls) for kind, cls in RECORD_TYPES.items()}
