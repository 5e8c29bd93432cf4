"""Continuous batching with chunked prefill: reduces to lock step, conserves work, moves the right way."""

from __future__ import annotations

import numpy as np
import pytest

from lca.compute.batching import MAX_STEPS, batching_energy, request_lengths, schedule
from lca.compute.flops import decode_flops, prefill_flops
from lca.compute.serving import serving_energy
from lca.inventory import Registry

REG = Registry()
H100 = REG.get("h100-sxm", "accelerator")
DEVICE = {
    "peak_flops": H100.peak_flops["bf16"].value,
    "bandwidth": H100.memory_bandwidth.value * 1e9,
    "tdp": H100.tdp.value,
    "idle_power": 0.2 * H100.tdp.value,
}
SCENARIOS = {"compute_efficiency": np.array([0.5, 0.3, 0.7]), "memory_efficiency": np.array([0.6, 0.4, 0.8])}


@pytest.mark.parametrize(
    "model,batch,prompt,output",
    [("llama-3.1-8b", 16, 1000, 400), ("llama-3.1-8b", 1, 50, 3), ("mixtral-8x7b", 8, 300, 120),
     ("mistral-7b", 4, 5000, 200), ("deepseek-v3", 4, 2000, 50)],
)  # fmt: skip
def test_identical_requests_equal_the_lock_step_model(model, batch, prompt, output):
    """Every request the same and a budget that holds a batch of prompts: the lock-step steps, the same energy."""
    arch = REG.get(model, "model")
    devices = 8 if model in ("mixtral-8x7b", "deepseek-v3") else 1
    sched = schedule(arch, [prompt] * 3 * batch, [output] * 3 * batch, max_seqs=batch,
                     max_batched_tokens=batch * prompt)  # fmt: skip
    link = 450e9  # tensor-parallel all-reduces over an NVLink 4 direction where devices > 1
    got = batching_energy(sched, devices=devices, link_bandwidth=link, **DEVICE, **SCENARIOS)
    lock = serving_energy(arch, prompt_tokens=prompt, output_tokens=output, batch=batch, devices=devices,
                          link_bandwidth=link, **DEVICE, **SCENARIOS)  # fmt: skip
    for field in ("prefill_energy", "decode_energy", "device_hours", "decode_memory_bound", "decode_bytes"):
        np.testing.assert_allclose(getattr(got, field), getattr(lock, field), rtol=1e-12, err_msg=field)
    assert got.prefill_flops == pytest.approx(lock.prefill_flops, rel=1e-12)
    assert got.decode_flops == pytest.approx(lock.decode_flops, rel=1e-12)


def test_chunked_prefill_with_a_32_token_budget_conserves_work():
    """A 32-token step budget splits every prompt; prefill and decode FLOPs are those of the requests."""
    arch = REG.get("llama-3.1-8b", "model")
    prompts = request_lengths("lognormal", 300, 60, seed=1, sigma=0.7)
    outputs = request_lengths("exponential", 80, 60, seed=2)
    sched = schedule(arch, prompts, outputs, max_seqs=16, max_batched_tokens=32)
    assert sched.tokens.max() <= 32
    assert sched.running.max() <= 16
    assert sched.prefill_flops == pytest.approx(sum(prefill_flops(arch, int(p)) for p in prompts), rel=1e-12)
    assert sched.decode_flops == pytest.approx(
        sum(decode_flops(arch, int(p), int(o)) for p, o in zip(prompts, outputs, strict=True)), rel=1e-12
    )
    assert sched.tokens.sum() == prompts.sum() + outputs.sum()


def _energy(prompts, outputs, **limits) -> float:
    arch = REG.get("llama-3.1-8b", "model")
    sched = schedule(arch, prompts, outputs, **limits)
    return float(batching_energy(sched, devices=1, compute_efficiency=0.5, memory_efficiency=0.6, **DEVICE).energy[0])


def test_energy_per_request_grows_with_output_and_falls_with_more_sequences():
    prompts = request_lengths("lognormal", 800, 300, seed=3, sigma=0.8)
    short = request_lengths("lognormal", 100, 300, seed=4, sigma=0.8)
    long = request_lengths("lognormal", 800, 300, seed=4, sigma=0.8)
    limits = {"max_seqs": 32, "max_batched_tokens": 2048}
    assert _energy(prompts, long, **limits) > 3 * _energy(prompts, short, **limits)
    e = [_energy(prompts, long, max_seqs=s, max_batched_tokens=2048) for s in (4, 16, 64)]
    assert e[0] > e[1] > e[2]


def test_chunked_prefill_has_a_best_budget():
    """Decodes ride in compute-bound prefill chunks (Sarathi-Serve): a mid-size budget beats whole-prompt
    steps, and a tiny budget reads the weights for a handful of tokens per step."""
    prompts = request_lengths("lognormal", 1500, 150, seed=5, sigma=0.8)
    outputs = request_lengths("lognormal", 300, 150, seed=6, sigma=0.8)
    tiny, mid, whole = (_energy(prompts, outputs, max_seqs=64, max_batched_tokens=t) for t in (8, 512, 16384))
    assert tiny > 5 * mid
    assert whole > 1.05 * mid


def test_length_families():
    assert set(request_lengths("fixed", 7, 5, seed=0)) == {7}
    lengths = request_lengths("lognormal", 500, 200_000, seed=0, sigma=1.0)
    assert lengths.mean() == pytest.approx(500, rel=0.02)
    assert request_lengths("exponential", 500, 200_000, seed=0).mean() == pytest.approx(500, rel=0.02)
    hist = request_lengths("histogram", 0, 100_000, seed=0, bins=[1, 101, 1001], weights=[3, 1])
    assert np.mean(hist <= 101) == pytest.approx(0.75, abs=0.01)
    np.testing.assert_array_equal(request_lengths("lognormal", 500, 10, seed=9, sigma=0.5),
                                  request_lengths("lognormal", 500, 10, seed=9, sigma=0.5))  # fmt: skip


@pytest.mark.parametrize(
    "call,message",
    [(lambda a: schedule(a, [], [], max_seqs=1, max_batched_tokens=1), "at least one request"),
     (lambda a: schedule(a, [0], [1], max_seqs=1, max_batched_tokens=1), "prompt lengths >= 1"),
     (lambda a: schedule(a, [1], [1], max_seqs=0, max_batched_tokens=1), "at least 1"),
     (lambda a: schedule(a, [200_000], [1], max_seqs=1, max_batched_tokens=8), "context"),
     (lambda a: schedule(a, [1] * 20, [MAX_STEPS // 19] * 20, max_seqs=1, max_batched_tokens=8), "engine steps"),
     (lambda a: schedule(a, [100_000] * 30, [1] * 30, max_seqs=8, max_batched_tokens=1), "engine steps"),
     (lambda a: request_lengths("zipf", 5, 3, seed=0), "unknown length distribution"),
     (lambda a: request_lengths("lognormal", 5, 3, seed=0), "sigma"),
     (lambda a: request_lengths("histogram", 5, 3, seed=0, bins=[1, 2], weights=[1, 1]), "bin edges")],
)  # fmt: skip
def test_bad_requests_are_refused(call, message):
    with pytest.raises(ValueError, match=message):
        call(REG.get("llama-3.1-8b", "model"))


def test_tensor_parallel_all_reduces():
    """Two ring all-reduces of tokens x d_model 16-bit activations per layer; nothing on one device."""
    from lca.compute.serving import allreduce_volume, ring_seconds

    arch = REG.get("llama-3.1-70b", "model")
    volume = allreduce_volume(arch, 512)
    assert volume == 2 * 80 * 512 * 8192 * 2
    assert ring_seconds(volume, 4, 450e9) == pytest.approx(2 * 3 / 4 * volume / 450e9)
    assert ring_seconds(volume, 1, 450e9) == 0.0
    assert ring_seconds(volume, 4, None) == 0.0
    base = {"prompt_tokens": 1000, "output_tokens": 200, "batch": 16, "devices": 4, **DEVICE, **SCENARIOS}
    without = serving_energy(arch, **base).energy
    slow, fast = (serving_energy(arch, link_bandwidth=bw, **base).energy for bw in (32e9, 450e9))
    assert np.all(without < fast) and np.all(fast < slow)


def test_disaggregated_pools():
    """Prefill alone + decode of prefilled requests; the pool that waits is charged at idle power."""
    from lca.compute.batching import disaggregated_energy

    arch = REG.get("llama-3.1-8b", "model")
    prompts = request_lengths("lognormal", 1000, 200, seed=7, sigma=0.8)
    outputs = request_lengths("exponential", 300, 200, seed=8)
    pre = schedule(arch, prompts, np.zeros_like(outputs), max_seqs=32, max_batched_tokens=2048)
    dec = schedule(arch, prompts, outputs, max_seqs=32, max_batched_tokens=2048, prefilled=True)
    assert pre.decode_flops == 0 and dec.prefill_flops == 0
    assert dec.decode_flops == pytest.approx(
        sum(decode_flops(arch, int(p), int(o)) for p, o in zip(prompts, outputs, strict=True)), rel=1e-12
    )
    kw = {"devices": 1, "compute_efficiency": 0.5, "memory_efficiency": 0.6, **DEVICE}
    ep, ed = batching_energy(pre, **kw), batching_energy(dec, **kw)
    busy_p, busy_d = float(ep.device_hours[0]), float(ed.device_hours[0])
    balanced = busy_p / (busy_p + busy_d)  # the ratio at which neither pool waits
    got = disaggregated_energy(pre, dec, balanced, **kw)
    assert got.energy[0] == pytest.approx(ep.energy[0] + ed.energy[0], rel=1e-9)
    assert got.device_hours[0] == pytest.approx(busy_p + busy_d, rel=1e-9)
    more_prefill = disaggregated_energy(pre, dec, min(0.95, 2 * balanced), **kw)
    wait = (more_prefill.device_hours[0] - busy_p - busy_d) * 3600 * DEVICE["idle_power"] / 3.6e6
    assert more_prefill.prefill_energy[0] == pytest.approx(ep.energy[0] + wait, rel=1e-9)  # prefill pool waits
    assert more_prefill.decode_energy[0] == pytest.approx(ed.energy[0], rel=1e-9)
    with pytest.raises(ValueError, match="between 0 and 1"):
        disaggregated_energy(pre, dec, 1.0, **kw)


@pytest.mark.parametrize("model, one_copy_up_to", [("llama-3.1-8b", 8), ("deepseek-v3", 1)])
def test_kv_copies_past_one_device_per_kv_head_are_read_and_written(model, one_copy_up_to):
    """vLLM gives each device at least one whole KV head (every device the whole MLA latent): each copy is read.

    Per request, a decode step reads ``kv_entry x (keys + 1)`` per copy: devices past the KV heads add that again
    per copy, in the lock-step model and in the continuous-batching schedule alike.
    """
    from lca.compute.memory import kv_entry_bytes

    arch = REG.get(model, "model")
    prompt, output, batch = 1000, 100, 8
    kw = {"prompt_tokens": prompt, "output_tokens": output, "batch": batch, "link_bandwidth": 450e9,
          "compute_efficiency": 0.5, "memory_efficiency": 0.6, **DEVICE}  # fmt: skip
    one_copy = kv_entry_bytes(arch) * sum(p + 2.0 for p in range(prompt, prompt + output))  # keys + 1 per step
    base = serving_energy(arch, devices=one_copy_up_to, **kw).decode_bytes[0]
    sched = schedule(arch, [prompt] * batch, [output] * batch, max_seqs=batch, max_batched_tokens=batch * prompt)
    for copies in (2, 4):
        devices = one_copy_up_to * copies
        lock = serving_energy(arch, devices=devices, **kw).decode_bytes[0]
        assert lock - base == pytest.approx((copies - 1) * one_copy, rel=1e-9)
        got = batching_energy(sched, devices=devices, link_bandwidth=450e9, compute_efficiency=0.5,
                              memory_efficiency=0.6, **DEVICE)  # fmt: skip
        assert got.decode_bytes[0] == pytest.approx(lock, rel=1e-12)


def test_the_compute_table_reads_the_weights_at_their_precision_and_every_kv_copy():
    """`lca compute` once counted decode bytes with bf16 weights whatever --precision said, and one KV copy."""
    import lca
    from lca.compute.memory import decode_step_bytes

    arch = REG.get("deepseek-v3", "model")
    _title, rows = lca.compute_table("deepseek-v3", "h200-sxm", precision="fp8", devices=16, batch=64)
    got = dict((name, value) for name, value, _unit in rows)
    assert got["copies of the KV cache on the replica"] == 16
    assert got["bytes per decode step (batch)"] == pytest.approx(
        decode_step_bytes(arch, 64, 1000, "fp8", "bf16", 16), rel=1e-12)
    assert got["bytes per decode step (batch)"] < decode_step_bytes(arch, 64, 1000, "bf16", "bf16", 16)
