"""Layer (b): analytic forward FLOPs against torch's FlopCounterMode.

Small GPT-2, Llama (GQA) and Mixtral (MoE) models are built from transformers config
classes with random weights (no download). FlopCounterMode counts every matmul
(mm/addmm/bmm) as 2 m n k; with eager attention the full L x L score matrix is
computed and masked afterwards, so the comparison uses ``kernel="dense"``. MoE experts
run with the eager expert loop, which only multiplies the tokens routed to each expert.
The analytic count equals the counter exactly (asserted with ==).
"""

from __future__ import annotations

import pytest
import torch
from torch.utils.flop_counter import FlopCounterMode
from transformers import (
    GPT2Config,
    GPT2LMHeadModel,
    LlamaConfig,
    LlamaForCausalLM,
    MixtralConfig,
    MixtralForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

from lca.compute.architecture import Architecture, parameter_count
from lca.compute.flops import prefill_flops, sequence_forward_flops

LENGTHS = (16, 256, 1024, 2048)  # 2048: the attention term is about half of the total


def _counted(model: torch.nn.Module, length: int, **kwargs) -> float:
    torch.manual_seed(0)
    ids = torch.randint(0, model.config.vocab_size, (1, length))
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(ids, **kwargs)
    return float(counter.get_total_flops())


def _arch(model: torch.nn.Module, **fields) -> Architecture:
    n = sum(p.numel() for p in model.parameters())
    return Architecture(
        id="test",
        published_params={"value": n, "unit": "", "source": "torch numel"},
        **fields,
    )


def gpt2():
    cfg = GPT2Config(n_layer=2, n_embd=128, n_head=4, vocab_size=1000, n_positions=2048,
                     bos_token_id=0, eos_token_id=0, attn_implementation="eager")
    model = GPT2LMHeadModel(cfg).eval()
    arch = _arch(model, layers=2, d_model=128, heads=4, d_ff=512, vocab=1000, tied_embeddings=True,
                 positional="learned", max_context=2048, bias=True, norm="layernorm")
    return model, arch


def llama_gqa():
    cfg = LlamaConfig(num_hidden_layers=2, hidden_size=128, num_attention_heads=8, num_key_value_heads=2,
                      intermediate_size=344, vocab_size=1000, max_position_embeddings=4096,
                      attn_implementation="eager")
    model = LlamaForCausalLM(cfg).eval()
    arch = _arch(model, layers=2, d_model=128, heads=8, kv_heads=2, d_ff=344, gated=True, vocab=1000,
                 positional="rope", max_context=4096, norm="rmsnorm")
    return model, arch


def mixtral_moe():
    cfg = MixtralConfig(num_hidden_layers=2, hidden_size=128, num_attention_heads=8, num_key_value_heads=2,
                        intermediate_size=256, num_local_experts=4, num_experts_per_tok=2, vocab_size=1000,
                        max_position_embeddings=4096, attn_implementation="eager",
                        experts_implementation="eager")
    model = MixtralForCausalLM(cfg).eval()
    arch = _arch(model, layers=2, d_model=128, heads=8, kv_heads=2, d_ff=256, gated=True, vocab=1000,
                 positional="rope", max_context=4096, norm="rmsnorm", experts=4, experts_per_token=2,
                 d_ff_expert=256)
    return model, arch


def qwen2_qkv_bias():
    """Biases on the query, key and value projections only (Qwen2)."""
    cfg = Qwen2Config(num_hidden_layers=2, hidden_size=128, num_attention_heads=8, num_key_value_heads=2,
                      intermediate_size=344, vocab_size=1000, max_position_embeddings=4096,
                      attn_implementation="eager")
    model = Qwen2ForCausalLM(cfg).eval()
    arch = _arch(model, layers=2, d_model=128, heads=8, kv_heads=2, d_ff=344, gated=True, vocab=1000,
                 positional="rope", max_context=4096, norm="rmsnorm", bias=["q", "k", "v"])
    return model, arch


BUILDERS = {"gpt2": gpt2, "llama-gqa": llama_gqa, "mixtral-moe": mixtral_moe, "qwen2-qkv-bias": qwen2_qkv_bias}


@pytest.fixture(scope="module", params=sorted(BUILDERS))
def built(request):
    return request.param, *BUILDERS[request.param]()


def test_parameter_count_matches_torch(built):
    _, model, arch = built
    assert parameter_count(arch).total == sum(p.numel() for p in model.parameters())


@pytest.mark.parametrize("length", LENGTHS)
def test_forward_flops_match_counter(built, length):
    _, model, arch = built
    analytic = sequence_forward_flops(arch, length, kernel="dense")
    counted = _counted(model, length)
    assert analytic == counted  # exact: a looser bound would let the whole attention term go missing


@pytest.mark.parametrize("length", LENGTHS[:2])
def test_serving_prefill_computes_the_last_logits_only(built, length):
    """transformers' ``logits_to_keep=1`` (what serving engines do) against ``prefill_flops(logits="last")``."""
    _, model, arch = built
    counted = _counted(model, length, logits_to_keep=1)
    assert prefill_flops(arch, length, kernel="dense", logits="last") == counted
    assert prefill_flops(arch, length, kernel="dense", logits="all") == _counted(model, length)


def test_attention_term_matters_at_long_context(built):
    _, _model, arch = built
    long, short = LENGTHS[-1], LENGTHS[0]
    per_token_long = sequence_forward_flops(arch, long, kernel="dense") / long
    per_token_short = sequence_forward_flops(arch, short, kernel="dense") / short
    assert per_token_long > 1.3 * per_token_short
