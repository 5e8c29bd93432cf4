"""Pages opened in headless Chromium: labels never overlap or leave their chart, no 'nan', no '1e+05'.

Comparisons are checked with 1, 4, 18 and 60 items (long names included),
sweeps over one, two and three parameters, the run report and the
sensitivity page with its tornado chart.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import lca
from lca.numbers import fmt_number
from lca.reports.compare import comparison_chart
from lca.units import CATEGORY_UNITS
from tests.conftest import SCENARIOS

# every text box of every chart: overlaps with another text of the same chart, and boxes outside the chart
LAYOUT_JS = """() => {
  const overlaps = [], outside = [];
  document.querySelectorAll('div.chart svg').forEach((svg, k) => {
    const frame = svg.getBoundingClientRect();
    const texts = Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim());
    const boxes = texts.map(t => t.getBoundingClientRect());
    boxes.forEach((b, i) => {
      if (b.left < frame.left - 2 || b.right > frame.right + 2 || b.top < frame.top - 2 || b.bottom > frame.bottom + 2)
        outside.push([k, texts[i].textContent]);
      for (let j = i + 1; j < boxes.length; j++) {
        const c = boxes[j];
        const ox = Math.min(b.right, c.right) - Math.max(b.left, c.left);
        const oy = Math.min(b.bottom, c.bottom) - Math.max(b.top, c.top);
        if (ox > 1 && oy > 1) overlaps.push([k, texts[i].textContent, texts[j].textContent]);
      }
    });
  });
  return {overlaps, outside, charts: document.querySelectorAll('div.chart svg').length,
          scrollWidth: document.documentElement.scrollWidth, text: document.body.innerText};
}"""
NOT_A_NUMBER = re.compile(r"\bnan\b|\binf\b", re.I)
SCIENTIFIC = re.compile(r"\d(?:\.\d+)?e[+-]?\d", re.I)


def _check(browser, path, tmp_path, charts_at_least=1):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    page.screenshot(path=str(tmp_path / f"{path.stem}.png"), full_page=True)
    found = page.evaluate(LAYOUT_JS)
    page.close()
    assert errors == []
    assert found["charts"] >= charts_at_least
    assert found["overlaps"] == [], found["overlaps"][:5]
    assert found["outside"] == [], found["outside"][:5]
    assert found["scrollWidth"] <= 1200, "the page scrolls sideways"
    assert not NOT_A_NUMBER.search(found["text"]), NOT_A_NUMBER.search(found["text"])
    assert not SCIENTIFIC.search(found["text"]), SCIENTIFIC.search(found["text"])
    return found


def _items(n: int) -> pd.DataFrame:
    """A comparison of ``n`` items with long, similar names and totals over six orders of magnitude."""
    rng = np.random.default_rng(n)
    rows = []
    for i in range(n):
        name = f"study {i:02d}: Llama-3.1-70B served on 8 x H100 SXM in a {['French', 'US', 'Polish'][i % 3]} " \
               f"datacenter with a power purchase agreement, batch {2 ** (i % 8)}"  # fmt: skip
        for cat, unit in CATEGORY_UNITS.items():
            emb, ope = rng.uniform(1, 10) * 10 ** (i % 6), rng.uniform(1, 10) * 10 ** (i % 6)
            rows.append({"study": name, "category": cat, "embodied": emb, "operational": ope, "total": emb + ope,
                         "unit": unit})  # fmt: skip
    return pd.DataFrame(rows)


@pytest.mark.parametrize("n", [1, 4, 18, 60])
def test_comparisons_of_any_size_stay_readable(browser, tmp_path, n):
    page = tmp_path / f"compare-{n}.html"
    page.write_text(comparison_chart(_items(n), warnings=["the studies have different functional units"]))
    found = _check(browser, page, tmp_path)
    assert "Warning: the studies have different functional units" in found["text"]


@pytest.mark.parametrize("lever, params", [("grid-and-ppa", 1), ("training-efficiency", 2), ("algorithmic", 3)])
def test_sweep_pages(browser, tmp_path, lever, params, home):
    run = lca.sweep(SCENARIOS / "levers" / f"{lever}.yaml")
    run.write(tmp_path / lever)
    found = _check(browser, tmp_path / lever / "sweep.html", tmp_path)
    assert f"Sweep: {run.study.name}" in found["text"]
    if lever == "grid-and-ppa":  # the contracts' market-based totals are on the page, not only in sweep.csv
        gwp = run.table[run.table["category"] == "gwp100"]
        differs = gwp[gwp["total_market_based"] != gwp["total"]]
        assert not differs.empty
        assert fmt_number(float(differs["total_market_based"].iloc[0]) / 1000) in found["text"]


def test_a_sixty_scenario_heatmap(browser, tmp_path):
    rows = []
    for a in range(6):
        for b in range(10):
            for cat, unit in CATEGORY_UNITS.items():
                rows.append({"scenario": f"s{a}-{b}", "category": cat, "embodied": 1.0 + a, "operational": 1e5 * b,
                             "total": 1.0 + a + 1e5 * b, "unit": unit, "param:grid": f"grid-{a}",
                             "param:training.mfu": 0.2 + b / 20})  # fmt: skip
    page = tmp_path / "heat.html"
    page.write_text(comparison_chart(pd.DataFrame(rows), label="scenario", title="Sweep: sixty"))
    _check(browser, page, tmp_path)


def test_the_run_report(browser, tmp_path, home):
    result = lca.run(SCENARIOS / "llama-3.1-8b-service.yaml", home=home, samples=200)
    result.report(tmp_path / "run", formats=["html"])
    found = _check(browser, tmp_path / "run" / "report.html", tmp_path, charts_at_least=4)
    assert "t CO2e" in found["text"]


def test_the_sensitivity_page(browser, tmp_path, home):
    run = lca.sensitivity(SCENARIOS / "llama-3.1-8b-service.yaml", samples=256, home=home)
    run.write(tmp_path / "sens")
    found = _check(browser, tmp_path / "sens" / "sensitivity.html", tmp_path)
    assert "first order" in found["text"].lower()


@pytest.mark.parametrize("shape", [(500,), (100, 100)])
def test_long_sweeps_draw_lines_or_heatmaps_and_list_the_extremes(browser, tmp_path, shape):
    rows = []
    for i in range(int(np.prod(shape))):
        a, b = divmod(i, shape[-1]) if len(shape) == 2 else (i, 0)
        for cat, unit in CATEGORY_UNITS.items():
            total = 1e3 + 37.0 * a + 11.0 * b
            row = {"scenario": f"s{i}", "category": cat, "embodied": 1e3, "operational": total - 1e3, "total": total,
                   "unit": unit, "param:training.mfu": 0.1 + a / 1000}  # fmt: skip
            if len(shape) == 2:
                row["param:hardware.lifetime"] = 1.0 + b
            rows.append(row)
    page = tmp_path / "long.html"
    text = comparison_chart(pd.DataFrame(rows), label="scenario", title="Sweep: long")
    assert len(text) < 2_000_000
    page.write_text(text)
    found = _check(browser, page, tmp_path)
    assert "the 10 lowest and 10 highest" in found["text"]
    assert found["text"].count("s0\t") + found["text"].count("s0\n") >= 1  # the lowest is listed
