"""The foreground as Brightway data: conventions a practitioner expects, and Brightway's own Monte Carlo."""

from __future__ import annotations

import ast

import numpy as np
import pytest

from lca.analysis.montecarlo import UncertainModel, build_model, monte_carlo
from lca.engine import brightway
from lca.study import load_study
from tests.conftest import SCENARIOS


def test_the_foreground_reads_as_brightway_data(home, run_study):
    """Locations, Brightway unit names, readable codes, comments with sources, distributions on exchanges."""
    result = run_study(SCENARIOS / "llama-3.1-8b-service.yaml")
    db = result.provenance["brightway_database"]
    assert db == "ai-lca study llama-3.1-8b-service"
    with brightway(home) as (bd, _bc, _h):
        acts = {a["code"]: a for a in bd.Database(db)}
        grid = acts["grid.US"]
        assert (grid["location"], grid["unit"]) == ("US", "kilowatt hour")
        assert "Our World in Data" in grid["comment"] and "grid record 'US'" in grid["comment"]
        assert acts["electricity.dc-li2023-us-average@US"]["location"] == "US"
        assert acts["training.embodied"]["unit"] == "hour" and acts["training"]["unit"] == "unit"
        assert all("/" not in code for code in acts)
        flows = {e.input["code"]: e for e in grid.biosphere()}
        gwp = flows["gwp100"]
        assert "grid:US.gwp100" in gwp["comment"]
        card = acts["manufacturing.boavizta-h100-sxm"]
        uncertain = [e for e in card.biosphere() if e.get("uncertainty type", 0) > 1]
        assert uncertain, "the embodied factors' ranges are on the exchanges"
        share = next(e for e in acts["training.embodied"].technosphere() if e.input["code"] == card["code"])
        assert "1 / (lifetime x utilisation)" in share["comment"]
        methods = [m for m in bd.methods if m[:2] == ("ai-lca", "gwp100")]
        assert methods == [ast.literal_eval(result.provenance["methods"]["gwp100"])]



def test_brightway_monte_carlo_agrees_with_ours_on_the_plain_exchanges(home, run_study):
    """Brightway samples the distributions written on the exchanges; lca mc, restricted to the same
    inputs, must give the same mean (within 3 standard errors)."""
    path = SCENARIOS / "llama-3.1-8b-service.yaml"
    result = run_study(path)
    key = ast.literal_eval(result.provenance["methods"]["gwp100"])
    n = 400
    with brightway(home) as (bd, bc, _h):
        db = bd.Database(result.provenance["brightway_database"])
        system = bd.get_node(database=db.name, code="system")
        plain = set()
        for act in db:
            for exc in act.exchanges():
                if exc.get("uncertainty type", 0) > 1:
                    plain.add(exc["comment"].split("[", 1)[1].split("]", 1)[0])  # the quantity's name
        lca_bw = bc.LCA({system.id: 1.0}, method=key, use_distributions=True, seed_override=11)
        lca_bw.lci()
        lca_bw.lcia()
        scores = []
        for _ in range(n):
            next(lca_bw)
            scores.append(lca_bw.score)
    model = build_model(load_study(path), home=home)
    restricted = UncertainModel(model.compiled, [q for q in model.parameters if q.name in plain])
    assert {q.name for q in restricted.parameters} == plain and len(plain) >= 5
    ours = monte_carlo(restricted, 4000, seed=3).total[:, restricted.compiled.categories.index("gwp100")]
    bw = np.array(scores)
    se = np.sqrt(bw.var(ddof=1) / len(bw) + ours.var(ddof=1) / len(ours))
    assert bw.std() > 0 and ours.std() > 0
    assert abs(bw.mean() - ours.mean()) < 3 * se, (bw.mean(), ours.mean(), se)
    assert bw.std() == pytest.approx(ours.std(), rel=0.25)


def test_the_excel_export_imports_into_a_fresh_project(tmp_path, home):
    """bw2io reads the exported foreground and indicator flows back; the score is the ai-lca total."""
    from pathlib import Path

    import bw2calc as bc
    import bw2data as bd
    import bw2io

    import lca

    study = SCENARIOS / "bloom-176b.yaml"
    written = lca.export(study, tmp_path / "excel", home=home)
    names = sorted(p.name for p in written)
    assert names == ["export-provenance.json", "lci-ai-lca-indicators.xlsx", "lci-ai-lca-study-bloom-176b.xlsx"]
    total = lca.run(study, home=home, samples=0).total("gwp100")
    fresh = tmp_path / "fresh-brightway"
    (fresh / "logs").mkdir(parents=True)
    previous = (Path(bd.projects._base_data_dir), Path(bd.projects._base_logs_dir), bd.projects.current)
    bd.projects.change_base_directories(fresh, base_logs_dir=fresh / "logs", project_name="fresh")
    try:
        flows = bw2io.ExcelImporter(tmp_path / "excel" / "lci-ai-lca-indicators.xlsx")
        flows.apply_strategies()
        flows.write_database()
        fg = bw2io.ExcelImporter(tmp_path / "excel" / "lci-ai-lca-study-bloom-176b.xlsx")
        fg.apply_strategies()
        fg.match_database()
        fg.match_database("ai-lca indicators")
        assert fg.statistics()[2] == 0  # nothing unlinked
        fg.write_database()
        system = bd.get_node(database="ai-lca study bloom-176b", name="life cycle: one final training run of BLOOM-176B")
        bd.Method(("test", "gwp100")).register(unit="kg CO2e")
        bd.Method(("test", "gwp100")).write([(bd.get_node(database="ai-lca indicators", code="gwp100").id, 1.0)])
        imported = bc.LCA({system.id: 1.0}, method=("test", "gwp100"))
        imported.lci()
        imported.lcia()
    finally:
        bd.projects.change_base_directories(previous[0], base_logs_dir=previous[1], project_name=previous[2],
                                            update=False)
    assert imported.score == pytest.approx(total, rel=1e-6)


def test_an_unchanged_foreground_is_not_written_again(toy, tmp_path, monkeypatch):
    """A warm run of the same study skips the Brightway write; any outside change to the database is undone."""
    import lca
    from lca.engine import database

    home = tmp_path / "home"
    study = toy("training:\n  accelerator_hours: 1000 h\n  average_power: 400 W\n", name="toy-rewrite")
    writes: list[str] = []
    original = database._unchanged
    monkeypatch.setattr(database, "_unchanged", lambda bd, db, d: original(bd, db, d) or writes.append(db))
    first = lca.run(study, home=home, samples=0).total("gwp100")
    assert len(writes) == 1
    assert lca.run(study, home=home, samples=0).total("gwp100") == first
    assert len(writes) == 1, "the same foreground was written again"

    db = "ai-lca study toy-rewrite"
    with brightway(home) as (bd, _bc, _h):  # a user edits the database by hand
        exc = next(iter(bd.get_node(database=db, code="training.accelerators").technosphere()))
        exc["amount"] *= 2
        exc.save()
    assert lca.run(study, home=home, samples=0).total("gwp100") == first
    assert len(writes) == 2, "a database changed outside ai-lca must be written again"

    study.write_text(study.read_text().replace("400 W", "800 W"))
    changed = lca.run(study, home=home, samples=0).total("gwp100")
    assert len(writes) == 3 and changed > first
