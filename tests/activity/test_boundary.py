"""Layer (a): each boundary component of a phase, worked by hand on the toy inventory.

Toy data: grid 0.5 kg CO2e, 2 L water, 10 MJ per kWh; datacenter PUE 1.5, WUE 1 L per
kWh of IT energy; accelerator TDP 500 W, idle 100 W; server of 4 accelerators with a
host power of 400 W (100 W per accelerator); card 200 kg, platform 1,000 kg CO2e;
5 Julian years of life, fully used.

Training, 1,000 accelerator-hours at 300 W and 500 provisioned idle hours:

=============  ===================================  ==========  ========
component      energy                               kWh         kg CO2e
=============  ===================================  ==========  ========
accelerators   1,000 h x 300 W                      300         150
host           1,000 h x 100 W                      100         50
idle           500 h x (100 W idle + 100 W host)    100         50
overhead       (1.5 - 1) x (300 + 100 + 100)        250         125
embodied       1,500 h x (200 + 1,000 / 4) kg / 43,830 h        15.400
=============  ===================================  ==========  ========
"""

from __future__ import annotations

import pytest

import lca

HOURS = 5 * 8766.0
EXPECTED_GWP = {"accelerators": 150.0, "host": 50.0, "idle": 50.0, "overhead": 125.0,
                "embodied": 1500 * (200 + 1000 / 4) / HOURS}
EXPECTED_KWH = {"accelerators": 300.0, "host": 100.0, "idle": 100.0, "overhead": 250.0}

BODY = """
training:
  accelerator_hours: 1000
  average_power: 300 W
  provisioned_idle_hours: 500
"""


@pytest.fixture
def result(toy, home):
    return lca.run(toy(BODY), home=home, samples=0)


@pytest.mark.parametrize("component", list(EXPECTED_GWP))
def test_each_component_by_hand(result, component):
    assert result.value("gwp100", component=component) == pytest.approx(EXPECTED_GWP[component], rel=1e-6)
    if component in EXPECTED_KWH:
        act = result.graph.activity
        assert act.values[f"training.energy.{component}"] == pytest.approx(EXPECTED_KWH[component], rel=1e-12)


def test_water_on_site_follows_the_it_energy_only(result):
    # grid water 2 L/kWh on all 750 kWh at the meter; on-site 1 L/kWh on the 500 kWh of IT energy
    assert result.value("water", component="overhead") == pytest.approx(250 * 2.0, rel=1e-6)
    assert result.value("water", component="accelerators") == pytest.approx(300 * (2.0 + 1.0), rel=1e-6)
    assert result.total("water") == pytest.approx(750 * 2.0 + 500 * 1.0, rel=1e-6)


def test_components_sum_to_the_total(result):
    for cat in ("gwp100", "water", "adpe", "pe"):
        by_component = result.table[result.table["category"] == cat].groupby("component")["value"].sum()
        assert by_component.sum() == pytest.approx(result.scores[("total", cat)], rel=1e-9, abs=1e-15)
    assert result.total("gwp100") == pytest.approx(sum(EXPECTED_GWP.values()), rel=1e-6)
    assert result.energy_at_meter() == pytest.approx(750.0, rel=1e-6)


def test_narrow_and_comprehensive_boundaries(result):
    rows = {b["component"]: b for b in result.provenance["boundary"]}
    assert rows["accelerators"]["narrow"] and not rows["host"]["narrow"]
    from lca.reports.views import boundary_summary

    summary = boundary_summary(result.table, result.provenance).iloc[0]
    assert summary["narrow energy [kWh]"] == pytest.approx(300.0)
    assert summary["comprehensive energy [kWh]"] == pytest.approx(750.0)
    assert summary["narrow gwp100 [kg CO2e]"] == pytest.approx(150.0, rel=1e-6)
    assert summary["comprehensive gwp100 [kg CO2e]"] == pytest.approx(sum(EXPECTED_GWP.values()), rel=1e-6)


@pytest.mark.parametrize("scope, body, expected", [
    # 'it': the measured 400 W per accelerator include the host: no host component, no host added
    ("it", "  average_power: 400 W\n  energy_scope: it\n", {"it": 400.0, "overhead": 200.0}),
    # 'accelerators' is the default for a measured power: the server's host power is added
    ("accelerators", "  average_power: 400 W\n", {"accelerators": 400.0, "host": 100.0, "overhead": 250.0}),
    # the load model: 100 W + 0.5 x (500 - 100) W = 300 W
    ("load", "  load: 0.5\n", {"accelerators": 300.0, "host": 100.0, "overhead": 200.0}),
    # host_overhead replaces the server's host power: 0.2 x 300 W
    ("host_overhead", "  load: 0.5\n  host_overhead: 0.2\n", {"accelerators": 300.0, "host": 60.0, "overhead": 180.0}),
])
def test_what_a_power_covers(toy, scope, body, expected):
    from lca.activity import resolve
    from lca.inventory import Registry

    study = lca.load_study(toy("training:\n  accelerator_hours: 1000\n" + body))
    act = resolve(study, Registry(study.inventory_folders()))
    got = {str(c): float(act.values[q]) for c, q in act.phases["training"].energy.items()}
    assert got == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("scope, expected", [
    ("accelerators", {"accelerators": 10.0, "host": 100.0, "overhead": 55.0}),  # host: 1,000 h x 100 W
    ("it", {"it": 10.0, "overhead": 5.0}),
    ("facility", {"it": 10.0 / 1.5, "overhead": 10.0 - 10.0 / 1.5}),  # the meter reading keeps its total
])
def test_what_a_measured_energy_covers(toy, scope, expected):
    from lca.activity import resolve
    from lca.inventory import Registry

    study = lca.load_study(toy(f"training:\n  accelerator_hours: 1000\n  energy: 10 kWh\n  energy_scope: {scope}\n"))
    act = resolve(study, Registry(study.inventory_folders()))
    got = {str(c): float(act.values[q]) for c, q in act.phases["training"].energy.items()}
    assert got == pytest.approx(expected, rel=1e-12)
