"""Sweeps and comparisons over any study parameter, on the compiled study.

A study's ``sweep:`` section lists values of dotted study paths, combined as a
cartesian grid (``mode: cartesian``) or given scenario by scenario
(``cases:``)::

    sweep:
      parameters:
        grid: [US, FR, SE]                 # structural: each value compiled once
        hardware.lifetime: [3 years, 6 years]   # scaling: vectorised
        inference.batch_size: [1, 8, 32]    # structural (goes through the roofline)

Parameters that are continuous inputs of the activity model (numbers that
only enter its arithmetic: lifetime, MFU, power, requests ...) are evaluated
for all scenarios at once; the others (ids, token counts, a field that is
defaulted in the study) split the scenarios into groups, each compiled once. One row per scenario x category: total,
embodied, operational and the total of each phase; for gwp100 also the
market-based total (grid records with a contractual factor, e.g. a PPA or 24/7
carbon-free-energy matching).
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..activity import Note, resolve
from ..errors import StudyError
from ..inventory import CATEGORIES, Registry
from ..study import Study, SweepSpec, study_from_dict
from ..units import CATEGORY_UNITS, split_quantity
from .compiled import compile_study

__all__ = [
    "SweepSpec",
    "scenarios",
    "scenario_set",
    "ScenarioSet",
    "run_sweep",
    "SweepResult",
    "get_path",
    "set_path",
    "MAX_SCENARIOS",
]

MAX_SCENARIOS = 2_000_000  # scenarios of one sweep (its table alone would take gigabytes beyond)
CHUNK = 20_000  # scenarios evaluated at once


def get_path(data: dict, path: str) -> Any:
    """The value at dotted ``path`` of a nested mapping (None if absent)."""
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def set_path(data: dict, path: str, value: Any) -> dict:
    """A copy of ``data`` with the dotted ``path`` set to ``value``."""
    out = copy.deepcopy(data)
    node = out
    keys = path.split(".")
    for key in keys[:-1]:
        if not isinstance(node.get(key), dict):
            node[key] = {}
        node = node[key]
    node[keys[-1]] = value
    return out


@dataclass
class Scenario:
    name: str
    overrides: dict[str, Any]


@dataclass
class ScenarioSet:
    """The scenarios of a sweep as columns: per path, the distinct values and each scenario's code.

    A cartesian sweep of 10^6 scenarios is a few integer arrays, not 10^6
    Python objects; ``codes[p][i] == -1`` when scenario ``i`` leaves ``p`` as the study has it.
    """

    paths: list[str]
    values: dict[str, list[Any]]  # path -> distinct values, in first-seen order
    codes: dict[str, np.ndarray]  # path -> per scenario index into values[path], -1 where not set
    case_names: list[str] | None = None  # cases: their names; cartesian: built from the values

    @property
    def n(self) -> int:
        return len(next(iter(self.codes.values()))) if self.codes else len(self.case_names or [])

    def value(self, path: str, i: int) -> Any:
        return self.values[path][int(self.codes[path][i])]

    def names(self, index: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The name of each scenario at ``index`` (``path=value, ...`` for a cartesian sweep), as an object array."""
        if self.case_names is not None:
            return np.array(self.case_names, dtype=object)[index]
        out = np.full(0, "", dtype=object)
        for j, p in enumerate(self.paths):
            labels = np.array([f"{p}={v}" for v in self.values[p]], dtype=object)
            out = labels[self.codes[p][index]] if j == 0 else out + ", " + labels[self.codes[p][index]]
        return out

    def column(self, path: str, index: np.ndarray | slice = slice(None)) -> np.ndarray:
        """The raw value of ``path`` (None where not set) of each scenario at ``index``, as an object array."""
        table = np.array([*self.values[path], None], dtype=object)
        return table[self.codes[path][index]]  # code -1 takes the trailing None


def scenario_set(spec: SweepSpec) -> ScenarioSet:
    """The scenarios of a sweep, in the order of :func:`scenarios`, as columns."""
    if spec.mode == "cases":
        cases = scenarios(spec)
        paths = list(dict.fromkeys(k for c in cases for k in c.overrides))
        values: dict[str, list[Any]] = {p: [] for p in paths}
        index: dict[str, dict[str, int]] = {p: {} for p in paths}
        codes = {p: np.full(len(cases), -1, dtype=np.int64) for p in paths}
        for i, c in enumerate(cases):
            for p, v in c.overrides.items():
                key = repr(v)
                if key not in index[p]:
                    index[p][key] = len(values[p])
                    values[p].append(v)
                codes[p][i] = index[p][key]
        return ScenarioSet(paths, values, codes, [c.name for c in cases])
    keys = list(spec.parameters)
    shape = tuple(len(spec.parameters[k]) for k in keys)
    grid = np.unravel_index(np.arange(scenario_count(spec)), shape)  # the last parameter varies fastest
    return ScenarioSet(keys, {k: list(spec.parameters[k]) for k in keys}, dict(zip(keys, grid, strict=True)))


def scenario_count(spec: SweepSpec) -> int:
    """How many scenarios the sweep has, without building them; more than :data:`MAX_SCENARIOS` is an error."""
    if spec.mode == "cases":
        return len(spec.cases)
    count = math.prod(len(values) for values in spec.parameters.values())
    if count > MAX_SCENARIOS:
        raise StudyError(
            f"the sweep has {count:,} scenarios, more than {MAX_SCENARIOS:,}",
            field="sweep.parameters",
            hint="sweep fewer values, or split the sweep into several studies",
        )
    return count


def scenarios(spec: SweepSpec) -> list[Scenario]:
    """The scenarios of a sweep, in a stable order."""
    if spec.mode == "cases":
        out = []
        for i, case in enumerate(spec.cases):
            case = dict(case)
            name = str(case.pop("name", f"case-{i + 1}"))
            out.append(Scenario(name, case))
        return out
    columns = scenario_set(spec)
    names = columns.names()
    return [Scenario(str(names[i]), {p: columns.value(p, i) for p in columns.paths}) for i in range(columns.n)]


@dataclass
class SweepResult:
    """The totals of every scenario of a sweep, held as arrays (scenario x category).

    The long table (one row per scenario x category) is built on demand:
    :attr:`table` for all of it, :meth:`rows` for some scenarios and
    :meth:`frames` chunk by chunk, so that 10^6 scenarios are written without
    ever holding their 4 x 10^6 rows.
    """

    scenarios: ScenarioSet
    total: np.ndarray  # scenario x category
    embodied: np.ndarray  # scenario x category
    market: np.ndarray  # per scenario: the market-based gwp100 total
    phases: dict[str, np.ndarray]  # phase -> scenario x category (nan where a variant has no such phase)
    scaling: list[str]  # parameters evaluated by the parameter map
    structural: list[str]  # parameters compiled per value
    groups: int
    # notes of each compiled variant's process graph, by its structural values ("all scenarios" if none)
    notes: dict[str, list[Note]] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.total)

    @property
    def table(self) -> pd.DataFrame:
        """One row per scenario x category (all scenarios: 4 x N rows)."""
        return self.rows(slice(None))

    def ranked(self, category: str = "gwp100") -> np.ndarray:
        """The scenarios' indices from the lowest ``category`` total to the highest (ties in scenario order)."""
        return np.argsort(self.total[:, CATEGORIES.index(category)], kind="stable")

    def frames(self, chunk: int = 25_000) -> Iterator[pd.DataFrame]:
        """The rows of :attr:`table`, ``chunk`` scenarios at a time (the same rows, bounded memory)."""
        for start in range(0, max(self.n, 1), chunk):
            yield self.rows(slice(start, start + chunk))

    def rows(self, index: np.ndarray | slice) -> pd.DataFrame:
        """The rows of the scenarios at ``index``, in that order, built from the arrays (no per-row Python)."""
        total = self.total[index]
        embodied = self.embodied[index]
        n, c = total.shape
        names = self.scenarios.names(index)
        cols: dict[str, Any] = {
            "scenario": _rows_of(np.arange(n), names, c),
            "category": _rows_of(np.arange(c), CATEGORIES, n, tile=True),
            "total": total.ravel(),
            "embodied": embodied.ravel(),
            "operational": (total - embodied).ravel(),
            "unit": _rows_of(np.arange(c), [CATEGORY_UNITS[k] for k in CATEGORIES], n, tile=True),
        }
        is_gwp = np.tile(np.array(CATEGORIES) == "gwp100", n)
        cols["total_market_based"] = np.where(is_gwp, np.repeat(self.market[index], c), np.nan)
        for phase, arr in self.phases.items():
            cols[f"phase:{phase}"] = arr[index].ravel()
        for p in self.scenarios.paths:
            cols[f"param:{p}"] = _rows_of(self.scenarios.codes[p][index], self.scenarios.values[p], c)
        return pd.DataFrame(cols)


def _rows_of(codes: np.ndarray, values: Any, times: int, tile: bool = False) -> Any:
    """A text column of the long table: ``values[codes]`` with each code repeated (or the whole tiled) ``times``.

    A categorical (each distinct value held once: 10^6 scenario names are not
    copied four times); an object column where the values are not distinct.
    """
    per_row = np.tile(codes, times) if tile else np.repeat(codes, times)
    try:
        return pd.Categorical.from_codes(per_row, pd.Index(list(values), dtype=object))
    except ValueError:  # repeated values (two cases of the same name, 1 and 1.0)
        return np.array([*values, None], dtype=object)[per_row]  # code -1 takes the trailing None


def _canonical(value: Any, path: str, study_data: dict, base_path: Any, cache: dict) -> float:
    """The canonical float of a numeric sweep value, as the study schema parses it (cached per value)."""
    key = (path, repr(value))
    if key not in cache:
        if ":" in path:  # an inventory input (kind:id.field): a number in its canonical unit
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise StudyError(
                    f"sweep values of '{path}' are numbers in the inventory's canonical unit",
                    value=value,
                    field=f"sweep.parameters.{path}",
                )
            cache[key] = float(value)
        else:
            study = study_from_dict(set_path(study_data, path, value), path=base_path)
            cache[key] = float(get_path(study.model_dump(mode="json"), path))
    return cache[key]


def run_sweep(
    study: Study,
    spec: SweepSpec | None = None,
    *,
    registry: Registry | None = None,
    progress: Callable[[int], None] | None = None,
) -> SweepResult:
    """Evaluate every scenario of the study's sweep (or of ``spec``)."""
    spec = spec or study.sweep
    if spec is None:
        raise StudyError("the study has no 'sweep' section", hint="add sweep: {parameters: {path: [values]}}")
    registry = registry or Registry(study.inventory_folders())
    base = study.model_dump(exclude_none=True, mode="json")
    base.pop("sweep", None)
    scens = scenario_set(spec)
    paths = scens.paths
    base_activity = resolve(study, registry)
    # inputs of the activity model that only enter arithmetic vary per scenario without recompiling
    scaling = [
        p
        for p in paths
        if p in base_activity.inputs
        and base_activity.inputs[p].continuous
        and bool(np.all(scens.codes[p] >= 0))
        and all(split_quantity(v) is not None for v in scens.values[p])
    ]
    structural = [p for p in paths if p not in scaling]
    if structural:
        keys = np.stack([scens.codes[p] for p in structural], axis=1)
        _uniq, first_seen, inverse = np.unique(keys, axis=0, return_index=True, return_inverse=True)
        order = np.argsort(first_seen)  # groups in the order their first scenario comes
        members_of = [np.flatnonzero(inverse.ravel() == g) for g in order]
    else:
        members_of = [np.arange(scens.n)]
    canonical: dict[tuple[str, str], float] = {}  # unit conversion of each distinct sweep value, once
    notes: dict[str, list[Note]] = {}
    cats = CATEGORIES
    n = scens.n
    total = np.zeros((n, len(cats)))
    embodied = np.zeros((n, len(cats)))
    market = np.full(n, np.nan)
    phases: dict[str, np.ndarray] = {}
    for members in members_of:
        first = int(members[0])
        given = {p: scens.value(p, first) for p in structural if scens.codes[p][first] >= 0}
        data = base
        for p, v in given.items():
            data = set_path(data, p, v)
        variant = study_from_dict(data, path=study.path) if structural else study
        compiled = compile_study(variant, registry)
        missing = [p for p in scaling if p not in compiled.activity.inputs]
        if missing:
            raise StudyError(
                f"'{missing[0]}' is not an input of the study once " + ", ".join(f"{p}={v}" for p, v in given.items()),
                hint="sweep it in 'cases' together with the values it depends on",
            )
        values = {}
        for p in scaling:  # each distinct value converted once, then spread over the scenarios
            canon = np.array([_canonical(v, p, data, study.path, canonical) for v in scens.values[p]])
            values[p] = canon[scens.codes[p][members]]
        for start in range(0, len(members), CHUNK):  # bounded memory: dense matrices per scenario
            idx = members[start : start + CHUNK]
            chunk_values = {p: v[start : start + CHUNK] for p, v in values.items()}
            contrib = compiled.evaluate(chunk_values, size=len(idx))
            total[idx] = sum(c.sum(axis=2) for c in contrib.values())
            embodied[idx] = sum(c[:, :, compiled.embodied].sum(axis=2) for c in contrib.values())
            market[idx] = compiled.market_totals(contrib)
            for phase, c in contrib.items():
                phases.setdefault(phase, np.full((n, len(cats)), np.nan))[idx] = c.sum(axis=2)
        label = ", ".join(f"{p}={v}" for p, v in given.items())
        notes[label or "all scenarios"] = compiled.notes
        if progress is not None:
            progress(len(members))
    return SweepResult(scens, total, embodied, market, phases, scaling, structural, len(members_of), notes)
