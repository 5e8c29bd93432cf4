"""A study given by a model and a workload: the compute model fills the graph."""

from __future__ import annotations

import pytest

from lca.compute.hardware import device_from_record
from lca.compute.roofline import Efficiency, request_energy
from lca.inventory import Registry
from tests.conftest import SCENARIOS

PATH = SCENARIOS / "llama-3.1-8b-service.yaml"


@pytest.fixture(scope="module")
def result(run_study):
    return run_study(PATH)


def test_prefill_and_decode_are_separate_activities(result):
    acts = set(result.table.loc[result.table["phase"] == "inference", "activity_id"])
    assert {"inference/prefill", "inference/decode"} <= acts
    decode = result.value("gwp100", activity_id="inference/decode")
    prefill = result.value("gwp100", activity_id="inference/prefill")
    assert decode > prefill > 0


def test_inference_energy_is_the_compute_model_times_host_and_pue(result):
    reg = Registry()
    dev = device_from_record(reg.get("h100-sxm"), "bf16", 0.12)
    e = request_energy(reg.get("llama-3.1-8b"), dev, 1000, 300, 16, eff=Efficiency(0.5, 0.6))
    requests = 1_000_000 * 365
    pue = 1.17  # dc-li2023-us-average
    grid = result.activity[(result.activity["phase"] == "inference") & (result.activity["kind"] == "grid")]
    idle = result.graph.graph["compute"]["inference"]
    assert idle["energy"].prefill_energy == pytest.approx(e.prefill_energy, rel=1e-12)
    busy_kwh = e.energy * 1.2 * requests * pue
    assert grid["amount"].sum() > busy_kwh  # plus the idle provisioned capacity
    assert result.value("gwp100", activity_id="inference/decode") == pytest.approx(
        e.decode_energy * 1.2 * requests * pue * 0.38355, rel=1e-6)


def test_training_accelerator_hours_from_flops(result):
    run = result.graph.graph["compute"]["training"]["run"]
    flops = result.graph.graph["compute"]["training"]["flops"]
    assert run.accelerator_hours == pytest.approx(flops.model / (989.5e12 * 0.40) / 3600, rel=1e-12)
