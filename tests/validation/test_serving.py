"""Serving energy against published measurements (ML.ENERGY Leaderboard v3.0 and Benchmark paper).

Three cases, every deviation listed in docs/validation.md. (1) The absolute energy per token of
Llama 3.1 8B on H100: not reproduced, and why, below. (2) How much more a long answer costs per
token than a short one on B200: the measurement lies within the spread of our assumptions.
(3) Llama 3.1 70B with prefill and decode on separate instances at three prompt/output lengths:
the prompt-length trend is reproduced (-7 %), the output-length trend and the absolute values
are not.

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

import functools

import pytest

from lca.compute.batching import batching_energy, request_lengths, schedule
from lca.inventory import Registry

PUBLISHED_J_PER_TOKEN = 0.12  # ML.ENERGY v3.0, Llama 3.1 8B, H100, batch size 64
TOLERANCE = 0.25  # a factor the efficiencies' ranges can move the model by


@functools.cache
def _registry() -> Registry:
    """The bundled catalogue, loaded once for every case of this module."""
    return Registry()


def per_token(model: str, accelerator: str, devices: int, prompt_mean: int, output_mean: int, max_seqs: int,
              requests: int = 1000) -> float:
    """Energy per output token at the devices [J]: continuous batching, catalogue defaults, 8,192-token steps.

    Prompts lognormal (sigma 0.8) around ``prompt_mean``, outputs exponential around ``output_mean``.
    """
    reg = _registry()
    arch, acc = reg.get(model, "model"), reg.get(accelerator, "accelerator")
    defaults = {name: reg.get(name, "parameter").value.value for name in (
        "default-prefill-mfu", "default-decode-mbu", "default-idle-power-fraction", "default-memory-bound-power")}
    prompts = request_lengths("lognormal", prompt_mean, requests, 0, sigma=0.8)
    outputs = request_lengths("exponential", output_mean, requests, 1)
    sched = schedule(arch, prompts, outputs, max_seqs=max_seqs, max_batched_tokens=8192)
    e = batching_energy(
        sched, devices=devices, peak_flops=acc.peak_flops["bf16"].value, bandwidth=acc.memory_bandwidth.value * 1e9,
        compute_efficiency=defaults["default-prefill-mfu"], memory_efficiency=defaults["default-decode-mbu"],
        tdp=acc.tdp.value, idle_power=defaults["default-idle-power-fraction"] * acc.tdp.value,
        memory_power=defaults["default-memory-bound-power"],
    )  # fmt: skip
    return float(e.energy[0]) * 3.6e6 / float(outputs.mean())


def ours(prompt_mean: int) -> float:
    """Energy per output token at the devices [J], Llama 3.1 8B on one H100, 64 sequences, catalogue defaults."""
    return per_token("llama-3.1-8b", "h100-sxm", 1, prompt_mean, 717, 64)


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


# ---------------------------------------------------------------- a trend: long answers cost more per token
#
# "Diagnosing Inference Energy Consumption with the ML.ENERGY Leaderboard v3.0" (ml.energy blog,
# 2026, section "Energy by Architecture"), the minimum-energy configuration of each model on B200:
# Problem Solving answers average 6,988 output tokens and Text Conversation answers 717; "longer
# output sequences stress memory capacity and prevent larger batch sizes, increasing energy per
# token", and Problem Solving consumes on average 25x more energy per response. Energy per
# response being energy per token x output tokens, a long answer costs 25 / (6,988 / 717) = 2.57x
# more per token. The models of that average (Qwen 3, GPT OSS, Nemotron ...) are not in our
# catalogue; Llama 3.1 8B (1 B200) and 70B (2 B200, as the leaderboard runs it) stand in for
# them, each at the largest batch whose KV cache at the mean final context fits 90 % of the
# memory beside the weights (at most 1,024 sequences), prompts of 200 or 1,000 tokens (assumed).

PUBLISHED_RESPONSE_RATIO = 25.0
LONG_OUTPUT, SHORT_OUTPUT = 6988, 717
PUBLISHED_PER_TOKEN_RATIO = PUBLISHED_RESPONSE_RATIO / (LONG_OUTPUT / SHORT_OUTPUT)
TREND_CASES = [("llama-3.1-8b", 1), ("llama-3.1-70b", 2)]


def per_token_ratio(model: str, devices: int, prompt_mean: int) -> float:
    """Energy per token of 6,988-token answers over that of 717-token answers, each at its largest fitting batch."""
    from lca.compute.memory import kv_cache_bytes, weight_bytes

    reg = _registry()
    arch, acc = reg.get(model, "model"), reg.get("b200", "accelerator")
    free = 0.9 * acc.memory.value * 1e9 * devices - weight_bytes(arch)
    energy = {}
    for output in (SHORT_OUTPUT, LONG_OUTPUT):
        seqs = min(1024, int(free // kv_cache_bytes(arch, prompt_mean + output)))
        energy[output] = per_token(model, "b200", devices, prompt_mean, output, seqs, requests=max(500, 2 * seqs))
    return energy[LONG_OUTPUT] / energy[SHORT_OUTPUT]


def test_long_answers_cost_more_per_token_as_measured():
    """Every case costs more per token for long answers, and the measured 2.57x lies within our cases' spread
    (1.3x for 70B with 1,000-token prompts to 4.9x for 8B with 200-token prompts, docs/validation.md)."""
    ratios = [per_token_ratio(m, d, p) for m, d in TREND_CASES for p in (200, 1000)]
    assert all(r > 1.0 for r in ratios), ratios
    assert min(ratios) <= PUBLISHED_PER_TOKEN_RATIO <= max(ratios), ratios


# ---------------------------------------------------------------- prompt and output lengths, one model and setup
#
# Chung et al. (2025), "The ML.ENERGY Benchmark: Toward Automated Inference Energy Measurement and
# Optimization", arXiv 2505.06371, Table 4: Llama 3.1 70B with tensor parallelism 4, deployed as one
# prefill and one decode instance (8 GPUs; H100, the paper's GPU), GPU energy per generation for
# three workloads (mean input / mean output tokens). The figures were transcribed from the table as a
# public evaluation note quotes it (the PDF itself could not be opened here); the decode share is the
# table's. Ours: the same model, devices and disaggregation (prefill: 1, decode: 1) with continuous
# batching (8,192-token steps), each workload at the largest batch that fits (memory fit at the final
# context), catalogue defaults; fixed lengths (the table gives means only).

PD_PUBLISHED_J = {(512, 512): 276.93, (512, 4096): 907.60, (4096, 512): 1492.59}


def disaggregated_joules(prompt: int, output: int) -> float:
    """GPU energy per request [J] of Llama 3.1 70B on 2 x 4 H100 (one prefill, one decode instance), ours."""
    from lca.analysis import compile_study
    from lca.study import study_from_dict
    from tests.conftest import ROOT

    study = study_from_dict({
        "schema_version": 1, "name": "ml-energy-table-4", "functional_unit": {"name": "request"},
        "model": "llama-3.1-70b", "grid": "FR", "datacenter": "aws-fleet",
        "hardware": {"accelerator": "h100-sxm", "server": "hgx-h100-8gpu"},
        "inference": {"requests": 1e5, "prompt_tokens": prompt, "output_tokens": output, "accelerators": 8,
                      "devices": 4, "duration": "30 days",
                      "batching": {"max_batched_tokens": 8192, "requests": 600,
                                   "disaggregation": {"prefill": 1, "decode": 1}}},
    }, path=ROOT / "tests" / "data" / "ml-energy-table-4.yaml")  # fmt: skip
    compiled = compile_study(study, _registry())
    return float(compiled.activity.values["inference.energy.accelerators"]) * 3.6e6  # kWh per request -> J


def _trend(lengths: tuple[int, int]) -> tuple[float, float]:
    """Energy per request of ``lengths`` over that of 512 in / 512 out: ours, published."""
    base = (512, 512)
    return (disaggregated_joules(*lengths) / disaggregated_joules(*base),
            PD_PUBLISHED_J[lengths] / PD_PUBLISHED_J[base])  # fmt: skip


def test_longer_prompts_cost_as_measured():
    """4,096-token prompts (512 out) over 512-token prompts: 5.39x measured; ours within the 25 % tolerance."""
    ours, published = _trend((4096, 512))
    assert ours == pytest.approx(published, rel=TOLERANCE)


@pytest.mark.xfail(strict=True, reason=(
    "Not reproduced: 4,096-token outputs cost 3.28x the 512-token ones as measured, 11x in our model. The measured "
    "decode energy per token falls from 0.35 J (512-token outputs) to 0.20 J (4,096); ours rises with the context, "
    "because reading the KV cache dominates our memory-bound decode step at these batches (0.40 J per token at 97, "
    "175 or 256 sequences alike, so a larger batch would not close the gap). Per-request costs that long outputs "
    "amortise, or KV reads cheaper than our bandwidth model, would explain it: not identified."))
def test_longer_outputs_cost_as_measured():
    ours, published = _trend((512, 4096))
    assert ours == pytest.approx(published, rel=TOLERANCE)


@pytest.mark.xfail(strict=True, reason=(
    "Not reproduced in absolute terms: ours is -52 %, +63 % and -55 % of the three measured energies per request "
    "(docs/validation.md); the prompt-length trend is reproduced, the output-length one is not (see above)."))
@pytest.mark.parametrize("lengths", list(PD_PUBLISHED_J), ids=lambda t: f"{t[0]}-in-{t[1]}-out")
def test_energy_per_request_as_measured(lengths):
    assert disaggregated_joules(*lengths) == pytest.approx(PD_PUBLISHED_J[lengths], rel=TOLERANCE)
