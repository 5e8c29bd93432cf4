"""Sobol indices (SALib) against functions whose indices are known in closed form."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from lca.analysis.montecarlo import quantile_value, sample_value
from lca.analysis.sensitivity import sobol_indices
from lca.inventory.value import Value

UNIFORM_PI = [lambda u: -np.pi + 2 * np.pi * u] * 3


def ishigami(x, a=7.0, b=0.1):
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def _ishigami_indices(a=7.0, b=0.1):
    """Ishigami & Homma (1990); e.g. Saltelli et al. (2008) Global Sensitivity Analysis, sect. 4.8."""
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * np.pi**8 * (1 / 18 - 1 / 50)
    var = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / var, np.array([v1 + v13, v2, v13]) / var


@pytest.mark.parametrize("samples, seed", [(4096, 1), (8192, 7)])
def test_ishigami_indices_lie_in_their_intervals(samples, seed):
    s1, st = _ishigami_indices()
    assert s1 == pytest.approx([0.3139, 0.4424, 0.0], abs=1e-4)  # the published values
    assert st == pytest.approx([0.5576, 0.4424, 0.2437], abs=1e-4)
    res = sobol_indices(ishigami, UNIFORM_PI, samples, seed)
    assert res["samples"] == samples
    for key, exact in (("S1", s1), ("ST", st)):
        low, high = res[key][:, 0] - res[f"{key}_conf"][:, 0], res[key][:, 0] + res[f"{key}_conf"][:, 0]
        assert np.all((low <= exact) & (exact <= high)), (key, res[key][:, 0], res[f"{key}_conf"][:, 0])


def test_intervals_narrow_with_more_samples():
    small = sobol_indices(ishigami, UNIFORM_PI, 1024, 3)
    large = sobol_indices(ishigami, UNIFORM_PI, 16384, 3)
    assert np.all(large["S1_conf"] < small["S1_conf"]) and np.all(large["ST_conf"] < small["ST_conf"])


def test_an_additive_function_has_first_order_equal_to_total():
    # y = 2 x0 + x1, x ~ U(0, 1): S0 = 4/5, S1 = 1/5, no interaction
    res = sobol_indices(lambda x: 2 * x[:, 0] + x[:, 1], [lambda u: u] * 2, 8192, 0)
    assert res["S1"][:, 0] == pytest.approx([0.8, 0.2], abs=3 * res["S1_conf"][:, 0].max())
    assert res["ST"][:, 0] == pytest.approx([0.8, 0.2], abs=3 * res["ST_conf"][:, 0].max())


def test_an_output_no_input_moves_has_zero_indices():
    res = sobol_indices(lambda x: np.column_stack([x[:, 0], np.ones(len(x))]), [lambda u: u] * 2, 256, 0)
    assert np.all(res["S1"][:, 1] == 0) and np.all(res["ST"][:, 1] == 0)


@pytest.mark.parametrize("value", [
    Value(value=10.0, unit="h", distribution="uniform", range=(5.0, 20.0)),
    Value(value=10.0, unit="h", distribution="triangular", range=(5.0, 20.0)),
    Value(value=10.0, unit="h", distribution="lognormal", gsd=1.4),
    Value(value=10.0, unit="h", distribution="normal", sd=2.0),
])
def test_the_quantiles_follow_the_same_law_as_the_samples(value):
    """Sobol draws through quantile_value must have the law Monte Carlo samples with (two-sample KS test)."""
    u = (np.arange(20_000) + 0.5) / 20_000
    drawn = quantile_value(value, u)
    sampled = sample_value(value, np.random.default_rng(0), 20_000)
    assert stats.ks_2samp(drawn, sampled).pvalue > 0.01
