"""Every bundled study's tidy table, frozen: a restructuring must leave every row unchanged (1e-12).

``tests/data/bundled-results.json`` holds each study's Brightway scores per phase and
category and every row of its tidy table, written when the numbers last changed on
purpose (the boundary components of the activity layer). Regenerate it only for a change
of the models or the data that the commit message explains:

    python -c "import tests.test_bundled_results_frozen as t; t.write()"
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import ROOT, SCENARIOS

FROZEN = ROOT / "tests" / "data" / "bundled-results.json"
STUDIES = sorted(SCENARIOS.rglob("*.yaml"))


def _snapshot(result) -> dict:
    out = {f"{p}|{c}": v for (p, c), v in sorted(result.scores.items())}
    out["table"] = {f"{r.phase}|{r.component}|{r.process_id}|{r.category}": r.value for r in result.table.itertuples()}
    return out


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_results_unchanged(path, run_study):
    frozen = json.loads(FROZEN.read_text())[str(path.relative_to(ROOT))]
    now = _snapshot(run_study(path))
    assert set(now["table"]) == set(frozen["table"]), "the rows of the table changed"
    for key, value in frozen["table"].items():
        assert now["table"][key] == pytest.approx(value, rel=1e-12, abs=1e-300), key
    for key in frozen:
        if key != "table":
            assert now[key] == pytest.approx(frozen[key], rel=1e-12, abs=1e-300), key


def write() -> None:  # pragma: no cover - a maintenance helper
    import lca

    data = {str(p.relative_to(ROOT)): _snapshot(lca.run(p, samples=0)) for p in STUDIES}
    FROZEN.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
