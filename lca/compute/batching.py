"""Continuous batching with chunked prefill: a serving engine's steps over a mix of requests.

Serving engines (vLLM, SGLang, TensorRT-LLM) do not run a batch of identical requests in
lock step: requests of different prompt and output lengths join and leave the running set
at every step, under two limits, the maximum number of running sequences and a per-step
token budget (chunked prefill). :func:`schedule` plays that scheduler over a set of
requests, all waiting at time 0 (a saturated server), the way vLLM's does:

1. every running sequence whose prompt is fully prefilled decodes one token;
2. the rest of the step's token budget goes to prefill chunks: first the running
   sequences whose prompt is partly prefilled, then waiting requests, admitted in order
   while fewer than ``max_seqs`` run;
3. a prompt's last chunk computes the logits of its last token (the first output token);
   the request then decodes ``output`` steps (the convention of
   :func:`lca.compute.serving.serving_energy`) and leaves.

The schedule records each step's FLOPs and bytes (weights read once per step, KV cache
read and written per sequence); it depends on token counts only, so one schedule serves
every scenario of a sweep or Monte Carlo run, and :func:`batching_energy` applies the
roofline of the device to all steps at once. With every request identical and a budget
that holds a whole batch of prompts, the steps are those of the lock-step model, and so
is the energy (tested).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .architecture import Architecture
from .flops import _sum_keys, attention_flops_per_token, lm_head_flops_per_token, matmul_flops_per_token, mean_kept_keys
from .memory import kv_entry_bytes, kv_groups, weights_read_per_step
from .serving import J_PER_KWH, ServingEnergy, _col, allreduce_volume, ring_seconds, roofline_step

__all__ = [
    "Schedule",
    "schedule",
    "batching_energy",
    "disaggregated_energy",
    "request_lengths",
    "histogram_mean",
    "MAX_STEPS",
]

MAX_STEPS = 2_000_000  # a schedule longer than this is refused (memory: ~6 arrays of this length)


@dataclass(frozen=True)
class Schedule:
    """The steps of one continuous-batching run over ``requests`` requests."""

    flops: np.ndarray  # per step [FLOP]
    nbytes: np.ndarray  # per step: weights + KV cache read and written, one copy of the cache [B]
    kv_nbytes: np.ndarray  # per step: the KV cache read and written (in nbytes), one copy [B]
    prefill_share: np.ndarray  # share of each step's FLOPs that is prefill [unitless]
    decodes: np.ndarray  # decode tokens in each step [count]
    running: np.ndarray  # sequences in each step [count]
    tokens: np.ndarray  # tokens processed in each step (prefill chunks + decodes) [count]
    allreduce: np.ndarray  # activation bytes of each step's tensor-parallel all-reduces [B]
    requests: int
    prompt_tokens: int  # all requests [count]
    output_tokens: int  # all requests [count]
    prefill_flops: float  # all requests [FLOP]
    decode_flops: float  # all requests [FLOP]
    kv_groups: int = 1  # parts of the KV cache tensor parallelism splits (lca.compute.memory.kv_groups)

    @property
    def steps(self) -> int:
        return int(self.flops.size)


def schedule(
    arch: Architecture,
    prompts,
    outputs,
    *,
    max_seqs: int,
    max_batched_tokens: int,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    prefilled: bool = False,
) -> Schedule:
    """Play a continuous-batching scheduler over requests with these prompt and output lengths.

    Parameters
    ----------
    prompts, outputs : array of int
        Prompt and output tokens of each request (prompt >= 1, output >= 0). [count]
    max_seqs : int
        Most sequences running at once (vLLM ``max_num_seqs``). [count]
    max_batched_tokens : int
        Token budget of one step, prefill chunks and decodes together (vLLM
        ``max_num_batched_tokens``); a prompt longer than the budget is prefilled
        in chunks. [count]
    prefilled : bool
        The decode pool of a disaggregated deployment: requests arrive with their
        prompt's KV cache (computed elsewhere) and only decode.
    """
    p = np.asarray(prompts, dtype=np.int64).ravel()
    o = np.asarray(outputs, dtype=np.int64).ravel()
    if p.size == 0 or p.size != o.size:
        raise ValueError("give as many prompt as output lengths, at least one request")
    if np.any(p < 1) or np.any(o < 0):
        raise ValueError("prompt lengths >= 1 and output lengths >= 0 are required")
    if max_seqs < 1 or max_batched_tokens < 1:
        raise ValueError("max_seqs and max_batched_tokens must be at least 1")
    if np.any(p + o > arch.max_context):
        raise ValueError(f"a request is longer than the model's context ({arch.max_context} tokens)")
    # a step decodes at most max_seqs tokens and prefills at most the budget: fewer steps are impossible
    prefill_steps = 0 if prefilled else int(p.sum()) / max_batched_tokens
    if max(int(o.sum()) / min(max_seqs, max_batched_tokens), prefill_steps) > MAX_STEPS:
        raise ValueError(f"this mix needs more than {MAX_STEPS:,} engine steps: fewer or shorter requests")

    mm = matmul_flops_per_token(arch)
    head = lm_head_flops_per_token(arch)
    att_prefill = attention_flops_per_token(arch, 1.0)  # per key, all layers
    att_decode = attention_flops_per_token(arch, 1.0, decode=True)
    kv_entry = kv_entry_bytes(arch, kv_precision)

    n = p.size
    done_decoding = np.zeros(n, dtype=np.int64)  # decode steps done
    decoding = np.zeros(0, dtype=np.int64)  # running, prompt fully prefilled, in admission order
    prefilling: list[list[int]] = []  # running, prompt partly prefilled: [request, tokens prefilled]
    next_waiting = 0
    flops: list[float] = []
    nbytes: list[float] = []
    kv_bytes: list[float] = []
    share: list[float] = []
    seqs: list[int] = []
    toks: list[int] = []
    decs: list[int] = []
    pf_total = dec_total = 0.0
    while decoding.size or prefilling or next_waiting < n:
        if len(flops) >= MAX_STEPS:
            raise ValueError(f"this mix needs more than {MAX_STEPS:,} engine steps: fewer or shorter requests")
        budget = max_batched_tokens
        if prefilled:  # admitted straight into decoding, at most max_seqs at once
            room = min(max_seqs - decoding.size, n - next_waiting)
            if room > 0:
                fresh = np.arange(next_waiting, next_waiting + room, dtype=np.int64)
                decoding = np.concatenate([decoding, fresh[o[fresh] > 0]])
                next_waiting += room
                if decoding.size == 0:
                    continue
        step_dec = decoding[:budget]
        budget -= step_dec.size
        chunks: list[tuple[int, int, int]] = []  # (request, start, length)
        for item in prefilling:
            if budget == 0:
                break
            r, done = item
            c = int(min(p[r] - done, budget))
            chunks.append((r, done, c))
            budget -= c
        while not prefilled and budget > 0 and next_waiting < n and decoding.size + len(prefilling) < max_seqs:
            r = next_waiting
            next_waiting += 1
            prefilling.append([r, 0])
            c = int(min(p[r], budget))
            chunks.append((r, 0, c))
            budget -= c
        # work of the step
        kept = mean_kept_keys(arch, (p[step_dec] + done_decoding[step_dec]).astype(float) + 1.0)
        dec_f = float(step_dec.size * mm + att_decode * np.sum(kept))
        dec_kv = float(kv_entry * (np.sum(kept) + step_dec.size))
        pf_f = pf_kv = 0.0
        chunk_tokens = 0
        for r, start, c in chunks:
            last = start + c == p[r]
            pf_f += c * (mm - head) + (head if last else 0.0) + att_prefill * _sum_keys(arch, start, start + c)
            pf_kv += kv_entry * (float(mean_kept_keys(arch, float(start))) + c)
            chunk_tokens += c
        tokens = step_dec.size + chunk_tokens
        flops.append(pf_f + dec_f)
        nbytes.append(float(weights_read_per_step(arch, tokens, precision)) + pf_kv + dec_kv)
        kv_bytes.append(pf_kv + dec_kv)
        share.append(pf_f / (pf_f + dec_f) if pf_f + dec_f > 0 else 0.0)
        seqs.append(decoding.size + len(prefilling))
        toks.append(tokens)
        decs.append(step_dec.size)
        pf_total += pf_f
        dec_total += dec_f
        # advance: decodes, then prompts whose last chunk ran start decoding next step
        done_decoding[step_dec] += 1
        decoding = decoding[done_decoding[decoding] < o[decoding]]
        finished = []
        for item, (_r, _start, c) in zip(prefilling, chunks, strict=False):
            item[1] += c
            if item[1] == p[item[0]]:
                finished.append(item)
        if finished:
            ready = [item[0] for item in finished if o[item[0]] > 0]
            prefilling = [item for item in prefilling if item[1] < p[item[0]]]
            decoding = np.concatenate([decoding, np.asarray(ready, dtype=np.int64)])
    return Schedule(
        flops=np.asarray(flops),
        nbytes=np.asarray(nbytes),
        kv_nbytes=np.asarray(kv_bytes),
        prefill_share=np.asarray(share),
        decodes=np.asarray(decs, dtype=float),
        running=np.asarray(seqs, dtype=float),
        tokens=np.asarray(toks, dtype=float),
        allreduce=allreduce_volume(arch, np.asarray(toks, dtype=float)),
        requests=n,
        prompt_tokens=int(p.sum()),
        output_tokens=int(o.sum()),
        prefill_flops=pf_total,
        decode_flops=dec_total,
        kv_groups=kv_groups(arch),
    )


def batching_energy(
    sched: Schedule,
    *,
    devices,
    peak_flops: float,
    bandwidth: float,
    compute_efficiency,
    memory_efficiency,
    tdp,
    idle_power,
    average_power=None,
    link_bandwidth: float | None = None,
    memory_power=1.0,
    chunk: int = 4096,
) -> ServingEnergy:
    """Energy per request (the mean over the schedule's requests) on a replica of ``devices`` devices.

    Scenario inputs may be numbers or 1-D arrays (as in
    :func:`lca.compute.serving.serving_energy`); steps are evaluated in chunks of
    ``chunk`` steps. A step's energy is split between prefill and decode by its
    share of FLOPs; ``prefill_time``/``decode_time`` (the run's wall time) and
    ``decode_bytes`` (per request) are split the same way. ``decode_memory_bound``
    is the share of the steps with decode tokens that are memory-bound. With
    ``link_bandwidth`` (one direction of a device's link [B/s]), each step of a
    multi-device replica adds its tensor-parallel all-reduces
    (:func:`lca.compute.serving.ring_seconds`).
    """
    n = _col(devices)
    extra = np.maximum(1.0, n / sched.kv_groups) - 1.0  # copies of the KV cache past the first (N, 1)
    ce, me = _col(compute_efficiency), _col(memory_efficiency)
    tdp_c, idle_c = _col(tdp), _col(idle_power)
    measured = None if average_power is None else _col(average_power)
    mp = _col(memory_power)
    shape = np.broadcast(n, ce, me, tdp_c, idle_c, mp, *(() if measured is None else (measured,))).shape[0]
    decode_bytes = np.zeros(shape)
    energy_pf = np.zeros(shape)
    energy_dec = np.zeros(shape)
    time_pf = np.zeros(shape)
    time_dec = np.zeros(shape)
    mem_steps = np.zeros(shape)
    for lo in range(0, sched.steps, chunk):
        sl = slice(lo, lo + chunk)
        f, s = sched.flops[sl][None, :], sched.prefill_share[sl][None, :]
        b = sched.nbytes[sl][None, :] + extra * sched.kv_nbytes[sl][None, :]
        decode_bytes += np.broadcast_to((b * (1.0 - s)).sum(axis=1), shape)
        comm = ring_seconds(sched.allreduce[sl][None, :], n, link_bandwidth)
        t, j, compute_bound = roofline_step(f, b, n, peak_flops, bandwidth, ce, me, tdp_c, idle_c, measured, comm, mp)
        t, j = np.broadcast_to(t, (shape, t.shape[1])), np.broadcast_to(j, (shape, j.shape[1]))
        energy_pf += (j * s).sum(axis=1)
        energy_dec += (j * (1.0 - s)).sum(axis=1)
        time_pf += (t * s).sum(axis=1)
        time_dec += (t * (1.0 - s)).sum(axis=1)
        with_decode = sched.decodes[sl][None, :] > 0
        mem_steps += np.broadcast_to(~compute_bound & with_decode, (shape, t.shape[1])).sum(axis=1)
    r = float(sched.requests)
    return ServingEnergy(
        prefill_energy=energy_pf / r / J_PER_KWH,
        decode_energy=energy_dec / r / J_PER_KWH,
        prefill_time=time_pf,
        decode_time=time_dec,
        device_hours=(time_pf + time_dec) * np.broadcast_to(n[:, 0], shape) / r / 3600.0,
        devices=np.broadcast_to(n[:, 0], shape),
        decode_memory_bound=mem_steps / max(1, int(np.count_nonzero(sched.decodes))),
        prefill_flops=sched.prefill_flops / r,
        decode_flops=sched.decode_flops / r,
        decode_bytes=decode_bytes / r,
        output_tokens=int(round(sched.output_tokens / r)),
    )


def histogram_mean(bins: Any, weights: Any) -> float:
    """The mean length [token] :func:`request_lengths` draws from a histogram (bins ``[from, to)``)."""
    edges, w = np.asarray(bins, dtype=float), np.asarray(weights, dtype=float)
    return float(np.sum(w * (edges[:-1] + edges[1:] - 1.0) / 2.0) / w.sum())


def request_lengths(
    family: str, mean: float, count: int, seed: int, *, sigma: float | None = None, bins=None, weights=None
) -> np.ndarray:
    """``count`` token lengths drawn with ``seed`` from a distribution family [count].

    ``fixed``: every request ``mean``. ``lognormal``: median chosen so that the mean
    is ``mean``, log-standard deviation ``sigma``. ``exponential``: mean ``mean``.
    ``histogram``: bin edges ``bins`` with ``weights`` per bin, every length of a
    bin ``[from, to)`` (``from`` to ``to - 1`` tokens) equally likely (an empirical
    distribution, e.g. from a trace); its mean is :func:`histogram_mean`. Lengths
    are rounded and at least 1.
    """
    rng = np.random.default_rng(seed)
    if family == "fixed":
        out = np.full(count, float(mean))
    elif family == "lognormal":
        if sigma is None or sigma <= 0:
            raise ValueError("a lognormal length distribution needs sigma > 0")
        out = rng.lognormal(np.log(mean) - sigma**2 / 2.0, sigma, count)
    elif family == "exponential":
        out = rng.exponential(mean, count)
    elif family == "histogram":
        edges = np.asarray(bins, dtype=float)
        w = np.asarray(weights, dtype=float)
        if edges.ndim != 1 or edges.size != w.size + 1 or np.any(np.diff(edges) <= 0) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError("a histogram needs increasing bin edges and one weight >= 0 per bin (not all 0)")
        which = rng.choice(w.size, size=count, p=w / w.sum())
        out = np.floor(rng.uniform(edges[which], edges[which + 1]))  # bin [from, to): from ... to - 1
    else:
        raise ValueError(f"unknown length distribution {family!r}: fixed, lognormal, exponential or histogram")
    return np.maximum(1, np.rint(out)).astype(np.int64)


def disaggregated_energy(prefill: Schedule, decode: Schedule, prefill_share: float, **scenario: Any) -> ServingEnergy:
    """Energy per request with prefill and decode on separate device pools (Splitwise, DistServe).

    ``prefill`` schedules the prompts alone (outputs 0), ``decode`` the same
    requests arriving prefilled. ``prefill_share`` of the deployment's devices
    prefill, the rest decode; ``scenario`` is the keyword arguments of
    :func:`batching_energy` (devices, peak, efficiencies, power ...), the same
    for both pools. In a saturated deployment the slower pool sets the request
    rate and the other pool waits part of the time: that waiting is device time
    at idle power, charged to the pool that waits. The transfer of the prompt's
    KV cache between the pools is not counted.
    """
    if not 0.0 < prefill_share < 1.0:
        raise ValueError("prefill_share must be between 0 and 1 (exclusive)")
    ep, ed = batching_energy(prefill, **scenario), batching_energy(decode, **scenario)
    busy_p, busy_d = ep.device_hours * 3600.0, ed.device_hours * 3600.0  # device-seconds per request
    per_request = np.maximum(busy_p / prefill_share, busy_d / (1.0 - prefill_share))
    idle = np.asarray(scenario["idle_power"], dtype=float).reshape(-1)
    wait_p = (per_request * prefill_share - busy_p) * idle / J_PER_KWH
    wait_d = (per_request * (1.0 - prefill_share) - busy_d) * idle / J_PER_KWH
    return ServingEnergy(
        prefill_energy=ep.prefill_energy + ep.decode_energy + wait_p,
        decode_energy=ed.prefill_energy + ed.decode_energy + wait_d,
        prefill_time=ep.prefill_time + ep.decode_time,
        decode_time=ed.prefill_time + ed.decode_time,
        device_hours=per_request / 3600.0,
        devices=ep.devices,
        decode_memory_bound=ed.decode_memory_bound,
        prefill_flops=ep.prefill_flops,
        decode_flops=ed.decode_flops,
        decode_bytes=ed.decode_bytes,
        output_tokens=ed.output_tokens,
    )
