"""The embedded Brightway project: created offline on first use, idempotent."""

from __future__ import annotations

import socket

import pytest

import lca
from lca.engine import brightway
from lca.engine.setup import BUNDLED_METHODS, INDICATORS, category_method, ensure_setup
from tests.conftest import SCENARIOS


def _state(home):
    with brightway(home) as (bd, _bc, _h):
        dbs = sorted(bd.databases)
        methods = sorted(str(m) for m in bd.methods)
        sizes = {d: len(bd.Database(d)) for d in dbs}
    return dbs, methods, sizes


@pytest.fixture()
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access attempted during an ai-lca run")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_fresh_home_offline_and_idempotent(tmp_path, no_network):
    home = tmp_path / "fresh-home"
    first = lca.run(SCENARIOS / "bloom-176b.yaml", home=home)
    state1 = _state(home)
    second = lca.run(SCENARIOS / "bloom-176b.yaml", home=home)
    state2 = _state(home)
    assert state1 == state2  # no database or method was duplicated
    dbs, methods, sizes = state1
    assert dbs == sorted(["biosphere3", INDICATORS, "ai-lca study bloom-176b"])
    assert sizes["biosphere3"] == 4709
    assert sizes[INDICATORS] == 4
    for cat in ("gwp100", "water", "adpe", "pe"):
        assert str(category_method(cat)) in methods
    for m in BUNDLED_METHODS:
        assert str(m) in methods
    assert len(methods) == len(BUNDLED_METHODS) + 4
    assert first.table.equals(second.table)
    assert (home / "brightway").is_dir()


def test_category_methods_characterise_elementary_flows(home):
    """The ai-lca gwp100 method carries IPCC 2021 CFs plus the indicator flow at 1."""
    with brightway(home) as (bd, _bc, _h):
        ensure_setup(bd)
        cfs = dict((int(k), v) for k, v in bd.Method(category_method("gwp100")).load())
        co2 = bd.get_node(database="biosphere3", name="Carbon dioxide, fossil", categories=("air",))
        ch4 = bd.get_node(database="biosphere3", name="Methane, fossil", categories=("air",))
        ind = bd.get_node(database=INDICATORS, code="gwp100")
        water = dict((int(k), v) for k, v in bd.Method(category_method("water")).load())
        evap = bd.get_node(database="biosphere3", name="Water", categories=("air",))
    assert cfs[co2.id] == 1.0
    assert cfs[ch4.id] == pytest.approx(29.8, rel=0.01)  # IPCC AR6 GWP100, fossil methane
    assert cfs[ind.id] == 1.0
    assert water[evap.id] == pytest.approx(1000.0)  # m3 -> L


def test_user_brightway_folder_untouched(tmp_path, home):
    """Running ai-lca leaves bw2data pointed where it was before."""
    import bw2data as bd

    before = (str(bd.projects._base_data_dir), bd.projects.current)
    lca.run(SCENARIOS / "bloom-176b.yaml", home=tmp_path / "other-home")
    assert (str(bd.projects._base_data_dir), bd.projects.current) == before



def test_bundled_method_records_are_those_of_the_whole_bundled_inventory():
    """The embedded project reads only the bundled method files: they hold every category's record."""
    from lca.engine.setup import category_records
    from lca.inventory import CATEGORIES, Registry

    whole = Registry()
    assert category_records() == {cat: whole.get(cat, "method") for cat in CATEGORIES}
