"""Cited numbers and the base of every inventory record.

A :class:`Value` is ``value`` + ``unit`` + ``source`` (inherited from the record or
the file when not given on the value), optionally marked as an ``assumption``
with a ``range`` and/or a ``distribution`` (the stats_arrays families that
Brightway uses).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, Field, StrictBool, model_validator

from ..validation import Strict, unwrap_models

__all__ = ["CATEGORIES", "Distribution", "Value", "Record", "unit", "field_units"]

CATEGORIES = ("gwp100", "water", "adpe", "pe")

Distribution = Literal["lognormal", "triangular", "uniform", "normal"]


class Value(Strict):
    """One cited number.

    ``range`` is ``[min, max]`` in the same unit as ``value``. ``distribution``
    names the stats_arrays family used by Monte Carlo: ``lognormal`` needs
    ``gsd`` (geometric standard deviation, > 1) or a ``range`` read as the 95 %
    interval; ``normal`` needs ``sd`` or a ``range``; ``triangular`` and
    ``uniform`` use the ``range`` (with ``value`` as the mode).
    """

    value: float
    unit: str
    source: str | None = None
    assumption: StrictBool = False
    range: tuple[float, float] | None = None
    distribution: Distribution | None = None
    gsd: float | None = Field(default=None, gt=1.0)
    sd: float | None = Field(default=None, gt=0.0)
    note: str | None = None

    @model_validator(mode="after")
    def _range_contains_value(self) -> Value:
        if self.range is not None:
            lo, hi = self.range
            if not lo <= hi:
                raise ValueError(f"range minimum {lo} is above its maximum {hi}")
            if not lo <= self.value <= hi:
                raise ValueError(f"range [{lo}, {hi}] does not contain the value {self.value}")
        return self

    @model_validator(mode="after")
    def _distribution_is_complete(self) -> Value:
        d = self.distribution
        if d == "lognormal" and self.gsd is None and self.range is None:
            raise ValueError("a lognormal distribution needs 'gsd' or a 'range'")
        if d == "lognormal" and self.value <= 0:
            raise ValueError("a lognormal distribution needs a positive value")
        if d == "normal" and self.sd is None and self.range is None:
            raise ValueError("a normal distribution needs 'sd' or a 'range'")
        if d in ("triangular", "uniform") and self.range is None:
            raise ValueError(f"a {d} distribution needs a 'range'")
        if self.assumption and self.range is None and self.distribution is None:
            raise ValueError("an assumption needs a 'range' or a 'distribution'")
        return self

    def scaled(self, factor: float, unit: str) -> Value:
        """A copy converted by a linear ``factor`` into ``unit``."""
        data = self.model_dump()
        data["value"] = self.value * factor
        data["unit"] = unit
        if self.range is not None:
            lo, hi = sorted((self.range[0] * factor, self.range[1] * factor))
            data["range"] = (lo, hi)
        if self.sd is not None:
            data["sd"] = abs(self.sd * factor)
        return Value.model_validate(data)

    @property
    def bounds(self) -> tuple[float, float]:
        """(min, max): the range, or a 95 % interval of the distribution, or the value."""
        if self.range is not None:
            return self.range
        if self.distribution == "lognormal" and self.gsd:
            return (self.value / self.gsd**2, self.value * self.gsd**2)
        if self.distribution == "normal" and self.sd:
            return (self.value - 1.96 * self.sd, self.value + 1.96 * self.sd)
        return (self.value, self.value)

    def stats_arrays(self) -> dict[str, Any]:
        """The uncertainty as a stats_arrays / Brightway exchange dict."""
        if self.distribution is None:
            return {"uncertainty type": 0, "loc": self.value}
        if self.distribution == "lognormal":
            if self.gsd is not None:
                sigma = math.log(self.gsd)
            else:
                lo, hi = self.range  # type: ignore[misc]
                sigma = math.log(hi / max(lo, 1e-300)) / (2 * 1.96)
            return {"uncertainty type": 2, "loc": math.log(self.value), "scale": sigma}
        if self.distribution == "normal":
            sd = self.sd if self.sd is not None else (self.range[1] - self.range[0]) / (2 * 1.96)  # type: ignore[index]
            return {"uncertainty type": 3, "loc": self.value, "scale": sd}
        lo, hi = self.range  # type: ignore[misc]
        if self.distribution == "uniform":
            return {"uncertainty type": 4, "loc": self.value, "minimum": lo, "maximum": hi}
        return {"uncertainty type": 5, "loc": self.value, "minimum": lo, "maximum": hi}


class Record(Strict):
    """Fields shared by every record."""

    id: str = Field(min_length=1, max_length=120, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:+-]*$")
    name: str | None = None
    source: str | None = None
    notes: str | None = None


def unit(canonical: str, *, required: bool = False, default_factory: Any = None) -> Any:
    """A :class:`Value` field in ``canonical`` units: the loader converts what a file gives into them, once.

    ``tdp: Value | None = unit("W")``; a required field: ``unit("cm**2", required=True)``;
    a mapping of values (one per key): ``unit("FLOP/s", default_factory=dict)``.
    """
    extra: dict[str, Any] = {"unit": canonical}
    if default_factory is not None:
        return Field(default_factory=default_factory, json_schema_extra=extra)
    if required:
        return Field(json_schema_extra=extra)
    return Field(default=None, json_schema_extra=extra)


def field_units(model: type[BaseModel], prefix: str = "") -> dict[str, str]:
    """Canonical unit of every Value field of ``model`` and its nested models, by dotted path ('*': any key)."""
    out: dict[str, str] = {}
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        extra = info.json_schema_extra
        if isinstance(extra, dict) and "unit" in extra:
            mapping = getattr(info.annotation, "__origin__", None) is dict
            out[f"{path}.*" if mapping else path] = str(extra["unit"])
        for sub in unwrap_models(info.annotation):
            if sub is not Value and issubclass(sub, BaseModel):
                out.update(field_units(sub, f"{path}."))
    return out
