"""Sensitivity of a compiled study's totals to its uncertain inputs: tornado, rank correlation, Sobol."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

import numpy as np
import pandas as pd

from ..units import CATEGORY_UNITS
from .montecarlo import MonteCarloResult, UncertainModel, evaluate_inputs, quantile_value

__all__ = ["tornado", "rank_correlation", "sobol", "sobol_indices"]


def _totals(model: UncertainModel, inputs: np.ndarray) -> np.ndarray:
    contrib = evaluate_inputs(model, inputs)
    return sum(v.sum(axis=2) for v in contrib.values())


def _base_inputs(model: UncertainModel) -> np.ndarray:
    return np.array([q.value for q in model.parameters], dtype=float)


def tornado(model: UncertainModel) -> pd.DataFrame:
    """One-at-a-time: each input at the low and high end of its range, the others at base."""
    base_inputs = _base_inputs(model)
    base = _totals(model, base_inputs[None, :])[0]
    rows = []
    for j, q in enumerate(model.parameters):
        lo, hi = q.range or (q.value, q.value)
        x = np.repeat(base_inputs[None, :], 2, axis=0)
        x[0, j], x[1, j] = lo, hi
        t = _totals(model, x)
        for k, cat in enumerate(model.compiled.categories):
            rows.append(
                {
                    "input": q.name,
                    "category": cat,
                    "unit": CATEGORY_UNITS[cat],
                    "low_value": lo,
                    "high_value": hi,
                    "total_at_low": float(t[0, k]),
                    "total_at_high": float(t[1, k]),
                    "base": float(base[k]),
                    "swing": float(abs(t[1, k] - t[0, k])),
                }
            )
    out = pd.DataFrame(rows)
    return out.sort_values(["category", "swing"], ascending=[True, False]).reset_index(drop=True)


def rank_correlation(mc: MonteCarloResult) -> pd.DataFrame:
    """Spearman rank correlation of each sampled input with each category's total."""
    from scipy.stats import spearmanr

    rows = []
    for j, label in enumerate(mc.labels):
        x = mc.inputs[:, j]
        for k, cat in enumerate(mc.categories):
            y = mc.total[:, k]
            rho = 0.0 if np.ptp(x) == 0 or np.ptp(y) == 0 else float(spearmanr(x, y).statistic)
            rows.append({"input": label, "category": cat, "spearman": rho})
    return pd.DataFrame(rows)


def sobol_indices(
    f: Callable[[np.ndarray], np.ndarray],
    quantiles: Sequence[Callable[[np.ndarray], np.ndarray]],
    samples: int = 1024,
    seed: int = 42,
    resamples: int = 200,
    conf_level: float = 0.95,
) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices of ``f`` with bootstrap confidence intervals (SALib).

    ``quantiles[j]`` maps probabilities to input ``j`` (its inverse distribution
    function); ``f`` takes inputs (n x d) and returns outputs (n x k). Inputs
    come from a scrambled Sobol' sequence (Saltelli's scheme, ``samples``
    rounded up to a power of two, ``samples x (d + 2)`` evaluations of ``f``);
    the indices are Saltelli et al. (2010) first order and Jansen total order
    as SALib computes them, each with its ``conf_level`` bootstrap interval
    (``resamples`` resamples). Returns arrays (d x k): ``S1``, ``S1_conf``,
    ``ST``, ``ST_conf`` (half-widths) and the number of base samples used.
    """
    from SALib.analyze import sobol as analyze
    from SALib.sample import sobol as sample

    d = len(quantiles)
    n = 1 << max(int(samples) - 1, 1).bit_length()
    problem = {"num_vars": d, "names": [f"x{j}" for j in range(d)], "bounds": [[0.0, 1.0]] * d}
    u = sample.sample(problem, n, calc_second_order=False, scramble=True, seed=seed)
    x = np.column_stack([q(u[:, j]) for j, q in enumerate(quantiles)])
    y = np.asarray(f(x), dtype=float)
    y = y.reshape(len(x), -1)
    out = {key: np.zeros((d, y.shape[1])) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    for k in range(y.shape[1]):
        if not np.all(np.isfinite(y[:, k])) or np.ptp(y[:, k]) == 0:
            continue  # an output no input moves: every index is 0
        res = analyze.analyze(
            problem,
            y[:, k],
            calc_second_order=False,
            num_resamples=resamples,
            conf_level=conf_level,
            print_to_console=False,
            seed=seed,
        )
        for key in out:
            out[key][:, k] = np.asarray(res[key], dtype=float)
    out["samples"] = np.array(n)
    return out


def sobol(model: UncertainModel, samples: int = 1024, seed: int = 42) -> pd.DataFrame:
    """Sobol indices of every uncertain input, per category, with 95 % bootstrap intervals (SALib).

    Inputs are drawn through their own distributions (the same as Monte
    Carlo's) from a quasi-random sequence; see :func:`sobol_indices`. An
    interval that reaches below 0 or a first-order index above its total order
    is sampling noise: the intervals say how much.
    """
    quantiles = [partial(quantile_value, q.sampling_value()) for q in model.parameters]
    res = sobol_indices(partial(_totals, model), quantiles, samples, seed)
    rows = []
    for j, label in enumerate(model.labels):
        for k, cat in enumerate(model.compiled.categories):
            s1, c1, st, ct = (float(res[key][j, k]) for key in ("S1", "S1_conf", "ST", "ST_conf"))
            rows.append(
                {
                    "input": label,
                    "category": cat,
                    "first_order": s1,
                    "first_order_low": s1 - c1,
                    "first_order_high": s1 + c1,
                    "total_order": st,
                    "total_order_low": st - ct,
                    "total_order_high": st + ct,
                    "sobol_samples": int(res["samples"]),
                }
            )
    return pd.DataFrame(rows)
