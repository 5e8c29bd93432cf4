"""Time and energy on real accelerators: the roofline, per phase.

Time of a step on ``n`` devices::

    t = max(FLOPs / (n * peak * compute_efficiency), bytes / (n * bandwidth * memory_efficiency))

so decode is memory-bound at small batch (weights are re-read for every
step) and becomes compute-bound as the batch grows; prefill and training are
compute-bound. Power follows the busier of the two units, linearly between
idle and TDP::

    u = max(FLOPs / (t * n * peak), bytes / (t * n * bandwidth));  P = P_idle + u (TDP - P_idle)

Energies here are at the devices (IT energy, before host overhead and PUE,
which the process graph adds).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .architecture import Architecture
from .memory import kv_cache_bytes, weight_bytes
from .operational import device_power
from .serving import devices_to_hold, replica_devices, serving_energy

__all__ = [
    "Device",
    "Efficiency",
    "roofline_time",
    "devices_to_hold",
    "RequestEnergy",
    "request_energy",
    "TrainingRun",
    "training_run",
]


@dataclass(frozen=True)
class Device:
    """What the roofline needs of an accelerator (canonical units)."""

    name: str
    peak_flops: float  # dense FLOP/s at the working precision [FLOP/s]
    bandwidth: float  # memory bandwidth [B/s]
    memory: float  # memory capacity [B]
    tdp: float  # [W]
    idle_power: float = 0.0  # [W]


@dataclass(frozen=True)
class Efficiency:
    """Achieved fractions of peak (MFU for compute, MBU for memory bandwidth)."""

    compute: float = 0.5
    memory: float = 0.6

    def __post_init__(self) -> None:
        for name in ("compute", "memory"):
            v = getattr(self, name)
            if not 0.0 < v <= 1.0:
                raise ValueError(f"{name} efficiency must be within (0, 1], got {v}")


def roofline_time(flops, nbytes, device: Device, devices: int, eff: Efficiency):
    """Step time [s] and utilisation of the busier unit [unitless] (array-friendly).

    Parameters
    ----------
    flops : float or array
        FLOPs of the step, all devices together. [FLOP]
    nbytes : float or array
        Bytes moved by the step, all devices together. [B]
    device : Device
    devices : int
        Devices sharing the step (tensor/pipeline parallel). [count]
    eff : Efficiency
    """
    flops = np.asarray(flops, dtype=float)
    nbytes = np.asarray(nbytes, dtype=float)
    t_compute = flops / (devices * device.peak_flops * eff.compute)
    t_memory = nbytes / (devices * device.bandwidth * eff.memory)
    t = np.maximum(t_compute, t_memory)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(
            t > 0,
            np.maximum(flops / (t * devices * device.peak_flops), nbytes / (t * devices * device.bandwidth)),
            0.0,
        )
    return t, np.minimum(u, 1.0), t_compute >= t_memory


@dataclass(frozen=True)
class RequestEnergy:
    """Energy and time of one request, at the devices (IT, before host and PUE)."""

    prefill_energy: float  # [kWh]
    decode_energy: float  # [kWh]
    prefill_time: float  # wall time of the batch's prefill [s]
    decode_time: float  # wall time of the batch's decode [s]
    device_hours: float  # busy device time attributed to the request [h]
    devices: int
    decode_memory_bound: float  # fraction of decode steps that are memory-bound [unitless]
    prefill_flops: float  # per request [FLOP]
    decode_flops: float  # per request [FLOP]
    decode_bytes: float  # per request [B]
    output_tokens: int

    @property
    def energy(self) -> float:
        """Prefill + decode [kWh]."""
        return self.prefill_energy + self.decode_energy

    @property
    def energy_per_output_token(self) -> float:
        """[kWh]"""
        return self.energy / max(self.output_tokens, 1)


def request_energy(
    arch: Architecture,
    device: Device,
    prompt_tokens: int,
    output_tokens: int,
    batch_size: int = 1,
    *,
    devices: int | None = None,
    eff: Efficiency = Efficiency(),
    precision: str = "bf16",
    kv_precision: str = "bf16",
    average_power: float | None = None,
    memory_usable: float = 0.9,
    memory_power: float = 1.0,
) -> RequestEnergy:
    """Energy of one request served in a batch of ``batch_size`` identical requests.

    A scalar view of :func:`lca.compute.serving.serving_energy`.

    Parameters
    ----------
    arch : Architecture
    device : Device
    prompt_tokens, output_tokens : int
        Tokens in and out per request. [count]
    batch_size : int
        Requests processed together (prefill together, then decoded in lock step). [count]
    devices : int, optional
        Devices serving one model replica (tensor parallel); default: the
        fewest (power of two) that hold the weights and the batch's KV cache.
    eff : Efficiency
        Compute (MFU) and memory-bandwidth (MBU) efficiencies.
    precision, kv_precision : str
        Number formats of weights and KV cache.
    average_power : float, optional
        Measured mean power per device, replacing the utilisation model. [W]
    memory_usable : float, default 0.9
        Usable fraction of device memory when ``devices`` is not given
        (vLLM's default ``gpu_memory_utilization``). [unitless]
    memory_power : float, default 1
        Power in a memory-bound step per unit of bandwidth utilisation, fraction
        of (TDP - idle) (:func:`lca.compute.serving.roofline_step`). [unitless]
    """
    if prompt_tokens < 1 or output_tokens < 0 or batch_size < 1:
        raise ValueError("prompt_tokens >= 1, output_tokens >= 0 and batch_size >= 1 are required")
    if devices is None:
        kv_sequence = kv_cache_bytes(arch, prompt_tokens + output_tokens, kv_precision)
        devices = int(
            replica_devices(arch, weight_bytes(arch, precision), kv_sequence, batch_size, device.memory, memory_usable)
        )
    e = serving_energy(
        arch,
        prompt_tokens=prompt_tokens,
        output_tokens=output_tokens,
        batch=batch_size,
        devices=devices,
        peak_flops=device.peak_flops,
        bandwidth=device.bandwidth,
        compute_efficiency=eff.compute,
        memory_efficiency=eff.memory,
        tdp=device.tdp,
        idle_power=device.idle_power,
        precision=precision,
        kv_precision=kv_precision,
        average_power=average_power,
        memory_power=memory_power,
    )
    return RequestEnergy(
        prefill_energy=float(e.prefill_energy[0]),
        decode_energy=float(e.decode_energy[0]),
        prefill_time=float(e.prefill_time[0]),
        decode_time=float(e.decode_time[0]),
        device_hours=float(e.device_hours[0]),
        devices=int(devices),
        decode_memory_bound=float(e.decode_memory_bound[0]),
        prefill_flops=e.prefill_flops,
        decode_flops=e.decode_flops,
        decode_bytes=float(e.decode_bytes[0]),
        output_tokens=output_tokens,
    )


@dataclass(frozen=True)
class TrainingRun:
    """Accelerator time and device energy of a training run."""

    model_flops: float  # [FLOP]
    hardware_flops: float  # [FLOP]
    accelerator_hours: float  # [h]
    duration: float | None  # wall time with the given number of accelerators [h]
    device_energy: float  # [kWh]
    power: float  # mean power per device [W]


def training_run(
    model_flops: float,
    hardware_flops: float,
    device: Device,
    *,
    mfu: float | None = None,
    achieved_flops: float | None = None,
    accelerators: int | None = None,
    utilisation: float = 1.0,
    average_power: float | None = None,
) -> TrainingRun:
    """Accelerator-hours and energy of a training run from its FLOPs.

    Give either ``mfu`` (model FLOPs utilisation: model FLOPs / (time x peak))
    or ``achieved_flops`` (measured FLOP/s per device, counted on the model
    FLOPs, as Patterson et al. report).

    Parameters
    ----------
    model_flops, hardware_flops : float
        FLOPs of the run. [FLOP]
    device : Device
    mfu : float, optional
        Model FLOPs utilisation. [unitless]
    achieved_flops : float, optional
        Measured model FLOP/s per device. [FLOP/s]
    accelerators : int, optional
        Devices used at once (gives the wall time). [count]
    utilisation : float
        Power utilisation between idle and TDP, when no measured power. [unitless]
    average_power : float, optional
        Measured mean power per device. [W]
    """
    if (mfu is None) == (achieved_flops is None):
        raise ValueError("give exactly one of mfu or achieved_flops")
    rate = achieved_flops if achieved_flops is not None else device.peak_flops * float(mfu or 0.0)
    if rate <= 0:
        raise ValueError("the achieved FLOP rate must be positive")
    device_seconds = model_flops / rate
    hours = device_seconds / 3600.0
    power = average_power if average_power is not None else device_power(device.tdp, utilisation, device.idle_power)
    return TrainingRun(
        model_flops=model_flops,
        hardware_flops=hardware_flops,
        accelerator_hours=hours,
        duration=hours / accelerators if accelerators else None,
        device_energy=hours * power / 1000.0,
        power=power,
    )
