"""Continuous batching in a study: lock step as a limit, recorded inputs, interpolated Monte Carlo, clear errors."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import lca
from lca.activity.phases import _continuous, _RequestMix
from lca.analysis import compile_study
from lca.compute.batching import request_lengths
from lca.inventory import Registry
from lca.study import study_from_dict
from tests.conftest import ROOT

BASE = {
    "schema_version": 1,
    "name": "batching",
    "functional_unit": {"name": "request"},
    "model": "llama-3.1-8b",
    "grid": "FR",
    "datacenter": "aws-fleet",
    "hardware": {"accelerator": "h100-sxm", "server": "hgx-h100-8gpu"},
    "inference": {"requests": 1e6, "prompt_tokens": 1000, "output_tokens": 300, "accelerators": 8,
                  "duration": "30 days", "batch_size": 32},
}  # fmt: skip


def _compiled(batching: dict | None):
    data = copy.deepcopy(BASE)
    if batching is not None:
        data["inference"]["batching"] = batching
    study = study_from_dict(data, path=ROOT / "tests" / "data" / "batching.yaml")
    return compile_study(study, Registry(study.inventory_folders()))


def _value(compiled, name: str) -> float:
    return float(np.ravel(compiled.activity.values[name])[0])


def test_identical_requests_give_the_lock_step_energy():
    lock = _compiled(None)
    cont = _compiled({"max_batched_tokens": 32 * 1000, "requests": 320})  # ten full waves
    name = "inference.energy.accelerators"
    assert _value(cont, name) == pytest.approx(_value(lock, name), rel=1e-12)


def test_the_mix_and_the_budget_move_the_energy_and_are_recorded():
    lock = _compiled(None)
    mixed = _compiled({"max_batched_tokens": 512, "prompt_lengths": {"family": "lognormal", "sigma": 0.8},
                       "output_lengths": {"family": "exponential"}})  # fmt: skip
    name = "inference.energy.accelerators"
    assert _value(mixed, name) != pytest.approx(_value(lock, name), rel=1e-3)
    inputs = mixed.activity.inputs
    assert inputs["inference.batching.max_batched_tokens"].value == 512
    assert inputs["inference.batching.prompt_lengths.sigma"].value == 0.8
    for setting, value in (("requests", 1000), ("seed", 0)):  # left out: ai-lca's settings, recorded as defaults
        q = inputs[f"inference.batching.{setting}"]
        assert (q.value, q.origin) == (value, "default")
    notes = [n.text for n in mixed.activity.notes]
    assert any(t.startswith("continuous batching: 1000 requests") for t in notes)
    assert _value(mixed, "inference.tokens_per_second") > 0
    assert 0 < _value(mixed, "inference.device_utilisation") < 1


def test_disaggregation_has_a_best_ratio_and_is_recorded():
    """Prefill and decode pools: a ratio that matches their work wastes less idle time than 1:1 or 1:7."""
    base = {"max_batched_tokens": 512, "prompt_lengths": {"family": "lognormal", "sigma": 0.8},
            "output_lengths": {"family": "exponential"}}  # fmt: skip
    name = "inference.energy.accelerators"
    energies = {pd: _value(_compiled(base | {"disaggregation": {"prefill": pd[0], "decode": pd[1]}}), name)
                for pd in ((1, 1), (1, 3), (1, 7))}  # fmt: skip
    assert energies[(1, 3)] < energies[(1, 1)] and energies[(1, 3)] < energies[(1, 7)]
    split = _compiled(base | {"disaggregation": {"prefill": 1, "decode": 3}})
    assert split.activity.inputs["inference.batching.disaggregation.decode"].value == 3
    assert any(n.text.startswith("prefill/decode disaggregation: 25%") for n in split.activity.notes)


def test_monte_carlo_limits_are_interpolated_within_a_percent(monkeypatch):
    """Batch limits that vary per sample: schedules on a 2^(k/4) grid, interpolated in 1 / limit."""
    from lca.activity import phases

    monkeypatch.setattr(phases, "EXACT_LIMITS", 4)  # 8 limits here: interpolated
    reg = Registry()
    arch, acc = reg.get("llama-3.1-8b", "model"), reg.get("h100-sxm", "accelerator")
    device = {"peak_flops": acc.peak_flops["bf16"].value, "bandwidth": acc.memory_bandwidth.value * 1e9}
    prompts = request_lengths("lognormal", 1000, 400, 0, sigma=0.8)
    mix = _RequestMix(prompts, request_lengths("exponential", 300, 400, 1), 2048)
    limits = np.array([3.0, 13.0, 29.0, 57.0, 101.0, 142.0, 199.0, 250.0])
    scenario = {"devices": 1.0, "compute_efficiency": 0.5, "memory_efficiency": 0.6, "tdp": 700.0,
                "idle_power": 100.0, "average_power": None}  # fmt: skip
    together = _continuous(arch, mix, limits, "bf16", "bf16", device, scenario).energy
    assert len(mix.schedules) <= 2 * limits.size
    sampled = np.random.default_rng(0).uniform(142, 256, 1000)  # limits of 1,000 Monte Carlo samples
    mix.schedules.clear()
    _continuous(arch, mix, sampled, "bf16", "bf16", device, scenario)
    assert len(mix.schedules) <= 5  # 128, 152, 181, 215, 256
    alone = np.array([_continuous(arch, mix, lim, "bf16", "bf16", device, scenario).energy[0] for lim in limits])
    np.testing.assert_allclose(together, alone, rtol=0.01)


def test_a_histogram_must_have_the_phase_mean(tmp_path):
    data = copy.deepcopy(BASE)
    data["inference"]["batching"] = {
        "max_batched_tokens": 512,
        "prompt_lengths": {"family": "histogram", "bins": [1, 101, 201], "weights": [1, 1]},
    }
    path = tmp_path / "study.yaml"
    import yaml

    path.write_text(yaml.safe_dump(data))
    with pytest.raises(lca.InputError, match="has a mean of 100.5 tokens") as info:  # 1-100 and 101-200 tokens
        lca.run(path, samples=0, home=tmp_path / "home")
    assert "set prompt_tokens to 100" in str(info.value)


@pytest.mark.parametrize(
    "batching,message",
    [({"max_batched_tokens": 0}, "max_batched_tokens"),
     ({"max_batched_tokens": 64, "prompt_lengths": {"family": "lognormal"}}, "needs it"),
     ({"max_batched_tokens": 64, "prompt_lengths": {"family": "exponential", "sigma": 1}}, "goes with"),
     ({"max_batched_tokens": 64, "output_lengths": {"family": "histogram", "bins": [5, 1], "weights": [1]}},
      "increasing"),
     ({"max_batched_tokens": 64, "budget": 3}, "budget")],
)  # fmt: skip
def test_bad_batching_blocks_are_refused(batching, message):
    with pytest.raises(lca.InputError, match=message):
        _compiled(batching)


def test_batching_on_a_measured_phase_is_refused():
    data = copy.deepcopy(BASE)
    data["inference"] = {"requests": 1000, "energy_per_request": "3 Wh", "energy_scope": "it",
                         "batching": {"max_batched_tokens": 64}}
    with pytest.raises(lca.InputError, match="'batching' is used only with 'prompt_tokens'"):
        study_from_dict(data, path=ROOT / "tests" / "data" / "batching.yaml")


def _with_file(tmp_path, text: str, prompt_tokens: int = 101):
    (tmp_path / "lengths").mkdir(exist_ok=True)
    (tmp_path / "lengths" / "prompts.csv").write_text(text)
    data = copy.deepcopy(BASE)
    data["inference"]["prompt_tokens"] = prompt_tokens
    data["inference"]["batching"] = {
        "max_batched_tokens": 512,
        "prompt_lengths": {"family": "histogram", "file": "lengths/prompts.csv"},
    }
    study = study_from_dict(data, path=tmp_path / "study.yaml")
    return compile_study(study, Registry(study.inventory_folders()))


def test_a_histogram_file_equals_the_same_bins_inline(tmp_path):
    from_file = _with_file(tmp_path, "from,to,weight\n1,101,3\n101,201,1\n", prompt_tokens=76)
    data = copy.deepcopy(BASE)
    data["inference"]["prompt_tokens"] = 76
    data["inference"]["batching"] = {
        "max_batched_tokens": 512,
        "prompt_lengths": {"family": "histogram", "bins": [1, 101, 201], "weights": [3, 1]},
    }
    inline = compile_study(study_from_dict(data, path=tmp_path / "study.yaml"))
    name = "inference.energy.accelerators"
    assert _value(from_file, name) == _value(inline, name)


@pytest.mark.parametrize(
    "text,message",
    [("low,high,weight\n1,10,1\n", "the columns 'from', 'to' and 'weight'"),
     ("from,to,weight\n1,10,1\n20,30,1\n", "adjacent"),
     ("from,to,weight\n1,10,x\n", "not a number"),
     ("from,to,weight\n10,5,1\n", "1 <= from < to"),
     ("from,to,weight\n1,10,0\n", "weight above 0")],
)  # fmt: skip
def test_a_bad_histogram_file_is_refused(tmp_path, text, message):
    with pytest.raises(lca.InputError, match=message):
        _with_file(tmp_path, text)


def test_a_histogram_file_outside_the_study_folder_is_refused(tmp_path):
    data = copy.deepcopy(BASE)
    data["inference"]["batching"] = {"max_batched_tokens": 512,
                                     "prompt_lengths": {"family": "histogram", "file": "../elsewhere.csv"}}  # fmt: skip
    study = study_from_dict(data, path=tmp_path / "study.yaml")
    with pytest.raises(lca.InputError, match="inside the study's folder"):
        compile_study(study)


# ---------------------------------------------------------------- histograms from the inventories

AZURE = {"prompt": "azure-2023-conversation-prompts", "output": "azure-2023-conversation-outputs"}


def _with_records(prompt_tokens: int = 1151, output_tokens: int = 212, **lengths: dict):
    data = copy.deepcopy(BASE)
    data["inference"].update(prompt_tokens=prompt_tokens, output_tokens=output_tokens)
    data["inference"]["batching"] = {"max_batched_tokens": 2048, "requests": 400, **lengths}
    return study_from_dict(data, path=ROOT / "tests" / "data" / "batching.yaml")


def test_lengths_drawn_from_an_inventory_histogram_are_cited_and_move_the_energy():
    study = _with_records(prompt_lengths={"family": "histogram", "record": AZURE["prompt"]},
                          output_lengths={"family": "histogram", "record": AZURE["output"]})  # fmt: skip
    registry = Registry(study.inventory_folders())
    drawn = compile_study(study, registry)
    fixed = compile_study(_with_records(), Registry())
    name = "inference.energy.accelerators"
    assert _value(drawn, name) != pytest.approx(_value(fixed, name), rel=1e-3)
    notes = " ".join(n.text for n in drawn.activity.notes)
    assert "drawn from 'azure-2023-conversation-prompts'" in notes and "Splitwise" in notes
    cited = {row["id"] for row in registry.sources()}
    assert {AZURE["prompt"], AZURE["output"]} <= cited


def test_an_inventory_histogram_equals_the_same_bins_inline():
    rec = Registry().get(AZURE["prompt"], "length_histogram")
    by_record = compile_study(_with_records(prompt_lengths={"family": "histogram", "record": AZURE["prompt"]}))
    inline = compile_study(_with_records(prompt_lengths={"family": "histogram", "bins": list(rec.bins),
                                                         "weights": list(rec.weights)}))  # fmt: skip
    name = "inference.energy.accelerators"
    assert _value(by_record, name) == _value(inline, name)


@pytest.mark.parametrize(
    "lengths,message",
    [({"family": "histogram", "record": "no-such-trace"}, "no-such-trace"),
     ({"family": "histogram", "record": "h100-sxm"}, "h100-sxm"),
     ({"family": "histogram", "record": AZURE["prompt"], "bins": [1, 2], "weights": [1]}, "one of them"),
     ({"family": "lognormal", "sigma": 0.5, "record": AZURE["prompt"]}, "go with family histogram")],
)  # fmt: skip
def test_a_bad_histogram_record_is_refused(lengths, message):
    with pytest.raises(lca.InputError, match=message):
        compile_study(_with_records(prompt_lengths=lengths))


def test_a_record_whose_mean_is_not_the_phase_mean_is_refused():
    with pytest.raises(lca.InputError, match="has a mean of 1,151 tokens") as info:
        compile_study(_with_records(prompt_tokens=1000, prompt_lengths={"family": "histogram",
                                                                        "record": AZURE["prompt"]}))  # fmt: skip
    assert "set prompt_tokens to 1151" in str(info.value)
