"""From a validated study and the inventory registry to its activity data, once.

:func:`resolve` reads every number a study needs — what the study gives, the
defaults it leaves to the inventory, the inventory values of the records it
names — into one table of :class:`~lca.activity.quantity.Quantity` records,
and builds the formulas that turn them into the activity of each phase
(energy per boundary component, hardware time, shares of manufacturing).
:meth:`Activity.evaluate` runs those formulas for the static inputs or for
arrays of scenarios (sweeps, Monte Carlo): the process graph, the compiled
study, sweeps and Monte Carlo all read their numbers here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import InputError, StudyError
from ..inventory import CATEGORIES, Registry
from ..numbers import fmt
from ..study import Study
from .hardware import EmbodiedSpec, resolve_embodied_spec
from .inputs import DerivedSpec, InputTable
from .phases import PhaseActivity, Step, resolve_phase
from .quantity import Note, NoteCode, Quantity, ValueOrigin

__all__ = ["Activity", "UserProcess", "ProcessUse", "resolve"]

STRICT = "__strict__"  # key of the evaluation mode in the values passed to the formulas


@dataclass(frozen=True)
class UserProcess:
    """A user process (inventory kind 'process'): impacts per unit and inputs."""

    ident: str
    name: str
    unit: str
    scope: str
    impacts: dict[str, str]  # category -> quantity name
    inputs: tuple[tuple[str, float], ...]  # (process id or "electricity", amount per unit)


@dataclass(frozen=True)
class ProcessUse:
    """A user process wired into a phase (or the whole life cycle)."""

    process: str
    consumer: str  # phase name or "system"
    amount: str  # quantity: units of the process per unit of the consumer


@dataclass
class Activity:
    """The activity data of a study: structure, inputs, formulas and their static values."""

    study: str
    phases: dict[str, PhaseActivity]
    embodied: dict[str, EmbodiedSpec]
    processes: dict[str, UserProcess]
    uses: list[ProcessUse]
    inputs: dict[str, Quantity]
    derived: dict[str, DerivedSpec]
    notes: list[Note]
    steps: list[Step] = field(repr=False, default_factory=list)
    values: dict[str, Any] = field(repr=False, default_factory=dict)

    # ------------------------------------------------------------ evaluation
    def evaluate(self, overrides: Mapping[str, Any] | None = None, *, strict: bool = True) -> dict[str, Any]:
        """Every quantity for the static inputs, with ``overrides`` (numbers or 1-D arrays) replacing inputs.

        ``strict`` (default) raises on a scenario the hardware cannot run (a
        batch that does not fit, requests beyond the provisioned capacity);
        ``strict=False`` (Monte Carlo samples) runs the largest batch that fits.
        """
        v: dict[str, Any] = {k: q.value for k, q in self.inputs.items()}
        v[STRICT] = strict
        for name, value in (overrides or {}).items():
            if name not in self.inputs:
                raise InputError(
                    f"'{name}' is not an input of this study's activity model",
                    valid=", ".join(sorted(k for k, q in self.inputs.items() if q.continuous)),
                )
            if not self.inputs[name].continuous:
                raise InputError(
                    f"'{name}' fixes the structure of the model: vary it as a structural parameter "
                    "(each value resolved once)"
                )
            v[name] = value
        for step in self.steps:
            step(v)
        return v

    def quantity(self, name: str) -> Quantity:
        """The record of any quantity, input or derived (derived: static value, origin 'derived')."""
        if name in self.inputs:
            return self.inputs[name]
        spec = self.derived[name]
        value = self.values.get(name, math.nan)
        return Quantity(
            name,
            float(value) if np.ndim(value) == 0 else math.nan,
            spec.unit,
            ValueOrigin.DERIVED,
            spec.formula,
            spec.label,
        )

    @property
    def defaults(self) -> list[Quantity]:
        """Every default the study took from the inventory."""
        return [q for q in self.inputs.values() if q.origin == ValueOrigin.DEFAULT]

    @property
    def uncertain(self) -> list[Quantity]:
        """Every input with a distribution or range: the Monte Carlo parameters."""
        return [q for q in self.inputs.values() if q.uncertain and q.continuous]

    def notes_with(self, code: NoteCode) -> list[Note]:
        return [n for n in self.notes if n.code == code]


def resolve(study: Study, registry: Registry) -> Activity:
    """The activity data of ``study``, every value resolved through ``registry`` once."""
    table = InputTable(registry)
    phases: dict[str, PhaseActivity] = {}
    steps: list[Step] = []
    for name, phase in study.phases():
        act, phase_steps = resolve_phase(study, table, name, phase)
        phases[name] = act
        steps += phase_steps
    embodied: dict[str, EmbodiedSpec] = {}
    for act in phases.values():
        for ident in (act.hardware.card_embodied, act.hardware.server_embodied):
            if ident and (act.card_share or act.server_share):
                resolve_embodied_spec(table, ident, embodied)
    processes: dict[str, UserProcess] = {}
    uses: list[ProcessUse] = []
    for i, use in enumerate(study.processes):
        where = study.where("processes", i, "process")
        _user_process(table, use.process, processes, where, electricity=use.phase != "system")
        amount = table.study(
            f"processes[{i}].amount", use.amount, "unit", f"units of '{use.process}' per unit of {use.phase}"
        )
        uses.append(ProcessUse(use.process, use.phase, amount))
    activity = Activity(
        study.name, phases, embodied, processes, uses, table.inputs, table.derived, table.notes.items, steps
    )
    activity.values = activity.evaluate()
    _check_finite(activity, study)
    _summaries(activity, table)
    activity.notes = table.notes.items
    return activity


def _summaries(activity: Activity, table: InputTable) -> None:
    """What the compute model did, in the notes (static values)."""
    v = activity.values
    for name, phase in activity.phases.items():
        c = phase.compute
        if "prompt_tokens" in c:
            batch, fit = v[f"{name}.batch_size"], v[f"{name}.max_batch"]
            devices = v.get(f"{name}.devices", v.get(f"{name}.devices"))
            e = v[f"{name}.energy.accelerators"] * 1000
            table.notes.add(
                NoteCode.MODEL,
                (
                    f"{name} modelled: {c['model']} on {devices:g} x {c['accelerator']} per replica, batch {batch:g} "
                    f"(largest that fits: {fit:g}), {c['prompt_tokens']} + {c['output_tokens']} tokens: "
                    f"{fmt(v[f'{name}.prefill_energy'], 'kWh')} prefill + {fmt(v[f'{name}.decode_energy'], 'kWh')} "
                    f"decode = {fmt(e / 1000, 'kWh')} per request at the accelerators "
                    f"({v[f'{name}.decode_memory_bound']:.0%} of decode steps memory-bound)"
                ),
                name,
            )
        elif "model_flops" in c:
            table.notes.add(
                NoteCode.MODEL,
                (
                    f"{name} modelled: {fmt(c['model_flops'], 'FLOP')} (model FLOPs) on "
                    f"{phase.hardware.accelerator.name or phase.hardware.accelerator.id} at {c['rate']} -> "
                    f"{fmt(v[f'{name}.busy_hours'])} accelerator-hours"
                ),
                name,
            )


def _user_process(
    table: InputTable, ident: str, out: dict[str, UserProcess], where: dict[str, Any], electricity: bool
) -> None:
    """User process ``ident`` and, recursively, its inputs (loops between them are allowed)."""
    if ident in out:
        return
    rec = table.registry.get(ident, "process", **where)
    impacts = {}
    for cat in CATEGORIES:
        value = getattr(rec.impacts, cat)
        if value is not None:
            impacts[cat] = table.inventory("process", ident, cat, value, f"{cat} per {rec.unit} of {rec.name or ident}")
    inputs = tuple((item.input, float(item.amount)) for item in rec.inputs)
    out[ident] = UserProcess(ident, rec.name or rec.id, rec.unit, rec.scope, impacts, inputs)
    for supplier, _amount in inputs:
        if supplier == "electricity":
            if not electricity:
                raise StudyError(f"process '{ident}' uses 'electricity' but is attached to no phase", **where)
        else:
            _user_process(table, supplier, out, where, electricity)


def _check_finite(activity: Activity, study: Study) -> None:
    for name in activity.derived:
        value = activity.values.get(name)
        if value is None or isinstance(value, str):
            continue
        arr = np.asarray(value, dtype=float)
        if not np.all(np.isfinite(arr)) or np.any(arr < 0):
            spec = activity.derived[name]
            raise StudyError(
                f"the study gives a {'negative' if np.any(arr < 0) else 'non-finite'} "
                f"{spec.label} ({name} = {spec.formula})",
                value=float(np.ravel(arr)[0]),
                **study.where(name.split(".")[0]),
            )
