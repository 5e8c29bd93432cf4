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
from typing import TYPE_CHECKING, Any

from .errors import UnitError
from .unit_table import ATOMS

if TYPE_CHECKING:
    import pint

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
    """The shared unit registry (created on first use, not at import).

    Building it takes ~0.2 s and importing pint ~0.2 s more, so the units in
    :data:`lca.unit_table.ATOMS` and their products, quotients and powers are
    converted without it (:func:`_fast_unit`); pint reads everything else.
    """
    import pint  # heavy: only for units outside the table

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


_DIMENSIONLESS = ("", "1", "-", "dimensionless", "unitless", "fraction")
_TOKENS = re.compile(r"\*\*|\^|[*/()]|[A-Za-z_][A-Za-z0-9_]*|[-+]?\d+(?:\.\d+)?|\s+|.")

Dims = tuple[tuple[str, float], ...]


@lru_cache(maxsize=512)
def _fast_unit(unit: str) -> tuple[float, Dims] | None:
    """(factor to pint's root units, dimensionality) of ``unit`` from the table; None if pint must read it.

    Reads products, quotients, parentheses and numeric powers of table units,
    left to right as pint does (``a/b*c`` is ``(a/b)*c``; ``**`` binds
    tightest). Anything else (spaces between units, numbers other than 1,
    names outside the table) goes to pint.
    """
    text = normalise_unit(unit)
    if text in _DIMENSIONLESS:
        return 1.0, ()
    if text in ("%", "percent"):
        return 0.01, ()
    tokens = _TOKENS.findall(text)
    if any(t.isspace() for t in tokens):
        return None
    pos = 0

    def atom() -> tuple[float, dict[str, float]] | None:
        nonlocal pos
        if pos >= len(tokens):
            return None
        tok = tokens[pos]
        pos += 1
        if tok == "(":
            inner = product()
            if inner is None or pos >= len(tokens) or tokens[pos] != ")":
                return None
            pos += 1
            base = inner
        elif tok == "1":
            base = (1.0, {})
        elif tok in ATOMS:
            factor, dims = ATOMS[tok]
            base = (factor, dict(dims))
        else:
            return None
        if pos < len(tokens) and tokens[pos] in ("**", "^"):
            if pos + 1 >= len(tokens):
                return None
            try:
                power = float(tokens[pos + 1])
            except ValueError:
                return None
            pos += 2
            base = (base[0] ** power, {k: v * power for k, v in base[1].items()})
        return base

    def product() -> tuple[float, dict[str, float]] | None:
        nonlocal pos
        first = atom()
        if first is None:
            return None
        factor, dims = first
        while pos < len(tokens) and tokens[pos] in ("*", "/"):
            sign = 1.0 if tokens[pos] == "*" else -1.0
            pos += 1
            nxt = atom()
            if nxt is None:
                return None
            factor = factor * nxt[0] if sign > 0 else factor / nxt[0]
            for k, v in nxt[1].items():
                dims[k] = dims.get(k, 0.0) + sign * v
        return factor, dims

    try:
        parsed = product()
    except (OverflowError, ZeroDivisionError):  # absurd powers: let pint say what it makes of them
        return None
    if parsed is None or pos != len(tokens) or not 1e-300 < abs(parsed[0]) < 1e300:
        return None  # beyond the range where float ratios stay exact enough: pint decides
    return parsed[0], tuple(sorted((k, v) for k, v in parsed[1].items() if v != 0.0))


@lru_cache(maxsize=512)
def _unit(unit: str) -> pint.Unit:
    ureg = registry()
    text = normalise_unit(unit)
    if text in _DIMENSIONLESS:
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
    check_unit_text(str(from_unit))
    check_unit_text(str(to_unit))
    fast_src, fast_dst = _fast_unit(from_unit), _fast_unit(to_unit)
    if fast_src is not None and fast_dst is not None:
        if fast_src[1] != fast_dst[1]:
            raise _not_convertible(from_unit, to_unit)
        return float(value) * (fast_src[0] / fast_dst[0])
    import pint  # heavy: only for units outside the table

    src, dst = _unit(from_unit), _unit(to_unit)
    try:
        factor = registry().Quantity(1.0, src).to(dst).magnitude
    except pint.DimensionalityError:
        raise _not_convertible(from_unit, to_unit) from None
    return float(value) * float(factor)


def _not_convertible(from_unit: str, to_unit: str) -> UnitError:
    return UnitError(
        f"unit {from_unit!r} does not convert to {to_unit!r}",
        valid=f"a unit of the same kind as {to_unit!r}",
    )


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
