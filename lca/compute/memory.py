"""Bytes moved between device memory and the compute units.

* **Weights**: every forward step reads the weights it uses once, whatever
  the batch; per token that is ``weights / batch``. For a mixture of experts
  only the experts some token of the batch is routed to are read: with
  ``B`` tokens each choosing ``k`` of ``E`` experts uniformly, the expected
  number of distinct experts is ``E (1 - (1 - k/E)^B)``.
* **KV cache**: a decode step reads the cache of its whole context and
  writes one new entry. An entry is ``layers x kv_cache_width x bytes`` (keys
  and values of the key/value heads, so GQA/MQA shrink it; MLA caches the
  latent). With a sliding window only the window is kept and read. A
  tensor-parallel replica on more devices than the cache has groups (KV heads;
  one latent for MLA) keeps :func:`kv_copies` copies of it, held, read and
  written on every device that has one.
* **Training** (documented approximation, not a simulation): per optimizer
  step, weights are read in the forward and backward passes, gradients are
  written and read once, and an Adam optimizer reads and writes fp32 master
  weights and two moments: ``(2 w + 2 g + 2 x 12) bytes`` per parameter with
  ``w``, ``g`` the bytes of a weight and of a gradient. Activations are not
  counted; training steps are compute-bound for any realistic batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .architecture import Architecture, parameter_count
from .flops import mean_kept_keys

__all__ = [
    "BYTES_PER_VALUE",
    "bytes_per_value",
    "weight_bytes",
    "weights_read_per_step",
    "kv_entry_bytes",
    "kv_cache_bytes",
    "kv_groups",
    "kv_copies",
    "decode_step_bytes",
    "prefill_bytes",
    "training_step_bytes",
]

BYTES_PER_VALUE = {"fp32": 4.0, "tf32": 4.0, "bf16": 2.0, "fp16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5}


def bytes_per_value(precision: str) -> float:
    """Bytes of one number at ``precision`` [B]."""
    try:
        return BYTES_PER_VALUE[precision]
    except KeyError:
        raise ValueError(f"unknown precision {precision!r}; valid: {', '.join(BYTES_PER_VALUE)}") from None


def weight_bytes(arch: Architecture, precision: str = "bf16") -> float:
    """Bytes to hold all weights, every expert included [B]."""
    return parameter_count(arch).total * bytes_per_value(precision)


def _expert_params(arch: Architecture) -> float:
    return (3 if arch.gated else 2) * arch.d_model * float(arch.d_ff_expert or 0)


def distinct_experts(experts: int, per_token: int, tokens: Any) -> Any:
    """Expected distinct experts used by ``tokens`` tokens routed uniformly [count]."""
    if experts == 0:
        return 0.0
    return experts * (1.0 - (1.0 - per_token / experts) ** tokens)


def weights_read_per_step(arch: Architecture, tokens_in_step: Any, precision: str = "bf16") -> Any:
    """Weight bytes read by one forward step over ``tokens_in_step`` tokens [B]."""
    pc = parameter_count(arch)
    if not arch.experts:
        return pc.total * bytes_per_value(precision)
    routed_all = arch.moe_layers * arch.experts * _expert_params(arch)
    used = (
        arch.moe_layers * distinct_experts(arch.experts, arch.experts_per_token, tokens_in_step) * _expert_params(arch)
    )
    return (pc.total - routed_all + used) * bytes_per_value(precision)


def kv_entry_bytes(arch: Architecture, precision: str = "bf16") -> float:
    """KV-cache bytes of one token, all layers [B]."""
    return arch.layers * arch.kv_cache_width * bytes_per_value(precision)


def kv_cache_bytes(arch: Architecture, context: float, precision: str = "bf16") -> float:
    """KV-cache bytes held for one sequence of ``context`` tokens [B]."""
    return kv_entry_bytes(arch, precision) * float(mean_kept_keys(arch, context))  # each layer keeps its window


def kv_groups(arch: Architecture) -> int:
    """Parts of the KV cache tensor parallelism can split across devices: the KV heads; 1 for MLA [count].

    vLLM gives each device ``kv_heads / devices`` KV heads while there are at
    least as many heads as devices, and one whole head (a copy) beyond that
    (``LlamaAttention`` in ``vllm/model_executor/models/llama.py``). Multi-head
    latent attention caches one latent per token, which every device holds
    whole (Tang et al. 2025, "TPLA: Tensor Parallel Latent Attention",
    arXiv; Modular MAX documentation, ``TensorParallelLatentAttentionWithRope``).
    """
    return 1 if arch.attention == "mla" else arch.n_kv_heads


def kv_copies(arch: Architecture, devices: Any) -> Any:
    """Copies of the KV cache a tensor-parallel replica on ``devices`` devices holds [count] (1 up to kv_groups)."""
    out = np.maximum(1.0, np.asarray(devices, dtype=float) / kv_groups(arch))
    return out if out.ndim else float(out)


def decode_step_bytes(
    arch: Architecture,
    batch: int,
    context: float,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    devices: Any = 1,
) -> Any:
    """Bytes moved by one decode step of ``batch`` sequences at ``context`` cached tokens, on ``devices`` [B]."""
    return weights_read_per_step(arch, batch, precision) + batch * kv_copies(arch, devices) * (
        kv_cache_bytes(arch, context, kv_precision) + kv_entry_bytes(arch, kv_precision)
    )


def prefill_bytes(
    arch: Architecture,
    batch: int,
    prompt_tokens: int,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    devices: Any = 1,
) -> Any:
    """Bytes moved by the prefill of ``batch`` prompts on ``devices``: weights once, KV cache written [B]."""
    return weights_read_per_step(arch, batch * prompt_tokens, precision) + batch * prompt_tokens * kv_copies(
        arch, devices
    ) * kv_entry_bytes(arch, kv_precision)


def training_step_bytes(arch: Architecture, precision: str = "bf16", master_precision: str = "fp32") -> float:
    """Approximate weight, gradient and Adam-state traffic of one optimizer step [B]."""
    n = parameter_count(arch).total
    w = bytes_per_value(precision)
    master = bytes_per_value(master_precision)
    return n * (2 * w + 2 * w + 2 * 3 * master)
