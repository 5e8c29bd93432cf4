"""Sweeps reproduce the studies they stand for, run one by one."""

from __future__ import annotations

import pytest

import lca
from lca.analysis.sweep import set_path
from lca.study import study_from_dict
from lca.analysis.sweep import run_sweep, scenarios
from tests.conftest import SCENARIOS

LEVERS = sorted((SCENARIOS / "levers").glob("*.yaml"))


@pytest.mark.parametrize("path", LEVERS, ids=lambda p: p.stem)
def test_sweep_reproduces_individual_runs(path, home, tmp_path):
    study = lca.load_study(path)
    result = run_sweep(study)
    scens = scenarios(study.sweep)
    assert len(result.table) == 4 * len(scens)
    base = study.model_dump(exclude_none=True, mode="json")
    base.pop("sweep")
    # check a few scenarios (first, last, middle) against a full Brightway run of the same study
    for scen in {0: scens[0], 1: scens[-1], 2: scens[len(scens) // 2]}.values():
        data = base
        for key, value in scen.overrides.items():
            data = set_path(data, key, value)
        data["name"] = "sweep-check"
        single = lca.run(study_from_dict(data, path=study.path), home=home)
        rows = result.table[result.table["scenario"] == scen.name].set_index("category")
        for cat in ("gwp100", "water", "adpe", "pe"):
            assert rows.loc[cat, "total"] == pytest.approx(single.total(cat), rel=1e-6, abs=1e-12)
            assert rows.loc[cat, "embodied"] == pytest.approx(single.value(cat, scope="embodied"), rel=1e-6, abs=1e-9)


def test_scaling_and_structural_parameters_are_told_apart():
    study = lca.load_study(SCENARIOS / "levers" / "training-efficiency.yaml")
    result = run_sweep(study)
    assert result.scaling == ["training.mfu"]
    assert result.structural == ["hardware.accelerator"]
    assert result.groups == 2
    gwp = result.table[result.table["category"] == "gwp100"]
    h100 = gwp[gwp["param:hardware.accelerator"] == "h100-sxm"].set_index("param:training.mfu")["total"]
    assert h100.loc[0.25] > h100.loc[0.4] > h100.loc[0.55]


def test_market_based_total_in_sweeps(run_study):
    """The PPA lever: sites with contractual factors get a market-based gwp100 total."""
    study = lca.load_study(SCENARIOS / "levers" / "grid-and-ppa.yaml")
    table = run_sweep(study).table
    gwp = table[table["category"] == "gwp100"].set_index("scenario")
    nc = gwp.loc["grid=pat21-google-north-carolina-2020-04"]
    assert nc["total_market_based"] < nc["total"]
    # the market-based electricity is the location-based one x 0.177 / 0.201; embodied unchanged
    expected = nc["embodied"] + (nc["total"] - nc["embodied"]) * 0.177 / 0.201
    assert nc["total_market_based"] == pytest.approx(expected, rel=1e-9)
    assert gwp.loc["grid=US", "total_market_based"] == pytest.approx(gwp.loc["grid=US", "total"], rel=1e-12)


@pytest.mark.parametrize("path", LEVERS, ids=lambda p: p.stem)
def test_the_columnar_scenarios_are_the_listed_ones(path):
    """ScenarioSet (codes per parameter) gives the names and values of scenarios(), in the same order."""
    from lca.analysis.sweep import scenario_set

    study = lca.load_study(path)
    listed = scenarios(study.sweep)
    columns = scenario_set(study.sweep)
    assert columns.n == len(listed)
    assert list(columns.names()) == [s.name for s in listed]
    for p in columns.paths:
        assert list(columns.column(p)) == [s.overrides.get(p) for s in listed]
