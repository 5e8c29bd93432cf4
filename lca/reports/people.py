"""Tables for people: human headers, numbers through :mod:`lca.numbers`, sources cited once by key.

The views (:mod:`lca.reports.views`) are machine tables with full precision;
the workbook keeps their numbers as cell values. Markdown and HTML show the
same tables as text, made here, so both say the same thing:

* a row's values that share its ``unit`` column are scaled together (a row of
  211,420 kg CO2e reads ``211.4`` with unit ``t CO2e``);
* a column named ``name [unit]`` has each cell scaled on its own
  (``379.3 MWh``, ``6.54 Wh``) and the header loses the bracket;
* other numbers get 4 significant figures and thousands separators; never
  scientific notation, never ``nan`` (an absent value reads "not available").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..numbers import NOT_AVAILABLE, fmt, fmt_number, pretty_unit, scale

__all__ = ["HEADERS", "header", "people_table", "Citations", "UNITLESS"]

# machine column -> header for people (units where the column has one)
HEADERS = {
    "category": "Impact category",
    "embodied": "Embodied",
    "operational": "Operational",
    "total": "Total",
    "total_market_based": "Total, market-based",
    "unit": "Unit",
    "phase": "Phase",
    "component": "Boundary component",
    "activity": "Activity",
    "process": "Process",
    "process_id": "Process id",
    "process_kind": "Process kind",
    "activity_id": "Activity id",
    "scope": "Scope",
    "value": "Value",
    "study": "Study",
    "scenario": "Scenario",
    "functional_unit": "Functional unit",
    "amount": "Amount",
    "R": "R (functional units)",
    "E_kWh": "E, electricity at the meter [kWh]",
    "I_kg_per_kWh": "I, location-based intensity [kg CO2e/kWh]",
    "M_kg": "M, embodied emissions [kg CO2e]",
    "SCI": "SCI",
    "static": "Static result",
    "mean": "Mean",
    "sd": "Standard deviation",
    "p2.5": "2.5th percentile",
    "p5": "5th percentile",
    "p50": "Median",
    "p95": "95th percentile",
    "p97.5": "97.5th percentile",
    "static_percentile": "Static result's percentile [%]",
    "static_in_band": "Static within the 5-95 % band",
    "samples": "Samples",
    "id": "Inventory id",
    "kind": "Kind",
    "field": "Field",
    "source": "Source",
    "assumption": "Assumption",
    "origin": "From",
    "overrides": "Overrides",
    "what": "What",
    "per": "Per",
    "narrow boundary": "In the narrow boundary",
    "range": "Range",
    "distribution": "Distribution",
    "label": "Label",
    "name": "Name",
    "citation": "Citation",
    "key": "Item",
    "item": "Item",
    "input": "Input",
    "swing": "Swing (high - low)",
    "base": "Base",
    "low_value": "Input low",
    "high_value": "Input high",
    "total_at_low": "Total at low",
    "total_at_high": "Total at high",
    "spearman": "Spearman rank correlation",
    "first_order": "Sobol first order",
    "first_order_low": "first order, 95 % low",
    "first_order_high": "first order, 95 % high",
    "total_order": "Sobol total order",
    "total_order_low": "total order, 95 % low",
    "total_order_high": "total order, 95 % high",
}
# numeric columns that do not carry the row's unit
UNITLESS = frozenset(
    {
        "amount",
        "R",
        "samples",
        "static_percentile",
        "spearman",
        "first_order",
        "total_order",
        "first_order_low",
        "first_order_high",
        "total_order_low",
        "total_order_high",
        "low_value",
        "high_value",
        "I_kg_per_kWh",
        "E_kWh",
        "M_kg",
    }
)
_BRACKET = re.compile(r"^(?P<name>.*?)\s*\[(?P<unit>[^\]]+)\]$")


def header(column: Any) -> str:
    """The header people read for a machine column name."""
    return HEADERS.get(str(column), str(column))


def _absent(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _number(value: Any) -> str:
    if _absent(value):
        return NOT_AVAILABLE
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return fmt_number(value)
    return str(value)


def _split_per(unit: str) -> tuple[str, str]:
    """``'kg CO2e per life cycle'`` -> (``'kg CO2e'``, ``' per life cycle'``)."""
    head, sep, tail = unit.partition(" per ")
    return head, (sep + tail if sep else "")


def _row_scaled(row: pd.Series, measures: list[str], unit_col: str) -> dict[str, str]:
    unit = row[unit_col]
    values = [float(row[c]) for c in measures if not _absent(row[c]) and isinstance(row[c], int | float)]
    if not isinstance(unit, str) or not values:
        return {c: _number(row[c]) for c in measures} | {unit_col: pretty_unit(str(unit))}
    base, per = _split_per(unit)
    largest = max(values, key=abs)
    scaled, new_unit = scale(largest, base)
    factor = scaled / largest if largest else 1.0
    out = {}
    for c in measures:
        v = row[c]
        out[c] = _number(float(v) * factor) if isinstance(v, int | float) and not _absent(v) else _number(v)
    out[unit_col] = pretty_unit(new_unit) + per
    return out


def people_table(frame: pd.DataFrame, unit_col: str = "unit") -> pd.DataFrame:
    """``frame`` as text for people (see the module's rules); columns renamed to :data:`HEADERS`."""
    cols = list(frame.columns)
    bracketed = {c: _BRACKET.match(str(c)) for c in cols}
    has_unit = unit_col in cols
    measures = [
        c
        for c in cols
        if has_unit
        and c != unit_col
        and c not in UNITLESS
        and not bracketed[c]
        and pd.api.types.is_numeric_dtype(frame[c])
        and not pd.api.types.is_bool_dtype(frame[c])
    ]
    rows = []
    for _, row in frame.iterrows():
        out = _row_scaled(row, measures, unit_col) if measures else {}
        for c in cols:
            if c in out:
                continue
            m = bracketed[c]
            v = row[c]
            if m and isinstance(v, int | float) and not isinstance(v, bool) and not _absent(v):
                out[c] = fmt(float(v), _split_per(m.group("unit"))[0])
            elif c == unit_col:
                out[c] = pretty_unit(str(v))
            else:
                out[c] = _number(v)
        rows.append([out[c] for c in cols])
    names = []
    for c in cols:
        m = bracketed[c]
        if m:
            per = _split_per(m.group("unit"))[1]
            names.append(header(m.group("name")) + per)
        else:
            names.append(header(c))
    return pd.DataFrame(rows, columns=names)


class Citations:
    """Sources cited once each, by key (``[1]``, ``[2]`` ... in order of first use)."""

    def __init__(self) -> None:
        self._keys: dict[str, str] = {}

    def key(self, source: Any) -> str:
        text = str(source or "").strip() or "no source given"
        return self._keys.setdefault(text, f"[{len(self._keys) + 1}]")

    @property
    def references(self) -> list[tuple[str, str]]:
        """(key, full citation) in order of first use."""
        return [(k, t) for t, k in self._keys.items()]

    def inventory_table(self, sources: Iterable[dict[str, Any]]) -> pd.DataFrame:
        """The inventory values a run used: one row per record, its fields and values, its sources as keys."""
        records: dict[tuple[str, str], dict[str, Any]] = {}
        for s in sources:
            key = self.key(s.get("source"))
            rec = records.setdefault((str(s["id"]), str(s.get("kind", ""))), {"values": {}, "keys": [], "origin": ""})
            value, unit = s.get("value"), str(s.get("unit") or "")
            shown = fmt(float(value), unit, rescale=False) if isinstance(value, int | float) else f"{value} {unit}"
            rec["values"].setdefault(str(s["field"]), shown.strip())
            if key not in rec["keys"]:
                rec["keys"].append(key)
            rec["origin"] = rec["origin"] or str(s.get("origin") or "")
        rows = [
            [rid, kind, "; ".join(f"{f} {v}" for f, v in rec["values"].items()), " ".join(rec["keys"]), rec["origin"]]
            for (rid, kind), rec in records.items()
        ]
        return pd.DataFrame(rows, columns=["Inventory id", "Kind", "Values used", "Sources", "From"])
