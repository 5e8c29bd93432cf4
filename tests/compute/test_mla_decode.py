"""Multi-head latent attention (DeepSeek-V2/V3) at decode: absorbed and expanded.

A decode step is written twice in torch with random weights: *expanded* (the cached
latents are up-projected to per-head keys and values, then standard attention) and
*absorbed* (the key up-projection folded into the query, attention over the latent cache,
the value up-projection applied to the output), as DeepSeek's and vLLM's decode kernels
do. The two give the same output; FlopCounterMode counts the absorbed step, which must
equal the analytic count with ``mla_decode: absorbed`` (the default), and the expanded
attention over a cache of full keys and values the count with ``mla_decode: expanded``.
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from lca.compute.flops import attention_flops_per_token, decode_flops
from lca.compute.memory import kv_entry_bytes
from lca.errors import InventoryError
from lca.inventory import Registry
from lca.inventory.architecture import Architecture
from lca.validation import validate

D, H, KVR, NOPE, ROPE, V = 64, 4, 32, 16, 8, 16


def _arch(mode=None) -> Architecture:
    return Architecture(
        id="mla-test", layers=1, d_model=D, heads=H, d_ff=128, vocab=100, max_context=4096, attention="mla",
        kv_lora_rank=KVR, qk_nope_head_dim=NOPE, qk_rope_head_dim=ROPE, v_head_dim=V, mla_decode=mode,
        published_params={"value": 1, "unit": "", "source": "test"},
    )  # fmt: skip


def _weights():
    g = torch.Generator().manual_seed(0)

    def w(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64) / shape[0] ** 0.5

    return {
        "q": w(D, H * (NOPE + ROPE)),  # query projection (no query LoRA)
        "dkv": w(D, KVR + ROPE),  # down-projection to the latent and the shared rope key
        "uk": w(KVR, H * NOPE),  # key up-projection
        "uv": w(KVR, H * V),  # value up-projection
        "o": w(H * V, D),  # output projection
    }


def _step(x, latent, rope_k, wt, absorbed: bool):
    """One decode step of one layer for token ``x`` against ``latent``/``rope_k`` (cache incl. x)."""
    q = (x @ wt["q"]).view(H, NOPE + ROPE)
    q_nope, q_rope = q[:, :NOPE], q[:, NOPE:]
    scale = (NOPE + ROPE) ** -0.5
    if absorbed:
        uk = wt["uk"].view(KVR, H, NOPE).permute(1, 2, 0)  # H x NOPE x KVR
        q_latent = torch.bmm(q_nope.unsqueeze(1), uk).squeeze(1)  # H x KVR
        scores = (q_latent @ latent.T + q_rope @ rope_k.T) * scale  # H x keys
        o_latent = torch.softmax(scores, dim=-1) @ latent  # H x KVR
        uv = wt["uv"].view(KVR, H, V).permute(1, 0, 2)  # H x KVR x V
        heads = torch.bmm(o_latent.unsqueeze(1), uv).squeeze(1)  # H x V
    else:
        k_nope = (latent @ wt["uk"]).view(-1, H, NOPE).transpose(0, 1)  # H x keys x NOPE
        values = (latent @ wt["uv"]).view(-1, H, V).transpose(0, 1)
        keys = torch.cat([k_nope, rope_k.expand(H, -1, -1)], dim=-1)
        scores = torch.bmm(q.unsqueeze(1), keys.transpose(1, 2)).squeeze(1) * scale
        heads = torch.bmm(torch.softmax(scores, dim=-1).unsqueeze(1), values).squeeze(1)
    return heads.reshape(-1) @ wt["o"]


def _cache(context: int, wt):
    g = torch.Generator().manual_seed(1)
    xs = torch.randn(context, D, generator=g, dtype=torch.float64)
    down = xs @ wt["dkv"]
    return xs[-1], down[:, :KVR], down[:, KVR:]


@pytest.mark.parametrize("context", [1, 17, 300])
def test_absorbed_step_equals_expanded_step(context):
    wt = _weights()
    x, latent, rope_k = _cache(context, wt)
    absorbed = _step(x, latent, rope_k, wt, absorbed=True)
    expanded = _step(x, latent, rope_k, wt, absorbed=False)
    assert torch.allclose(absorbed, expanded, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("context", [1, 17, 300])
def test_absorbed_decode_flops_equal_the_counted_step(context):
    wt = _weights()
    x, latent, rope_k = _cache(context, wt)
    with FlopCounterMode(display=False) as counter:
        x @ wt["dkv"]  # the new token's latent and rope key
        _step(x, latent, rope_k, wt, absorbed=True)
    counted = float(counter.get_total_flops())
    # matmuls of the token: query, down-projection, key/value up-projections (absorbed into the
    # query and the output: the same weights), output projection
    weights = D * H * (NOPE + ROPE) + D * (KVR + ROPE) + KVR * H * (NOPE + V) + H * V * D
    assert counted == 2 * weights + attention_flops_per_token(_arch(), context, decode=True)
    assert counted == 2 * weights + 2 * H * (2 * KVR + ROPE) * context


@pytest.mark.parametrize("context", [1, 300])
def test_expanded_decode_attends_over_full_keys_and_values(context):
    """A cache of full per-head keys and values: scores over d_qk, weighted sum over d_v."""
    g = torch.Generator().manual_seed(2)
    q = torch.randn(H, 1, NOPE + ROPE, generator=g, dtype=torch.float64)
    keys = torch.randn(H, context, NOPE + ROPE, generator=g, dtype=torch.float64)
    values = torch.randn(H, context, V, generator=g, dtype=torch.float64)
    with FlopCounterMode(display=False) as counter:
        torch.bmm(torch.softmax(torch.bmm(q, keys.transpose(1, 2)), dim=-1), values)
    assert float(counter.get_total_flops()) == attention_flops_per_token(_arch("expanded"), context, decode=True)


def test_cache_follows_the_mode():
    """Absorbed: the latent and the rope key per token; expanded: keys and values of every head."""
    assert _arch().kv_cache_width == KVR + ROPE
    assert _arch("expanded").kv_cache_width == H * (NOPE + ROPE + V)
    v3 = Registry().get("deepseek-v3", "model")
    assert kv_entry_bytes(v3) == 61 * 576 * 2  # bf16, all layers


def test_deepseek_v3_decode_at_long_context():
    """The absorbed count is what the latent cache implies; at 32k the attention dominates decode."""
    v3 = Registry().get("deepseek-v3", "model")
    expanded = Architecture(**{**v3.model_dump(), "mla_decode": "expanded"})
    ratio_4k = decode_flops(v3, 4096, 1) / decode_flops(expanded, 4096, 1)
    ratio_32k = decode_flops(v3, 32768, 1) / decode_flops(expanded, 32768, 1)
    assert 1.3 < ratio_4k < ratio_32k < 3.4  # per key: 2 x 512 + 64 = 1,088 against 192 + 128 = 320


def test_mla_decode_on_standard_attention_is_refused():
    fields = Registry().get("llama-3.1-8b", "model").model_dump()
    with pytest.raises(InventoryError, match="mla_decode applies to attention: mla only"):
        validate(Architecture, {**fields, "mla_decode": "absorbed"}, error=InventoryError)
