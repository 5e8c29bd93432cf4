"""The process graph: activity data wired into processes and exchanges (no arithmetic)."""

from .build import add_exchange, add_process, build_graph, phase_components
from .model import GHG_ROLE, NodeKind, PhaseRef, ProcessGraph

__all__ = [
    "GHG_ROLE",
    "NodeKind",
    "PhaseRef",
    "ProcessGraph",
    "add_exchange",
    "add_process",
    "build_graph",
    "phase_components",
]
