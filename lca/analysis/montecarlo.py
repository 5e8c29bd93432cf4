"""Monte Carlo on a compiled study: every input with a distribution or a range is sampled.

What is sampled: each input of the activity model (see
:class:`lca.activity.Quantity`) that carries a distribution, or a range
(sampled as a triangular distribution with its mode at the value): the
defaults the study took from the inventory (lifetime, utilisation, MFU,
efficiencies, usable memory, the serving engine's batch cap, host power ...)
and the values of the inventory records it names (grid factors, PUE, WUE,
embodied impacts and their published spread, TDP ...). One draw per input and
sample: every matrix entry that depends on an input moves with it, through
the activity model's formulas.

Samples are drawn in chunks; chunk ``i`` uses the ``i``-th child of
``numpy.random.SeedSequence(seed)``, so a run is reproducible for a given seed
and chunk size whatever executes the chunks (one process or a Dask cluster).
Distributions follow stats_arrays: ``lognormal`` has median ``value`` and
``sigma = ln(gsd)`` (or the range read as its 95 % interval); ``normal`` mean
``value``; ``triangular`` mode ``value``; ``uniform`` over the range.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..activity import Quantity
from ..inventory import Registry, Value
from ..numbers import fmt
from ..study import Study
from ..units import CATEGORY_UNITS
from .compiled import CompiledStudy, compile_study
from .dask import map_chunks

__all__ = [
    "quantile_value",
    "sample_value",
    "UncertainModel",
    "build_model",
    "draw_inputs",
    "evaluate_inputs",
    "run_chunk",
    "monte_carlo",
    "MonteCarloResult",
    "uncertainty_warnings",
]


def sample_value(value: Value, rng: np.random.Generator, size: int) -> np.ndarray:
    """``size`` draws of an inventory value's distribution (canonical units)."""
    d = value.distribution
    if d is None:
        return np.full(size, value.value)
    params = value.stats_arrays()
    if d == "lognormal":
        return np.exp(rng.normal(params["loc"], params["scale"], size))
    if d == "normal":
        return rng.normal(params["loc"], params["scale"], size)
    lo, hi = params["minimum"], params["maximum"]
    if d == "uniform":
        return rng.uniform(lo, hi, size)
    if lo == hi:
        return np.full(size, lo)
    return rng.triangular(lo, min(max(value.value, lo), hi), hi, size)


def quantile_value(value: Value, u: np.ndarray) -> np.ndarray:
    """The inverse distribution function of an inventory value at probabilities ``u`` (the same laws as
    :func:`sample_value`); turns quasi-random points in [0, 1) into draws."""
    from scipy.special import ndtri

    d = value.distribution
    if d is None:
        return np.full(u.shape, value.value)
    u = np.clip(u, 1e-12, 1 - 1e-12)
    params = value.stats_arrays()
    if d == "lognormal":
        return np.exp(params["loc"] + params["scale"] * ndtri(u))
    if d == "normal":
        return params["loc"] + params["scale"] * ndtri(u)
    lo, hi = params["minimum"], params["maximum"]
    if d == "uniform" or lo == hi:
        return lo + (hi - lo) * u
    mode = min(max(value.value, lo), hi)
    c = (mode - lo) / (hi - lo)
    below = lo + np.sqrt(u * (hi - lo) * (mode - lo))
    above = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
    return np.where(u < c, below, above)


@dataclass
class UncertainModel:
    """A compiled study and the inputs Monte Carlo samples in it."""

    compiled: CompiledStudy
    parameters: list[Quantity] = field(default_factory=list)

    @property
    def labels(self) -> list[str]:
        return [q.name for q in self.parameters]

    @property
    def inputs(self) -> int:
        return len(self.parameters)


def build_model(
    study: Study,
    registry: Registry | None = None,
    home: Any = None,
    brightway_dir: Any = None,
    compiled: CompiledStudy | None = None,
) -> UncertainModel:
    """Compile ``study`` and list every uncertain input of its activity model."""
    compiled = compiled or compile_study(study, registry, home=home, brightway_dir=brightway_dir)
    used = _used_inputs(compiled)
    params = [q for q in compiled.activity.uncertain if q.name in used]
    return UncertainModel(compiled, sorted(params, key=lambda q: q.name))


def _used_inputs(compiled: CompiledStudy) -> set[str]:
    """Uncertain inputs, less the flows of processes a linked background replaced (they no longer reach a matrix)."""
    act = compiled.activity
    direct = set(compiled.a_driven.names) | set(compiled.b_driven.names)
    flows = {q for node in act.embodied.values() for q in node.impacts.values()}
    flows |= {q for phase in act.phases.values() for q in phase.site.factors.values()}
    return {
        name for name, q in act.inputs.items() if q.uncertain and q.continuous and (name not in flows or name in direct)
    }


def draw_inputs(model: UncertainModel, rng: np.random.Generator, size: int) -> np.ndarray:
    """Sampled inputs (size x inputs)."""
    cols = [sample_value(q.sampling_value(), rng, size) for q in model.parameters]
    return np.column_stack(cols) if cols else np.zeros((size, 0))


def evaluate_inputs(model: UncertainModel, inputs: np.ndarray, h: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Contributions per phase (size x c x n) for given sampled inputs (and background ``h``)."""
    overrides = {q.name: inputs[:, j] for j, q in enumerate(model.parameters)}
    return model.compiled.evaluate(overrides, size=inputs.shape[0], strict=False, h=h)


def run_chunk(
    model: UncertainModel, seed_seq: np.random.SeedSequence, size: int, background: Any = None
) -> dict[str, np.ndarray]:
    """One chunk of Monte Carlo: inputs and outputs (totals, embodied, per phase).

    ``background``: a :class:`~lca.analysis.background_mc.BackgroundSampler`
    whose samples replace the static background impacts.
    """
    rng = np.random.default_rng(seed_seq)
    inputs = draw_inputs(model, rng, size)
    h = np.stack([background.sample()[0] for _ in range(size)]) if background is not None else None
    contrib = evaluate_inputs(model, inputs, h)
    total = sum(v.sum(axis=2) for v in contrib.values())
    embodied = sum(v[:, :, model.compiled.embodied].sum(axis=2) for v in contrib.values())
    out = {"inputs": inputs, "total": total, "embodied": embodied}
    for phase, v in contrib.items():
        out[f"phase:{phase}"] = v.sum(axis=2)
    return out


def chunk_sizes(samples: int, chunk: int) -> list[int]:
    full, rest = divmod(samples, chunk)
    return [chunk] * full + ([rest] if rest else [])


@dataclass
class MonteCarloResult:
    """Samples of a Monte Carlo run and their summaries."""

    categories: tuple[str, ...]
    labels: list[str]
    inputs: np.ndarray  # samples x inputs
    total: np.ndarray  # samples x categories
    embodied: np.ndarray
    phases: dict[str, np.ndarray]
    seed: int
    static: np.ndarray  # deterministic totals per category

    def percentiles(self) -> pd.DataFrame:
        """Per category: the static result beside the mean, median and 2.5/5/95/97.5 percentiles.

        ``static_in_band`` says whether the static (deterministic) result lies
        within the 5-95 % band of the samples; ``static_percentile`` is its
        rank among them.
        """
        rows = []
        for k, cat in enumerate(self.categories):
            x = self.total[:, k]
            p = np.percentile(x, [2.5, 5, 50, 95, 97.5])
            static = float(self.static[k])
            rank = float(np.mean(x < static) * 100) if len(x) and np.ptp(x) > 0 else math.nan
            rows.append(
                {
                    "category": cat,
                    "static": static,
                    "mean": float(x.mean()),
                    "sd": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
                    "p2.5": float(p[0]),
                    "p5": float(p[1]),
                    "p50": float(p[2]),
                    "p95": float(p[3]),
                    "p97.5": float(p[4]),
                    "static_percentile": rank,
                    "static_in_band": bool(p[1] <= static <= p[3]) if np.ptp(x) > 0 else True,
                    "samples": len(x),
                    "unit": CATEGORY_UNITS[cat],
                }
            )
        return pd.DataFrame(rows)

    def warnings(self) -> list[str]:
        """A warning per category whose static result lies outside the 5-95 % band of the samples."""
        return uncertainty_warnings(self.percentiles())

    def convergence(self, steps: int = 10) -> pd.DataFrame:
        """Running mean and 95 % interval half-width of the mean, by number of samples."""
        rows = []
        n = len(self.total)
        for m in sorted({max(2, int(n * (i + 1) / steps)) for i in range(steps)}):
            for k, cat in enumerate(self.categories):
                x = self.total[:m, k]
                rows.append(
                    {
                        "samples": m,
                        "category": cat,
                        "mean": float(x.mean()),
                        "ci95_half_width": float(1.96 * x.std(ddof=1) / math.sqrt(m)),
                    }
                )
        return pd.DataFrame(rows)


def monte_carlo(
    model: UncertainModel,
    samples: int,
    seed: int = 42,
    chunk: int = 2000,
    client: Any = None,
    progress: Callable[[int], None] | None = None,
    background: Any = None,
) -> MonteCarloResult:
    """Seeded Monte Carlo over ``samples`` draws, optionally on a Dask ``client``.

    With a ``background`` sampler (a study linked to a background database)
    the background is sampled too, in this process.
    """
    if samples < 2:
        raise ValueError("Monte Carlo needs at least 2 samples")
    if background is not None and client is not None:
        raise ValueError("background sampling runs in one process (the Brightway project is local)")
    sizes = chunk_sizes(samples, chunk)
    seeds = np.random.SeedSequence(seed).spawn(len(sizes))
    if client is None:
        parts = []
        for s, n in zip(seeds, sizes):
            parts.append(run_chunk(model, s, n, background))
            if progress is not None:
                progress(n)
    else:
        parts = map_chunks(client, run_chunk, model, list(zip(seeds, sizes)), progress)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    static = model.compiled.totals()[0]
    phases = {k.split(":", 1)[1]: v for k, v in cat.items() if k.startswith("phase:")}
    return MonteCarloResult(
        model.compiled.categories, model.labels, cat["inputs"], cat["total"], cat["embodied"], phases, seed, static
    )


def uncertainty_warnings(uncertainty: pd.DataFrame | None) -> list[str]:
    """A warning per category whose static result lies outside the 5-95 % band of the Monte Carlo samples."""
    if uncertainty is None or "static_in_band" not in uncertainty:
        return []
    out = []
    for _, r in uncertainty.iterrows():
        if not bool(r["static_in_band"]):
            side = "below" if r["static"] < r["p5"] else "above"
            unit = r["unit"]
            out.append(
                f"{r['category']}: the static result ({fmt(r['static'], unit)}) lies {side} the 5-95 % "
                f"band of the Monte Carlo samples ({fmt(r['p5'], unit)} to {fmt(r['p95'], unit)}; median "
                f"{fmt(r['p50'], unit)}; "
                f"{r['static_percentile']:.0f} % of the samples are below the static value): its inputs sit "
                "near one end of their ranges"
            )
    return out
