"""A study given by a model and a workload: the compute model fills the boundary components.

scenarios/llama-3.1-8b-service.yaml leaves the batch, the host power and the
efficiencies to their defaults; each component is recomputed here by hand from
the compute model and the inventory.
"""

from __future__ import annotations

import math

import pytest

from lca.compute.hardware import device_from_record
from lca.compute.memory import kv_cache_bytes, weight_bytes
from lca.compute.roofline import Efficiency, request_energy
from lca.inventory import Registry
from tests.conftest import SCENARIOS

PATH = SCENARIOS / "llama-3.1-8b-service.yaml"
REQUESTS = 1_000_000 * 365
PUE = 1.17  # dc-li2023-us-average
US = 0.38355  # kg CO2e/kWh, grid US
HOST_W = 1200 / 8  # hgx-h100-8gpu: 1.2 kW per server of 8 accelerators


@pytest.fixture(scope="module")
def result(run_study):
    return run_study(PATH)


@pytest.fixture(scope="module")
def by_hand():
    reg = Registry()
    arch = reg.get("llama-3.1-8b")
    acc = reg.get("h100-sxm")
    dev = device_from_record(acc, "bf16", 0.12)
    # the default batch: the largest that fits on one device (the fewest that hold the weights), capped at 256
    free = 80e9 * 0.9 - weight_bytes(arch, "bf16")
    batch = min(math.floor(free / kv_cache_bytes(arch, 1300, "bf16")), 256)
    e = request_energy(arch, dev, 1000, 300, batch, devices=1, eff=Efficiency(0.5, 0.6), memory_power=0.3)
    busy = e.device_hours  # per request
    idle_hours = (8 * 365 * 24 - busy * REQUESTS) / REQUESTS
    return {"batch": batch, "accelerators": e.energy, "host": busy * HOST_W / 1000,
            "idle": idle_hours * (0.12 * 700 + HOST_W) / 1000, "energy": e}


def test_default_batch_is_the_largest_that_fits(result, by_hand):
    act = result.graph.activity
    assert act.values["inference.batch_size"] == by_hand["batch"] == 256
    assert act.values["inference.max_batch"] > 256  # the engine's cap binds, not the memory
    names = {q.name for q in act.defaults}
    assert {"inference.compute_efficiency", "inference.memory_efficiency", "training.mfu"} <= names


@pytest.mark.parametrize("component", ["accelerators", "host", "idle"])
def test_inference_components_by_hand(result, by_hand, component):
    act = result.graph.activity
    assert act.values[f"inference.energy.{component}"] == pytest.approx(by_hand[component], rel=1e-12)
    grid = result.value("gwp100", phase="inference", component=component, process_id="grid/US")
    assert grid == pytest.approx(by_hand[component] * REQUESTS * US, rel=1e-6)


def test_overhead_is_pue_minus_one_of_the_it_energy(result, by_hand):
    it = by_hand["accelerators"] + by_hand["host"] + by_hand["idle"]
    overhead = result.graph.activity.values["inference.energy.overhead"]
    assert overhead == pytest.approx((PUE - 1) * it, rel=1e-12)
    assert result.value("gwp100", phase="inference", component="overhead") == pytest.approx(
        overhead * REQUESTS * US, rel=1e-6)


def test_components_sum_to_the_phase(result):
    for cat in ("gwp100", "water", "adpe", "pe"):
        rows = result.table[(result.table["phase"] == "inference") & (result.table["category"] == cat)]
        by_component = rows.groupby("component")["value"].sum()
        assert by_component.sum() == pytest.approx(result.scores[("inference", cat)], rel=1e-9)


def test_training_accelerator_hours_from_flops(result):
    act = result.graph.activity
    flops = act.phases["training"].compute["model_flops"]
    assert act.values["training.busy_hours"] == pytest.approx(flops / (989.5e12 * 0.40) / 3600, rel=1e-12)


@pytest.mark.parametrize("model, devices, copies", [
    ("llama-3.1-8b", 8, 1),  # 8 KV heads, one per device: no copy
    ("llama-3.1-8b", 16, 2),
    ("deepseek-v3", 16, 16),  # multi-head latent attention: every device holds the whole latent cache
])
def test_a_tensor_parallel_replica_holds_and_reads_its_kv_copies(model, devices, copies):
    """Past one device per KV head (or on any device for MLA) each device keeps a copy: memory and reads count it."""
    import yaml

    from lca.compute.memory import kv_cache_bytes, weight_bytes
    from lca.pipeline import prepare

    data = yaml.safe_load(PATH.read_text())
    data.pop("training")
    data["model"] = model
    data["hardware"] = {"accelerator": "h200-sxm", "lifetime": "5 years"}
    data["inference"].update(devices=devices, accelerators=devices)
    _study, registry, graph = prepare(data)
    act = graph.activity
    found = [n.text for n in act.notes if "tensor-parallel engine" in n.text]
    assert len(found) == (copies > 1) and all(f"{copies} copies" in f for f in found)
    arch = registry.get(model)
    free = devices * 141e9 * 0.9 - weight_bytes(arch, "bf16")  # H200: 141 GB; vLLM's default 0.9 usable
    per_sequence = kv_cache_bytes(arch, 1300, "bf16") * copies
    assert float(act.values["inference.max_batch"]) == math.floor(free / per_sequence)
