"""Layer (b): GPT-3 water at U.S.-average factors, Li et al. (2023) Table 1; 0.5 %."""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def water(run_study):
    return run_study(SCENARIOS / "li2023" / "gpt3-water-us.yaml")


def _ml(result, phase, kind):
    rows = result.table[(result.table["category"] == "water") & (result.table["phase"] == phase)]
    kinds = rows["process_id"].map(lambda p: result.graph.nodes[p]["kind"])
    return rows.loc[kinds == kind, "value"].sum()


def test_training_on_site(water):
    assert _ml(water, "training", "water") / 1e6 == pytest.approx(0.708, rel=0.005)


def test_training_off_site(water):
    assert _ml(water, "training", "grid") / 1e6 == pytest.approx(4.731, rel=0.005)


def test_training_total(water):
    assert water.value("water", phase="training") / 1e6 == pytest.approx(5.439, rel=0.005)


def test_per_request(water):
    # one request is modelled: its water in mL
    assert water.value("water", phase="inference") * 1000 == pytest.approx(16.904, rel=0.005)
