"""Floating-point operations of a transformer, token by token.

A multiply-add counts as 2 FLOPs. Per token, a forward pass costs

* the **dense matmuls**: 2 x the weights the token is multiplied with (all
  projections, the routed + shared experts it uses, the routers, the LM head;
  not embedding lookups, norms or biases);
* the **attention term**: for each layer and head, ``2 * d_qk * c`` for the
  scores ``QK^T`` and ``2 * d_v * c`` for ``AV``, where ``c`` is the number of
  keys the token attends to: ``min(position + 1, window)`` under a causal mask.

The causal count is what the mathematics needs (and what masked-block kernels
such as FlashAttention execute, up to block granularity). A dense kernel
computes the full ``L x L`` score matrix and masks it afterwards: pass
``kernel="dense"`` to count that (this is what ``torch.utils.flop_counter``
reports for an eager attention).

Training: backward = 2 x forward, so model FLOPs = 3 x forward (the MFU
convention). Hardware FLOPs add what the run executes on top: activation
recomputation (``"full"``: one more forward; ``"selective"``: the attention
score/AV part again, Korthikanti et al. 2022).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from .architecture import Architecture, parameter_count

__all__ = [
    "matmul_flops_per_token",
    "attention_flops_per_token",
    "forward_flops_per_token",
    "attended_keys",
    "mean_kept_keys",
    "sequence_forward_flops",
    "prefill_flops",
    "lm_head_flops_per_token",
    "decode_flops",
    "TrainingFlops",
    "training_flops",
]

Kernel = Literal["causal", "dense"]
Logits = Literal["last", "all"]


def matmul_flops_per_token(arch: Architecture) -> float:
    """Dense matmul FLOPs of one decoder token [FLOP]."""
    return 2.0 * parameter_count(arch).matmul_active


def attention_flops_per_token(arch: Architecture, keys: Any, decode: bool = False) -> Any:
    """Attention-score FLOPs (QK^T and AV) of one token attending to ``keys`` keys [FLOP].

    Parameters
    ----------
    keys : float
        Keys attended, per layer. [count]
    decode : bool
        A decode step against the KV cache: for multi-head latent attention served
        absorbed, scores and weighted sum run in the latent space
        (:attr:`Architecture.decode_key_width`). Prefill and training expand the
        keys and values of the chunk and use ``d_qk + d_v``.
    """
    width = arch.decode_key_width if decode else arch.qk_dim + arch.v_dim
    return 2.0 * arch.layers * arch.heads * width * keys


def attended_keys(arch: Architecture, position: float) -> float:
    """Keys a token at 0-based ``position`` attends to under a causal mask, averaged over the layers [count]."""
    return float(mean_kept_keys(arch, position + 1.0))


def mean_kept_keys(arch: Architecture, keys: Any) -> Any:
    """``keys`` cached keys as the layers see them: each layer keeps at most its window, averaged [count].

    Works on numbers and numpy arrays. Times ``arch.layers`` it is the sum over
    the layers, which is what attention FLOPs and KV-cache bytes scale with.
    """
    total = 0.0
    for window, n in arch.layer_windows.items():
        total = total + n * (keys if window is None else np.minimum(keys, float(window)))
    return total / arch.layers


def forward_flops_per_token(arch: Architecture, position: float) -> float:
    """Forward FLOPs of the token at 0-based ``position`` of its context [FLOP]."""
    return matmul_flops_per_token(arch) + attention_flops_per_token(arch, attended_keys(arch, position))


def _sum_keys(arch: Architecture, start: int, stop: int) -> float:
    """Sum of attended keys over positions start..stop-1 (causal, per-layer windows), averaged over the layers."""
    if stop <= start:
        return 0.0
    total = 0.0
    for w, n in arch.layer_windows.items():
        total += n * _sum_keys_window(w, start, stop)
    return total / arch.layers


def _sum_keys_window(w: int | None, start: int, stop: int) -> float:
    if w is None:
        # sum_{i=start}^{stop-1} (i + 1)
        return (stop * (stop + 1) - start * (start + 1)) / 2.0
    # positions below w - 1 attend to i + 1 keys, the others to w
    ramp_end = min(stop, w)
    ramp = (ramp_end * (ramp_end + 1) - start * (start + 1)) / 2.0 if ramp_end > start else 0.0
    flat = max(0, stop - max(start, w)) * float(w)
    return ramp + flat


def sequence_forward_flops(arch: Architecture, length: int, kernel: Kernel = "causal", start: int = 0) -> float:
    """Forward FLOPs of ``length`` tokens processed together after ``start`` cached ones [FLOP].

    ``kernel="dense"`` counts the full score matrix of the chunk against every
    key (``start + length`` keys for every query), as a dense kernel executes it.
    """
    if arch.encoder_layers:
        raise ValueError("use the encoder-decoder functions for encoder-decoder models")
    keys = _sum_keys(arch, start, start + length) if kernel == "causal" else float(length) * (start + length)
    return length * matmul_flops_per_token(arch) + attention_flops_per_token(arch, keys)


def lm_head_flops_per_token(arch: Architecture) -> float:
    """FLOPs of the LM head (logits over the vocabulary) for one token [FLOP]."""
    return 2.0 * arch.vocab * arch.d_model


def prefill_flops(arch: Architecture, prompt_tokens: int, kernel: Kernel = "causal", logits: Logits = "last") -> float:
    """FLOPs to process a prompt of ``prompt_tokens`` tokens in one pass [FLOP].

    ``logits="last"`` (serving): the LM head runs on the last prompt token only,
    whose logits give the first output token, as serving engines do
    (``logits_to_keep=1`` in transformers; vLLM and SGLang gather the last
    position before the LM head). ``"all"``: on every position (scoring a
    text, and training).
    """
    total = sequence_forward_flops(arch, prompt_tokens, kernel)
    if logits == "last" and prompt_tokens > 1:
        total -= (prompt_tokens - 1) * lm_head_flops_per_token(arch)
    return total


def decode_flops(arch: Architecture, prompt_tokens: int, output_tokens: int) -> float:
    """FLOPs to generate ``output_tokens`` one at a time after a prompt [FLOP].

    The i-th generated token (0-based) is fed back at position
    ``prompt_tokens + i`` and attends to the KV cache of all earlier tokens
    (for multi-head latent attention served absorbed, in the latent space).
    """
    keys = _sum_keys(arch, prompt_tokens, prompt_tokens + output_tokens)
    return output_tokens * matmul_flops_per_token(arch) + attention_flops_per_token(arch, keys, decode=True)


def _encdec_attention(arch: Architecture, input_tokens: int, target_tokens: int) -> float:
    """Attention-score FLOPs (QK^T and AV) of one encoder-decoder example [FLOP]."""
    scores = 2 * arch.heads * (arch.d_head + arch.d_head)
    enc_scores = arch.encoder_layers * scores * input_tokens * input_tokens
    dec_self = arch.layers * scores * (target_tokens * (target_tokens + 1) / 2.0)
    dec_cross = arch.layers * scores * target_tokens * input_tokens
    return enc_scores + dec_self + dec_cross


def _encdec_forward(arch: Architecture, input_tokens: int, target_tokens: int) -> float:
    """Forward FLOPs of one encoder-decoder example (bidirectional encoder, causal decoder)."""
    d, h = arch.d_model, arch.heads
    hd, kvh = arch.d_head, arch.n_kv_heads
    mult = 3 if arch.gated else 2
    qo = 2 * d * h * hd  # query + output projection weights
    kv = 2 * d * kvh * hd  # key + value projection weights
    ffn = mult * d * arch.d_ff
    enc_weights = arch.encoder_layers * (qo + kv + ffn)
    # decoder: self-attention q,k,v,o + cross-attention q,o on decoder tokens; the LM head
    dec_weights = arch.layers * (qo + kv + qo + ffn) + arch.vocab * d
    # cross-attention keys/values are computed once per encoder output, per decoder layer
    cross_kv = arch.layers * kv * input_tokens
    weights = 2.0 * (enc_weights * input_tokens + dec_weights * target_tokens + cross_kv)
    return weights + _encdec_attention(arch, input_tokens, target_tokens)


@dataclass(frozen=True)
class TrainingFlops:
    """FLOPs of a training run [FLOP]."""

    forward: float
    model: float  # 3 x forward: the MFU convention
    hardware: float  # model + recomputation actually executed
    tokens: float

    @property
    def per_token(self) -> float:
        return self.model / self.tokens


def training_flops(
    arch: Architecture,
    tokens: float,
    sequence_length: int,
    *,
    recompute: Literal["none", "selective", "full"] = "none",
    target_length: int | None = None,
) -> TrainingFlops:
    """FLOPs of training on ``tokens`` tokens in sequences of ``sequence_length``.

    Parameters
    ----------
    tokens : float
        Training tokens (for encoder-decoder models: encoder input tokens). [count]
    sequence_length : int
        Tokens per training sequence (encoder input length). [count]
    recompute : {"none", "selective", "full"}
        Activation recomputation executed by the run (hardware FLOPs only).
    target_length : int, optional
        Decoder tokens per example, encoder-decoder models only. [count]
    """
    sequences = tokens / sequence_length
    if arch.encoder_layers:
        if target_length is None:
            raise ValueError("an encoder-decoder model needs target_length")
        fwd = sequences * _encdec_forward(arch, sequence_length, target_length)
        attn = sequences * _encdec_attention(arch, sequence_length, target_length)
    else:
        fwd = sequences * sequence_forward_flops(arch, sequence_length, "causal")
        attn = sequences * attention_flops_per_token(arch, _sum_keys(arch, 0, sequence_length))
    model = 3.0 * fwd
    extra = {"none": 0.0, "selective": attn, "full": fwd}[recompute]
    return TrainingFlops(forward=fwd, model=model, hardware=model + extra, tokens=tokens)
