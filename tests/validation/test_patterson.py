"""Layer (b): Patterson et al. (2021), arXiv:2104.10350, Table 4, all six columns.

Each study is chips x days x 24 h x measured system W per accelerator x PUE, at the gross
(location-based) and net (24/7 CFE-adjusted, market-based) intensity of the table.

Tolerance: 0.5 % (REFERENCE-DATA.md §3.1). The table prints its inputs and results with
two or three significant digits; where the printed digits cannot support 0.5 % the
test compares within the rounding interval of the printed figure instead, and says so:

* Evolved Transformer NAS, gross/net 3.2 t: 7.47 MWh x 0.431 = 3.22 t; "3.2" spans
  3.15-3.25 (+-1.6 %). Our 3.22 t is +0.7 % from the printed 3.2.
* GShard-600B: the printed 3.1 days (3.05-3.15) x 1024 x 288 W x 1.09 gives 23.9 MWh,
  -0.75 % from the printed 24.1 MWh (which implies 3.12 days); net 4.23 t vs printed 4.3
  (24.1 MWh x 0.177 = 4.27, itself rounded).
"""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS

RTOL = 0.005

# name: (MWh, gross t, net t)
TABLE4 = {
    "evolved-transformer-nas": (7.5, 3.2, 3.2),
    "t5": (85.7, 46.7, 46.7),
    "meena": (232, 96.4, 96.4),
    "gshard-600b": (24.1, 4.8, 4.3),
    "switch-transformer": (179, 72.2, 59.1),
    "gpt3-175b": (1287, 552.1, 552.1),
}


def _half_unit(printed: float) -> float:
    """Half a unit in the last printed digit, relative to the printed value."""
    text = repr(printed)
    decimals = len(text.split(".")[1]) if "." in text else 0
    return 0.5 * 10 ** (-decimals) / printed


# Figures whose printed precision cannot support 0.5 %: (column, figure) -> the printed
# number whose rounding limits the comparison (see module docstring).
ROUNDING_LIMITED = {
    ("evolved-transformer-nas", "gross"): 3.2,  # printed result, 2 significant digits
    ("evolved-transformer-nas", "net"): 3.2,
    ("gshard-600b", "energy"): 3.1,  # printed input: 3.1 training days
    ("gshard-600b", "net"): 3.1,
}


def _tol(name: str, what: str) -> float:
    printed = ROUNDING_LIMITED.get((name, what))
    return RTOL if printed is None else RTOL + _half_unit(printed)


@pytest.mark.parametrize("name", sorted(TABLE4))
def test_table4(name, run_study):
    mwh, gross, net = TABLE4[name]
    result = run_study(SCENARIOS / "patterson2021" / f"{name}.yaml")
    assert result.energy_at_meter() / 1000 == pytest.approx(mwh, rel=_tol(name, "energy"))
    assert result.total("gwp100") / 1000 == pytest.approx(gross, rel=_tol(name, "gross"))
    assert result.total("gwp100", basis="market") / 1000 == pytest.approx(net, rel=_tol(name, "net"))


def test_strict_columns_meet_half_percent(run_study):
    """Four of six columns (and GShard gross, Switch net) meet 0.5 % on every figure."""
    strict = [n for n in TABLE4 if not any((n, w) in ROUNDING_LIMITED for w in ("energy", "gross", "net"))]
    assert len(strict) == 4
    for name in strict:
        mwh, gross, net = TABLE4[name]
        r = run_study(SCENARIOS / "patterson2021" / f"{name}.yaml")
        assert abs(r.energy_at_meter() / 1000 / mwh - 1) <= RTOL
        assert abs(r.total("gwp100") / 1000 / gross - 1) <= RTOL
        assert abs(r.total("gwp100", basis="market") / 1000 / net - 1) <= RTOL
