"""Link the foreground to a user's own Brightway background (synthetic, built here).

Background database 'bg' in project 'user-bg' (elementary flows in 'bio'):

* electricity, FR [kWh]: emits 0.05 kg CO2 and evaporates 0.002 m3 water per kWh, and uses
  0.02 kWh of itself (grid losses, a loop) => per kWh delivered: 0.05/0.98 kg, 0.002/0.98 m3;
* server production [unit]: emits 1500 kg CO2, uses 500 kWh of that electricity
  => 1500 + 500 x 0.05/0.98 kg per server.

Methods: ('test', 'gwp') CO2 = 1; ('test', 'water') water to air = 1 m3 (x 1000 -> L).
Study: 1000 H100 hours at 400 W, host 1.2 kW per 8-card server (hgx-h100-8gpu), PUE 1.10 (Microsoft/Patterson record),
server hgx-h100-8gpu (8 cards, 6 Julian years, utilisation 1) linked to 'server production';
the H100 card keeps its bundled Boavizta inventory (575.18 kg via the indicator flow).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import lca

ELEC_GWP = 0.05 / 0.98
SERVER_GWP = 1500 + 500 * ELEC_GWP


def _build_user_project(base: Path) -> None:
    import bw2data as bd

    previous = (Path(bd.projects._base_data_dir), Path(bd.projects._base_logs_dir), bd.projects.current)
    base.mkdir(parents=True, exist_ok=True)
    (base / "logs").mkdir(exist_ok=True)
    bd.projects.change_base_directories(base, base_logs_dir=base / "logs", project_name="user-bg")
    try:
        bd.Database("bio").write({
            ("bio", "co2"): {"name": "Carbon dioxide", "unit": "kilogram", "type": "emission", "categories": ("air",)},
            ("bio", "h2o"): {"name": "Water", "unit": "cubic meter", "type": "emission", "categories": ("air",)},
        })
        bd.Database("bg").write({
            ("bg", "elec"): {"name": "electricity, FR", "unit": "kilowatt hour", "location": "FR",
                             "exchanges": [
                                 {"input": ("bg", "elec"), "amount": 1.0, "type": "production"},
                                 {"input": ("bg", "elec"), "amount": 0.02, "type": "technosphere"},
                                 {"input": ("bio", "co2"), "amount": 0.05, "type": "biosphere"},
                                 {"input": ("bio", "h2o"), "amount": 0.002, "type": "biosphere"}]},
            ("bg", "server"): {"name": "server production", "unit": "unit", "location": "GLO",
                               "exchanges": [
                                   {"input": ("bg", "server"), "amount": 1.0, "type": "production"},
                                   {"input": ("bg", "elec"), "amount": 500.0, "type": "technosphere"},
                                   {"input": ("bio", "co2"), "amount": 1500.0, "type": "biosphere"}]},
        })
        bd.Method(("test", "gwp")).register(unit="kg CO2-Eq")
        bd.Method(("test", "gwp")).write([(("bio", "co2"), 1.0)])
        bd.Method(("test", "water")).register(unit="m3")
        bd.Method(("test", "water")).write([(("bio", "h2o"), 1.0)])
        bd.Method(("test", "none")).register(unit="x")
        bd.Method(("test", "none")).write([])
    finally:
        bd.projects.change_base_directories(previous[0], base_logs_dir=previous[1], project_name=previous[2],
                                            update=False)


def _linked_study(path: Path, base: Path, name: str) -> Path:
    """The test study: H100 hours on the French grid, grid and server linked to 'bg'."""
    path.write_text(f"""
schema_version: 1
name: {name}
functional_unit: {{name: test}}
grid: FR
datacenter: dc-pat21-microsoft-2020
hardware: {{accelerator: h100-sxm, server: hgx-h100-8gpu}}
training: {{accelerator_hours: 1000, average_power: 400 W}}
background:
  project: user-bg
  database: bg
  methods:
    gwp100: {{method: [test, gwp]}}
    water: {{method: [test, water], factor: 1000}}
    adpe: {{method: [test, none]}}
    pe: {{method: [test, none]}}
  links:
    grid: {{name: "electricity, FR", location: FR}}
    server: {{code: server}}
""")
    return path


def test_linked_background_by_hand(tmp_path, home):
    base = tmp_path / "user-brightway"
    _build_user_project(base)
    study = _linked_study(tmp_path / "linked.yaml", base, "linked-test")
    result = lca.run(study, home=home, brightway_dir=base)
    hours = 6 * 8766.0
    metered = 1000 * (0.4 + 1.2 / 8) * 1.10  # accelerators at 400 W + the server's host power (1.2 kW / 8), PUE
    expected = {
        "grid": metered * ELEC_GWP,
        "server": 1000 / (8 * hours) * SERVER_GWP,
        "card": 1000 / hours * 575.1809,
    }
    assert result.value("gwp100", process_id="grid/FR") == pytest.approx(expected["grid"], rel=1e-6)
    assert result.value("gwp100", process_id="manufacturing/boavizta-p5-48xlarge-platform") == pytest.approx(
        expected["server"], rel=1e-6)
    assert result.value("gwp100", process_id="manufacturing/boavizta-h100-sxm") == pytest.approx(
        expected["card"], rel=1e-5)
    assert result.total("gwp100") == pytest.approx(sum(expected.values()), rel=1e-5)
    assert result.scores[("total", "gwp100")] == pytest.approx(result.total("gwp100"), rel=1e-9)
    # water: background evaporation (m3 -> L) of the grid and of the server's electricity
    grid_water = metered * 0.002 / 0.98 * 1000
    server_water = 1000 / (8 * hours) * 500 * 0.002 / 0.98 * 1000
    assert result.value("water", process_id="grid/FR") == pytest.approx(grid_water, rel=1e-6)
    assert result.value("water") == pytest.approx(grid_water + server_water, rel=1e-6)
    assert any("linked to background database 'bg'" in n for n in map(str, result.notes))


def test_missing_project_is_a_clear_error(tmp_path, home):
    base = tmp_path / "user-brightway"
    _build_user_project(base)
    study = tmp_path / "bad.yaml"
    study.write_text(f"""
schema_version: 1
name: linked-bad
functional_unit: {{name: test}}
grid: FR
hardware: {{accelerator: h100-sxm, include_embodied: false}}
training: {{accelerator_hours: 10, average_power: 400 W}}
background:
  project: nope
  database: bg
  methods: {{gwp100: {{method: [a]}}, water: {{method: [a]}}, adpe: {{method: [a]}}, pe: {{method: [a]}}}}
  links: {{grid: {{code: elec}}}}
""")
    with pytest.raises(lca.EngineError, match="project 'nope' not found"):
        lca.run(study, home=home, brightway_dir=base)


@pytest.mark.slow
def test_background_monte_carlo_samples_match_direct_solves(tmp_path, home):
    """Brightway draws the background samples; our preconditioned solve matches a direct one."""
    import bw2data as bd
    import numpy as np
    import scipy.sparse.linalg as spla
    from stats_arrays import LognormalUncertainty

    from lca.analysis.background_mc import BackgroundSampler
    from lca.graph import build_graph
    from lca.inventory import Registry
    from lca.study import load_study
    from lca.analysis.montecarlo import build_model, monte_carlo

    base = tmp_path / "user-brightway"
    _build_user_project(base)
    previous = (Path(bd.projects._base_data_dir), Path(bd.projects._base_logs_dir), bd.projects.current)
    bd.projects.change_base_directories(base, base_logs_dir=base / "logs", project_name="user-bg")
    try:  # add uncertainty to the background's exchanges
        for act in bd.Database("bg"):
            for exc in act.exchanges():
                if exc["type"] != "production":
                    exc["uncertainty type"] = LognormalUncertainty.id
                    exc["loc"] = float(np.log(exc["amount"]))
                    exc["scale"] = 0.2
                    exc.save()
    finally:
        bd.projects.change_base_directories(previous[0], base_logs_dir=previous[1], project_name=previous[2],
                                            update=False)
    path = _linked_study(tmp_path / "linked.yaml", base, "linked-mc")
    study = load_study(path)
    model = build_model(study, home=home, brightway_dir=base)
    graph = build_graph(study, Registry())
    with BackgroundSampler(study, graph, model.compiled.nodes, seed=5, home=home, brightway_dir=base) as sampler:
        static = sampler.static_h()
        assert np.allclose(static, model.compiled.background_impacts, rtol=1e-6)
        for _ in range(5):
            h, a, b = sampler.sample()
            for node_index, bg_id in sampler.links:
                f = np.zeros(a.shape[0])
                f[sampler.rows[bg_id]] = 1.0
                direct = sampler.c[0] @ (b @ spla.spsolve(a.tocsr(), f))
                assert h[0, node_index] == pytest.approx(direct, rel=1e-8)
        assert not np.allclose(h, static)  # the background really was sampled
        mc = monte_carlo(model, 20, seed=1, chunk=10, background=sampler)
    assert mc.total[:, 0].std() > 0
