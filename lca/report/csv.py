"""CSV export of the tidy impact table."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .atomic import atomic_path

__all__ = ["write_csv"]


def write_csv(table: pd.DataFrame, target: Path | str) -> Path:
    """Write ``table`` to ``target`` atomically; floats keep full precision (repr)."""
    with atomic_path(target) as tmp:
        table.to_csv(tmp, index=False, float_format=None, lineterminator="\n")
    return Path(target)
