"""Data checks on the bundled catalogue (run in CI with the rest of the tests)."""

from __future__ import annotations

import pytest

from lca.embodied.resolve import resolve_embodied
from lca.inventory import Registry, iter_values
from lca.inventory.loader import inventory_files, load_file
from lca.inventory.registry import bundled_folder
from lca.study import load_study
from tests.conftest import SCENARIOS

REG = Registry()


def test_every_file_loads_and_ids_are_unique():
    seen: dict[str, str] = {}
    folder = bundled_folder()
    for path in inventory_files(folder):
        for item in load_file(path, folder):
            assert item.record.id not in seen, f"{item.record.id} in {path} and {seen.get(item.record.id)}"
            seen[item.record.id] = str(path)
    assert len(seen) > 150


def test_every_value_has_a_source_a_canonical_unit_and_a_range_around_it():
    for entry in REG.entries():
        for path, value in iter_values(entry.record):
            assert value.source, f"{entry.record.id}.{path} has no source"
            lo, hi = value.bounds
            assert lo <= value.value <= hi, f"{entry.record.id}.{path}"
            if value.assumption:
                assert value.range is not None or value.distribution is not None


def test_coverage_of_the_catalogue():
    grids = REG.ids("grid")
    assert "WORLD" in grids
    countries = [g for g in grids if REG.get(g, "grid").country and len(REG.get(g, "grid").country) == 3]
    assert len(countries) >= 40
    for g in countries:
        rec = REG.grid(g)
        assert all(getattr(rec, c) is not None for c in ("gwp100", "water", "adpe", "pe")), g
        assert rec.year is not None, g
    required_acc = {"v100-sxm2-32gb", "a100-sxm4-40gb", "a100-sxm4-80gb", "h100-sxm", "h100-pcie", "h200-sxm",
                    "b200", "l4", "t4", "mi250x", "mi300x", "tpu-v3", "tpu-v4", "tpu-v5e", "tpu-v5p"}
    assert required_acc <= set(REG.ids("accelerator"))
    assert set(REG.ids("method")) == {"gwp100", "water", "adpe", "pe"}


def test_every_embodied_record_resolves():
    for ident in REG.ids("embodied"):
        res = resolve_embodied(REG, ident)
        assert res.impacts["gwp100"].value > 0


def test_accelerator_embodied_references_resolve():
    for entry in REG.entries("accelerator"):
        if entry.record.embodied:
            REG.get(entry.record.embodied, "embodied")


@pytest.mark.parametrize("path", sorted(SCENARIOS.rglob("*.yaml")), ids=lambda p: p.stem)
def test_every_id_a_bundled_scenario_uses_resolves(path):
    from lca.pipeline import prepare

    study, registry, graph = prepare(load_study(path))
    assert graph.number_of_nodes() > 2
    assert registry.used  # the run recorded which records it used


def test_data_sources_page_is_up_to_date():
    """docs/data-sources.md is generated from the inventory; regenerate with
    `python -m lca.inventory.docs` when this fails."""
    from lca.inventory.docs import data_sources_markdown
    from tests.conftest import ROOT

    committed = (ROOT / "docs" / "data-sources.md").read_text(encoding="utf-8")
    assert committed == data_sources_markdown(), "run: python -m lca.inventory.docs"


def test_every_length_histogram_draws_its_counted_mean():
    """A study draws from a histogram with the mean of its bins; that is within 1 % of the counted lengths' mean."""
    from lca.compute.batching import histogram_mean, request_lengths

    reg = Registry()
    ids = reg.ids("length_histogram")
    assert ids, "no length histogram bundled"
    for ident in ids:
        rec = reg.get(ident, "length_histogram")
        assert rec.mean.unit == "token" and rec.mean.source
        assert histogram_mean(rec.bins, rec.weights) == pytest.approx(rec.mean.value, rel=0.01), ident
        drawn = request_lengths("histogram", 0, 100_000, seed=0, bins=rec.bins, weights=rec.weights)
        assert drawn.min() >= rec.bins[0] and drawn.max() < rec.bins[-1]
        assert drawn.mean() == pytest.approx(rec.mean.value, rel=0.015), ident
