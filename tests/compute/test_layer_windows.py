"""Per-layer attention windows (Gemma 2 and 3: local layers with a sliding window, global layers).

Eager attention computes the full score matrix whatever the window, so torch's counter
cannot see a window. The reference here is banded attention written out row by row: each
query multiplies only the keys its layer's window keeps (``K[i - w + 1 : i + 1]``). Its
output is checked against full attention under the sliding-window mask transformers uses
(key j is seen by query i when ``0 <= i - j < w``), and its FLOPs, counted by
``FlopCounterMode``, against the analytic attention term.
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode

from lca.compute.flops import matmul_flops_per_token, sequence_forward_flops
from lca.compute.memory import kv_cache_bytes, kv_entry_bytes
from lca.errors import InventoryError
from lca.inventory.architecture import Architecture
from lca.validation import validate

HEADS, D_HEAD, LAYERS = 4, 16, 6
PATTERN = [8, 8, None]  # two local layers with an 8-key window, then a global one, repeated


def _arch(window) -> Architecture:
    return Architecture(
        id="test", layers=LAYERS, d_model=HEADS * D_HEAD, heads=HEADS, d_ff=128, vocab=100, max_context=4096,
        attention_window=window, published_params={"value": 1, "unit": "", "source": "test"},
    )  # fmt: skip


def _banded(q, k, v, window):
    """Attention of every query over the keys its window keeps, row by row (heads batched)."""
    rows = []
    for i in range(q.shape[1]):
        lo = 0 if window is None else max(0, i - window + 1)
        scores = torch.bmm(q[:, i : i + 1], k[:, lo : i + 1].transpose(1, 2)) / D_HEAD**0.5
        rows.append(torch.bmm(torch.softmax(scores, dim=-1), v[:, lo : i + 1]))
    return torch.cat(rows, dim=1)


def _masked(q, k, v, window):
    """Full attention with transformers' causal sliding-window mask."""
    n = q.shape[1]
    i = torch.arange(n).view(-1, 1)
    j = torch.arange(n).view(1, -1)
    seen = (i - j >= 0) & ((i - j < window) if window is not None else True)
    scores = (q @ k.transpose(1, 2)) / D_HEAD**0.5
    return torch.softmax(scores.masked_fill(~seen, float("-inf")), dim=-1) @ v


def _qkv(length):
    torch.manual_seed(0)
    return (torch.randn(HEADS, length, D_HEAD, dtype=torch.float64) for _ in range(3))


@pytest.mark.parametrize("window", [None, 1, 8, 40])
def test_banded_reference_is_sliding_window_attention(window):
    q, k, v = _qkv(24)
    assert torch.allclose(_banded(q, k, v, window), _masked(q, k, v, window), atol=1e-12)


@pytest.mark.parametrize("length", [1, 7, 8, 9, 30])
@pytest.mark.parametrize("pattern", [PATTERN, 8, None, [None, 3], [5]])
def test_attention_flops_equal_banded_reference(pattern, length):
    arch = _arch(pattern)
    q, k, v = _qkv(length)
    repeated = pattern if isinstance(pattern, list) else [pattern]
    windows = [repeated[i % len(repeated)] for i in range(LAYERS)]
    with FlopCounterMode(display=False) as counter:
        for w in windows:
            _banded(q, k, v, w)
    reference = float(counter.get_total_flops())
    analytic = sequence_forward_flops(arch, length) - length * matmul_flops_per_token(arch)
    assert analytic == pytest.approx(reference, rel=1e-12)


def test_decode_after_a_prompt_uses_each_layers_window():
    """A chunk after cached tokens: the same as the tail of one long pass."""
    arch = _arch(PATTERN)
    whole = sequence_forward_flops(arch, 40)
    assert sequence_forward_flops(arch, 25) + sequence_forward_flops(arch, 15, start=25) == pytest.approx(whole)


def test_kv_cache_keeps_each_layers_window():
    """Gemma-2-like (half local with 4,096 keys, half global): at 32k context the cache is ~56 % of global-only."""
    local_global = _arch([4096, None])
    every_global = _arch(None)
    entry_layer = kv_entry_bytes(local_global) / LAYERS
    expected = entry_layer * (3 * 4096 + 3 * 32768)
    assert kv_cache_bytes(local_global, 32768) == pytest.approx(expected)
    assert kv_cache_bytes(local_global, 32768) / kv_cache_bytes(every_global, 32768) == pytest.approx(0.5625)
    assert kv_cache_bytes(local_global, 1000) == kv_cache_bytes(every_global, 1000)  # below the window


@pytest.mark.parametrize(
    "window,message",
    [([8] * (LAYERS + 1), "attention_window lists 7 layers"), ([], "non-empty list"), ([8, 0], "non-empty list"),
     ([8, "global"], "non-empty list"), (True, "number of keys")],
)  # fmt: skip
def test_bad_window_patterns_are_refused(window, message):
    fields = _arch(None).model_dump()
    with pytest.raises(InventoryError, match=message):
        validate(Architecture, {**fields, "attention_window": window}, error=InventoryError)
