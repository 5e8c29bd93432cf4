"""The conversion table agrees with pint: same factor, same refusals.

``lca.units.convert`` reads the units of ``lca/unit_table.py`` (and their
products, quotients and powers) without building pint's registry; everything
else goes to pint. These tests compare the two routes.
"""

from __future__ import annotations

import importlib.util
import itertools
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from lca.errors import UnitError
from lca.unit_table import ATOMS
from lca.units import MAX_UNIT_LENGTH, _fast_unit, _unit, convert, registry

ROOT = Path(__file__).resolve().parents[1]

# every unit text the bundled inventories and studies use, and spellings users write
SPELLINGS = [
    "", "1", "%", "FLOP/s", "GB", "GB/cm**2", "GB/s", "GiB", "L/kWh", "MJ", "MJ/(cm**2)", "MJ/(kg)",
    "MJ/(km*kg)", "MJ/(mm**2)", "MJ/kWh", "TFLOP/s", "W", "cm**2", "day", "days", "g CO2e/cm**2",
    "g CO2e/kWh", "h", "kWh", "kWh/cm**2", "kg", "kg CO2e", "kg CO2e/(cm**2)", "kg CO2e/(kg)",
    "kg CO2e/(km*kg)", "kg CO2e/(mm**2)", "kg CO2e/GB", "kg CO2e/cm**2", "kg CO2e/kWh", "kg Sb-eq",
    "kg Sb-eq/(cm**2)", "kg Sb-eq/(kg)", "kg Sb-eq/(km*kg)", "kg Sb-eq/(mm**2)", "kg Sb-eq/kWh", "km",
    "mm**2", "year", "years", "kW", "MWh", "t CO2e", "tonnes CO2e", "lbs CO2e", "kg CO2-eq", "g CO2e",
    "m3", "m3/kWh", "mL", "L/h", "kWh/year", "W/GB", "1/s", "s**-1", "1/s**2", "m^3", "J/token",
    "kWh/request", "FLOP/token", "accelerator*h", "GPU-hours", "kg Sbe", "GJ", "minutes", "months",
]  # fmt: skip


def _pint(value: float, src: str, dst: str) -> float:
    """The conversion as pint alone does it."""
    import pint

    try:
        return value * float(registry().Quantity(1.0, _unit(src)).to(_unit(dst)).magnitude)
    except pint.DimensionalityError:
        raise UnitError("not convertible") from None


def test_table_is_what_pint_says_now():
    """The installed pint gives the same units, factors (1e-12) and dimensions as the committed table."""
    spec = importlib.util.spec_from_file_location("make_unit_table", ROOT / "docs/scripts/make_unit_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    now = module.entries()
    hint = "run python docs/scripts/make_unit_table.py"
    assert set(now) == set(ATOMS), hint
    for name, (factor, dims) in now.items():
        assert ATOMS[name][0] == pytest.approx(factor, rel=1e-12), (name, hint)
        assert ATOMS[name][1] == dims, (name, hint)


def test_every_bundled_spelling_is_read_without_pint():
    missing = [u for u in SPELLINGS if _fast_unit(u) is None]
    assert missing == [], f"these fall back to pint: {missing}"


@pytest.mark.parametrize("src,dst", list(itertools.product(SPELLINGS, repeat=2)))
def test_table_and_pint_agree_on_every_pair(src, dst):
    try:
        expected = _pint(3.7, src, dst)
    except UnitError:
        with pytest.raises(UnitError, match="does not convert"):
            convert(3.7, src, dst)
        return
    assert convert(3.7, src, dst) == pytest.approx(expected, rel=1e-12)


_ATOM = st.sampled_from(sorted(ATOMS))


@st.composite
def expressions(draw, depth: int = 2) -> str:
    """Products, quotients, parentheses and small powers of table units."""
    parts = [draw(_ATOM)]
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["*", "/"]))
        term = draw(expressions(depth - 1)) if depth > 0 and draw(st.booleans()) else draw(_ATOM)
        if term != parts[-1] and any(c in term for c in "*/"):
            term = f"({term})"
        power = draw(st.sampled_from(["", "", "**2", "**-1", "^3"]))
        parts.append(f"{op}{term}{power}")
    return "".join(parts)


@settings(max_examples=int(os.environ.get("UNIT_EXAMPLES", "300")), deadline=None)
@given(expressions(), expressions())
def test_random_expressions_agree_with_pint(src, dst):
    assume(len(src) <= MAX_UNIT_LENGTH and len(dst) <= MAX_UNIT_LENGTH)  # longer ones are refused before either
    try:
        expected = _pint(1.0, src, dst)
    except UnitError:
        with pytest.raises(UnitError):
            convert(1.0, src, dst)
        return
    assert convert(1.0, src, dst) == pytest.approx(expected, rel=1e-12)


@settings(max_examples=int(os.environ.get("UNIT_EXAMPLES", "300")), deadline=None)
@given(expressions())
def test_an_expression_converts_to_its_own_root(src):
    """Where both give a factor in the range of a float, the table's factor and dimensions are pint's."""
    fast = _fast_unit(src)
    try:
        root = registry().Quantity(1.0, _unit(src)).to_root_units()
    except OverflowError:  # pint overflows too: nothing to compare (convert reads such units with pint)
        return
    if fast is None or not 1e-300 < abs(root.magnitude) < 1e300:
        return
    assert fast[0] == pytest.approx(root.magnitude, rel=1e-12)
    assert dict(fast[1]) == {str(k): float(v) for k, v in root.dimensionality.items()}


def test_a_study_run_does_not_import_pint(tmp_path):
    """The bundled study is read and its units converted without pint (its import costs ~0.2 s)."""
    code = (
        "import sys, lca.pipeline as p; p.prepare('scenarios/llama-3.1-8b-service.yaml'); "
        "print('pint' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stderr[-2000:]
