"""Inventory layer: overrides, provenance, unit conversion, bad files, user processes."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import lca
from lca.errors import InputError, InventoryError, UnitError, UnknownIdError
from lca.inventory import Registry
from lca.units import convert, parse_quantity
from tests.conftest import ROOT

DATA = ROOT / "tests" / "data"
OVERRIDE = DATA / "inventory-override"


def test_user_folder_overrides_bundled_and_records_provenance():
    reg = Registry([OVERRIDE])
    entry = reg.entry("FR", "grid")
    assert entry.record.gwp100.value == pytest.approx(0.1)  # 100 g/kWh -> kg/kWh
    assert entry.origin.folder == OVERRIDE.resolve()
    assert not entry.bundled
    assert [str(o) for o in entry.shadowed] == ["inventories/grids/countries.csv:25"]
    bundled = Registry().entry("FR", "grid")
    assert bundled.bundled and bundled.record.gwp100.value == pytest.approx(0.04418)


def test_new_id_is_usable_and_converted():
    reg = Registry([OVERRIDE])
    site = reg.get("my-ppa-site", "grid")
    assert site.gwp100.value == pytest.approx(0.2 * 0.45359237)  # lb/kWh -> kg/kWh
    assert site.market_based.gwp100.value == pytest.approx(0.020)  # kg/MWh -> kg/kWh


@pytest.mark.parametrize(
    ("value", "src", "dst", "expected"),
    [
        (1.0, "g CO2e/kWh", "kg CO2e/MWh", 1.0),
        (1.0, "lb CO2e/kWh", "kg CO2e/kWh", 0.45359237),
        (57, "gCO2eq/kWh", "kg CO2-eq/kWh", 0.057),
        (1.0, "t CO2e", "kg CO2e", 1000.0),
        (1.0, "m3", "L", 1000.0),
        (1.0, "g Sb-eq", "kg Sb-eq", 0.001),
        (1.0, "MWh", "MJ", 3600.0),
        (1.0, "TFLOP/s", "FLOP/s", 1e12),
        (6.0, "year", "h", 6 * 8766.0),
    ],
)
def test_unit_conversion(value, src, dst, expected):
    assert convert(value, src, dst) == pytest.approx(expected, rel=1e-12)


def test_units_that_do_not_convert():
    with pytest.raises(UnitError, match="does not convert"):
        convert(1.0, "kg CO2e/kWh", "L/kWh")
    with pytest.raises(UnitError, match="unknown unit"):
        convert(1.0, "flurbs", "m")
    assert parse_quantity("118 days", "h") == 2832.0
    with pytest.raises(UnitError):
        parse_quantity("400 L", "W")


def _write(tmp: Path, text: str) -> Path:
    folder = tmp / "inv"
    folder.mkdir(exist_ok=True)
    (folder / "bad.yaml").write_text(textwrap.dedent(text))
    return folder


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("kind: grid\nrecords:\n  - id: X\n    gwp100: {value: 1, unit: kg CO2e/kWh}\n", "value has no source"),
        ("kind: grid\nsource: s\nrecords:\n  - id: X\n    gwp100: {value: 1, unit: L/kWh}\n", "does not convert"),
        ("kind: grid\nsource: s\nrecords:\n  - id: X\n    gwp100: {value: 1, unit: kg CO2e/kWh, range: [2, 3]}\n",
         "does not contain"),
        ("kind: grid\nsource: s\nrecords:\n  - id: X\n    gwpp100: {value: 1, unit: kg CO2e/kWh}\n", "unknown field"),
        ("kind: gird\nrecords: []\n", "unknown or missing record kind"),
        ("kind: grid\nsource: s\nrecords:\n  - id: X\n  - id: X\n", "duplicate id"),
        ("kind: grid\nsource: s\nrecords:\n  - id: X\n    year: 2020\n    year: 2021\n", "duplicate key"),
    ],
)
def test_bad_file_rejected_with_path_field_and_reason(tmp_path, text, match):
    folder = _write(tmp_path, text)
    with pytest.raises(InputError, match=match) as info:
        Registry([folder])
    assert "bad.yaml:" in str(info.value)


def test_unknown_id_suggests():
    with pytest.raises(UnknownIdError, match="Did you mean 'h100-sxm'"):
        Registry().get("h100-smx", "accelerator")


def test_circular_grid_base(tmp_path):
    folder = _write(tmp_path, """\
        kind: grid
        source: test
        records:
          - {id: A, base: B}
          - {id: B, base: A}
        """)
    with pytest.raises(InventoryError, match="circular"):
        Registry([folder]).grid("A")


def test_user_process_wired_with_a_loop(home):
    """data-pipeline (1 run) <- 1000 kWh IT + 2 TB-month storage <- 0.01 run (loop).

    x_p = 1 + 0.01 x_s, x_s = 2 x_p => x_p = 1/0.98, x_s = 2/0.98. gwp100: electricity
    1000 x_p x PUE 1.10 x 0.1 kg/kWh + 5 x_p + 2 x_s; accelerators 1000 h x 0.4 kW x 1.1 x 0.1.
    """
    result = lca.run(DATA / "study-custom.yaml", home=home)
    xp, xs = 1 / 0.98, 2 / 0.98
    expected = 1000 * xp * 1.10 * 0.1 + 5 * xp + 2 * xs + 1000 * 0.4 * 1.1 * 0.1
    assert result.total("gwp100") == pytest.approx(expected, rel=1e-6)
    assert result.value("water", process_id="process/storage") == pytest.approx(10 * xs, rel=1e-6)
    assert result.value("gwp100", process_id="process/storage", scope="embodied") == pytest.approx(2 * xs, rel=1e-6)


def test_hourly_profile_weighted_by_load(home, tmp_path):
    """Daytime load (8-20 h) on a grid whose test profile dips at midday."""
    import math

    study = tmp_path / "hourly.yaml"
    study.write_text(f"""
schema_version: 1
name: test-hourly
functional_unit: {{name: test}}
inventories: [{OVERRIDE.as_posix()}]
grid: FR
datacenter: dc-pat21-microsoft-2020
hardware: {{accelerator: a100-sxm4-80gb, include_embodied: false}}
training:
  accelerator_hours: 1000
  average_power: 400 W
  load_profile: {(DATA / "load-daytime.csv").as_posix()}
""")
    result = lca.run(study, home=home)
    hours = range(8, 20)
    ci = [round(100 + 50 * math.cos(2 * math.pi * (h - 3) / 24), 1) / 1000 for h in hours]
    expected = sum(ci) / len(ci)
    assert result.total("gwp100") == pytest.approx(1000 * 0.4 * 1.1 * expected, rel=1e-6)
    assert any("load-weighted hourly intensity" in n.text for n in result.notes)
