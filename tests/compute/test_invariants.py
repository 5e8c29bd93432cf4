"""Layer (c): physics of the compute model."""

from __future__ import annotations

import pytest

from lca.compute.flops import decode_flops, forward_flops_per_token, prefill_flops
from lca.compute.hardware import device_from_record
from lca.compute.memory import decode_step_bytes, kv_entry_bytes
from lca.compute.roofline import Efficiency, request_energy, roofline_time
from lca.inventory import Registry

REG = Registry()
H100 = device_from_record(REG.get("h100-sxm"), "bf16", 0.12)
A100 = device_from_record(REG.get("a100-sxm4-80gb"), "bf16", 0.12)


def _bound(arch, batch, context=2048):
    flops = batch * forward_flops_per_token(arch, context)
    nbytes = decode_step_bytes(arch, batch, context)
    _, _, compute_bound = roofline_time(flops, nbytes, H100, 1, Efficiency())
    return bool(compute_bound)


def test_decode_memory_bound_at_batch_one_compute_bound_at_large_batch():
    arch = REG.get("llama-3.1-8b")
    assert _bound(arch, 1) is False
    assert _bound(arch, 4096, context=128) is True


def test_energy_per_output_token_rises_with_context():
    arch = REG.get("llama-3.1-8b")
    per_token = [request_energy(arch, H100, p, 256, 8).decode_energy / 256 for p in (128, 2048, 16384, 65536)]
    assert per_token == sorted(per_token)
    assert per_token[-1] > 1.5 * per_token[0]


def test_long_output_costs_more_than_long_prompt():
    arch = REG.get("llama-3.1-8b")
    long_output = request_energy(arch, H100, 100, 2000, 1).energy
    long_prompt = request_energy(arch, H100, 2000, 100, 1).energy
    assert long_output > 3 * long_prompt


def test_gqa_lowers_decode_bytes():
    mha = REG.get("llama-2-7b")  # 32 KV heads
    gqa = mha.model_copy(update={"kv_heads": 8})
    assert kv_entry_bytes(gqa) == kv_entry_bytes(mha) / 4
    assert decode_step_bytes(gqa, 16, 4096) < decode_step_bytes(mha, 16, 4096)


def test_sliding_window_caps_attention():
    mistral = REG.get("mistral-7b")
    assert forward_flops_per_token(mistral, 6000) == forward_flops_per_token(mistral, 5000)
    llama = REG.get("llama-2-7b")
    assert forward_flops_per_token(llama, 4000) > forward_flops_per_token(llama, 3000)


def test_prefill_plus_decode_equals_one_long_prefill():
    """With logits at every position the split does not matter; serving saves the LM head of all but one."""
    arch = REG.get("llama-2-7b")
    every = prefill_flops(arch, 300, logits="all") + decode_flops(arch, 300, 200)
    assert every == pytest.approx(prefill_flops(arch, 500, logits="all"), rel=1e-15)
    head = 2.0 * arch.vocab * arch.d_model
    assert prefill_flops(arch, 300) == pytest.approx(prefill_flops(arch, 300, logits="all") - 299 * head, rel=1e-15)
    assert prefill_flops(arch, 1) == prefill_flops(arch, 1, logits="all")


def test_lm_head_share_of_an_8b_prefill():
    """The LM head on every prompt token is ~7 % of an 8B model's prefill (issue 11's figure)."""
    arch = REG.get("llama-3.1-8b")
    share = 1.0 - prefill_flops(arch, 1000) / prefill_flops(arch, 1000, logits="all")
    assert 0.06 < share < 0.08


def test_moe_reads_fewer_weights_at_small_batch():
    arch = REG.get("mixtral-8x7b")
    assert decode_step_bytes(arch, 1, 1) < 0.4 * decode_step_bytes(arch, 512, 1)


def test_bigger_batch_lowers_energy_per_request():
    arch = REG.get("llama-2-70b")
    e = [request_energy(arch, A100, 512, 256, b).energy for b in (1, 4, 16, 64)]
    assert e == sorted(e, reverse=True)


def test_devices_hold_weights():
    arch = REG.get("llama-3.1-405b")
    e = request_energy(arch, H100, 1000, 100, 1)
    assert e.devices * 80e9 * 0.9 >= 405e9 * 2
