"""The three ways of solving the compiled foreground agree: substitution (acyclic), Woodbury, dense."""

from __future__ import annotations

import numpy as np
import pytest

import lca
from lca.analysis import compile_study
from lca.analysis.compiled import CompiledStudy, _Driven
from tests.conftest import SCENARIOS

STUDIES = sorted(SCENARIOS.rglob("*.yaml"))


def _both(monkeypatch, fn):
    low = fn("woodbury")
    dense = fn("dense")
    return low, dense


@pytest.mark.parametrize("path", STUDIES, ids=lambda p: p.stem)
def test_low_rank_equals_dense_on_every_bundled_study(path, monkeypatch):
    compiled = compile_study(lca.load_study(path))
    act = compiled.activity
    inputs = [n for n, q in act.inputs.items() if q.continuous and np.ndim(act.values.get(n, 0.0)) == 0
              and act.values.get(n, 0.0) > 0][:3]  # fmt: skip
    rng = np.random.default_rng(len(str(path)))
    size = 40
    overrides = {n: act.values[n] * rng.uniform(0.7, 1.3, size) for n in inputs}

    values = act.evaluate(overrides)

    def run(method):
        return compiled.supply(values, size, method)[0]

    low, dense = _both(monkeypatch, run)
    substituted = run("substitution")  # every bundled foreground is acyclic
    scale = np.abs(dense).max()
    assert np.allclose(low, dense, rtol=1e-9, atol=1e-12 * scale)
    assert np.allclose(substituted, dense, rtol=1e-12, atol=1e-14 * scale)
    assert compiled.evaluate(overrides, size).keys() == compiled.demands.keys()


def _synthetic(n: int = 100, k: int = 6, seed: int = 0, acyclic: bool = False) -> CompiledStudy:
    """A random diagonally dominant foreground of ``n`` nodes; ``k`` driven exchanges; two phases.

    ``acyclic``: node i supplies only nodes listed before it (shuffled), so a supply order exists.
    """
    rng = np.random.default_rng(seed)
    a = np.eye(n)
    mask = rng.random((n, n)) < 0.05
    if acyclic:
        perm = rng.permutation(n)
        mask &= np.triu(np.ones((n, n), dtype=bool), 1)[np.ix_(perm, perm)]
    np.fill_diagonal(mask, False)
    a[mask] = -rng.uniform(0, 0.9 / (mask.sum(axis=0).max() + 1), mask.sum())
    pairs = np.argwhere(mask)[:k]
    b = rng.uniform(0, 1, (4, n))
    nodes = [f"n{i}" for i in range(n)]
    return CompiledStudy(
        "synthetic", nodes, a, b, np.zeros_like(b), {"p1": np.eye(n)[0], "p2": np.eye(n)[1]},
        np.zeros(n, dtype=bool), np.zeros(n, dtype=bool), np.full(n, np.nan), None,  # type: ignore[arg-type]
        _Driven(pairs[:, 0], pairs[:, 1], [f"e{j}" for j in range(len(pairs))], -1.0),
        _Driven(np.zeros(0, dtype=int), np.zeros(0, dtype=int), [], 1.0),
        {"p1": (0, "amount1"), "p2": (1, None)},
    )  # fmt: skip


def test_low_rank_equals_dense_on_a_synthetic_foreground_of_100_nodes(monkeypatch):
    compiled = _synthetic()
    rng = np.random.default_rng(3)
    size = 500
    base = -compiled.technosphere[compiled.a_driven.rows, compiled.a_driven.cols]
    values = {name: base[j] * rng.uniform(0.2, 1.8, size) for j, name in enumerate(compiled.a_driven.names)}
    values["amount1"] = rng.uniform(1, 10, size)

    def run(method):
        return compiled.supply(values, size, method)[0]

    low, dense = _both(monkeypatch, run)
    assert np.allclose(low, dense, rtol=1e-10, atol=1e-14)
    # and against a solve of each scenario's matrix built by hand
    for s in (0, 17, 499):
        a = compiled.technosphere.copy()
        a[compiled.a_driven.rows, compiled.a_driven.cols] = [-values[q][s] for q in compiled.a_driven.names]
        f = np.zeros((100, 2))
        f[0, 0], f[1, 1] = values["amount1"][s], 1.0
        assert np.allclose(low[s], np.linalg.solve(a, f), rtol=1e-10)


def test_substitution_equals_dense_on_an_acyclic_synthetic_foreground_of_100_nodes():
    compiled = _synthetic(acyclic=True, k=12)
    assert compiled._triangular is not None
    rng = np.random.default_rng(4)
    size = 300
    base = -compiled.technosphere[compiled.a_driven.rows, compiled.a_driven.cols]
    values = {name: base[j] * rng.uniform(0.2, 1.8, size) for j, name in enumerate(compiled.a_driven.names)}
    values["amount1"] = rng.uniform(1, 10, size)
    dense = compiled.supply(values, size, "dense")[0]
    assert np.allclose(compiled.supply(values, size, "substitution")[0], dense, rtol=1e-12, atol=1e-15)
    assert np.allclose(compiled.supply(values, size)[0], dense, rtol=1e-12, atol=1e-15)  # auto picks substitution


def test_a_cyclic_foreground_is_not_substituted():
    compiled = _synthetic()
    assert compiled._triangular is None
    with pytest.raises(ValueError, match="cycle"):
        compiled.supply(dict.fromkeys(compiled.a_driven.names, 0.1) | {"amount1": 1.0}, 1, "substitution")


def test_a_large_sweep_stays_within_a_memory_budget():
    """10^5 scenarios of a 2-input sweep through the sweep code path: peak traced memory below 300 MB."""
    import tracemalloc

    from lca.analysis.sweep import run_sweep
    from lca.study import SweepSpec

    study = lca.load_study(SCENARIOS / "bloom-176b.yaml")
    spec = SweepSpec(parameters={"training.average_power": [250.0 + i for i in range(400)],
                                 "hardware.lifetime": [26298.0 + 200.0 * j for j in range(250)]})
    tracemalloc.start()
    result = run_sweep(study, spec)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(result.table) == 100_000 * 4
    assert peak < 300e6, f"{peak / 1e6:.0f} MB"
