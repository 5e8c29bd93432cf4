"""Layer (c): invariants of the result table on every bundled study."""

from __future__ import annotations

import pytest

from lca.results import TABLE_COLUMNS
from tests.conftest import SCENARIOS

STUDIES = sorted(SCENARIOS.rglob("*.yaml"))


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_rows_sum_to_brightway_scores(path, run_study):
    result = run_study(path)
    assert list(result.table.columns) == TABLE_COLUMNS
    for (phase, cat), score in result.scores.items():
        rows = result.table[result.table["category"] == cat]
        if phase != "total":
            rows = rows[rows["phase"] == phase]
        assert rows["value"].sum() == pytest.approx(score, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_embodied_plus_operational_is_total(path, run_study):
    totals = run_study(path).totals()
    assert set(run_study(path).table["scope"]) <= {"embodied", "operational"}
    for _, row in totals.iterrows():
        assert row["embodied"] + row["operational"] == pytest.approx(row["total"], rel=1e-12)


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_no_negative_impacts(path, run_study):
    assert (run_study(path).table["value"] >= 0).all()


def test_phase_scores_sum_to_total(run_study):
    result = run_study(SCENARIOS / "bloom-176b.yaml")
    for cat in ("gwp100", "water", "adpe", "pe"):
        phases = sum(v for (p, c), v in result.scores.items() if c == cat and p != "total")
        assert phases == pytest.approx(result.scores[("total", cat)], rel=1e-6)
