"""Layer (b): training FLOPs and time against Patterson et al. (2021), Table 4."""

from __future__ import annotations

import pytest

from lca.compute.flops import training_flops
from lca.compute.roofline import Device, training_run
from lca.inventory import Registry

REG = Registry()


def test_gpt3_training_flops():
    """3.14e23 FLOPs (Table 4) from 175B architecture x 300B tokens at context 2048; 5 %."""
    flops = training_flops(REG.get("gpt3-175b"), 300e9, 2048)
    assert flops.model == pytest.approx(3.14e23, rel=0.05)


@pytest.mark.xfail(strict=True, reason=(
    "Not reproduced: Table 4's 4.05e22 is the measured 45.6 TFLOP/s x 512 chips x 20 days. "
    "From the T5 paper's pre-training (1M steps x 2048 sequences of 512 input + 114 target "
    "tokens, span corruption) the encoder-decoder count is 4.66e22 (+15 %); weights alone "
    "give 4.3e22 (+7 %). See docs/methodology/compute.md."))
def test_t5_training_flops():
    tokens = 2**11 * 512 * 1e6  # Raffel et al. 2020 §3.7: 1M steps, batch 2^11 x 512
    flops = training_flops(REG.get("t5-11b"), tokens, 512, target_length=114)
    assert flops.model == pytest.approx(4.05e22, rel=0.05)


def test_t5_training_flops_value_is_stable():
    """Pin the T5 estimate itself (documented deviation above), so changes are seen."""
    tokens = 2**11 * 512 * 1e6
    flops = training_flops(REG.get("t5-11b"), tokens, 512, target_length=114)
    assert flops.model == pytest.approx(4.657e22, rel=1e-3)


def test_gpt3_days_and_energy_from_flops():
    """10,000 V100 at the measured 24.6 TFLOP/s and 330 W, PUE 1.1: 14.8 days, 1,287 MWh; 2 %."""
    flops = training_flops(REG.get("gpt3-175b"), 300e9, 2048)
    v100 = REG.get("v100-sxm2-32gb")
    device = Device(v100.id, v100.peak_flops["fp16"].value, 900e9, 32e9, v100.tdp.value)
    run = training_run(flops.model, flops.hardware, device, achieved_flops=24.6e12,
                       accelerators=10_000, average_power=330.0)
    assert run.duration / 24 == pytest.approx(14.8, rel=0.02)
    assert run.device_energy * 1.10 / 1000 == pytest.approx(1287, rel=0.02)


def test_recomputation_adds_executed_flops():
    arch = REG.get("llama-2-7b")
    none = training_flops(arch, 1e9, 4096, recompute="none")
    sel = training_flops(arch, 1e9, 4096, recompute="selective")
    full = training_flops(arch, 1e9, 4096, recompute="full")
    assert none.model == sel.model == full.model
    assert none.hardware == none.model < sel.hardware < full.hardware
    assert full.hardware == pytest.approx(4 / 3 * full.model)


def test_selective_recomputation_counts_for_encoder_decoder_training():
    """T5: the attention of encoder, decoder self- and cross-attention is executed again."""
    arch = REG.get("t5-11b")
    none = training_flops(arch, 1e9, 512, recompute="none", target_length=114)
    sel = training_flops(arch, 1e9, 512, recompute="selective", target_length=114)
    full = training_flops(arch, 1e9, 512, recompute="full", target_length=114)
    assert none.hardware < sel.hardware < full.hardware
    per_example = 2 * arch.heads * 2 * arch.d_head * (
        arch.encoder_layers * 512 * 512 + arch.layers * (114 * 115 / 2 + 114 * 512)
    )
    assert sel.hardware - none.hardware == pytest.approx(1e9 / 512 * per_example, rel=1e-12)
