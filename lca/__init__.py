"""ai-lca: life-cycle assessment of AI systems.

>>> import lca
>>> result = lca.run("scenarios/bloom-176b.yaml")      # doctest: +SKIP
>>> result.totals()                                      # doctest: +SKIP

The public names are imported on first use (``import lca`` itself loads no
numerical library), so ``lca --help`` starts in a fraction of a second.
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    ConcurrencyError,
    EngineError,
    InputError,
    InventoryError,
    LcaError,
    ModelError,
    ScaleError,
    SingularSystemError,
    StudyError,
    UnitError,
    UnknownIdError,
)
from .versions import version as _version

__version__ = _version()

# public name -> module that defines it
_LAZY = {
    "run": "lca.pipeline",
    "prepare": "lca.pipeline",
    "Result": "lca.results",
    "Study": "lca.study",
    "load_study": "lca.study",
    "compare": "lca.api",
    "sweep": "lca.api",
    "monte_carlo": "lca.api",
    "sensitivity": "lca.api",
    "report": "lca.api",
    "check": "lca.api",
    "compute_table": "lca.api",
    "write_results": "lca.api",
    "inventory_records": "lca.api",
    "inventory_record": "lca.api",
    "validate_inventory": "lca.api",
    "sweep_size": "lca.api",
    "repair_home": "lca.api",
    "brightway_contents": "lca.api",
    "brightway_clean": "lca.api",
    "extend_method": "lca.api",
    "export": "lca.api",
}

__all__ = [
    "ConcurrencyError",
    "EngineError",
    "InputError",
    "InventoryError",
    "LcaError",
    "ModelError",
    "ScaleError",
    "SingularSystemError",
    "StudyError",
    "UnitError",
    "UnknownIdError",
    "__version__",
    *sorted(_LAZY),
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'lca' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
