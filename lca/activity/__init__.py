"""The activity layer: a study and the inventory turned into activity data, every value with its origin.

Imports point one way: this package reads ``lca.study``, ``lca.inventory``,
``lca.compute`` and ``lca.embodied``; the process graph, the engine and the
analyses read it.
"""

from .hardware import EmbodiedSpec, Hardware
from .inputs import DerivedSpec
from .model import Activity, ProcessUse, UserProcess, resolve
from .phases import DEFAULT_DATACENTER, PhaseActivity, Site
from .quantity import COMPONENT_LABELS, NARROW, Component, Note, NoteCode, Quantity, ValueOrigin

__all__ = [
    "Activity",
    "COMPONENT_LABELS",
    "Component",
    "DEFAULT_DATACENTER",
    "DerivedSpec",
    "EmbodiedSpec",
    "Hardware",
    "NARROW",
    "Note",
    "NoteCode",
    "PhaseActivity",
    "ProcessUse",
    "Quantity",
    "Site",
    "UserProcess",
    "ValueOrigin",
    "resolve",
]
