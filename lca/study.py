"""The study: a YAML file describing an AI system over its life, validated.

Schema version 1 (see ``docs/user-guide/studies.md``)::

    schema_version: 1
    name: bloom-176b
    functional_unit: {name: "one final training run of BLOOM-176B"}
    grid: FR                       # inventory id of the grid mix
    datacenter: some-dc            # inventory id (PUE, WUE)
    hardware:
      accelerator: a100-sxm4-80gb  # inventory id
      server: hpe-apollo-6500      # inventory id (embodied, accelerators per server)
      lifetime: 6 years
      utilisation: 0.85
    training:
      accelerator_hours: 1082990   # or accelerators + duration
      average_power: 400 W         # or utilisation (of TDP)
      idle_energy: 256646 kWh
    inference:
      requests: 230768
      energy_per_request: 3.75 Wh

Quantities accept a bare number in the canonical unit of the field or a
``"number unit"`` text; they are converted here, once.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from pydantic import Field, PrivateAttr, StrictBool, field_validator, model_validator

from .errors import StudyError
from .validation import Q, Strict, check_histogram, validate
from .yamlio import Document, read_yaml

# Quantity fields: a number in the canonical unit, or a "number unit" text converted once
# (``lca.validation.Q``); the unit of each field is part of its type.
if TYPE_CHECKING:
    Hours: TypeAlias = float
    HoursOrZero: TypeAlias = float
    Watts: TypeAlias = float
    Energy: TypeAlias = float
    EnergyOrZero: TypeAlias = float
    FlopRate: TypeAlias = float
else:
    Hours = Q("h", gt=0)  # [h]
    HoursOrZero = Q("h", ge=0)  # [h]
    Watts = Q("W", gt=0)  # [W]
    Energy = Q("kWh", gt=0)  # [kWh]
    EnergyOrZero = Q("kWh", ge=0)  # [kWh]
    FlopRate = Q("FLOP/s", gt=0)  # [FLOP/s]


__all__ = [
    "Study",
    "TrainingPhase",
    "InferencePhase",
    "HardwareSpec",
    "FunctionalUnit",
    "EnergySplit",
    "load_study",
    "study_from_dict",
]


class FunctionalUnit(Strict):
    """What the results are expressed for."""

    name: str = Field(min_length=1)
    description: str | None = None


class HardwareSpec(Strict):
    """The hardware of the study (ids in the inventory) and its amortisation."""

    accelerator: str
    server: str | None = None
    accelerator_embodied: str | None = None  # override the accelerator's embodied record
    server_embodied: str | None = None  # override the server's embodied record
    lifetime: Hours | None = None  # overrides the server's default
    utilisation: float | None = Field(default=None, gt=0.0, le=1.0)
    include_embodied: StrictBool = True  # false: leave manufacturing out (e.g. to match a study that does)


Precision = Literal["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"]

EnergyScope = Literal["accelerators", "it", "facility"]
SCOPE_HELP = (
    "'accelerators' (the accelerators' own energy or power), 'it' (accelerators + host, "
    "before datacenter overhead) or 'facility' (at the meter, datacenter overhead included)"
)


class EnergySplit(Strict):
    """A measured energy given per boundary component (e.g. a published split) [kWh].

    Components left out are not part of the measurement: the host, idle and
    overhead components are then modelled as for any other phase (overhead
    from the datacenter's PUE), or reported as not included.
    """

    accelerators: EnergyOrZero | None = None
    host: EnergyOrZero | None = None
    idle: EnergyOrZero | None = None
    overhead: EnergyOrZero | None = None

    @model_validator(mode="after")
    def _something(self) -> EnergySplit:
        given = self.given()
        if not given:
            raise ValueError("give at least one of accelerators, host, idle, overhead")
        if sum(given.values()) <= 0:
            raise ValueError("the measured energy is zero")
        return self

    def given(self) -> dict[str, float]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class PhaseBase(Strict):
    """Fields shared by training and inference."""

    grid: str | None = None  # override the study's grid for this phase
    datacenter: str | None = None  # override the study's datacenter for this phase
    accelerator: str | None = None  # override hardware.accelerator for this phase
    precision: Precision | None = None  # number format of weights and matmuls (modelled phases; default bf16)
    accelerator_hours: Hours | None = None
    accelerators: int | None = Field(default=None, gt=0)
    duration: Hours | None = None
    average_power: Watts | None = None  # measured mean power per accelerator
    load: float | None = Field(default=None, ge=0.0, le=1.0)  # device load: fraction of the idle-to-TDP range
    energy_scope: EnergyScope | None = None  # what a measured energy or power covers
    host_overhead: float | None = Field(default=None, ge=0.0, le=10.0)  # host power / accelerator power
    idle_energy: EnergyOrZero | None = None  # measured idle / provisioned energy (IT)
    load_profile: str | None = None  # CSV (hour, load), relative to the study; needs a grid with a profile
    codecarbon: list[str] | None = None  # CodeCarbon emissions.csv file(s): measured energy of the phase
    provisioned_idle_hours: HoursOrZero | None = None  # accelerator-hours reserved, idle

    @model_validator(mode="before")
    @classmethod
    def _renamed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "utilisation" in data:
            raise ValueError(
                "a phase's 'utilisation' is now 'load' (device load between idle and TDP, 0-1); "
                "'hardware.utilisation' stays the share of the hardware's life in use"
            )
        return data

    @field_validator("codecarbon", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @model_validator(mode="after")
    def _time_given_once(self) -> PhaseBase:
        if self.accelerator_hours is not None and (self.accelerators or self.duration):
            raise ValueError("give either 'accelerator_hours' or 'accelerators' and 'duration', not both")
        alone_ok = getattr(self, "tokens", None) is not None  # modelled training: accelerators alone
        if (self.accelerators is None) != (self.duration is None) and not alone_ok:
            raise ValueError("'accelerators' and 'duration' go together")
        return self

    @model_validator(mode="after")
    def _power_given_once(self) -> PhaseBase:
        if self.average_power is not None and self.load is not None:
            raise ValueError("give either 'average_power' or 'load', not both")
        if self.idle_energy is not None and self.provisioned_idle_hours is not None:
            raise ValueError("give either 'idle_energy' or 'provisioned_idle_hours', not both")
        return self

    @property
    def measured_energy(self) -> float | EnergySplit | None:
        """The measured energy of the phase (per run or per request), if any."""
        return None

    @model_validator(mode="after")
    def _scope_is_meaningful(self) -> PhaseBase:
        measured = self.measured_energy
        split = isinstance(measured, EnergySplit)
        if self.codecarbon is not None and self.energy_scope is not None:
            raise ValueError(
                "'codecarbon' files give the accelerators' (GPU) and the host's (CPU + RAM) energy "
                "apart: drop 'energy_scope'"
            )
        if split and self.energy_scope is not None:
            raise ValueError("an energy given per component has no 'energy_scope': the components say what it covers")
        if isinstance(measured, float) and self.energy_scope is None:
            raise ValueError(f"say what the measured energy covers: 'energy_scope' is {SCOPE_HELP}")
        if self.energy_scope is not None and measured is None and self.average_power is None:
            raise ValueError(
                "'energy_scope' says what a measured energy or 'average_power' covers; this phase gives neither"
            )
        if self.average_power is not None and self.energy_scope == "facility":
            raise ValueError(
                "'average_power' is power per accelerator; give 'accelerators' or 'it' as its "
                "energy_scope (a facility-level figure is an energy: give 'energy')"
            )
        covers_host = (
            self.energy_scope in ("it", "facility")
            or (isinstance(measured, EnergySplit) and measured.host is not None)
            or self.codecarbon is not None
        )
        if self.host_overhead is not None and covers_host:
            raise ValueError("'host_overhead' adds the host, which the measured figure already includes: drop it")
        if (
            isinstance(measured, EnergySplit)
            and measured.idle is not None
            and (self.idle_energy is not None or self.provisioned_idle_hours is not None)
        ):
            raise ValueError("the measured energy has an 'idle' component: drop 'idle_energy'/'provisioned_idle_hours'")
        return self

    @property
    def total_accelerator_hours(self) -> float | None:
        """Accelerator-hours of the phase [h], from either way of giving them."""
        if self.accelerator_hours is not None:
            return self.accelerator_hours
        if self.accelerators is not None and self.duration is not None:
            return self.accelerators * self.duration
        return None


class TrainingPhase(PhaseBase):
    """A training campaign: measured accelerator time, or a model and its tokens.

    Measured: ``accelerator_hours`` (or ``accelerators`` x ``duration``) with
    ``average_power`` or ``load``, or the measured ``energy``. Modelled:
    ``tokens`` and ``sequence_length`` with the study's ``model``; the
    accelerator time follows from the FLOPs and ``mfu`` (model FLOPs
    utilisation) or ``achieved_flops`` (measured FLOP/s per device); with
    ``accelerators`` the wall-clock duration follows too.
    """

    energy: Energy | EnergySplit | None = None  # measured energy of the run (see energy_scope)
    tokens: float | None = Field(default=None, gt=0)
    sequence_length: int | None = Field(default=None, gt=0)
    target_length: int | None = Field(default=None, gt=0)  # decoder tokens, encoder-decoder models
    mfu: float | None = Field(default=None, gt=0.0, le=1.0)
    achieved_flops: FlopRate | None = None
    recompute: Literal["none", "selective", "full"] = "none"

    @property
    def modelled(self) -> bool:
        return self.tokens is not None

    @property
    def measured_energy(self) -> float | EnergySplit | None:
        return self.energy

    @model_validator(mode="after")
    def _needs_time(self) -> TrainingPhase:
        if self.modelled:
            if self.sequence_length is None:
                raise ValueError("'tokens' needs 'sequence_length'")
            if self.energy is not None or self.codecarbon is not None:
                raise ValueError("give either measured energy ('energy' or 'codecarbon') or 'tokens' (modelled)")
            if self.accelerator_hours is not None or self.duration is not None:
                raise ValueError(
                    "with 'tokens' the accelerator time is computed: drop 'accelerator_hours'/'duration' "
                    "(keep 'accelerators' to get the wall-clock duration)"
                )
            if self.mfu is not None and self.achieved_flops is not None:
                raise ValueError("give either 'mfu' or 'achieved_flops', not both")
        else:
            if self.codecarbon is not None and (
                self.energy is not None or self.average_power is not None or self.load is not None
            ):
                raise ValueError("'codecarbon' gives the measured energy; drop 'energy'/'average_power'/'load'")
            if self.total_accelerator_hours is None and self.energy is None and self.codecarbon is None:
                raise ValueError(
                    "training needs 'accelerator_hours', or 'accelerators' and 'duration', "
                    "or 'tokens' and 'sequence_length' with a model, or the measured 'energy'"
                )
            if self.energy is not None and (self.average_power is not None or self.load is not None):
                raise ValueError("'energy' already gives the energy; drop 'average_power'/'load'")
            if self.energy is None and self.codecarbon is None and self.average_power is None and self.load is None:
                raise ValueError(
                    "training given by accelerator time needs the device power: 'average_power' "
                    "(measured mean W per accelerator) or 'load' (0-1 between idle and TDP)"
                )
            for name in ("sequence_length", "mfu", "achieved_flops", "target_length"):
                if getattr(self, name) is not None:
                    raise ValueError(f"'{name}' is used only with 'tokens'")
            if self.recompute != "none":
                raise ValueError("'recompute' is used only with 'tokens'")
            if self.precision is not None:
                raise ValueError("'precision' is used only with 'tokens' (the compute model's peak FLOP/s)")
        return self

    @property
    def total_accelerator_hours(self) -> float | None:
        if self.modelled:
            return None
        return super().total_accelerator_hours


class LengthDistribution(Strict):
    """How request lengths vary around the phase's mean ``prompt_tokens``/``output_tokens``."""

    family: Literal["fixed", "lognormal", "exponential", "histogram"]
    sigma: float | None = Field(default=None, gt=0.0, le=3.0)  # lognormal: standard deviation of ln(length)
    bins: list[float] | None = None  # histogram: bin edges [token]
    weights: list[float] | None = None  # histogram: one weight per bin
    file: str | None = None  # histogram: a CSV of from,to,weight (relative to the study's folder)
    record: str | None = None  # histogram: the id of a length_histogram record of the inventories

    @model_validator(mode="after")
    def _parameters(self) -> LengthDistribution:
        if (self.family == "lognormal") != (self.sigma is not None):
            raise ValueError("'sigma' goes with family lognormal, and lognormal needs it")
        inline = self.bins is not None or self.weights is not None
        given = [inline, self.file is not None, self.record is not None]
        if self.family != "histogram" and any(given):
            raise ValueError("'bins', 'weights', 'file' and 'record' go with family histogram")
        if self.family == "histogram" and (sum(given) != 1 or (inline and (self.bins is None or self.weights is None))):
            raise ValueError("a histogram needs 'bins' and 'weights', a 'file' or a 'record' (one of them)")
        if self.bins is not None and self.weights is not None:
            check_histogram(self.bins, self.weights)
        return self


class Disaggregation(Strict):
    """Prefill and decode on separate device pools: a P:D ratio of devices (Splitwise, DistServe)."""

    prefill: float = Field(gt=0)  # devices (or any number in proportion) that prefill
    decode: float = Field(gt=0)  # devices (or any number in proportion) that decode

    @property
    def prefill_share(self) -> float:
        return self.prefill / (self.prefill + self.decode)


class Batching(Strict):
    """Continuous batching with chunked prefill (``lca.compute.batching``) instead of lock-step batches."""

    max_batched_tokens: int = Field(ge=1, le=1_000_000)  # token budget of one engine step
    prompt_lengths: LengthDistribution | None = None  # default: every prompt prompt_tokens long
    output_lengths: LengthDistribution | None = None  # default: every output output_tokens long
    requests: int | None = Field(default=None, ge=1, le=100_000)  # requests played through the scheduler (1,000)
    seed: int | None = Field(default=None, ge=0)  # seed of the drawn lengths (default 0)
    disaggregation: Disaggregation | None = None  # prefill and decode on separate pools (default: the same devices)

    @model_validator(mode="after")
    def _seed_needs_a_draw(self) -> Batching:
        drawn = any(d is not None and d.family != "fixed" for d in (self.prompt_lengths, self.output_lengths))
        if self.seed is not None and not drawn:
            raise ValueError("'seed' is used only with a drawn length distribution (lognormal, exponential, histogram)")
        return self


class InferencePhase(PhaseBase):
    """An inference deployment.

    Measured: ``energy_per_request`` (with its ``energy_scope``), optionally
    with the deployment's accelerator time for the embodied share; or the
    deployment's accelerator time with ``average_power`` or ``load``.
    Modelled: ``prompt_tokens`` and ``output_tokens`` with the study's
    ``model``; prefill and decode energy come from the roofline, and
    ``accelerator_hours`` (or ``accelerators`` x ``duration``) is then the
    provisioned capacity, whose unused part is idle.
    """

    requests: float | None = Field(default=None, gt=0)
    requests_per_day: float | None = Field(default=None, gt=0)
    energy_per_request: Energy | EnergySplit | None = None  # measured energy per request
    prompt_tokens: int | None = Field(default=None, ge=1)
    output_tokens: int | None = Field(default=None, ge=0)
    batch_size: int | None = Field(default=None, ge=1)  # default: the largest that fits (see serving)
    devices: int | None = Field(default=None, ge=1)  # devices per model replica
    kv_precision: Precision | None = None  # number format of the KV cache (default: bf16)
    compute_efficiency: float | None = Field(default=None, gt=0.0, le=1.0)  # prefill MFU
    memory_efficiency: float | None = Field(default=None, gt=0.0, le=1.0)  # decode MBU
    batching: Batching | None = None  # continuous batching (default: lock-step batches of identical requests)

    @property
    def modelled(self) -> bool:
        return self.prompt_tokens is not None

    @property
    def measured_energy(self) -> float | EnergySplit | None:
        return self.energy_per_request

    @property
    def total_requests(self) -> float:
        if self.requests is not None:
            return self.requests
        return float(self.requests_per_day) * float(self.duration) / 24.0  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _needs_energy(self) -> InferencePhase:
        if (self.requests is None) == (self.requests_per_day is None):
            raise ValueError("give either 'requests' or 'requests_per_day' (with 'duration')")
        if self.requests_per_day is not None and self.duration is None:
            raise ValueError("'requests_per_day' needs the deployment 'duration'")
        if self.modelled:
            if self.output_tokens is None:
                raise ValueError("'prompt_tokens' needs 'output_tokens'")
            if self.energy_per_request is not None or self.codecarbon is not None:
                raise ValueError("give either 'energy_per_request' (measured) or prompt/output tokens (modelled)")
            if self.load is not None:
                raise ValueError(
                    "the compute model gives the device load of every step: drop 'load' "
                    "(or give the measured 'average_power')"
                )
            return self
        for name in ("output_tokens", "batch_size", "devices", "compute_efficiency", "memory_efficiency", "batching"):
            if getattr(self, name) is not None:
                raise ValueError(f"'{name}' is used only with 'prompt_tokens' (modelled inference)")
        if self.kv_precision is not None or self.precision is not None:
            raise ValueError("'precision'/'kv_precision' are used only with 'prompt_tokens' (modelled inference)")
        if self.codecarbon is not None and self.energy_per_request is not None:
            raise ValueError("give either 'codecarbon' or 'energy_per_request', not both")
        if self.energy_per_request is None and self.total_accelerator_hours is None and self.codecarbon is None:
            raise ValueError(
                "inference needs 'energy_per_request', prompt/output tokens with a model, or accelerator time "
                "('accelerator_hours' or 'accelerators' and 'duration')"
            )
        if self.energy_per_request is not None and (self.average_power or self.load is not None):
            raise ValueError("'energy_per_request' already gives the energy; drop 'average_power'/'load'")
        if (
            self.energy_per_request is None
            and self.codecarbon is None
            and self.average_power is None
            and self.load is None
        ):
            raise ValueError(
                "inference given by accelerator time needs the device power: 'average_power' "
                "(measured mean W per accelerator) or 'load' (0-1 between idle and TDP)"
            )
        return self


class ActivityRef(Strict):
    """An activity of a background database: by ``code``, or by name (+ location, unit, product)."""

    code: str | None = None
    name: str | None = None
    location: str | None = None
    unit: str | None = None
    reference_product: str | None = None

    @model_validator(mode="after")
    def _code_or_name(self) -> ActivityRef:
        if (self.code is None) == (self.name is None):
            raise ValueError("give either 'code' or 'name' (with location/unit/reference_product as needed)")
        return self


class BackgroundMethod(Strict):
    """A Brightway method of the background project, and the factor to the category's unit."""

    method: list[str] = Field(min_length=1)
    factor: float = Field(default=1.0, gt=0)


class Background(Strict):
    """Link the foreground to a background database in a user's own Brightway project."""

    project: str  # a project in the user's own Brightway folder (BRIGHTWAY2_DIR), never a folder to open
    database: str
    methods: dict[Literal["gwp100", "water", "adpe", "pe"], BackgroundMethod]
    links: dict[Literal["grid", "server", "accelerator"], ActivityRef]

    @model_validator(mode="before")
    @classmethod
    def _no_folder(cls, data: Any) -> Any:
        if isinstance(data, dict) and "brightway_dir" in data:
            raise ValueError(
                "a study may name a Brightway project, never a folder for Brightway to open (Brightway "
                "unpickles what it finds there); drop 'brightway_dir' and set BRIGHTWAY2_DIR, "
                "'lca run --brightway-dir DIR' or lca.run(..., brightway_dir=DIR)"
            )
        return data

    @model_validator(mode="after")
    def _some_method(self) -> Background:
        if not self.methods:
            raise ValueError(
                "background.methods needs a method for at least one category (gwp100, water, adpe, pe); "
                "categories without one are reported as not computed"
            )
        return self


class ProcessUse(Strict):
    """A user process (inventory kind 'process') wired into a phase of the study."""

    process: str
    phase: Literal["training", "inference", "system"] = "system"
    amount: float = Field(gt=0)  # units of the process per unit of the phase (run, request, life cycle)


class SweepSpec(Strict):
    """The ``sweep:`` section of a study (see :mod:`lca.sweep`)."""

    mode: Literal["cartesian", "cases"] = "cartesian"
    parameters: dict[str, list[Any]] = Field(default_factory=dict)
    cases: list[dict[str, Any]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> SweepSpec:
        if self.mode == "cartesian" and not self.parameters:
            raise ValueError("a cartesian sweep needs 'parameters' (path: [values])")
        if self.mode == "cases" and not self.cases:
            raise ValueError("a 'cases' sweep needs a list of 'cases'")
        for path, values in self.parameters.items():
            if not values:
                raise ValueError(f"sweep parameter '{path}' has no values")
        return self


class Study(Strict):
    """A validated study (schema version 1)."""

    schema_version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=80, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    title: str | None = None
    description: str | None = None
    sources: list[str] = Field(default_factory=list)
    inventories: list[str] = Field(default_factory=list)
    functional_unit: FunctionalUnit
    model: str | None = None  # inventory id of the architecture (kind 'model')
    grid: str | None = None  # default: the datacenter's grid
    datacenter: str | None = None
    hardware: HardwareSpec
    training: TrainingPhase | None = None
    inference: InferencePhase | None = None
    processes: list[ProcessUse] = Field(default_factory=list)
    background: Background | None = None
    sweep: SweepSpec | None = None

    _path: Path | None = PrivateAttr(default=None)
    _doc: Document | None = PrivateAttr(default=None)
    _hash: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _has_a_phase(self) -> Study:
        if self.training is None and self.inference is None:
            raise ValueError("a study needs at least one phase: 'training' and/or 'inference'")
        modelled = (self.training is not None and self.training.modelled) or (
            self.inference is not None and self.inference.modelled
        )
        if modelled and self.model is None:
            raise ValueError("a phase given by tokens needs the study's 'model' (an architecture id)")
        for use in self.processes:
            if use.phase != "system" and getattr(self, use.phase) is None:
                raise ValueError(f"process '{use.process}' is attached to phase '{use.phase}', which the study lacks")
        return self

    @property
    def path(self) -> Path | None:
        return self._path

    @property
    def doc(self) -> Document | None:
        return self._doc

    @property
    def content_hash(self) -> str:
        """SHA-256 of the study file's bytes (or of its canonical JSON when built in code)."""
        return self._hash

    def phases(self) -> list[tuple[str, PhaseBase]]:
        out: list[tuple[str, PhaseBase]] = []
        if self.training is not None:
            out.append(("training", self.training))
        if self.inference is not None:
            out.append(("inference", self.inference))
        return out

    def where(self, *loc: Any) -> dict[str, Any]:
        """File/line/column/field of a field path, for error messages."""
        out: dict[str, Any] = {"field": ".".join(str(p) for p in loc)}
        if self._doc is not None:
            out.update(self._doc.where(loc))
        elif self._path is not None:
            out["file"] = self._path
        return out

    def resolve_path(self, relative: str, field: str = "") -> Path:
        """A path the study names: relative ones inside the study's folder, or written absolute."""
        base = self._path.parent if self._path is not None else Path.cwd()
        path = (base / relative).resolve()
        if not Path(relative).is_absolute() and base.resolve() not in path.parents:
            raise StudyError(
                "a relative path must lie inside the study's folder",
                value=relative,
                hint="write a file outside it as an absolute path",
                **(self.where(*field.split(".")) if field else {}),
            )
        return path

    def inventory_folders(self) -> list[Path]:
        """Extra inventory folders, resolved relative to the study file.

        A relative folder must stay inside the study's folder (no ``..`` out of
        it); a folder elsewhere must be written as an absolute path, so that a
        study copied from elsewhere cannot make ai-lca read a parent folder.
        """
        base = self._path.parent if self._path is not None else Path.cwd()
        out = []
        for i, f in enumerate(self.inventories):
            folder = (base / f).resolve()
            if not Path(f).is_absolute() and base.resolve() not in (folder, *folder.parents):
                raise StudyError(
                    "a relative inventory folder must lie inside the study's folder",
                    value=f,
                    hint="write a folder outside it as an absolute path",
                    **self.where("inventories", i),
                )
            out.append(folder)
        return out


def study_from_dict(data: dict[str, Any], *, path: Path | None = None, doc: Document | None = None) -> Study:
    """Validate a study given as a mapping (e.g. built in code or read from YAML)."""
    if not isinstance(data, dict):
        raise StudyError(
            "a study must be a mapping of fields",
            file=path,
            line=1 if path else None,
            value=type(data).__name__,
        )
    study: Study = validate(Study, data, doc=doc, error=StudyError)
    study._path = path
    study._doc = doc
    if doc is not None and path is not None:
        study._hash = hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        study._hash = hashlib.sha256(study.model_dump_json().encode()).hexdigest()
    return study


def load_study(path: Path | str) -> Study:
    """Read and validate a study YAML file.

    Raises
    ------
    StudyError
        With the file, line, field path, bad value and what is valid.
    """
    path = Path(path)
    if path.suffix.lower() not in (".yaml", ".yml"):
        raise StudyError("a study file must be YAML (.yaml or .yml)", file=path, value=path.suffix or path.name)
    doc = read_yaml(path, StudyError)
    return study_from_dict(doc.data, path=path.resolve(), doc=doc)
