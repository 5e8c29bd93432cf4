"""ai-lca: life-cycle assessment of AI systems.

>>> import lca
>>> result = lca.run("scenarios/bloom-176b.yaml")      # doctest: +SKIP
>>> result.totals()                                      # doctest: +SKIP
"""

from importlib.metadata import PackageNotFoundError, version

from .errors import (
    EngineError,
    InputError,
    InventoryError,
    LcaError,
    ModelError,
    SingularSystemError,
    StudyError,
    UnitError,
    UnknownIdError,
)
from .pipeline import prepare, run
from .results import Result
from .study import Study, load_study

try:
    __version__ = version("ai-lca")
except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
    __version__ = "0.0.0+local"

__all__ = [
    "EngineError",
    "InputError",
    "InventoryError",
    "LcaError",
    "ModelError",
    "Result",
    "SingularSystemError",
    "Study",
    "StudyError",
    "UnitError",
    "UnknownIdError",
    "__version__",
    "load_study",
    "prepare",
    "run",
]
