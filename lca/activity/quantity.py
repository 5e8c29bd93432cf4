"""Resolved values: every number a study uses, with its unit, origin, source and range.

A :class:`Quantity` is what the activity layer hands to the process graph,
the reports, provenance and Monte Carlo: one record per number, so that a
default is never a bare float. Its ``name`` is the key of the number in the
activity model:

* a study field (given, or defaulted) by its dotted path: ``hardware.lifetime``,
  ``training.mfu``, ``inference.batch_size``;
* an inventory value by ``kind:id.field``: ``grid:US.gwp100``,
  ``datacenter:dc-li2023-us-average.pue``, ``embodied:boavizta-h100-sxm.adpe``;
* a model parameter that stands for no single study field by
  ``parameter:id``: ``parameter:default-idle-power-fraction``;
* a derived value by the phase and what it is: ``inference.accelerator_energy``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..inventory.schema import Value

__all__ = ["ValueOrigin", "Quantity", "NoteCode", "Note", "Component", "COMPONENT_LABELS"]


class ValueOrigin(StrEnum):
    """Where a number came from."""

    INPUT = "input"  # written in the study
    MEASURED = "measured"  # a measurement the study reports (energy, power, CodeCarbon)
    DEFAULT = "default"  # taken from the inventory because the study left it out
    INVENTORY = "inventory"  # a value of an inventory record the study names (grid, datacenter ...)
    DERIVED = "derived"  # computed from other quantities


@dataclass(frozen=True)
class Quantity:
    """One number of the activity model.

    Attributes
    ----------
    name : str
        Key in the activity model (see the module docstring).
    value : float
        Value in ``unit`` (canonical).
    unit : str
        Canonical unit ("" for fractions and counts).
    origin : ValueOrigin
    source : str
        Where it is from: the study field, the inventory record id, or the
        formula for a derived value.
    citation : str or None
        The publication or dataset behind an inventory value or default.
    label : str
        What it is, for people.
    record : Value or None
        The cited inventory value whose range/distribution Monte Carlo samples.
    continuous : bool
        True when the number only enters arithmetic (it can vary per scenario
        without rebuilding the process graph).
    """

    name: str
    value: float
    unit: str
    origin: ValueOrigin
    source: str
    label: str = ""
    citation: str | None = None
    record: Value | None = None
    continuous: bool = True

    @property
    def distribution(self) -> str | None:
        """The Monte Carlo distribution: the record's, or triangular over a range without one."""
        if self.record is None:
            return None
        if self.record.distribution is not None:
            return self.record.distribution
        return "triangular" if self.record.range is not None and self.record.range[0] < self.record.range[1] else None

    @property
    def uncertain(self) -> bool:
        return self.distribution is not None

    @property
    def range(self) -> tuple[float, float] | None:
        """(min, max) of the record: its range or the 95 % interval of its distribution."""
        if self.record is None:
            return None
        lo, hi = self.record.bounds
        return None if lo == hi else (lo, hi)

    def sampling_value(self) -> Value:
        """The inventory value Monte Carlo draws from (triangular over a bare range)."""
        if self.record is None:
            raise ValueError(f"{self.name} has no distribution")
        if self.record.distribution is None and self.distribution == "triangular":
            return self.record.model_copy(update={"distribution": "triangular"})
        return self.record

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able form (provenance, reports)."""
        rng = self.range
        return {
            "name": self.name,
            "label": self.label,
            "value": self.value if math.isfinite(self.value) else None,
            "unit": self.unit,
            "origin": str(self.origin),
            "source": self.source,
            "citation": self.citation,
            "range": list(rng) if rng else None,
            "distribution": self.distribution,
        }


class NoteCode(StrEnum):
    """What a modelling note is about (reports select notes by code, never by wording)."""

    GAP = "gap"  # an impact or a boundary component is left out
    DEFAULT = "default"  # a default was used
    MODEL = "model"  # a summary of what the compute model did
    LINK = "link"  # a process replaced by a background activity
    INFO = "info"  # anything else worth reporting


@dataclass(frozen=True)
class Note:
    code: NoteCode
    text: str
    subject: str | None = None  # the phase, category or record the note is about

    def __str__(self) -> str:
        return self.text

    def to_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "text": self.text, "subject": self.subject}

    @classmethod
    def from_dict(cls, data: Any) -> Note:
        """A note read back from provenance (plain text: an 'info' note)."""
        if isinstance(data, str):
            return cls(NoteCode.INFO, data)
        return cls(NoteCode(data.get("code", "info")), str(data.get("text", "")), data.get("subject"))


class Component(StrEnum):
    """Boundary components of a phase: the first-tier processes of its system."""

    ACCELERATORS = "accelerators"
    HOST = "host"
    IDLE = "idle"
    IT = "it"  # accelerators + host measured together
    OVERHEAD = "overhead"
    EMBODIED = "embodied"
    OTHER = "other"


COMPONENT_LABELS: dict[Component, str] = {
    Component.ACCELERATORS: "accelerators in use",
    Component.HOST: "host (CPU, memory, network, fans)",
    Component.IDLE: "idle and provisioned capacity",
    Component.IT: "IT equipment, measured together (accelerators + host)",
    Component.OVERHEAD: "datacenter overhead (PUE - 1: cooling, power distribution)",
    Component.EMBODIED: "hardware manufacturing (embodied)",
    Component.OTHER: "other processes",
}

#: The components of the narrow ("active accelerators only") boundary.
NARROW = frozenset({Component.ACCELERATORS})


@dataclass
class Notes:
    """An ordered, de-duplicated list of notes."""

    items: list[Note] = field(default_factory=list)

    def add(self, code: NoteCode, text: str, subject: str | None = None) -> None:
        if all(n.text != text for n in self.items):
            self.items.append(Note(code, text, subject))
