"""Exporters: exact round trips, the JSON schema, a real browser, atomic writes, framing."""

from __future__ import annotations

import json
import os

import jsonschema
import numpy as np
import pandas as pd
import pytest

import lca
from lca.reports import exporters
from lca.reports.exporters import ReportData, export
from lca.reports.results_dir import load_report_data, write_results
from lca.reports.views import ghg_protocol, sci
from lca.results import TABLE_COLUMNS
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")  # reproducible workbook dates (reproducible-builds.org)

from tests.conftest import ROOT, SCENARIOS

DATA = ROOT / "tests" / "data"


@pytest.fixture(scope="module")
def gshard(run_study):
    return run_study(SCENARIOS / "patterson2021" / "gshard-600b.yaml")


@pytest.fixture(scope="module")
def service(run_study):
    return run_study(SCENARIOS / "llama-3.1-8b-service.yaml")


@pytest.fixture(scope="module")
def exported(service, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    write_results(service, out, study_path=SCENARIOS / "llama-3.1-8b-service.yaml",
                  formats=["csv", "xlsx", "json", "md", "html"])
    return out


def _same(frame: pd.DataFrame, table: pd.DataFrame) -> None:
    frame = frame[TABLE_COLUMNS].reset_index(drop=True)
    expected = table[TABLE_COLUMNS].reset_index(drop=True)
    for col in TABLE_COLUMNS:
        if col == "value":
            assert np.array_equal(frame[col].to_numpy(dtype=float), expected[col].to_numpy(dtype=float))
        else:
            assert list(frame[col].astype(str)) == list(expected[col].astype(str)), col


def test_csv_round_trip_exact(exported, service):
    _same(pd.read_csv(exported / "impacts.csv"), service.table)


def test_xlsx_round_trip(exported, service):
    """Cell values keep 16 significant digits (openpyxl writes %.16g; Excel itself keeps 15)."""
    from lca.reports.workbook import HEADERS

    book = pd.read_excel(exported / "report.xlsx", sheet_name=None)
    assert list(book)[0] == "summary"
    assert {"boundary", "assumptions", "by phase", "by process", "per functional unit", "impacts",
            "inventory sources", "provenance"} <= set(book)
    back = {v: k for k, v in HEADERS.items()}
    impacts = book["impacts"].rename(columns=lambda c: back.get(c, c))
    frame = impacts[TABLE_COLUMNS].reset_index(drop=True)
    expected = service.table[TABLE_COLUMNS].reset_index(drop=True)
    np.testing.assert_allclose(frame["value"].to_numpy(float), expected["value"].to_numpy(float), rtol=1e-15, atol=0)
    for col in TABLE_COLUMNS:
        if col != "value":
            assert list(frame[col].astype(str)) == list(expected[col].astype(str)), col


def test_xlsx_is_a_workbook_people_use(exported):
    from openpyxl import load_workbook

    book = load_workbook(exported / "report.xlsx")
    for ws in book.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert all(cell.font.bold for cell in ws[1]), ws.title
        assert ws.column_dimensions["A"].width > 8, ws.title
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)  # no formula anywhere
                if isinstance(cell.value, float):
                    assert cell.number_format != "General", (ws.title, cell.coordinate)
    assert "E_kWh" not in [c.value for c in book["sci"][1]]  # human headers
    assert book.properties.modified.year >= 2026


def test_json_round_trip_exact_and_schema_valid(exported, service):
    doc = json.loads((exported / "report.json").read_text())
    schema = json.loads((ROOT / "docs" / "report-schema.json").read_text())
    jsonschema.validate(doc, schema)
    _same(pd.DataFrame(doc["table"]), service.table)
    bad = dict(doc, totals="oops")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


def test_markdown_has_the_sections(exported):
    text = (exported / "report.md").read_text()
    for heading in ("## Totals", "## By phase", "## Per functional unit", "## GHG Protocol", "## Software Carbon",
                    "## Notes and assumptions", "## Inventory sources"):
        assert heading in text


def test_report_from_disk_equals_report_from_run(exported, tmp_path):
    again = export(load_report_data(exported), tmp_path, ["xlsx", "json", "md", "html"])
    for path in again:
        assert path.read_bytes() == (exported / path.name).read_bytes(), path.name


def test_html_in_a_real_headless_browser(exported, tmp_path, browser):
    html = (exported / "report.html").read_text()
    assert "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
    console, requests = [], []
    page = browser.new_page(viewport={"width": 1200, "height": 1600})
    page.on("console", lambda m: console.append((m.type, m.text)))
    page.on("pageerror", lambda e: console.append(("pageerror", str(e))))
    page.on("request", lambda r: requests.append(r.url))
    page.goto((exported / "report.html").as_uri())
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    charts = page.locator("div.chart svg")
    n_charts = charts.count()
    bars = page.locator("div.chart svg path").count()
    boxes = [charts.nth(i).bounding_box() for i in range(n_charts)]
    page.close()
    assert [c for c in console if c[0] in ("error", "pageerror")] == []
    assert requests == [(exported / "report.html").as_uri()]  # nothing but the file itself
    assert n_charts >= 3 and bars > 20
    assert all(b and b["width"] > 200 and b["height"] > 100 for b in boxes)
    # the charts drew something: the screenshot is far from blank
    from matplotlib.image import imread

    img = imread(str(shot))
    assert img.std() > 0.05
    assert (np.abs(img[..., :3] - img[..., :3].mean(axis=2, keepdims=True)).sum(axis=2) > 0.2).mean() > 0.005


def test_a_killed_export_leaves_no_partial_file(exported, tmp_path, monkeypatch):
    target = tmp_path / "out"
    target.mkdir()
    (target / "report.json").write_text("previous report\n")

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(exporters.json, "dumps", boom)
    with pytest.raises(KeyboardInterrupt):
        export(load_report_data(exported), target, ["json"])
    assert (target / "report.json").read_text() == "previous report\n"
    assert sorted(p.name for p in target.iterdir()) == ["report.json"]


def test_scope2_plus_scope3_is_the_total(service, gshard):
    for result in (service, gshard):
        ghg = ghg_protocol(result.table, result.market_table)
        total = result.total("gwp100")
        assert ghg["scope2_location_based"] + ghg["scope3_capital_goods"] + ghg["other"] == pytest.approx(total)
    ghg = ghg_protocol(gshard.table, gshard.market_table)
    assert ghg["scope2_market_based"] == pytest.approx(gshard.total("gwp100", basis="market"))


def test_codecarbon_import_and_sci_by_hand(home):
    """Two CodeCarbon runs: CPU 0.1+0.2, GPU 1.2+2.4, RAM 0.03+0.06 kWh; 1 h and 2 h on 4 GPUs.

    IT energy 3.99 kWh, at the meter x PUE 1.10 = 4.389 kWh, x 0.04418 kg/kWh (France).
    Embodied: 12 GPU-hours of an 8-GPU server (2500 kg) and its A100 (150 kg) over
    6 Julian years at 85 %. SCI for the life cycle = E x I + M.
    """
    result = lca.run(DATA / "study-codecarbon.yaml", home=home)
    kwh = 4.389
    assert result.energy_at_meter() == pytest.approx(kwh, rel=1e-6)
    operational = kwh * 0.04418
    embodied = 12 / (6 * 8766 * 0.85) * (2500 / 8 + 150)
    assert result.value("gwp100", scope="operational") == pytest.approx(operational, rel=1e-6)
    assert result.value("gwp100", scope="embodied") == pytest.approx(embodied, rel=1e-6)
    assert "CodeCarbon" in result.provenance["phases"]["training"]
    life = [s for s in sci(result.table, result.energy_at_meter(), result.provenance["functional_units"])
            if s["functional_unit"] == "life cycle"][0]
    assert life["E_kWh"] == pytest.approx(kwh, rel=1e-6)
    assert life["I_kg_per_kWh"] == pytest.approx(0.04418, rel=1e-6)
    assert life["SCI"] == pytest.approx(operational + embodied, rel=1e-6)


def test_functional_units(service):
    units = {u["name"]: u for u in service.provenance["functional_units"]}
    assert units["1,000 requests"]["amount"] == pytest.approx(365_000)
    assert units["million tokens"]["amount"] == pytest.approx(365e6 * 1300 / 1e6)
    data = ReportData.from_result(service)
    from lca.reports.views import per_functional_unit

    fu = per_functional_unit(data.table, data.units)
    per_k = fu[(fu["functional_unit"] == "1,000 requests") & (fu["category"] == "gwp100")]["value"].iloc[0]
    assert per_k == pytest.approx(service.value("gwp100", phase="inference") / 365_000)
