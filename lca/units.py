"""Units: one pint registry, the canonical unit of every quantity, conversions.

Every number that enters ai-lca from a file is converted here, once, to the
canonical unit of its quantity (see ``docs/nomenclature.md``); everything past
the loaders works in canonical units only.

Impact units are dimensions of their own, so that a carbon intensity can never
be converted to a water intensity by mistake:

=============  ============  =========================================
quantity       canonical     accepted spellings (examples)
=============  ============  =========================================
gwp100         kg CO2e       g CO2e, kg CO2-eq, t CO2e, lb CO2e
water          L             mL, m3, gal
adpe           kg Sb-eq      g Sb-eq, kg Sbeq
pe             MJ            kWh, GJ
energy         kWh           Wh, MWh, J, MJ
power          W             kW
time           h             s, min, days, years (Julian, 365.25 d)
=============  ============  =========================================
"""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

import pint

from .errors import UnitError

__all__ = [
    "CANONICAL",
    "CATEGORY_UNITS",
    "registry",
    "normalise_unit",
    "to_canonical",
    "convert",
    "parse_quantity",
    "split_quantity",
]

# canonical unit of each impact category (results and inventories)
CATEGORY_UNITS: dict[str, str] = {
    "gwp100": "kg CO2e",
    "water": "L",
    "adpe": "kg Sb-eq",
    "pe": "MJ",
}

# canonical unit per named quantity used by inventories and studies
CANONICAL: dict[str, str] = {
    "energy": "kWh",
    "power": "W",
    "time": "h",
    "mass": "kg",
    "memory": "GB",
    "bandwidth": "GB/s",
    "flops": "FLOP",
    "flop_rate": "FLOP/s",
    "dimensionless": "",
    **CATEGORY_UNITS,
    "gwp100_intensity": "kg CO2e/kWh",
    "water_intensity": "L/kWh",
    "adpe_intensity": "kg Sb-eq/kWh",
    "pe_intensity": "MJ/kWh",
}

_DEFINITIONS = [
    "gCO2e = [greenhouse_gas]",
    "kgCO2e = 1000 * gCO2e",
    "tCO2e = 1e6 * gCO2e",
    "ktCO2e = 1e9 * gCO2e",
    "lbCO2e = 453.59237 * gCO2e",
    "gSbe = [antimony_equivalent]",
    "kgSbe = 1000 * gSbe",
    "FLOP = [floating_point_operation]",
    "token = [token]",
    "request = [request]",
    "accelerator = [accelerator]",
]

# Spelling variants mapped to registry names. Order matters: longest first.
_ALIASES: list[tuple[str, str]] = [
    (r"\b(k?g|t|kt|lbs?)\s*CO2[\s_-]*(?:eq\b\.?|equivalents?\b|e\b)", r"\1CO2e"),
    (r"\b(k?g)\s*Sb[\s_-]*(?:eq\b\.?|equivalents?\b|e\b)", r"\1Sbe"),
    (r"\blbsCO2e\b", "lbCO2e"),
    (r"\btonnes?\s*CO2e\b", "tCO2e"),
    (r"\bm3\b", "m**3"),
    (r"\bGPU[-_ ]?h(?:ours?)?\b", "accelerator*h"),
    (r"\bFLOPs\b", "FLOP"),
    (r"\bFLOPS\b", "FLOP/s"),
]


@lru_cache(maxsize=1)
def registry() -> pint.UnitRegistry:
    """The shared unit registry (created on first use, not at import)."""
    ureg: pint.UnitRegistry = pint.UnitRegistry(cache_folder=None, autoconvert_offset_to_baseunit=True)
    for line in _DEFINITIONS:
        ureg.define(line)
    return ureg


def normalise_unit(unit: str) -> str:
    """Rewrite common spellings (``kg CO2-eq``, ``g CO2e``, ``m3``) for pint."""
    text = str(unit).strip()
    for pattern, repl in _ALIASES:
        text = re.sub(pattern, repl, text)
    return text


@lru_cache(maxsize=512)
def _unit(unit: str) -> pint.Unit:
    check_unit_text(str(unit))
    ureg = registry()
    text = normalise_unit(unit)
    if text in ("", "1", "-", "dimensionless", "unitless", "fraction"):
        return ureg.dimensionless
    if text in ("%", "percent"):
        return ureg.percent
    try:
        return ureg.parse_units(text)
    except Exception:  # pint raises many unrelated classes for bad text
        raise UnitError(f"unknown unit {unit!r}") from None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """Convert ``value`` from ``from_unit`` to ``to_unit``.

    Raises
    ------
    UnitError
        If a unit is unknown or the two units measure different quantities.
    """
    src, dst = _unit(from_unit), _unit(to_unit)
    try:
        factor = registry().Quantity(1.0, src).to(dst).magnitude
    except pint.DimensionalityError:
        raise UnitError(
            f"unit {from_unit!r} does not convert to {to_unit!r}",
            valid=f"a unit of the same kind as {to_unit!r}",
        ) from None
    return float(value) * float(factor)


def to_canonical(value: float, unit: str, quantity: str) -> float:
    """Convert ``value`` in ``unit`` to the canonical unit of ``quantity``."""
    try:
        target = CANONICAL[quantity]
    except KeyError:
        raise UnitError(f"unknown quantity {quantity!r}", valid=", ".join(CANONICAL)) from None
    return convert(value, unit, target)


_NUMBER_RE = re.compile(r"^\s*([-+]?(?:\d+(?:_\d{3})*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(.*)$")
_COMMA_RE = re.compile(r"^\s*[-+]?\d[\d,.]*,\d")
MAX_UNIT_LENGTH = 60  # characters of a unit expression
MAX_EXPONENT = 4  # largest power in a unit expression (m**3, 1/s**2 ...)


def split_quantity(raw: Any) -> tuple[float, str] | None:
    """``(number, unit text)`` of a number or a ``"number unit"`` text; None if it is neither.

    Raises
    ------
    UnitError
        For a comma in the number: ``"0,400 kW"`` is a decimal comma in much of
        the world and a thousands separator elsewhere, so it is refused with the
        reading that a decimal point would give. Group thousands with ``_``.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        return float(raw), ""
    if not isinstance(raw, str):
        return None
    if _COMMA_RE.match(raw):
        number = raw.strip().split()[0]
        raise UnitError(
            "a comma in a number is ambiguous (a decimal comma, or a thousands separator)",
            value=raw,
            hint=f"did you mean {number.replace(',', '.')}? Write decimals with a point and group thousands "
            f"with '_' (e.g. 1_000) or not at all",
        )
    match = _NUMBER_RE.match(raw)
    if not match:
        return None
    return float(match.group(1).replace("_", "")), match.group(2).strip()


def check_unit_text(unit: str) -> None:
    """Refuse a unit expression that no quantity needs and pint could spend unbounded time on.

    At most :data:`MAX_UNIT_LENGTH` characters; a power (``**`` or ``^``) must be
    a plain number of at most :data:`MAX_EXPONENT` in size, applied once (no
    tower such as ``2**4**4``); numbers in a unit (scale factors) have at most
    six digits.
    """
    if len(unit) > MAX_UNIT_LENGTH:
        raise UnitError(f"unit expression longer than {MAX_UNIT_LENGTH} characters", value=unit[:80])
    text = unit.replace("^", "**")
    for match in re.finditer(r"\*\*", text):
        rest = text[match.end() :]
        power = re.match(r"\s*([-+]?\d+(?:\.\d+)?)(?![\deE.])", rest)
        if power is None:
            raise UnitError("a power in a unit must be a plain number (e.g. m**3)", value=unit)
        if abs(float(power.group(1))) > MAX_EXPONENT or re.match(r"\s*\*\*", rest[power.end() :]):
            raise UnitError(
                "power in a unit beyond what any quantity here needs",
                value=unit,
                valid=f"a single power of at most {MAX_EXPONENT} (e.g. m**3, 1/s**2)",
            )
    if re.search(r"\d{7,}", text):
        raise UnitError("number in a unit with more than six digits", value=unit)


def parse_quantity(raw: Any, unit: str) -> float:
    """Read a number, or a text such as ``"118 days"``, in the canonical ``unit``.

    A bare number is taken to be in ``unit`` already. A text is a number
    followed by a unit, which must convert to ``unit``.

    Raises
    ------
    UnitError
        For text that is not "number unit", a unit that does not convert, or a
        value that is not finite.
    """
    if isinstance(raw, bool):
        raise UnitError("expected a number or a 'number unit' text, not a boolean", value=raw)
    parts = split_quantity(raw)
    if parts is None:
        raise UnitError(
            "expected a number optionally followed by a unit",
            value=raw,
            valid=f"e.g. 12 or '12 {unit or '1'}'",
        )
    number, rest = parts
    value = convert(number, rest, unit) if rest else number
    if not math.isfinite(value):
        raise UnitError("value must be finite", value=raw)
    return value
