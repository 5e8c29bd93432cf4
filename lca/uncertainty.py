"""Monte Carlo and sensitivity on a compiled study.

What is sampled:

* every matrix entry whose inventory value carries a distribution (PUE, WUE,
  grid factors, embodied impacts and their published spread ...), entry =
  sample x (entry / value), so shared values move together within a sample;
* the defaults the study took from the inventory with a distribution
  (hardware lifetime and utilisation of the server record, the training MFU),
  through the compiled study's parameter map.

Samples are drawn in chunks; chunk ``i`` uses the ``i``-th child of
``numpy.random.SeedSequence(seed)``, so a run is reproducible for a given seed
and chunk size whatever executes the chunks (one process or a Dask cluster).
Distributions follow stats_arrays: ``lognormal`` has median ``value`` and
``sigma = ln(gsd)`` (or the range read as its 95 % interval); ``normal`` mean
``value``; ``triangular`` mode ``value``; ``uniform`` over the range.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .engine.compiled import CompiledStudy, compile_study
from .inventory import Value

__all__ = [
    "sample_value",
    "UncertainModel",
    "build_model",
    "run_chunk",
    "monte_carlo",
    "MonteCarloResult",
    "tornado",
    "rank_correlation",
    "sobol",
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


@dataclass
class UncertainModel:
    """A compiled study and what Monte Carlo samples in it."""

    compiled: CompiledStudy
    parameters: dict[str, Value] = field(default_factory=dict)  # scaling parameter -> distribution
    labels: list[str] = field(default_factory=list)  # one per sampled input (entries, then parameters)

    @property
    def inputs(self) -> int:
        return len(self.compiled.uncertain) + len(self.parameters)


def build_model(study: Any, registry: Any = None, home: Any = None, brightway_dir: Any = None) -> UncertainModel:
    """Compile ``study`` with every default parameter that has a distribution."""
    from .graph import build_graph
    from .inventory import Registry

    registry = registry or Registry(study.inventory_folders())
    graph = build_graph(study, registry)
    defaults: dict[str, Value] = {k: v for k, v in graph.graph.get("defaults", {}).items()
                                  if v is not None and v.distribution is not None}
    data = study.model_dump(exclude_none=True, mode="json")
    from .engine.compiled import set_path

    for name, value in defaults.items():
        data = set_path(data, name, value.value)
    from .study import study_from_dict

    explicit = study_from_dict(data, path=study.path)
    compiled = compile_study(explicit, registry, parameters=sorted(defaults), home=home,
                             brightway_dir=brightway_dir)
    labels = [e["label"] for e in compiled.uncertain] + sorted(defaults)
    return UncertainModel(compiled, {k: defaults[k] for k in sorted(defaults)}, labels)


def draw_inputs(model: UncertainModel, rng: np.random.Generator, size: int) -> np.ndarray:
    """Sampled inputs (size x inputs): entry values, then parameter values."""
    cols = [sample_value(e["value"], rng, size) for e in model.compiled.uncertain]
    cols += [sample_value(v, rng, size) for v in model.parameters.values()]
    return np.column_stack(cols) if cols else np.zeros((size, 0))


def evaluate_inputs(model: UncertainModel, inputs: np.ndarray, h: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Contributions per phase (size x c x n) for given sampled inputs (and background ``h``)."""
    c = model.compiled
    size = inputs.shape[0]
    k = len(c.uncertain)
    values = {name: inputs[:, k + i] for i, name in enumerate(model.parameters)}
    a, b = c.matrices(values, size)
    for j, e in enumerate(c.uncertain):
        ratio = inputs[:, j] / e["value"].value  # the entry moves with its inventory value
        target = a if e["matrix"] == "A" else b
        target[:, e["row"], e["col"]] *= ratio
    return c.solve(a, b, h)


def run_chunk(model: UncertainModel, seed_seq: np.random.SeedSequence, size: int,
              background: Any = None) -> dict[str, np.ndarray]:
    """One chunk of Monte Carlo: inputs and outputs (totals, embodied, per phase).

    ``background``: a :class:`~lca.engine.background_mc.BackgroundSampler`
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
        from .units import CATEGORY_UNITS

        rows = []
        for k, cat in enumerate(self.categories):
            x = self.total[:, k]
            rows.append({"category": cat, "static": float(self.static[k]), "mean": float(x.mean()),
                         "sd": float(x.std(ddof=1)) if len(x) > 1 else 0.0,
                         "p2.5": float(np.percentile(x, 2.5)), "p50": float(np.percentile(x, 50)),
                         "p97.5": float(np.percentile(x, 97.5)), "samples": len(x), "unit": CATEGORY_UNITS[cat]})
        return pd.DataFrame(rows)

    def convergence(self, steps: int = 10) -> pd.DataFrame:
        """Running mean and 95 % interval half-width of the mean, by number of samples."""
        rows = []
        n = len(self.total)
        for m in sorted({max(2, int(n * (i + 1) / steps)) for i in range(steps)}):
            for k, cat in enumerate(self.categories):
                x = self.total[:m, k]
                rows.append({"samples": m, "category": cat, "mean": float(x.mean()),
                             "ci95_half_width": float(1.96 * x.std(ddof=1) / math.sqrt(m))})
        return pd.DataFrame(rows)


def monte_carlo(
    model: UncertainModel,
    samples: int,
    seed: int = 42,
    chunk: int = 2000,
    client: Any = None,
    progress: Any = None,
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
        from .parallel import map_chunks

        parts = map_chunks(client, model, list(zip(seeds, sizes)), progress)
    cat = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    static = model.compiled.totals()[0]
    phases = {k.split(":", 1)[1]: v for k, v in cat.items() if k.startswith("phase:")}
    return MonteCarloResult(model.compiled.categories, model.labels, cat["inputs"], cat["total"], cat["embodied"],
                            phases, seed, static)


# ---------------------------------------------------------------- sensitivity

def tornado(model: UncertainModel) -> pd.DataFrame:
    """One-at-a-time: each input at the low and high end of its range, the others at base."""
    base_inputs = _base_inputs(model)
    base = _totals(model, base_inputs[None, :])[0]
    rows = []
    values = [e["value"] for e in model.compiled.uncertain] + list(model.parameters.values())
    for j, (label, value) in enumerate(zip(model.labels, values)):
        lo, hi = value.bounds
        x = np.repeat(base_inputs[None, :], 2, axis=0)
        x[0, j], x[1, j] = lo, hi
        t = _totals(model, x)
        for k, cat in enumerate(model.compiled.categories):
            rows.append({"input": label, "category": cat, "low_value": lo, "high_value": hi,
                         "total_at_low": float(t[0, k]), "total_at_high": float(t[1, k]), "base": float(base[k]),
                         "swing": float(abs(t[1, k] - t[0, k]))})
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


def sobol(model: UncertainModel, samples: int = 1024, seed: int = 42) -> pd.DataFrame:
    """First-order and total Sobol indices (Saltelli 2010 / Jansen estimators), per category.

    ``samples x (inputs + 2)`` model evaluations; the compiled study makes
    that cheap. Indices of inputs that do not move a category are 0.
    """
    d = model.inputs
    rng_a, rng_b = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    a = draw_inputs(model, rng_a, samples)
    b = draw_inputs(model, rng_b, samples)
    ya, yb = _totals(model, a), _totals(model, b)
    var = np.var(np.concatenate([ya, yb]), axis=0, ddof=1)
    rows = []
    for j in range(d):
        ab = a.copy()
        ab[:, j] = b[:, j]
        yab = _totals(model, ab)
        for k, cat in enumerate(model.compiled.categories):
            if var[k] <= 0:
                s1 = st = 0.0
            else:
                s1 = float(np.mean(yb[:, k] * (yab[:, k] - ya[:, k])) / var[k])
                st = float(0.5 * np.mean((ya[:, k] - yab[:, k]) ** 2) / var[k])
            rows.append({"input": model.labels[j], "category": cat, "first_order": s1, "total_order": st})
    return pd.DataFrame(rows)


def _base_inputs(model: UncertainModel) -> np.ndarray:
    vals = [e["value"].value for e in model.compiled.uncertain] + [v.value for v in model.parameters.values()]
    return np.array(vals, dtype=float)


def _totals(model: UncertainModel, inputs: np.ndarray) -> np.ndarray:
    contrib = evaluate_inputs(model, inputs)
    return sum(v.sum(axis=2) for v in contrib.values())
