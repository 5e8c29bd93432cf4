"""The environment variables ai-lca reads, each checked where it is read.

A variable that is set but malformed is an error naming it, never silently
replaced by the default (the reproducible-builds rule for
``SOURCE_DATE_EPOCH``, applied to every variable).
"""

from __future__ import annotations

import datetime as dt
import math
import os

from .errors import InputError

__all__ = ["check_environment", "lock_timeout_s", "source_date", "LOCK_TIMEOUT_DEFAULT_S"]

LOCK_TIMEOUT_DEFAULT_S = 600.0  # seconds to wait for another run on the same home before giving up


def lock_timeout_s() -> float:
    """``LCA_LOCK_TIMEOUT_S``: seconds to wait for a home another run holds (default 600)."""
    text = os.environ.get("LCA_LOCK_TIMEOUT_S")
    if text is None or not text.strip():
        return LOCK_TIMEOUT_DEFAULT_S
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and value >= 0):
        raise InputError("LCA_LOCK_TIMEOUT_S is not a number of seconds", value=text, valid="a number ≥ 0, e.g. 600")
    return value


def source_date() -> dt.datetime | None:
    """``SOURCE_DATE_EPOCH`` (reproducible builds) as a UTC datetime without time zone, or None when unset."""
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None or not text.strip():
        return None
    if not text.strip().isdigit():
        raise InputError(
            "SOURCE_DATE_EPOCH is not a count of seconds since 1970", value=text, valid="an integer, e.g. 1767225600"
        )
    try:
        return dt.datetime.fromtimestamp(int(text), tz=dt.UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        raise InputError("SOURCE_DATE_EPOCH is beyond the dates a file can carry", value=text) from None


def check_environment() -> None:
    """Check every variable above before any work.

    A malformed ``SOURCE_DATE_EPOCH`` also breaks numpy's f2py at import, deep
    in a run: the command line checks first, so the error names the variable.
    """
    lock_timeout_s()
    source_date()
