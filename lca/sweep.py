"""Sweeps and comparisons over any study parameter, on the compiled study.

A study's ``sweep:`` section lists values of dotted study paths, combined as a
cartesian grid (``mode: cartesian``) or given scenario by scenario
(``cases:``)::

    sweep:
      parameters:
        grid: [US, FR, SE]                 # structural: each value compiled once
        hardware.lifetime: [3 years, 6 years]   # scaling: vectorised
        inference.batch_size: [1, 8, 32]    # structural (goes through the roofline)

Parameters whose matrix entries follow a power law of their value are
evaluated for all scenarios at once; the others split the scenarios into
groups, each compiled once. One row per scenario x category: total,
embodied, operational and the total of each phase; for gwp100 also the
market-based total (grid records with a contractual factor, e.g. a PPA or 24/7
carbon-free-energy matching).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .engine.compiled import compile_study, get_path, set_path
from .errors import StudyError
from .inventory import Registry
from .study import SweepSpec
from .units import CATEGORY_UNITS, split_quantity

__all__ = ["SweepSpec", "scenarios", "run_sweep", "SweepResult"]


@dataclass
class Scenario:
    name: str
    overrides: dict[str, Any]


def scenarios(spec: SweepSpec) -> list[Scenario]:
    """The scenarios of a sweep, in a stable order."""
    if spec.mode == "cases":
        out = []
        for i, case in enumerate(spec.cases):
            case = dict(case)
            name = str(case.pop("name", f"case-{i + 1}"))
            out.append(Scenario(name, case))
        return out
    keys = list(spec.parameters)
    out = []
    for combo in itertools.product(*(spec.parameters[k] for k in keys)):
        overrides = dict(zip(keys, combo))
        out.append(Scenario(", ".join(f"{k}={v}" for k, v in overrides.items()), overrides))
    return out


@dataclass
class SweepResult:
    table: pd.DataFrame  # scenario x category rows
    scaling: list[str]  # parameters evaluated by the parameter map
    structural: list[str]  # parameters compiled per value
    groups: int
    # notes of each compiled variant's process graph, by its structural values ("all scenarios" if none)
    notes: dict[str, list[str]] = field(default_factory=dict)


def _numeric(value: Any) -> bool:
    return split_quantity(value) is not None


def _canonical(value: Any, path: str, study_data: dict, base_path: Any, cache: dict) -> float:
    """The canonical float of a numeric sweep value, as the study schema parses it (cached per value)."""
    key = (path, repr(value))
    if key not in cache:
        from .study import study_from_dict

        study = study_from_dict(set_path(study_data, path, value), path=base_path)
        cache[key] = float(get_path(study.model_dump(mode="json"), path))
    return cache[key]


def run_sweep(
    study: Any,
    spec: SweepSpec | None = None,
    *,
    registry: Registry | None = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Evaluate every scenario of the study's sweep (or of ``spec``)."""
    spec = spec or getattr(study, "sweep", None)
    if spec is None:
        raise StudyError("the study has no 'sweep' section", hint="add sweep: {parameters: {path: [values]}}")
    registry = registry or Registry(study.inventory_folders())
    base = study.model_dump(exclude_none=True, mode="json")
    base.pop("sweep", None)
    scens = scenarios(spec)
    paths = list(dict.fromkeys(k for s in scens for k in s.overrides))
    # classify: numeric paths that compile as power laws are scaling parameters
    scaling: list[str] = []
    for path in paths:
        values = [s.overrides[path] for s in scens if path in s.overrides]
        if all(_numeric(v) for v in values) and all(path in s.overrides for s in scens):
            probe = set_path(base, path, values[0])
            try:
                from .study import study_from_dict

                compile_study(study_from_dict(probe, path=study.path), registry, parameters=[path])
                scaling.append(path)
            except StudyError:
                pass
    structural = [p for p in paths if p not in scaling]
    groups: dict[tuple, list[int]] = {}
    for i, s in enumerate(scens):
        key = tuple((p, repr(s.overrides.get(p))) for p in structural)
        groups.setdefault(key, []).append(i)
    rows: list[dict[str, Any]] = [{} for _ in scens]
    notes: dict[str, list[str]] = {}
    canonical: dict[tuple[str, str], float] = {}  # unit conversion of each distinct sweep value, once
    from .study import study_from_dict

    for members in groups.values():
        first = scens[members[0]]
        data = base
        for p in structural:
            if p in first.overrides:
                data = set_path(data, p, first.overrides[p])
        for p in scaling:
            data = set_path(data, p, _canonical(first.overrides[p], p, data, study.path, canonical))
        variant = study_from_dict(data, path=study.path)
        compiled = compile_study(variant, registry, parameters=scaling)
        values = {p: np.array([_canonical(scens[i].overrides[p], p, data, study.path, canonical) for i in members])
                  for p in scaling}
        contrib = compiled.evaluate(values, size=len(members))
        label = ", ".join(f"{p}={first.overrides[p]}" for p in structural if p in first.overrides)
        notes[label or "all scenarios"] = compiled.notes
        for j, i in enumerate(members):
            for k, cat in enumerate(compiled.categories):
                total = sum(float(c[j, k].sum()) for c in contrib.values())
                emb = sum(float(c[j, k, compiled.embodied].sum()) for c in contrib.values())
                row = {"scenario": scens[i].name, "category": cat, "total": total, "embodied": emb,
                       "operational": total - emb, "unit": CATEGORY_UNITS[cat]}
                if cat == "gwp100":  # GHG Protocol scope 2 with contractual (market-based) grid factors
                    row["total_market_based"] = sum(float(c[j, k] @ compiled.market_ratio) for c in contrib.values())
                for phase, c in contrib.items():
                    row[f"phase:{phase}"] = float(c[j, k].sum())
                row.update({f"param:{p}": scens[i].overrides.get(p) for p in paths})
                rows[i].setdefault("rows", []).append(row)
        if progress is not None:
            progress(len(members))
    table = pd.DataFrame([r for block in rows for r in block["rows"]])
    return SweepResult(table, scaling, structural, len(groups), notes)
