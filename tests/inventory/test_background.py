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
    # the linked processes are named by their background activity, with the database's identity
    notes = list(map(str, result.notes))
    link = next(n for n in notes if n.startswith("grid/FR replaced by background activity 'electricity, FR' [FR]"))
    assert "database 'bg' of project 'user-bg'" in link and "sha256" in link
    grid_rows = result.table[result.table["process_id"] == "grid/FR"]
    assert set(grid_rows["process"]) == {"electricity, FR [FR] (background 'bg')"}
    server = result.provenance["background"]["links"]["manufacturing/boavizta-p5-48xlarge-platform"]
    assert server["name"] == "server production" and server["database"] == "bg" and len(server["sha256"]) == 16
    # what the replaced inventories said no longer stands: no gap, no source of theirs
    assert not any("'boavizta-p5-48xlarge-platform' gives no water" in n for n in notes)
    assert not any(s["id"] == "FR" and s["kind"] == "grid" for s in result.sources)
    assert any(s["id"] == "boavizta-h100-sxm" for s in result.sources)  # the card keeps its inventory
    # only the categories with a method are computed; the others are said not computed, never 0
    assert result.provenance["categories"] == ["gwp100", "water"]
    assert "adpe" in result.provenance["not_computed"]
    with pytest.raises(lca.InputError, match="adpe was not computed"):
        result.total("adpe")
    assert set(result.table["category"]) == {"gwp100", "water"}
    assert any(n.startswith("adpe not computed") for n in notes)
    with pytest.raises(lca.InputError, match="no method for this category"):
        lca.run(study, home=home, brightway_dir=base, categories=["gwp100", "pe"], samples=0)


def test_studies_with_different_methods_keep_their_own(tmp_path, home):
    base = tmp_path / "user-brightway"
    _build_user_project(base)
    one = _linked_study(tmp_path / "one.yaml", base, "linked-one")
    two = tmp_path / "two.yaml"
    two.write_text(one.read_text().replace("linked-one", "linked-two").replace(
        "water: {method: [test, water], factor: 1000}", "water: {method: [test, water], factor: 1}"))
    first = lca.run(one, home=home, brightway_dir=base, samples=0)
    second = lca.run(two, home=home, brightway_dir=base, samples=0)
    again = lca.run(one, home=home, brightway_dir=base, samples=0)
    assert second.total("water") == pytest.approx(first.total("water") / 1000, rel=1e-9)
    assert again.total("water") == pytest.approx(first.total("water"), rel=1e-12)
    assert first.provenance["methods"]["water"] != second.provenance["methods"]["water"]
    assert first.provenance["methods"]["gwp100"] == second.provenance["methods"]["gwp100"]  # same content, same key
    keys = _in_project(base, "user-bg", lambda bd: [m for m in bd.methods if m[0] == "ai-lca"])
    assert len([k for k in keys if k[1] == "water"]) == 2 and len([k for k in keys if k[1] == "gwp100"]) == 1


def test_a_method_that_matches_no_flow_is_an_error(tmp_path, home):
    base = tmp_path / "user-brightway"
    _build_user_project(base)
    study = _linked_study(tmp_path / "none.yaml", base, "linked-none")
    study.write_text(study.read_text().replace("water: {method: [test, water], factor: 1000}",
                                               "water: {method: [test, none]}"))
    with pytest.raises(lca.EngineError, match="characterises none of the elementary flows"):
        lca.run(study, home=home, brightway_dir=base, samples=0)


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


def _in_project(base: Path, project: str, fn):
    import bw2data as bd

    previous = (Path(bd.projects._base_data_dir), Path(bd.projects._base_logs_dir), bd.projects.current)
    bd.projects.change_base_directories(base, base_logs_dir=base / "logs", project_name=project)
    try:
        return fn(bd)
    finally:
        bd.projects.change_base_directories(previous[0], base_logs_dir=previous[1], project_name=previous[2],
                                            update=False)


def test_a_user_method_extended_scores_the_foreground_in_full(tmp_path, home):
    """The card keeps ai-lca's pre-characterised inventory (indicator flows): the user's own method misses it,
    the extended copy gives the ai-lca total."""
    import bw2calc as bc
    from bw2analyzer import ContributionAnalysis

    base = tmp_path / "user-brightway"
    _build_user_project(base)
    study = _linked_study(tmp_path / "ext.yaml", base, "linked-ext")
    result = lca.run(study, home=home, brightway_dir=base, samples=0)
    gwp_key = lca.extend_method(["test", "gwp"], "gwp100", project="user-bg", home=home, brightway_dir=base)
    water_key = lca.extend_method(["test", "water"], "water", factor=1000, project="user-bg", home=home,
                                  brightway_dir=base)
    assert gwp_key == ("test", "gwp", "with ai-lca indicator flows")

    def scores(bd):
        system = bd.get_node(database=result.provenance["brightway_database"], code="system")
        out = {}
        for key in (("test", "gwp"), gwp_key, water_key):
            lca_bw = bc.LCA({system.id: 1.0}, method=key)
            lca_bw.lci()
            lca_bw.lcia()
            out[key] = lca_bw.score
            if key == gwp_key:
                top = ContributionAnalysis().annotated_top_processes(lca_bw, limit=5)
                out["top"] = [row[2]["name"] for row in top]
        return out

    got = _in_project(base, "user-bg", scores)
    assert got[gwp_key] == pytest.approx(result.total("gwp100"), rel=1e-6)
    assert got[water_key] * 1000 == pytest.approx(result.total("water"), rel=1e-6)
    card = result.value("gwp100", process_id="manufacturing/boavizta-h100-sxm")
    assert got[("test", "gwp")] == pytest.approx(result.total("gwp100") - card, rel=1e-6)  # the plain method misses it
    assert "electricity, FR" in got["top"]  # bw2analyzer sees the background activity


def test_list_and_clean_what_ai_lca_wrote(tmp_path, home):
    base = tmp_path / "user-brightway"
    _build_user_project(base)
    for name in ("linked-a", "linked-b"):
        lca.run(_linked_study(tmp_path / f"{name}.yaml", base, name), home=home, brightway_dir=base, samples=0)
    common = {"project": "user-bg", "home": home, "brightway_dir": base}
    found = lca.brightway_contents(**common)
    assert found["databases"] == ["ai-lca indicators", "ai-lca study linked-a", "ai-lca study linked-b"]
    assert {m[1] for m in found["methods"]} == {"gwp100", "water"}
    gone = lca.brightway_clean(study="linked-a", **common)
    assert gone == {"databases": ["ai-lca study linked-a"], "methods": []}
    with pytest.raises(lca.InputError, match="no foreground of this study"):
        lca.brightway_clean(study="linked-a", **common)
    lca.brightway_clean(everything=True, **common)
    assert lca.brightway_contents(**common) == {"databases": [], "methods": []}
    left = _in_project(base, "user-bg", lambda bd: (sorted(bd.databases), sorted(bd.methods)))
    assert left[0] == ["bg", "bio"] and ("test", "gwp") in left[1]  # the user's own data untouched
