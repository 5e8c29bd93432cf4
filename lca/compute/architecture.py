"""Transformer architectures as data, and their parameter counts.

An :class:`Architecture` is an inventory record of kind ``model``
(``inventories/models/*.yaml``). Parameter counts are computed from the
architecture, never typed in, and checked in the tests against the counts
published for each model.

Conventions
-----------
* ``d_model`` is the residual width, ``heads`` the query heads, ``kv_heads``
  the key/value heads (``heads`` = MHA, 1 = MQA, in between = GQA), and
  ``head_dim`` defaults to ``d_model / heads``.
* A gated feed-forward (SwiGLU, GeGLU) has three matrices (gate, up, down),
  a plain one two.
* Mixture of experts: ``experts`` routed experts of width ``d_ff_expert``,
  ``experts_per_token`` of them used per token, plus ``shared_experts``
  always-on experts of the same width; the first ``dense_layers`` layers keep
  a dense feed-forward of width ``d_ff``.
* ``attention: mla`` is DeepSeek's multi-head latent attention (low-rank
  query and key/value projections; the KV cache holds the latent).
* Encoder-decoder models (T5) have ``encoder_layers`` > 0; ``layers`` is the
  decoder depth, each decoder layer also has cross-attention.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..inventory.architecture import Architecture

__all__ = ["Architecture", "ParameterCount", "parameter_count"]


@dataclass(frozen=True)
class ParameterCount:
    """Parameters of an architecture, by part [count]."""

    embedding: int  # token (+ learned position) embeddings, + the LM head if untied
    attention: int  # all attention projections (self and cross), incl. biases
    feed_forward: int  # dense FFNs, routed + shared experts, routers
    norms: int
    total: int
    active: int  # used per token: routed experts counted k / E
    matmul_active: int  # weights in matrix products per token (the 2N of FLOPs)


def _ffn(d: int, ff: int, gated: bool, bias: bool) -> int:
    return (3 if gated else 2) * d * ff + ((2 * ff if gated else ff) + d if bias else 0)


def self_attention_params(arch: Architecture) -> int:
    """Parameters of one self-attention block [count]."""
    d, h = arch.d_model, arch.heads
    if arch.attention == "mla":
        nope, rope, v = arch.qk_nope_head_dim, arch.qk_rope_head_dim, arch.v_head_dim
        kvr = arch.kv_lora_rank
        if arch.q_lora_rank:
            q = d * arch.q_lora_rank + arch.q_lora_rank + arch.q_lora_rank * h * (nope + rope)  # type: ignore[operator]
        else:
            q = d * h * (nope + rope)  # type: ignore[operator]
        kv = d * (kvr + rope) + kvr + kvr * h * (nope + v)  # type: ignore[operator]
        return q + kv + h * v * d  # type: ignore[operator]
    hd, kvh = arch.d_head, arch.n_kv_heads
    weights = d * h * hd + 2 * d * kvh * hd + h * hd * d
    where = arch.biases
    widths = {"q": h * hd, "k": kvh * hd, "v": kvh * hd, "o": d}
    return weights + sum(n for part, n in widths.items() if part in where)


def _norm(arch: Architecture) -> int:
    return (2 if arch.norm == "layernorm" else 1) * arch.d_model


def parameter_count(arch: Architecture) -> ParameterCount:
    """Count the parameters of ``arch`` by part, total and active per token."""
    d = arch.d_model
    emb = arch.vocab * d
    if arch.positional == "learned":
        emb += arch.max_context * d
    head = 0 if arch.tied_embeddings else arch.vocab * d
    attn_layer = self_attention_params(arch)
    dense_ffn = _ffn(d, arch.d_ff, arch.gated, "ffn" in arch.biases)
    norms = 0
    # decoder (or decoder-only) stack
    attention = arch.layers * attn_layer
    ffn_total = 0
    ffn_active = 0
    router_total = 0
    for i in range(arch.layers):
        if arch.experts and i >= arch.dense_layers:
            expert = _ffn(d, arch.d_ff_expert, arch.gated, "ffn" in arch.biases)  # type: ignore[arg-type]
            router = d * arch.experts
            ffn_total += arch.experts * expert + arch.shared_experts * expert + router
            ffn_active += arch.experts_per_token * expert + arch.shared_experts * expert + router
            router_total += router
        else:
            ffn_total += dense_ffn
            ffn_active += dense_ffn
    norms += arch.layers * 2 * _norm(arch)
    if arch.encoder_layers:
        # encoder stack: self-attention + FFN; decoder layers add cross-attention + a norm
        attention += arch.encoder_layers * attn_layer + arch.layers * attn_layer
        ffn_total += arch.encoder_layers * dense_ffn
        ffn_active += arch.encoder_layers * dense_ffn
        norms += arch.encoder_layers * 2 * _norm(arch) + arch.layers * _norm(arch) + _norm(arch)
        attention += 2 * arch.relative_buckets * arch.heads  # one bias table per stack
    elif arch.relative_buckets:
        attention += arch.relative_buckets * arch.heads
    norms += _norm(arch)  # final norm (MLA's latent norms are inside self_attention_params)
    if arch.embedding_norm:
        norms += _norm(arch)
    total = emb + head + attention + ffn_total + norms
    active = emb + head + attention + ffn_active + norms
    # weights that enter matrix products for one (decoder) token: no lookups, no norms,
    # no biases; the LM head always (tied or not)
    matmul = _matmul_weights_per_token(arch)
    return ParameterCount(emb + head, attention, ffn_total, norms, total, active, matmul)


def _matmul_weights_per_token(arch: Architecture) -> int:
    """Weights multiplied per decoder token (for decoder-only models: FLOPs = 2 x this)."""
    d = arch.d_model
    if arch.attention == "mla":
        h = arch.heads
        nope, rope, v, kvr = arch.qk_nope_head_dim, arch.qk_rope_head_dim, arch.v_head_dim, arch.kv_lora_rank
        q = (d * arch.q_lora_rank + arch.q_lora_rank * h * (nope + rope)) if arch.q_lora_rank else d * h * (nope + rope)  # type: ignore[operator]
        attn = q + d * (kvr + rope) + kvr * h * (nope + v) + h * v * d  # type: ignore[operator]
    else:
        attn = d * arch.heads * arch.d_head * 2 + 2 * d * arch.n_kv_heads * arch.d_head
    mult = 3 if arch.gated else 2
    ffn = 0
    for i in range(arch.layers):
        if arch.experts and i >= arch.dense_layers:
            ffn += (arch.experts_per_token + arch.shared_experts) * mult * d * arch.d_ff_expert + d * arch.experts  # type: ignore[operator]
        else:
            ffn += mult * d * arch.d_ff
    return arch.layers * attn + ffn + arch.vocab * d
