"""Hourly profiles: a grid's carbon intensity by hour, a workload's load by hour.

A profile is a CSV file with an ``hour`` column (0-based) and one value
column: ``gwp100 [kg CO2e/kWh]`` (or another unit of carbon intensity) for a
grid, ``load`` (any non-negative weights) for a workload. Profiles have 24
(a typical day) or 8760 (a year) rows. The load-weighted intensity is

    CI_eff = sum_h load_h * CI_(h mod n) / sum_h load_h
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..units import convert
from ..yamlio import read_text

__all__ = ["read_profile", "weighted_intensity"]

_HEADER = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?:\[(.*)\])?\s*$")


def read_profile(path: Path, column: str, unit: str | None) -> np.ndarray:
    """Values of ``column`` (converted to ``unit`` when given), ordered by hour."""
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    header = [(_HEADER.match(c) or None) for c in rows[0]]
    names = [m.group(1) if m else c for m, c in zip(header, rows[0])]
    if "hour" not in names or column not in names:
        raise InputError(
            f"a profile needs the columns 'hour' and '{column}'",
            file=path,
            line=1,
            hint="the first line must name them, e.g. hour,load",
        )
    h_i, v_i = names.index("hour"), names.index(column)
    match = header[v_i]
    src_unit = match.group(2) if match is not None and match.group(2) else None
    values: dict[int, float] = {}
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        try:
            hour, value = int(row[h_i]), float(row[v_i])
        except (ValueError, IndexError):
            raise InputError("not a number in the hour or value column", file=path, line=n) from None
        if not math.isfinite(value) or value < 0:
            raise InputError("profile values must be finite and non-negative", file=path, line=n, value=value)
        if hour in values:
            raise InputError(f"hour {hour} appears twice", file=path, line=n)
        values[hour] = value
    if sorted(values) != list(range(len(values))) or len(values) not in (24, 8760):
        raise InputError("a profile has hours 0..23 or 0..8759, each once", file=path, value=f"{len(values)} hours")
    out = np.array([values[h] for h in range(len(values))])
    if unit is not None and src_unit is not None:
        out = out * convert(1.0, src_unit, unit)
    return out


def weighted_intensity(intensity: np.ndarray, load: np.ndarray) -> float:
    """Load-weighted mean of an hourly intensity (profiles of 24 or 8760 hours) [unit of intensity]."""
    n = max(len(intensity), len(load))
    ci = np.resize(intensity, n) if len(intensity) == 24 else intensity
    ld = np.resize(load, n) if len(load) == 24 else load
    total = float(ld.sum())
    if total <= 0:
        raise ValueError("the load profile sums to zero")
    return float((ci * ld).sum() / total)


def read_histogram(path: Path) -> tuple[list[float], list[float]]:
    """Bin edges and weights of a request-length histogram file [token].

    A CSV with the columns ``from``, ``to`` (token counts, each bin ``[from, to)``,
    bins adjacent and increasing) and ``weight`` (requests or a share; >= 0, not
    all 0) — for instance counted from a serving trace.
    """
    text = read_text(path)
    rows = list(csv.reader(io.StringIO(text)))
    names = [c.strip() for c in rows[0]] if rows else []
    if not {"from", "to", "weight"} <= set(names):
        raise InputError(
            "a length histogram needs the columns 'from', 'to' and 'weight'",
            file=path,
            line=1,
            hint="the first line must name them, e.g. from,to,weight",
        )
    f_i, t_i, w_i = names.index("from"), names.index("to"), names.index("weight")
    edges: list[float] = []
    weights: list[float] = []
    for n, row in enumerate(rows[1:], start=2):
        if not row or not any(c.strip() for c in row):
            continue
        try:
            low, high, weight = float(row[f_i]), float(row[t_i]), float(row[w_i])
        except (ValueError, IndexError):
            raise InputError("not a number in the from, to or weight column", file=path, line=n) from None
        if not all(math.isfinite(x) for x in (low, high, weight)) or weight < 0 or low < 1 or high <= low:
            raise InputError("a bin needs 1 <= from < to and a weight >= 0", file=path, line=n, value=row)
        if edges and low != edges[-1]:
            raise InputError("bins must be adjacent and increasing: this bin's 'from' is not the last 'to'",
                             file=path, line=n, value=low)  # fmt: skip
        if not edges:
            edges.append(low)
        edges.append(high)
        weights.append(weight)
    if not weights or sum(weights) <= 0:
        raise InputError("a length histogram needs at least one bin with a weight above 0", file=path)
    return edges, weights
