"""Numbers and tables for people: one formatter, scaled units, sources cited once, MD and HTML alike."""

from __future__ import annotations

import html
import math
import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lca.numbers import NOT_AVAILABLE, fmt, fmt_number
from lca.reports.document import run_report
from lca.reports.exporters import ReportData
from lca.reports.html import render_html
from lca.reports.markdown import render_markdown
from lca.reports.people import Citations, people_table
from tests.conftest import SCENARIOS

SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e[+-]?\d", re.I)


@given(st.floats(min_value=-1e15, max_value=1e15, allow_nan=False).filter(lambda v: v == 0 or abs(v) > 1e-12))
def test_numbers_never_in_scientific_notation(value):
    text = fmt_number(value)
    assert not SCIENTIFIC.search(text) and "nan" not in text
    if value:
        assert float(text.replace(",", "")) == pytest.approx(value, rel=5e-4)  # 4 significant figures


@pytest.mark.parametrize("value, shown", [
    (2.7568e26, "2.757 × 10²⁶"),
    (-9.99996e30, "-1 × 10³¹"),
    (4.2e-30, "4.2 × 10⁻³⁰"),
    (1e16, "1 × 10¹⁶"),
    (9.999e15, "9,999,000,000,000,000"),
])
def test_numbers_beyond_the_plain_range_are_powers_of_ten(value, shown):
    """Beyond 10^16 (or below 10^-12) digits would run on or show float noise: a power of ten, never 'e'."""
    text = fmt_number(value)
    assert text == shown and not SCIENTIFIC.search(text)


@pytest.mark.parametrize("value, unit, shown", [
    (211_420.0, "kg CO2e", "211.4 t CO2e"),
    (2.5e-5, "kWh", "0.025 Wh"),
    (2_019_313.0, "L", "2,019 m³"),
    (0.6547, "kg Sb-eq", "654.7 g Sb-eq"),
    (5_627_121.0, "MJ", "5,627 GJ"),
    (1.5e7, "kg Sb-eq", "15,000 t Sb-eq"),
    (52_596.0, "h", "6 years"),
    (float("nan"), "kg CO2e", NOT_AVAILABLE),
    (0.0, "kg CO2e", "0 kg CO2e"),
])
def test_fmt_scales_units(value, unit, shown):
    assert fmt(value, unit) == shown


def test_a_row_is_scaled_together_and_bracketed_columns_cell_by_cell():
    frame = pd.DataFrame([
        {"category": "gwp100", "embodied": 14_912.0, "operational": 215_010.0, "total": 229_922.0, "unit": "kg CO2e"},
        {"category": "adpe", "embodied": 0.5995, "operational": 0.0552, "total": 0.6547, "unit": "kg Sb-eq"},
        {"category": "water", "embodied": np.nan, "operational": 1.0, "total": 1.0, "unit": "L"},
    ])
    out = people_table(frame)
    assert list(out.columns) == ["Impact category", "Embodied", "Operational", "Total", "Unit"]
    assert out.iloc[0].tolist() == ["gwp100", "14.91", "215", "229.9", "t CO2e"]
    assert out.iloc[1].tolist() == ["adpe", "599.5", "55.2", "654.7", "g Sb-eq"]
    assert out.iloc[2, 1] == NOT_AVAILABLE
    energy = people_table(pd.DataFrame({"phase": ["a", "b"], "energy [kWh per unit]": [379_293.0, 7.4e-6]}))
    assert list(energy.columns) == ["Phase", "energy per unit"]
    assert energy.iloc[:, 1].tolist() == ["379.3 MWh", "0.0074 Wh"]


def test_every_source_is_cited_once_by_key():
    sources = [
        {"id": "US", "kind": "grid", "field": f, "value": v, "unit": u, "source": "OWID 2024", "origin": "x.csv:1"}
        for f, v, u in (("gwp100", 0.38, "kg CO2e/kWh"), ("water", 3.1, "L/kWh"))
    ] + [{"id": "US", "kind": "grid", "field": "pe", "value": 9.7, "unit": "MJ/kWh", "source": "ADEME", "origin": ""}]
    cite = Citations()
    table = cite.inventory_table(sources)
    assert len(table) == 1 and table.iloc[0]["Sources"] == "[1] [2]"
    assert "gwp100 0.38 kg CO2e/kWh" in table.iloc[0]["Values used"]
    assert cite.references == [("[1]", "OWID 2024"), ("[2]", "ADEME")]
    assert cite.key("OWID 2024") == "[1]"


@pytest.fixture(scope="module")
def report_data(run_study):
    return ReportData.from_result(run_study(SCENARIOS / "llama-3.1-8b-service.yaml"))


def test_markdown_and_html_say_the_same(report_data):
    doc = run_report(report_data)
    md = render_markdown(doc)
    page = re.sub(r"<svg.*?</svg>|<style>.*?</style>", "", render_html(doc), flags=re.S)
    page = html.unescape(re.sub(r"<[^>]+>", " ", page))
    headings = re.findall(r"^#+ (.+)$", md, flags=re.M)
    for h in headings:
        assert html.unescape(h) in page, h
    cells = {c.strip() for line in md.splitlines() if line.startswith("| ") for c in line.strip("|").split(" | ")}
    words = set(page.split())
    for cell in cells:
        assert all(w in words for w in html.unescape(cell.replace("\\|", "|")).split()), cell
    for text in (md, page):
        assert not SCIENTIFIC.search(text) and not re.search(r"\bnan\b", text)


def test_the_html_report_is_compact(report_data):
    page = render_html(run_report(report_data))
    texts = {s["source"] for s in report_data.sources}
    assert len(texts) > 5
    for source in texts:  # every citation printed once, however many values it backs
        assert page.count(html.escape(source)) <= 1, source
    assert len(page) < 150_000


def test_market_based_reads_the_same_everywhere(report_data, run_study):
    from lca.reports.views import ghg_protocol

    ghg = ghg_protocol(report_data.table, report_data.market_table, report_data.provenance)
    md = render_markdown(run_report(report_data))
    line = next(ln for ln in md.splitlines() if "Scope 2, market-based" in ln)
    assert ghg["scope2_market_based_basis"] in line
    assert fmt(ghg["scope2_market_based"], "kg CO2e").split()[0] in line
    assert not math.isnan(ghg["scope2_market_based"])
