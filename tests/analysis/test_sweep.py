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


def _two_parameter_sweep(side: int):
    from lca.study import SweepSpec

    study = lca.load_study(SCENARIOS / "bloom-176b.yaml")
    spec = SweepSpec(parameters={"training.average_power": [f"{250 + 200 * i / side} W" for i in range(side)],
                                 "hardware.lifetime": [f"{3 + 3 * j / side} years" for j in range(side)]})  # fmt: skip
    return run_sweep(study, spec)


def test_the_long_table_is_the_same_whole_in_chunks_and_by_rows():
    import numpy as np
    import pandas as pd

    result = _two_parameter_sweep(9)
    table = result.table
    assert len(table) == 4 * 81
    chunked = pd.concat(list(result.frames(chunk=7)), ignore_index=True)
    pd.testing.assert_frame_equal(chunked.astype(object), table.astype(object))
    picked = result.rows(np.array([80, 3]))
    assert list(picked["scenario"].unique()) == [table["scenario"].iloc[4 * 80], table["scenario"].iloc[12]]
    gwp = table[table["category"] == "gwp100"]
    assert np.array_equal(gwp["total"].to_numpy(), result.total[:, 0])
    order = result.ranked()
    assert np.all(np.diff(result.total[order, 0]) >= 0)


def test_a_sweep_page_of_many_scenarios_is_drawn_from_the_arrays():
    """Beyond 60 scenarios: a heatmap and the 10 lowest and 10 highest, as the table-built page has them."""
    from lca.reports.compare import comparison_chart, sweep_chart

    result = _two_parameter_sweep(10)
    page = sweep_chart(result, title="Sweep: hundred")
    from_table = comparison_chart(result.table, "scenario", title="Sweep: hundred")
    assert "the 10 lowest and 10 highest" in page
    assert page.count("<svg") == from_table.count("<svg") == 1
    lowest = result.rows(result.ranked()[:1])["scenario"].iloc[0]
    assert lowest in page and lowest in from_table


def test_lca_sweep_of_100_000_scenarios_stays_within_a_memory_budget(tmp_path, home):
    """The whole command (sweep, 4 x 10^5-row sweep.csv, heatmap page, provenance) under 700 MB of RSS.

    Measured: about 420 MB (docs/performance.md); 10^6 scenarios take about 660 MB.
    """
    import subprocess
    import sys

    import yaml

    side = 316
    data = yaml.safe_load((SCENARIOS / "bloom-176b.yaml").read_text())
    data["sweep"] = {"parameters": {"training.average_power": [f"{250 + 200 * i / side} W" for i in range(side)],
                                    "hardware.lifetime": [f"{3 + 3 * j / side} years" for j in range(side)]}}  # fmt: skip
    study = tmp_path / "big-sweep.yaml"
    study.write_text(yaml.safe_dump(data))
    args = ["sweep", str(study), "--out", str(tmp_path / "out"), "--home", str(home), "-q"]
    peak = tmp_path / "peak.txt"
    # the child writes its own peak RSS (VmHWM): ru_maxrss would count the test process's pages too, which
    # Linux carries into a child's high-water mark across fork and exec
    code = ("import atexit, runpy, sys\n"
            f"atexit.register(lambda: open({str(peak)!r}, 'w').write(open('/proc/self/status').read()"
            ".split('VmHWM:')[1].split()[0]))\n"
            f"sys.argv = ['lca', *{args!r}]\n"
            "runpy.run_module('lca.cli', run_name='__main__')")  # fmt: skip
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
    kb = int(peak.read_text())
    assert 100e6 < kb * 1024 < 700e6, f"{kb / 1024:.0f} MB"
    with open(tmp_path / "out" / "sweep.csv") as handle:
        assert sum(1 for _ in handle) == 4 * side * side + 1
