"""Transformer architectures as inventory records (kind ``model``): the data, and its derived sizes.

The compute model (:mod:`lca.compute`) counts parameters, FLOPs and bytes from
these records; the fields are documented in :mod:`lca.compute.architecture`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool, field_validator, model_validator

from .value import Record, Value, unit

__all__ = ["Architecture"]


ALL_BIASES = ("q", "k", "v", "o", "ffn")


class Architecture(Record):
    kind: Literal["model"] = "model"
    family: str | None = None
    layers: int = Field(gt=0)
    encoder_layers: int = Field(default=0, ge=0)
    d_model: int = Field(gt=0)
    heads: int = Field(gt=0)
    kv_heads: int | None = Field(default=None, gt=0)
    head_dim: int | None = Field(default=None, gt=0)
    d_ff: int = Field(gt=0)
    gated: StrictBool = False
    vocab: int = Field(gt=0)
    tied_embeddings: StrictBool = False
    positional: Literal["learned", "rope", "alibi", "relative", "sinusoidal"] = "rope"
    max_context: int = Field(gt=0)
    # biases: all projections and the FFN (true), none (false), or a list of where
    # (Qwen2: [q, k, v]); the LM head never has one here
    bias: StrictBool | list[Literal["q", "k", "v", "o", "ffn"]] = False
    norm: Literal["layernorm", "rmsnorm"] = "rmsnorm"
    embedding_norm: StrictBool = False
    relative_buckets: int = Field(default=0, ge=0)
    # keys a token attends to (sliding window): one number for every layer, or a pattern
    # repeated over the layers with null for a global layer (Gemma 2: [4096, null];
    # Gemma 3: [1024, 1024, 1024, 1024, 1024, null])
    attention_window: int | list[int | None] | None = None
    attention: Literal["standard", "mla"] = "standard"
    # how multi-head latent attention is served: "absorbed" (the default of DeepSeek's and
    # vLLM's decode kernels: the cache holds the latent, the key/value up-projections are
    # folded into the query and output projections) or "expanded" (the cache holds full keys
    # and values per head)
    mla_decode: Literal["absorbed", "expanded"] | None = None
    q_lora_rank: int | None = None
    kv_lora_rank: int | None = None
    qk_nope_head_dim: int | None = None
    qk_rope_head_dim: int | None = None
    v_head_dim: int | None = None
    experts: int = Field(default=0, ge=0)
    experts_per_token: int = Field(default=0, ge=0)
    shared_experts: int = Field(default=0, ge=0)
    d_ff_expert: int | None = Field(default=None, gt=0)
    dense_layers: int = Field(default=0, ge=0)
    published_params: Value = unit("", required=True)
    published_active_params: Value | None = unit("")

    @field_validator("bias", mode="before")
    @classmethod
    def _bias_parts(cls, value: object) -> object:
        if isinstance(value, bool):
            return value
        if isinstance(value, list) and all(isinstance(v, str) and v in ALL_BIASES for v in value):
            return value
        raise ValueError(f"expected true, false or a list of {', '.join(ALL_BIASES)}")

    @field_validator("attention_window", mode="before")
    @classmethod
    def _window_pattern(cls, value: object) -> object:
        def ok(w: object) -> bool:
            return w is None or (isinstance(w, int) and not isinstance(w, bool) and w > 0)

        if value is None or (ok(value) and value is not None):
            return value
        if isinstance(value, list) and value and all(ok(w) for w in value):
            return value
        raise ValueError(
            "expected a number of keys > 0, or a non-empty list of them repeated over the layers (null: a global layer)"
        )

    @model_validator(mode="after")
    def _consistent(self) -> Architecture:
        kv = self.kv_heads or self.heads
        if self.heads % kv:
            raise ValueError(f"heads ({self.heads}) must be a multiple of kv_heads ({kv})")
        if self.experts:
            if not 0 < self.experts_per_token <= self.experts:
                raise ValueError("experts_per_token must be within 1..experts")
            if self.d_ff_expert is None:
                raise ValueError("a mixture of experts needs d_ff_expert")
            if self.dense_layers > self.layers:
                raise ValueError("dense_layers cannot exceed layers")
        elif self.experts_per_token or self.shared_experts:
            raise ValueError("experts_per_token/shared_experts need experts > 0")
        if isinstance(self.attention_window, list) and len(self.attention_window) > self.layers:
            raise ValueError(f"attention_window lists {len(self.attention_window)} layers; the model has {self.layers}")
        if self.mla_decode is not None and self.attention != "mla":
            raise ValueError("mla_decode applies to attention: mla only")
        if self.attention == "mla":
            if self.bias:
                raise ValueError("biases are not modelled for multi-head latent attention: give bias: false")
            for name in ("kv_lora_rank", "qk_nope_head_dim", "qk_rope_head_dim", "v_head_dim"):
                if getattr(self, name) is None:
                    raise ValueError(f"multi-head latent attention needs {name}")
        return self

    # ------------------------------------------------------------ derived sizes
    @property
    def biases(self) -> frozenset[str]:
        """Where the model has biases: a subset of q, k, v, o (attention projections) and ffn."""
        if self.bias is True:
            return frozenset(ALL_BIASES)
        return frozenset(self.bias or ())

    @property
    def n_kv_heads(self) -> int:
        return self.kv_heads or self.heads

    @property
    def d_head(self) -> int:
        return self.head_dim or self.d_model // self.heads

    @property
    def qk_dim(self) -> int:
        """Width of one head's query/key dot product."""
        if self.attention == "mla":
            return int(self.qk_nope_head_dim) + int(self.qk_rope_head_dim)  # type: ignore[arg-type]
        return self.d_head

    @property
    def v_dim(self) -> int:
        """Width of one head's value vector."""
        return int(self.v_head_dim) if self.attention == "mla" else self.d_head  # type: ignore[arg-type]

    @property
    def layer_windows(self) -> dict[int | None, int]:
        """Sliding window -> number of layers that use it (None: global attention)."""
        pattern = self.attention_window if isinstance(self.attention_window, list) else [self.attention_window]
        out: dict[int | None, int] = {}
        for i in range(self.layers):
            w = pattern[i % len(pattern)]
            out[w] = out.get(w, 0) + 1
        return out

    @property
    def moe_layers(self) -> int:
        return self.layers - self.dense_layers if self.experts else 0

    @property
    def mla_absorbed(self) -> bool:
        """Multi-head latent attention served with the up-projections absorbed (latent cache)."""
        return self.attention == "mla" and self.mla_decode != "expanded"

    @property
    def kv_cache_width(self) -> int:
        """Numbers cached per token per layer (keys + values, or the MLA latent and its rope key)."""
        if self.mla_absorbed:
            return int(self.kv_lora_rank) + int(self.qk_rope_head_dim)  # type: ignore[arg-type]
        if self.attention == "mla":
            return self.heads * (self.qk_dim + self.v_dim)
        return 2 * self.n_kv_heads * self.d_head

    @property
    def decode_key_width(self) -> int:
        """Per head, the widths a decode step multiplies for each cached key: scores + weighted sum.

        Standard attention and expanded MLA: ``d_qk + d_v``. Absorbed MLA works in
        the latent space: scores over the latent and the rope key
        (``r_kv + d_rope``), the weighted sum over the latent (``r_kv``).
        """
        if self.mla_absorbed:
            return 2 * int(self.kv_lora_rank) + int(self.qk_rope_head_dim)  # type: ignore[arg-type]
        return self.qk_dim + self.v_dim
