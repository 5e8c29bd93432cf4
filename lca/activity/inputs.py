"""The table of every number a study's activity model reads, each recorded once."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ..inventory import Registry, Value
from .quantity import NoteCode, Notes, Quantity, ValueOrigin

__all__ = ["InputTable", "DerivedSpec"]


@dataclass(frozen=True)
class DerivedSpec:
    """What a derived quantity is: unit, label and the formula that gives it."""

    name: str
    unit: str
    label: str
    formula: str


@dataclass
class InputTable:
    """Inputs (study values, defaults, inventory values) and the specs of derived quantities."""

    registry: Registry
    notes: Notes = field(default_factory=Notes)
    inputs: dict[str, Quantity] = field(default_factory=dict)
    derived: dict[str, DerivedSpec] = field(default_factory=dict)

    def add(self, q: Quantity) -> str:
        old = self.inputs.get(q.name)
        if old is not None and (old.value != q.value or old.origin != q.origin):
            raise ValueError(f"input {q.name!r} resolved twice with different values")  # pragma: no cover
        self.inputs[q.name] = q
        return q.name

    def study(
        self, name: str, value: float, unit: str, label: str, *, measured: bool = False, continuous: bool = True
    ) -> str:
        """A value written in the study, at the dotted study path ``name``."""
        origin = ValueOrigin.MEASURED if measured else ValueOrigin.INPUT
        return self.add(Quantity(name, float(value), unit, origin, f"study field {name}", label, continuous=continuous))

    def inventory(
        self, kind: str, ident: str, fieldname: str, value: Value, label: str, *, name: str | None = None
    ) -> str:
        """A value of inventory record ``ident`` (``kind:id.field``)."""
        key = name or f"{kind}:{ident}.{fieldname}"
        return self.add(
            Quantity(
                key,
                float(value.value),
                _unit(value),
                ValueOrigin.INVENTORY,
                f"inventory {kind} '{ident}', field {fieldname}",
                label,
                citation=value.source,
                record=value,
            )
        )

    def default(self, name: str, param: str, label: str, *, where: dict[str, Any] | None = None) -> str:
        """Study field ``name`` left out: the inventory default ``param`` (kind 'parameter')."""
        rec = self.registry.get(param, "parameter", **(where or {}))
        value = rec.value
        self.notes.add(
            NoteCode.DEFAULT, f"{label}: default {_show(value.value, value.unit)} ({param}; {value.source})", name
        )
        return self.add(
            Quantity(
                name,
                float(value.value),
                _unit(value),
                ValueOrigin.DEFAULT,
                f"inventory parameter '{param}'",
                label,
                citation=value.source,
                record=value,
            )
        )

    def record_default(self, name: str, kind: str, ident: str, fieldname: str, value: Value, label: str) -> str:
        """Study field ``name`` left out: the value of record ``ident``'s ``fieldname``."""
        self.notes.add(
            NoteCode.DEFAULT,
            f"{label}: default {_show(value.value, value.unit)} of {kind} '{ident}' ({value.source})",
            name,
        )
        return self.add(
            Quantity(
                name,
                float(value.value),
                _unit(value),
                ValueOrigin.DEFAULT,
                f"inventory {kind} '{ident}', field {fieldname}",
                label,
                citation=value.source,
                record=value,
            )
        )

    def parameter(self, param: str, label: str) -> str:
        """A model parameter that stands for no single study field (``parameter:id``)."""
        rec = self.registry.get(param, "parameter")
        return self.add(
            Quantity(
                f"parameter:{param}",
                float(rec.value.value),
                _unit(rec.value),
                ValueOrigin.DEFAULT,
                f"inventory parameter '{param}'",
                label,
                citation=rec.value.source,
                record=rec.value,
            )
        )

    def derive(self, name: str, unit: str, label: str, formula: str) -> str:
        self.derived[name] = DerivedSpec(name, unit, label, formula)
        return name

    def value(self, name: str) -> float:
        return self.inputs[name].value


def _unit(value: Value) -> str:
    return value.unit


def _show(value: float, unit: str) -> str:
    if unit == "h" and value >= 8766:
        return f"{value / 8766:.3g} years"
    if unit == "" and 0 < value <= 1:
        return f"{value:.3g}"
    text = f"{value:.4g}" if abs(value) < 1e5 or value == 0 or not math.isfinite(value) else f"{value:,.0f}"
    return f"{text} {unit}".strip()
