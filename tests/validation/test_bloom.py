"""Layer (b): BLOOM-176B, Luccioni, Viguier & Ligozat (2023), JMLR 24(253).

Published (t CO2e): dynamic 24.69 (1,082,990 GPU-h x 0.4 kW x 57 g/kWh), idle 14.6
(256,646 kWh x 57 g; 14.63 recomputed), embodied 11.2, total 50.5. Tolerance 1 %
(REFERENCE-DATA.md §3.5); the published figures carry three significant digits.
"""

from __future__ import annotations

import pytest

from tests.conftest import SCENARIOS

RTOL = 0.01


@pytest.fixture(scope="module")
def bloom(run_study):
    return run_study(SCENARIOS / "bloom-176b.yaml")


def test_dynamic(bloom):
    dynamic = bloom.value("gwp100", component="accelerators")
    assert dynamic / 1000 == pytest.approx(24.69, rel=RTOL)


def test_idle(bloom):
    idle = bloom.value("gwp100", component="idle")
    assert idle / 1000 == pytest.approx(14.63, rel=RTOL)


def test_embodied(bloom):
    assert bloom.value("gwp100", scope="embodied") / 1000 == pytest.approx(11.2, rel=RTOL)


def test_total(bloom):
    assert bloom.total("gwp100") / 1000 == pytest.approx(50.5, rel=RTOL)


def test_energy(bloom):
    # 433,196 kWh dynamic + 256,646 kWh idle, no PUE multiplier in the paper's accounting
    assert bloom.energy_at_meter() == pytest.approx(433_196 + 256_646, rel=1e-6)
