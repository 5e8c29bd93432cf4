"""Every default a bundled study uses is in its provenance, in every report format and sampled by Monte Carlo."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from lca.reports.exporters import ReportData, export
from tests.conftest import SCENARIOS

STUDIES = sorted(SCENARIOS.rglob("*.yaml"))


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_every_default_is_reported_and_sampled(path, run_study, tmp_path):
    result = run_study(path)
    defaults = result.graph.activity.defaults
    names = {q.name for q in defaults}
    prov = result.provenance
    assert {a["name"] for a in prov["assumptions"]} == names
    for a in prov["assumptions"]:
        assert a["citation"] and a["range"], a  # each default has its source and its range
    assert names <= set(prov["monte_carlo_parameters"])
    export(ReportData.from_result(result), tmp_path, ["json", "md", "html", "xlsx"])
    doc = json.loads((tmp_path / "report.json").read_text())
    assert {a["name"] for a in doc["assumptions"]} == names
    md = (tmp_path / "report.md").read_text()
    html = (tmp_path / "report.html").read_text()
    sheet = pd.read_excel(tmp_path / "report.xlsx", sheet_name="assumptions")
    for name in names:
        assert f"| {name} |" in md
        assert f"<td>{name}</td>" in html
        assert name in set(sheet["Field"])


def test_the_llama_service_uses_the_serving_defaults(run_study):
    result = run_study(SCENARIOS / "llama-3.1-8b-service.yaml")
    names = {q.name for q in result.graph.activity.defaults}
    assert {"parameter:default-max-num-seqs", "parameter:default-memory-usable", "hardware.lifetime",
            "hardware.utilisation", "training.mfu", "inference.compute_efficiency",
            "inference.memory_efficiency", "training.load"} <= names
    assert "server:hgx-h100-8gpu.host_power" in names
