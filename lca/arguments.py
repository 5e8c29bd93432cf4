"""Checks of the keyword arguments of the Python API (``lca.run``, ``lca.monte_carlo`` ...).

The command line checks its options with argparse; a notebook passes Python
values straight in. Each check here turns a value of the wrong type or range
into an :class:`~lca.errors.InputError` naming the argument, instead of a
``TypeError`` from deep inside numpy or pathlib.
"""

from __future__ import annotations

import numbers
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import InputError

__all__ = ["whole_number", "sample_count", "seed_value", "folder", "folders", "category_names"]


def whole_number(name: str, value: Any, minimum: int | None = None) -> int:
    """``value`` as an int (never a bool or a float), at least ``minimum`` when given."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} must be a whole number", value=value, valid=f"an int, e.g. {name}=1000")
    if minimum is not None and value < minimum:
        raise InputError(f"{name} must be at least {minimum}", value=value)
    return int(value)


def sample_count(value: Any, *, minimum: int = 2, none_allowed: bool = False) -> int:
    """A number of Monte Carlo samples: at least ``minimum``, or 0 where ``none_allowed``."""
    n = whole_number("samples", value)
    if n == 0 and none_allowed:
        return 0
    if n < minimum:
        valid = f"0 (none) or at least {minimum}" if none_allowed else f"at least {minimum}"
        raise InputError(f"Monte Carlo needs at least {minimum} samples", value=value, valid=valid)
    return n


def seed_value(value: Any) -> int:
    """A seed for numpy's generators: a whole number ≥ 0."""
    n = whole_number("seed", value)
    if n < 0:
        raise InputError("seed must be 0 or more", value=value)
    return n


def folder(name: str, value: Any) -> str | os.PathLike | None:
    """A path argument: None, text or a path."""
    if value is None or isinstance(value, str | os.PathLike):
        return value
    raise InputError(f"{name} must be a folder path (text or pathlib.Path)", value=value)


def folders(name: str, value: Any) -> list[Path]:
    """Folders: one path, or an iterable of paths."""
    if isinstance(value, str | os.PathLike):
        return [Path(value)]
    if not isinstance(value, Iterable):
        raise InputError(f"{name} must be a folder path or a list of them", value=value)
    out = []
    for item in value:
        if not isinstance(item, str | os.PathLike):
            raise InputError(f"{name} must be a folder path or a list of them", value=item)
        out.append(Path(item))
    return out


def category_names(value: Any) -> list[str] | None:
    """Impact categories: None (all), one name, or names."""
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    if not isinstance(value, Iterable):
        raise InputError("categories must be a category name or a list of them", value=value)
    return [str(c) for c in value]
