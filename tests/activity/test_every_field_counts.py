"""Property over the study schema: every phase field changes the result or is a clear error.

For each field of a training and an inference phase, and for each of five base studies
(measured power, measured energy, accelerator time with a load, modelled training,
modelled serving), the field is set to a valid value different from the base. The
outcome must be an :class:`lca.InputError` (a clear message naming the field or the rule)
or a change of some impact total or of some quantity of the activity model (energy per
component, accelerator-hours, a reported duration ...). No field may be accepted and
ignored.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

import lca
from lca.analysis import compile_study
from lca.inventory import Registry
from lca.study import InferencePhase, TrainingPhase, study_from_dict
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"

COMMON = {
    "schema_version": 1,
    "functional_unit": {"name": "test"},
    "model": "llama-3.1-8b",
    "inventories": [str(DATA / "inventory-override")],
    "grid": "FR",
    "datacenter": "aws-fleet",
    "hardware": {"accelerator": "h100-sxm", "server": "hgx-h100-8gpu"},
}
BASES = {
    "power": {"training": {"accelerator_hours": 1000, "average_power": "400 W"},
              "inference": {"requests": 1000, "accelerators": 8, "duration": "10 h", "average_power": "300 W"}},
    "energy": {"training": {"energy": "500 kWh", "energy_scope": "accelerators", "accelerators": 8, "duration": "5 h"},
               "inference": {"requests": 1000, "energy_per_request": "3 Wh", "energy_scope": "it"}},
    "load": {"training": {"accelerator_hours": 1000, "load": 0.7},
             "inference": {"requests": 3000, "accelerator_hours": 500, "load": 0.4}},
    "modelled-training": {"training": {"tokens": 1e9, "sequence_length": 2048, "accelerators": 64}},
    "modelled-serving": {"inference": {"requests": 1e6, "prompt_tokens": 1000, "output_tokens": 300,
                                       "accelerators": 8, "duration": "30 days"}},
}
# a valid value of every phase field, different from every base
CANDIDATES = {
    "grid": "DE", "datacenter": "google-fleet", "accelerator": "a100-sxm4-80gb", "precision": "fp8",
    "accelerator_hours": 2000, "accelerators": 16, "duration": "2 days", "average_power": "350 W", "load": 0.3,
    "energy_scope": "facility", "host_overhead": 0.4, "idle_energy": "100 kWh",
    "load_profile": str(DATA / "load-daytime.csv"), "codecarbon": str(DATA / "codecarbon" / "emissions.csv"),
    "provisioned_idle_hours": 100, "energy": "600 kWh", "tokens": 2e9, "sequence_length": 4096, "target_length": 128,
    "mfu": 0.3, "achieved_flops": "200 TFLOP/s", "recompute": "full", "requests": 5000, "requests_per_day": 300,
    "energy_per_request": "5 Wh", "prompt_tokens": 500, "output_tokens": 100, "batch_size": 4, "devices": 2,
    "kv_precision": "fp8", "compute_efficiency": 0.3, "memory_efficiency": 0.4,
    "batching": {"max_batched_tokens": 512, "requests": 200, "seed": 3,
                 "prompt_lengths": {"family": "lognormal", "sigma": 0.8}, "output_lengths": {"family": "exponential"}},
}
# every field of the batching block (on the modelled serving base with batching): a change or a clear error
BATCHING = {"max_batched_tokens": 2048, "requests": 300, "seed": 7, "disaggregation": {"prefill": 1, "decode": 3}}
BATCHING_LENGTHS = [{"family": "fixed"}, {"family": "lognormal", "sigma": 0.3}, {"family": "exponential"},
                    {"family": "histogram", "bins": [1, 200, 500], "weights": [1, 1]}]
FIELDS = sorted(set(TrainingPhase.model_fields) | set(InferencePhase.model_fields))


def test_every_field_has_a_candidate():
    assert set(FIELDS) == set(CANDIDATES), "give a mutation for every phase field"


def _signature(data: dict):
    study = study_from_dict(data, path=ROOT / "tests" / "data" / "field-test.yaml")
    compiled = compile_study(study, Registry(study.inventory_folders()))
    act = compiled.activity
    contrib = compiled.evaluate()
    totals = {f"{p}:{k}": float(c[0, k].sum()) for p, c in contrib.items() for k in range(len(compiled.categories))}
    derived = {n: float(act.values[n]) for n in act.derived if np.ndim(act.values.get(n, None)) == 0
               and isinstance(act.values.get(n), float | int | np.floating)}
    return totals, derived


def _changed(a: dict, b: dict) -> bool:
    if set(a) != set(b):
        return True
    return any(not np.isclose(a[k], b[k], rtol=1e-12, atol=0.0) for k in a)


CASES = [(base, phase, field) for base, phases in BASES.items() for phase in phases for field in FIELDS
         if field in (TrainingPhase if phase == "training" else InferencePhase).model_fields]


@pytest.mark.parametrize("base, phase, field", CASES, ids=[f"{b}-{p}-{f}" for b, p, f in CASES])
def test_a_field_changes_the_result_or_is_an_error(base, phase, field):
    data = copy.deepcopy(COMMON) | {"name": f"field-{base}"}
    data.update(copy.deepcopy(BASES[base]))
    before = _signature(data)
    mutated = copy.deepcopy(data)
    mutated[phase][field] = CANDIDATES[field]
    try:
        after = _signature(mutated)
    except lca.InputError as exc:
        text = str(exc)
        assert text and "Traceback" not in text
        return
    assert _changed(before[0], after[0]) or _changed(before[1], after[1]), \
        f"{phase}.{field} = {CANDIDATES[field]!r} was accepted and changed nothing"


def _batching_base() -> dict:
    data = copy.deepcopy(COMMON) | {"name": "field-batching"}
    data.update(copy.deepcopy(BASES["modelled-serving"]))
    data["inference"]["batching"] = {"max_batched_tokens": 512, "requests": 200,
                                     "prompt_lengths": {"family": "lognormal", "sigma": 0.8}}
    return data


@pytest.mark.parametrize("field", sorted(BATCHING))
def test_every_batching_field_changes_the_result(field):
    data = _batching_base()
    before = _signature(data)
    data["inference"]["batching"][field] = BATCHING[field]
    after = _signature(data)
    assert _changed(before[0], after[0]) or _changed(before[1], after[1]), f"batching.{field} changed nothing"


@pytest.mark.parametrize("which", ["prompt_lengths", "output_lengths"])
@pytest.mark.parametrize("dist", BATCHING_LENGTHS, ids=lambda d: d["family"])
def test_every_length_distribution_changes_the_result_or_is_an_error(which, dist):
    data = _batching_base()
    if which not in data["inference"]["batching"] and dist["family"] == "fixed":
        pytest.skip("fixed is the default: the base has it already")
    before = _signature(data)
    data["inference"]["batching"][which] = dist
    try:
        after = _signature(data)
    except lca.InputError as exc:
        assert "histogram" in str(exc) or "seed" in str(exc)
        return
    assert _changed(before[0], after[0]) or _changed(before[1], after[1]), f"{which} = {dist} changed nothing"


def test_a_seed_without_a_drawn_distribution_is_an_error():
    data = _batching_base()
    data["inference"]["batching"] = {"max_batched_tokens": 512, "seed": 4}
    with pytest.raises(lca.InputError, match="'seed' is used only with a drawn length distribution"):
        _signature(data)
