"""Serving: memory fit and the energy of a request, vectorised over scenarios.

Every continuous input (batch, efficiencies, device power, usable memory) may
be a number or a 1-D array of scenarios; results are then arrays of the same
length. Token counts are integers that fix the shape of the decode loop.

Memory fit of one model replica on ``n`` devices with ``M`` bytes each, of
which a fraction ``u`` is usable for weights and KV cache::

    weights + batch x KV(context) <= n x M x u

so the largest batch is ``floor((n M u - weights) / KV(context))`` (vLLM
reserves memory the same way: ``gpu_memory_utilization`` of each device for
weights, activations and the paged KV cache).

Energy of one request served in a batch of ``batch`` identical requests: the
prompts are prefilled together (one compute-bound pass), then decoded in lock
step, one token per step; step ``j`` attends to ``prompt + j + 1`` keys
(window-limited). Each step's time is the roofline of its FLOPs and bytes, and
the device power follows the busier unit between idle and TDP. Energies are at
the devices (IT energy of the accelerators, before host and PUE).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .architecture import Architecture
from .flops import attention_flops_per_token, matmul_flops_per_token, mean_kept_keys, prefill_flops
from .memory import kv_cache_bytes, kv_copies, kv_entry_bytes, weight_bytes, weights_read_per_step

__all__ = [
    "devices_to_hold",
    "max_batch",
    "ServingEnergy",
    "serving_energy",
    "roofline_step",
    "allreduce_volume",
    "ring_seconds",
    "replica_devices",
]

J_PER_KWH = 3.6e6


def devices_to_hold(nbytes, device_memory, usable, power_of_two: bool = True):
    """Fewest devices (a power of two) whose usable memory holds ``nbytes`` [count].

    Parameters
    ----------
    nbytes : float or array
        Bytes to hold. [B]
    device_memory : float
        Memory of one device. [B]
    usable : float or array
        Usable fraction of each device's memory. [unitless]
    """
    n = np.maximum(1.0, np.ceil(np.asarray(nbytes, dtype=float) / (device_memory * np.asarray(usable, dtype=float))))
    if power_of_two:
        n = 2.0 ** np.ceil(np.log2(n))
    return n if n.ndim else float(n)


def replica_devices(arch: Architecture, weights: float, kv_sequence: float, batch, device_memory: float, usable):
    """Fewest devices (a power of two) that hold the weights and ``batch`` sequences' KV caches, copies included.

    ``kv_sequence`` is one copy of a sequence's cache [B]; past :func:`kv_groups`
    devices each device adds a copy (:func:`lca.compute.memory.kv_copies`), so
    the count is found by doubling until it holds. [count]
    """
    b = np.asarray(batch, dtype=float)
    n = np.asarray(devices_to_hold(weights + b * kv_sequence, device_memory, usable), dtype=float)
    for _ in range(32):  # at most 2**32 devices: beyond, the batch does not fit (max_batch says so)
        more = np.asarray(
            devices_to_hold(weights + b * kv_sequence * kv_copies(arch, n), device_memory, usable), dtype=float
        )
        if np.all(more <= n):
            break
        n = np.maximum(n, more)
    return n if n.ndim else float(n)


def max_batch(
    arch: Architecture,
    device_memory: float,
    devices,
    usable,
    context: int,
    precision: str = "bf16",
    kv_precision: str = "bf16",
):
    """Largest batch whose KV caches fit beside the weights on ``devices`` devices [count].

    0 when the weights alone do not fit.

    Parameters
    ----------
    device_memory : float
        Memory of one device. [B]
    devices : int or array
        Devices of the replica; past :func:`lca.compute.memory.kv_groups` of
        them each holds a copy of the KV cache. [count]
    usable : float or array
        Usable fraction of each device's memory. [unitless]
    context : int
        Tokens cached per sequence (prompt + output). [count]
    """
    free = np.asarray(devices, dtype=float) * device_memory * np.asarray(usable, dtype=float) - weight_bytes(
        arch, precision
    )
    per_sequence = kv_cache_bytes(arch, context, kv_precision) * kv_copies(arch, devices)
    out = np.maximum(0.0, np.floor(free / per_sequence))
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class ServingEnergy:
    """One request's energy and time at the devices; arrays when the inputs are."""

    prefill_energy: np.ndarray  # [kWh]
    decode_energy: np.ndarray  # [kWh]
    prefill_time: np.ndarray  # wall time of the batch's prefill [s]
    decode_time: np.ndarray  # wall time of the batch's decode [s]
    device_hours: np.ndarray  # busy device time attributed to the request [h]
    devices: np.ndarray  # [count]
    decode_memory_bound: np.ndarray  # share of decode steps that are memory-bound [unitless]
    prefill_flops: float  # per request [FLOP]
    decode_flops: float  # per request [FLOP]
    decode_bytes: np.ndarray  # per request [B]
    output_tokens: int

    @property
    def energy(self) -> np.ndarray:
        """Prefill + decode [kWh]."""
        return self.prefill_energy + self.decode_energy


def _col(x) -> np.ndarray:
    """A scenario column: shape (N, 1) for an array, (1, 1) for a number."""
    return np.asarray(x, dtype=float).reshape(-1, 1)


ACTIVATION_BYTES = 2.0  # tensor-parallel all-reduces run in the model's 16-bit activation format [B]


def allreduce_volume(arch: Architecture, tokens):
    """Activation bytes a step's tensor-parallel all-reduces reduce [B].

    Megatron-style tensor parallelism all-reduces the activations twice per
    layer in a forward pass (after attention and after the MLP; Shoeybi et al.
    2019, section 3): ``tokens x d_model`` values each, in 16-bit format.
    """
    return 2.0 * arch.layers * np.asarray(tokens, dtype=float) * arch.d_model * ACTIVATION_BYTES


def ring_seconds(volume, devices, link_bandwidth):
    """Time of ring all-reduces of ``volume`` bytes over ``devices`` devices [s].

    A ring all-reduce moves ``2 (n - 1) / n`` times the data through each
    device's link (Patarasuk and Yuan 2009). ``link_bandwidth`` is one direction
    of a device's link [B/s]; no link given, or one device: 0. Not overlapped
    with compute.
    """
    n = np.asarray(devices, dtype=float)
    if link_bandwidth is None:
        return np.zeros(np.broadcast(n, volume).shape)
    return np.where(n > 1, 2.0 * (n - 1.0) / n * np.asarray(volume, dtype=float) / link_bandwidth, 0.0)


def roofline_step(
    flops, nbytes, n, peak_flops, bandwidth, ce, me, tdp, idle, measured=None, comm=0.0, memory_power=1.0
):
    """Time [s], device energy [J] and whether compute-bound, of engine steps on ``n`` devices.

    Broadcasts scenario columns (N, 1) against steps (1, S). The step takes the
    longer of its compute time at ``ce`` of peak and its memory time at ``me``
    of the bandwidth, plus ``comm`` seconds of tensor-parallel communication;
    each device draws ``measured`` power if given, else
    ``idle + (TDP - idle) x max(u_compute, memory_power x u_memory)``: power
    follows the compute units' utilisation, and a memory-bound step draws only
    ``memory_power`` of the range per unit of bandwidth utilisation (measured
    decode on H200 stays far below TDP; ``default-memory-bound-power``).
    ``memory_power=1`` is the plain linear model of the busier unit.
    """
    t_c = flops / (n * peak_flops * ce)
    t_m = nbytes / (n * bandwidth * me)
    t = np.maximum(t_c, t_m) + comm
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.where(t > 0, np.maximum(flops / (t * n * peak_flops), memory_power * nbytes / (t * n * bandwidth)), 0.0)
    u = np.minimum(u, 1.0)
    power = measured if measured is not None else idle + u * (tdp - idle)
    return t, t * n * power, t_c >= t_m


def serving_energy(
    arch: Architecture,
    *,
    prompt_tokens: int,
    output_tokens: int,
    batch,
    devices,
    peak_flops: float,
    bandwidth: float,
    compute_efficiency,
    memory_efficiency,
    tdp,
    idle_power,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    average_power=None,
    link_bandwidth: float | None = None,
    memory_power=1.0,
) -> ServingEnergy:
    """Energy of one request served in a batch of ``batch`` identical requests.

    Parameters
    ----------
    arch : Architecture
    prompt_tokens, output_tokens : int
        Tokens in and out per request. [count]
    batch : float or array
        Requests processed together. [count]
    devices : float or array
        Devices of the replica (tensor parallel). [count]
    peak_flops : float
        Dense peak of one device at the working precision. [FLOP/s]
    bandwidth : float
        Memory bandwidth of one device. [B/s]
    compute_efficiency, memory_efficiency : float or array
        Achieved fractions of peak FLOP/s (prefill MFU) and bandwidth (decode MBU). [unitless]
    tdp, idle_power : float or array
        Device power at full load and at idle. [W]
    average_power : float or array, optional
        Measured mean power per device, replacing the utilisation model. [W]
    link_bandwidth : float, optional
        One direction of a device's link for tensor-parallel all-reduces; none:
        communication not counted. [B/s]
    memory_power : float or array, default 1
        Power in a memory-bound step, fraction of (TDP - idle) per unit of
        bandwidth utilisation (see :func:`roofline_step`). [unitless]

    Returns
    -------
    ServingEnergy
        Arrays of length N for N scenarios (length 1 for numbers).
    """
    if prompt_tokens < 1 or output_tokens < 0:
        raise ValueError("prompt_tokens >= 1 and output_tokens >= 0 are required")
    b, n = _col(batch), _col(devices)
    ce, me = _col(compute_efficiency), _col(memory_efficiency)
    tdp_c, idle_c = _col(tdp), _col(idle_power)
    measured = None if average_power is None else _col(average_power)
    mp = _col(memory_power)

    def step(flops, nbytes, tokens):
        comm = ring_seconds(allreduce_volume(arch, tokens), n, link_bandwidth)
        return roofline_step(flops, nbytes, n, peak_flops, bandwidth, ce, me, tdp_c, idle_c, measured, comm, mp)

    kv_entry = kv_entry_bytes(arch, kv_precision) * _col(kv_copies(arch, n))  # every copy is written and read
    pf_per_request = prefill_flops(arch, prompt_tokens, logits="last")  # logits of the last prompt token only
    pf_t, pf_j, _ = step(
        b * pf_per_request,
        weights_read_per_step(arch, b * prompt_tokens, precision) + b * prompt_tokens * kv_entry,
        b * prompt_tokens,
    )
    if output_tokens:
        positions = prompt_tokens + np.arange(output_tokens, dtype=float)
        keys = mean_kept_keys(arch, positions + 1.0).reshape(1, -1)  # per-layer windows, averaged
        per_seq_flops = matmul_flops_per_token(arch) + attention_flops_per_token(arch, 1.0, decode=True) * keys
        step_bytes = weights_read_per_step(arch, b, precision) + b * kv_entry * (keys + 1.0)
        t, j, compute_bound = step(b * per_seq_flops, step_bytes, b)
        dec_t = t.sum(axis=1)
        dec_j = j.sum(axis=1)
        mem_bound = (
            np.mean(~compute_bound, axis=1)
            if compute_bound.shape[0] == dec_t.shape[0]
            else np.broadcast_to(np.mean(~compute_bound, axis=1), dec_t.shape)
        )
        dec_flops = float(per_seq_flops.sum())
        dec_bytes = (step_bytes.sum(axis=1) / b[:, 0]) * np.ones_like(dec_t)
    else:
        shape = np.broadcast(b, n, ce, me, tdp_c, idle_c).shape[0]
        dec_t = dec_j = mem_bound = dec_bytes = np.zeros(shape)
        dec_flops = 0.0
    bb = b[:, 0]
    pf_t1, pf_j1 = pf_t[:, 0], pf_j[:, 0]
    length = np.broadcast(pf_t1, dec_t, bb).shape
    return ServingEnergy(
        prefill_energy=np.broadcast_to(pf_j1 / bb / J_PER_KWH, length),
        decode_energy=np.broadcast_to(dec_j / bb / J_PER_KWH, length),
        prefill_time=np.broadcast_to(pf_t1, length),
        decode_time=np.broadcast_to(dec_t, length),
        device_hours=np.broadcast_to((pf_t1 + dec_t) * n[:, 0] / bb / 3600.0, length),
        devices=np.broadcast_to(n[:, 0], length),
        decode_memory_bound=np.broadcast_to(mem_bound, length),
        prefill_flops=pf_per_request,
        decode_flops=dec_flops,
        decode_bytes=np.broadcast_to(dec_bytes, length),
        output_tokens=output_tokens,
    )
