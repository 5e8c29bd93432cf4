"""One error hierarchy for ai-lca.

Every error the package raises on purpose derives from :class:`LcaError`.
Errors caused by what a user wrote (a study, an inventory file, a command-line
option) derive from :class:`InputError`; the command line turns them into a
short message and exit code 2. Errors in the analysis itself (a singular
system, a failed solve) derive from :class:`EngineError` or :class:`ModelError`
and exit with code 1.

Messages name the file (and line/column when known), the field path, the bad
value, what would be valid and, for unknown ids, the closest known ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "LcaError",
    "InputError",
    "StudyError",
    "InventoryError",
    "UnitError",
    "UnknownIdError",
    "ModelError",
    "EngineError",
    "SingularSystemError",
    "ScaleError",
    "ConcurrencyError",
    "OutputError",
    "did_you_mean",
]


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def did_you_mean(name: str, choices: Iterable[str], n: int = 3, aliases: dict[str, str] | None = None) -> list[str]:
    """Closest matches of ``name`` among ``choices`` (case-insensitive).

    ``aliases`` maps other spellings (e.g. record names) to choices. Choices
    that contain ``name`` (or that ``name`` contains) come first, then close
    spellings.
    """
    choices = list(choices)
    lowered = {c.lower(): c for c in choices}
    for alias, target in (aliases or {}).items():
        lowered.setdefault(alias.lower(), target)
    query = str(name).lower()
    out: list[str] = []
    if len(query) >= 2:
        for low, original in lowered.items():
            if (query in low or (len(low) >= 3 and low in query)) and original not in out:
                out.append(original)
    for hit in difflib.get_close_matches(query, list(lowered), n=n, cutoff=0.6):
        if lowered[hit] not in out:
            out.append(lowered[hit])

    def score(choice: str) -> float:
        best = max(difflib.SequenceMatcher(None, query, low).ratio() for low, c in lowered.items() if c == choice)
        return -best

    return sorted(out, key=score)[:n]


class LcaError(Exception):
    """Base class of every error raised on purpose by ai-lca."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        field: str | None = None,
        value: Any = ...,
        valid: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.field = field
        self.value = value
        self.valid = valid
        self.hint = hint
        super().__init__(self.render())

    def located(self, **where: Any) -> LcaError:
        """Fill in location details (file, line, column, field) that are still unknown."""
        for key, val in where.items():
            if val is not None and getattr(self, key, None) in (None, ...):
                setattr(self, key, str(val) if key == "file" else val)
        self.args = (self.render(),)
        return self

    def render(self) -> str:
        where = ""
        if self.file:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        field = f"{self.field}: " if self.field else ""
        text = f"{where}{field}{self.message}"
        if self.value is not ...:
            text += f" (got {_short(self.value)})"
        if self.valid:
            text += f"; valid: {self.valid}"
        if self.hint:
            text += f". {self.hint}"
        return text

    def __str__(self) -> str:  # keep str() in sync after located()
        return self.render()


class InputError(LcaError):
    """Something a user wrote is invalid: a study, an inventory file or an option."""

    exit_code = 2


class StudyError(InputError):
    """A study file is invalid."""


class InventoryError(InputError):
    """An inventory file or record is invalid, or an id cannot be resolved."""


class UnitError(InputError):
    """A unit is unknown or does not convert to the unit a field needs."""


class UnknownIdError(InventoryError):
    """An id does not exist in the inventory (with the closest known ids)."""

    def __init__(
        self, kind: str, ident: str, known: Iterable[str], aliases: dict[str, str] | None = None, **where: Any
    ) -> None:
        known = sorted(set(known))
        close = did_you_mean(ident, known, aliases=aliases)
        hint = f"Did you mean {', '.join(repr(c) for c in close)}?" if close else None
        shown = ", ".join(known[:12]) + (", ..." if len(known) > 12 else "")
        where.setdefault("value", ident)
        super().__init__(
            f"unknown {kind} id",
            valid=shown or "(none loaded)",
            hint=hint,
            **where,
        )
        self.kind = kind
        self.ident = ident
        self.suggestions = close


class ModelError(LcaError):
    """The compute model cannot produce a result for this input."""


class EngineError(LcaError):
    """The LCA engine (Brightway project, database, solver) failed."""


class SingularSystemError(EngineError, InputError):
    """The technosphere matrix is singular; names the processes involved.

    The system is singular because of the data a user gave (a loop that makes
    exactly what it consumes), so it is also an input error (exit code 2).
    """

    exit_code = 2


class ScaleError(EngineError, InputError):
    """The solver cannot factorise a system that is not singular: its amounts span too many orders of magnitude.

    Names the largest and the smallest amount; almost always a unit or
    magnitude error in the study (exit code 2).
    """

    exit_code = 2


class ConcurrencyError(EngineError):
    """The project folder stayed locked by another process for too long."""


class OutputError(LcaError):
    """Outputs could not be written (disk full, permissions); the previous results are left as they were."""
