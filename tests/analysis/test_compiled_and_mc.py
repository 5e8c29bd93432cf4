"""The compiled study, Monte Carlo, sensitivity, the iterative background solve, Dask."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

import lca
from lca.analysis import build_model, compile_study, monte_carlo, rank_correlation, sobol, tornado
from lca.analysis.iterative import PreconditionedSolver, sample_lognormal_matrix
from tests.conftest import SCENARIOS

STUDIES = sorted(SCENARIOS.rglob("*.yaml"))


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_compiled_equals_brightway(path, run_study):
    """Every bundled study, every phase and category: compiled == Brightway within 1e-6."""
    result = run_study(path)
    compiled = compile_study(lca.load_study(path))
    contrib = compiled.evaluate()
    for phase, arr in contrib.items():
        for k, cat in enumerate(compiled.categories):
            assert arr[0, k].sum() == pytest.approx(result.scores[(phase, cat)], rel=1e-6, abs=1e-12)
    assert compiled.energy_at_meter()[0] == pytest.approx(result.energy_at_meter(), rel=1e-6)


def test_inputs_vary_per_scenario_exactly():
    """Any continuous input of the activity model can vary per scenario, with the hand-worked result."""
    study = lca.load_study(SCENARIOS / "bloom-176b.yaml")
    compiled = compile_study(study)
    power = np.array([400.0, 300.0, 500.0])
    life = np.array([6, 3, 12]) * 8766.0
    totals = compiled.totals({"training.average_power": power, "hardware.lifetime": life})
    dyn = 1_082_990 * power / 1000 * 0.057
    idle = 256_646 * 0.057
    emb = 11_203.779 * 6 * 8766.0 / life
    assert totals[:, 0] == pytest.approx(dyn + idle + emb, rel=1e-6)


def test_structural_input_is_refused():
    study = lca.load_study(SCENARIOS / "llama-3.1-8b-service.yaml")
    compiled = compile_study(study)
    with pytest.raises(lca.InputError, match="structure"):
        compiled.totals({"inference.prompt_tokens": np.array([100.0, 200.0])})
    with pytest.raises(lca.InputError, match="not an input"):
        compiled.totals({"inference.no_such_field": np.array([1.0])})


def test_monte_carlo_is_seeded_and_reproducible():
    model = build_model(lca.load_study(SCENARIOS / "llama-3.1-8b-service.yaml"))
    a = monte_carlo(model, 3000, seed=7, chunk=1000)
    b = monte_carlo(model, 3000, seed=7, chunk=1000)
    c = monte_carlo(model, 3000, seed=8, chunk=1000)
    assert np.array_equal(a.total, b.total) and np.array_equal(a.inputs, b.inputs)
    assert not np.array_equal(a.total, c.total)
    pct = a.percentiles().set_index("category")
    assert (pct["p2.5"] <= pct["p50"]).all() and (pct["p50"] <= pct["p97.5"]).all()
    conv = a.convergence()
    gwp = conv[conv["category"] == "gwp100"]
    assert gwp["ci95_half_width"].iloc[-1] < gwp["ci95_half_width"].iloc[0]


def test_monte_carlo_mean_converges_to_the_analytic_mean(tmp_path):
    """A linear toy: total = E x CI with CI lognormal (median m, gsd g) => mean E m exp(ln(g)^2 / 2)."""
    import math

    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "grids.yaml").write_text("""
kind: grid
records:
  - id: toy-grid
    gwp100: {value: 0.4, unit: kg CO2e/kWh, source: toy, distribution: lognormal, gsd: 1.5}
""")
    (inv / "dc.yaml").write_text("""
kind: datacenter
records:
  - id: toy-dc
    pue: {value: 1.0, unit: "", source: toy}
    wue: {value: 0.0, unit: L/kWh, source: toy}
""")
    path = tmp_path / "toy.yaml"
    path.write_text("""
schema_version: 1
name: toy
functional_unit: {name: toy}
inventories: [inv]
grid: toy-grid
datacenter: toy-dc
hardware: {accelerator: h100-sxm, include_embodied: false}
training: {energy: 100 kWh, energy_scope: it}
""")
    model = build_model(lca.load_study(path))
    assert model.labels == ["grid:toy-grid.gwp100"]
    mc = monte_carlo(model, 200_000, seed=3, chunk=50_000)
    analytic = 100 * 0.4 * math.exp(math.log(1.5) ** 2 / 2)
    sem = mc.total[:, 0].std() / math.sqrt(len(mc.total))
    assert abs(mc.total[:, 0].mean() - analytic) < 4 * sem
    assert np.median(mc.total[:, 0]) == pytest.approx(40.0, rel=0.01)


def test_sensitivity_ranks_the_dominant_input():
    model = build_model(lca.load_study(SCENARIOS / "llama-3.1-8b-service.yaml"))
    t = tornado(model)
    top = t[t["category"] == "gwp100"].iloc[0]
    assert top["input"] == "training.mfu"
    mc = monte_carlo(model, 4000, seed=1)
    rc = rank_correlation(mc).set_index(["input", "category"])
    assert rc.loc[("training.mfu", "gwp100"), "spearman"] < -0.9
    s = sobol(model, 4096, seed=2).set_index(["input", "category"])
    assert s.loc[("training.mfu", "gwp100"), "total_order"] > 0.8
    assert s.loc[("hardware.lifetime", "gwp100"), "total_order"] < 0.1


def _synthetic_background(n: int = 3000, seed: int = 0):
    rng = np.random.default_rng(seed)
    k = 8
    rows = np.repeat(np.arange(n), k)
    cols = rng.integers(0, n, n * k)
    vals = -rng.uniform(0.0, 0.8 / k, n * k)
    a = sp.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsc()
    a = (a + sp.identity(n, format="csc")).tocsc()
    a.sum_duplicates()
    diag = np.zeros(a.nnz, dtype=bool)
    for j in range(n):
        start, stop = a.indptr[j], a.indptr[j + 1]
        diag[start:stop] = a.indices[start:stop] == j
    return a, diag


@pytest.mark.slow
def test_iterative_background_solve_matches_direct():
    a, diag = _synthetic_background()
    solver = PreconditionedSolver(a, rtol=1e-10)
    rng = np.random.default_rng(5)
    f = np.zeros(a.shape[0])
    f[:20] = 1.0
    weights = rng.uniform(0, 1, a.shape[0])  # a characterised biosphere row
    for _ in range(10):
        sampled = sample_lognormal_matrix(a, np.full(a.nnz, 0.1), rng, fixed=diag)
        x_it = solver.solve(sampled, f)
        x_direct = spla.spsolve(sampled.tocsr(), f)
        assert weights @ x_it == pytest.approx(weights @ x_direct, rel=1e-8)
    assert solver.fallbacks == 0
    assert max(solver.iterations) < 50


def test_fgmres_restarts_and_reports_non_convergence():
    from lca.analysis.iterative import fgmres

    a, _ = _synthetic_background(400, seed=3)
    rng = np.random.default_rng(1)
    f = rng.uniform(0, 1, a.shape[0])
    direct = spla.spsolve(a.tocsr(), f)
    # no preconditioner and short cycles: several restarts, still the direct solution
    x, its, ok = fgmres(a, f, np.zeros_like(f), lambda v: v, rtol=1e-12, maxiter=500, restart=5)
    assert ok and its > 5
    assert np.linalg.norm(x - direct) <= 1e-10 * np.linalg.norm(direct)
    # the exact inverse as preconditioner: one iteration
    lu = spla.splu(a.tocsc())
    x, its, ok = fgmres(a, f, np.zeros_like(f), lu.solve, rtol=1e-12)
    assert ok and its == 1 and np.allclose(x, direct, rtol=1e-12, atol=0)
    # too few iterations: reported, not hidden
    _, its, ok = fgmres(a, f, np.zeros_like(f), lambda v: v, rtol=1e-14, maxiter=2, restart=2)
    assert not ok and its == 2


@pytest.mark.slow
@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_one_and_two_workers_are_bit_identical(processes):
    from lca.analysis.dask import local_client

    model = build_model(lca.load_study(SCENARIOS / "llama-3.1-8b-service.yaml"))
    single = monte_carlo(model, 4000, seed=11, chunk=500)
    for workers in (1, 2):
        client = local_client(workers, processes=processes)
        try:
            dist = monte_carlo(model, 4000, seed=11, chunk=500, client=client)
        finally:
            client.close()
            client.cluster.close()
        assert np.array_equal(dist.total, single.total)
        assert np.array_equal(dist.inputs, single.inputs)
