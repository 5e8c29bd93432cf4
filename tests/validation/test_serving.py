"""Serving energy against a published measurement (ML.ENERGY Leaderboard v3.0): not reproduced, and why.

The ML.ENERGY Initiative, "LLM Inference Energy: A Longitudinal Analysis" (ml.energy blog,
after the v3.0 leaderboard of December 2025): Llama 3.1 8B on H100, vLLM 0.11.1, batch size
64: **0.12 J per token** (0.20 J with vLLM 0.5.4 in v2.0, the same model and GPU: the 41 % drop
is software, which a roofline does not see). Their Text Conversation task averages 717 output
tokens ("Diagnosing Inference Energy Consumption with the ML.ENERGY Leaderboard v3.0"); the
prompt lengths of the dataset are not given there, so two assumptions bracket them.

Our continuous-batching model with the catalogue's defaults (MFU 0.5, MBU 0.6, idle 12 % of
TDP, memory-bound power 0.3) gives about half the measured energy per token (0.042-0.063 J);
with the plain linear power model (memory-bound power 1) it would give 0.094-0.125 J. The source
itself names CPU-side overheads that leave the GPU underused at small batches; our MBU of
0.6 is the Databricks figure for well-tuned decoding, and the memory-bound power fraction is
calibrated on an H200. The case is kept as a strict xfail so that a change of the model that
reproduces it, or moves further away, is seen.
"""

from __future__ import annotations

import pytest

from lca.compute.batching import batching_energy, request_lengths, schedule
from lca.inventory import Registry

PUBLISHED_J_PER_TOKEN = 0.12  # ML.ENERGY v3.0, Llama 3.1 8B, H100, batch size 64
TOLERANCE = 0.25  # a factor the efficiencies' ranges can move the model by


def ours(prompt_mean: int) -> float:
    """Energy per output token at the devices [J], Llama 3.1 8B on one H100, 64 sequences, catalogue defaults."""
    reg = Registry()
    arch, acc = reg.get("llama-3.1-8b", "model"), reg.get("h100-sxm", "accelerator")
    defaults = {name: reg.get(name, "parameter").value.value for name in (
        "default-prefill-mfu", "default-decode-mbu", "default-idle-power-fraction", "default-memory-bound-power")}
    prompts = request_lengths("lognormal", prompt_mean, 1000, 0, sigma=0.8)
    outputs = request_lengths("exponential", 717, 1000, 1)
    sched = schedule(arch, prompts, outputs, max_seqs=64, max_batched_tokens=8192)
    e = batching_energy(
        sched, devices=1, peak_flops=acc.peak_flops["bf16"].value, bandwidth=acc.memory_bandwidth.value * 1e9,
        compute_efficiency=defaults["default-prefill-mfu"], memory_efficiency=defaults["default-decode-mbu"],
        tdp=acc.tdp.value, idle_power=defaults["default-idle-power-fraction"] * acc.tdp.value,
        memory_power=defaults["default-memory-bound-power"],
    )  # fmt: skip
    return float(e.energy[0]) * 3.6e6 / float(outputs.mean())


@pytest.mark.xfail(strict=True, reason=(
    "Not reproduced: ML.ENERGY measured 0.12 J per token for Llama 3.1 8B on H100 at batch 64; our model with "
    "the catalogue's defaults gives 0.04-0.06 J (prompts of 200-1,000 tokens). See the module docstring."))
@pytest.mark.parametrize("prompt_mean", [200, 1000])
def test_ml_energy_llama_8b_h100_batch_64(prompt_mean):
    assert ours(prompt_mean) == pytest.approx(PUBLISHED_J_PER_TOKEN, rel=TOLERANCE)


def test_the_gap_is_within_a_factor_of_three():
    """Not reproduced, but not off by an order of magnitude either: 1/3 to 1x the measurement."""
    for prompt_mean in (200, 1000):
        assert PUBLISHED_J_PER_TOKEN / 3 < ours(prompt_mean) < PUBLISHED_J_PER_TOKEN
