"""Inventory layer: typed, cited records and the registry that resolves ids."""

from .loader import Origin, load_file
from .registry import Entry, Registry, bundled_folder, iter_values
from .schema import (
    CATEGORIES,
    AcceleratorRecord,
    DatacenterRecord,
    EmbodiedImpacts,
    EmbodiedRecord,
    GridRecord,
    MethodRecord,
    ProcessRecord,
    ServerRecord,
    Value,
)

__all__ = [
    "CATEGORIES",
    "AcceleratorRecord",
    "DatacenterRecord",
    "EmbodiedImpacts",
    "EmbodiedRecord",
    "Entry",
    "GridRecord",
    "MethodRecord",
    "Origin",
    "ProcessRecord",
    "Registry",
    "ServerRecord",
    "Value",
    "bundled_folder",
    "iter_values",
    "load_file",
]
