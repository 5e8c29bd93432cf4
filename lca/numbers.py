"""One number formatter for every human-facing output (terminal, Markdown, HTML, chart labels).

Numbers for people: 3-4 significant figures, thousands separators, no
``e`` notation (beyond 10^16 or below 10^-12, where digits would run on,
``2.757 × 10²⁶``), and the unit scaled where it helps (``kg CO2e`` -> ``t
CO2e``, ``kWh`` -> ``MWh`` or ``Wh``, ``L`` -> ``m3`` or ``mL`` ...). Files for
other programs (CSV, JSON, cell values of a workbook) keep every digit and do
not use this module.
"""

from __future__ import annotations

import math

__all__ = ["fmt", "fmt_number", "scale", "pretty_unit", "NOT_AVAILABLE"]

NOT_AVAILABLE = "not available"

# unit -> [(threshold, factor, unit)]: the first whose threshold the magnitude reaches
_LADDERS: dict[str, list[tuple[float, float, str]]] = {
    "kg CO2e": [
        (1e9, 1e-9, "Mt CO2e"),
        (1e6, 1e-6, "kt CO2e"),
        (1e4, 1e-3, "t CO2e"),
        (1.0, 1.0, "kg CO2e"),
        (1e-3, 1e3, "g CO2e"),
        (0.0, 1e6, "mg CO2e"),
    ],
    "kWh": [
        (1e10, 1e-9, "TWh"),
        (1e7, 1e-6, "GWh"),
        (1e4, 1e-3, "MWh"),
        (1.0, 1.0, "kWh"),
        (1e-6, 1e3, "Wh"),
        (0.0, 1e6, "mWh"),
    ],
    "L": [(1e10, 1e-9, "GL"), (1e7, 1e-6, "ML"), (1e4, 1e-3, "m3"), (1.0, 1.0, "L"), (0.0, 1e3, "mL")],
    "MJ": [
        (1e10, 1e-9, "PJ"),
        (1e7, 1e-6, "TJ"),
        (1e4, 1e-3, "GJ"),
        (1.0, 1.0, "MJ"),
        (1e-3, 1e3, "kJ"),
        (0.0, 1e6, "J"),
    ],
    "kg Sb-eq": [
        (1e4, 1e-3, "t Sb-eq"),
        (1.0, 1.0, "kg Sb-eq"),
        (1e-3, 1e3, "g Sb-eq"),
        (1e-6, 1e6, "mg Sb-eq"),
        (0.0, 1e9, "µg Sb-eq"),
    ],
    "h": [(2 * 8766.0, 1.0 / 8766.0, "years"), (1.0, 1.0, "h"), (0.0, 3600.0, "s")],
    "W": [(1e6, 1e-6, "MW"), (1e4, 1e-3, "kW"), (0.0, 1.0, "W")],
    "FLOP": [
        (1e24, 1e-24, "YFLOP"),
        (1e21, 1e-21, "ZFLOP"),
        (1e18, 1e-18, "EFLOP"),
        (1e15, 1e-15, "PFLOP"),
        (1e12, 1e-12, "TFLOP"),
        (1e9, 1e-9, "GFLOP"),
        (0.0, 1.0, "FLOP"),
    ],
    "B": [(1e12, 1e-12, "TB"), (1e9, 1e-9, "GB"), (1e6, 1e-6, "MB"), (0.0, 1.0, "B")],
}
_PRETTY = {
    "mm**2": "mm²",
    "cm**2": "cm²",
    "m**2": "m²",
    "m3": "m³",
    "kg CO2e/(km*kg)": "kg CO2e per km·kg",
    "cm**2/kg": "cm²/kg",
}


def pretty_unit(unit: str) -> str:
    """A unit as people write it (``mm**2`` -> ``mm²``, ``a/(b*c)`` -> ``a per b·c``)."""
    if unit in _PRETTY:
        return _PRETTY[unit]
    out = unit.replace("**2", "²").replace("**3", "³").replace("m3", "m³")
    if "/(" in out and out.endswith(")"):
        head, tail = out.split("/(", 1)
        out = f"{head} per {tail[:-1].replace('*', '·')}"
    return out.replace("*", "·")


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
PLAIN_RANGE = (1e-12, 1e16)  # magnitudes written out in digits; beyond, a power of ten


def _power_of_ten(value: float, sig: int) -> str:
    exp = math.floor(math.log10(abs(value)))
    mantissa = round(value / 10.0**exp, sig - 1)
    if abs(mantissa) >= 10:
        mantissa, exp = mantissa / 10, exp + 1
    text = f"{mantissa:.{sig - 1}f}".rstrip("0").rstrip(".")
    return f"{text} × 10{str(exp).translate(_SUPERSCRIPT)}"


def fmt_number(value: float, sig: int = 4) -> str:
    """``value`` with ``sig`` significant figures, thousands separators, no ``e`` exponent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_AVAILABLE
    if math.isinf(value):
        return "infinite" if value > 0 else "-infinite"
    if value == 0:
        return "0"
    mag = abs(value)
    if not PLAIN_RANGE[0] <= mag < PLAIN_RANGE[1]:
        return _power_of_ten(value, sig)
    digits = max(0, sig - 1 - math.floor(math.log10(mag)))
    rounded = round(value, digits)
    if rounded == 0:
        return "0"
    if abs(rounded) >= 10**sig:
        return f"{rounded:,.0f}"
    text = f"{rounded:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def scale(value: float, unit: str) -> tuple[float, str]:
    """``value`` in ``unit`` rescaled to the unit that reads best (same quantity)."""
    ladder = _LADDERS.get(unit)
    if ladder is None or value == 0 or not math.isfinite(value):
        return value, unit
    mag = abs(value)
    for threshold, factor, name in ladder:
        if mag >= threshold:
            return value * factor, name
    threshold, factor, name = ladder[-1]
    return value * factor, name


def fmt(value: float | None, unit: str | None = None, *, sig: int = 4, rescale: bool = True) -> str:
    """A number (and its unit) for people: ``fmt(211420, "kg CO2e")`` -> ``'211.4 t CO2e'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NOT_AVAILABLE
    if unit is None:
        return fmt_number(float(value), sig)
    v, u = scale(float(value), unit) if rescale else (float(value), unit)
    return f"{fmt_number(v, sig)} {pretty_unit(u)}".strip()
