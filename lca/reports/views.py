"""Views of a result for reports: totals, splits, functional units, GHG Protocol, SCI.

Every view is computed from the one tidy table (plus the functional-unit
amounts and metered energy recorded in the provenance), so that every exporter
shows the same numbers.

GHG Protocol mapping (documented in ``docs/methodology/reporting.md``):

* **scope 2** — purchased electricity: the ``gwp100`` of the grid-mix processes
  (``process_kind`` grid), location-based from the grid records and market-based where a
  grid record gives a contractual factor (otherwise its location-based factor);
* **scope 3, category 2 (capital goods)** — manufacturing of hardware
  (``process_kind`` manufacturing);
* **other** — user processes (``process_kind`` user), reported apart.

The grid factors bundled with ai-lca are life-cycle factors: they include the
upstream emissions of fuels and grids, which a strict GHG Protocol inventory
reports in scope 3 category 3; the report says so.

Software Carbon Intensity (Green Software Foundation, ISO/IEC 21031:2024):
``SCI = (E x I + M) / R`` with ``E`` the electricity at the meter, ``I`` its
location-based intensity, ``M`` the embodied emissions and ``R`` the functional
unit.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..analysis.montecarlo import uncertainty_warnings
from ..graph import GHG_ROLE, NodeKind
from ..numbers import fmt_number
from ..results import market_basis
from ..units import CATEGORY_UNITS

__all__ = [
    "computed",
    "boundary",
    "boundary_summary",
    "assumptions",
    "uncertainty_warnings",
    "totals",
    "by_phase",
    "by_process",
    "per_functional_unit",
    "ghg_protocol",
    "sci",
    "process_role",
]

CATEGORIES = list(CATEGORY_UNITS)


def process_role(kind: str) -> str:
    """GHG Protocol role of a process from its kind: 'electricity', 'capital goods', 'water', 'user' or 'other'."""
    try:
        return GHG_ROLE.get(NodeKind(kind), "other")
    except ValueError:
        return "other"


def computed(provenance: dict[str, Any] | None) -> list[str]:
    """The categories a run computed (a linked study computes those it gives a method for)."""
    cats = (provenance or {}).get("categories")
    return [c for c in CATEGORIES if c in cats] if cats else list(CATEGORIES)


def totals(table: pd.DataFrame, categories: list[str] | None = None) -> pd.DataFrame:
    """Per category: embodied, operational, total, unit (one row per computed category)."""
    rows = []
    for cat in categories or CATEGORIES:
        sub = table[table["category"] == cat]
        emb = float(sub.loc[sub["scope"] == "embodied", "value"].sum())
        ope = float(sub.loc[sub["scope"] == "operational", "value"].sum())
        rows.append(
            {"category": cat, "embodied": emb, "operational": ope, "total": emb + ope, "unit": CATEGORY_UNITS[cat]}
        )
    return pd.DataFrame(rows)


def by_phase(table: pd.DataFrame) -> pd.DataFrame:
    """Per phase, scope and category."""
    out = table.groupby(["phase", "scope", "category"], sort=True)["value"].sum().reset_index()
    out["unit"] = out["category"].map(CATEGORY_UNITS)
    return out


def by_process(table: pd.DataFrame) -> pd.DataFrame:
    """Per process (summed over phases and activities), scope and category."""
    out = table.groupby(["process", "process_id", "scope", "category"], sort=True)["value"].sum().reset_index()
    out["unit"] = out["category"].map(CATEGORY_UNITS)
    return out.sort_values(["category", "value"], ascending=[True, False]).reset_index(drop=True)


def per_functional_unit(
    table: pd.DataFrame, units: list[dict[str, Any]], categories: list[str] | None = None
) -> pd.DataFrame:
    """Impacts per functional unit.

    ``units``: ``{"name", "phases" (list, or "all"), "amount"}`` as recorded in
    the provenance by the pipeline (e.g. 1,000 requests = inference phase,
    amount requests / 1000).
    """
    rows = []
    for fu in units:
        sub = table if fu["phases"] == "all" else table[table["phase"].isin(fu["phases"])]
        for cat in categories or CATEGORIES:
            value = float(sub.loc[sub["category"] == cat, "value"].sum())
            rows.append(
                {
                    "functional_unit": fu["name"],
                    "amount": fu["amount"],
                    "category": cat,
                    "value": value / fu["amount"],
                    "unit": f"{CATEGORY_UNITS[cat]} per {fu['name']}",
                }
            )
    return pd.DataFrame(rows, columns=["functional_unit", "amount", "category", "value", "unit"])


def ghg_protocol(
    table: pd.DataFrame, market_table: pd.DataFrame | None, provenance: dict[str, Any] | None = None
) -> dict[str, Any]:
    """GHG Protocol framing of gwp100 [kg CO2e]: scope 2 (location, market), scope 3 cat. 2.

    The market-based scope 2 is always a value: contractual factors where a
    grid record gives one, location-based factors standing in elsewhere;
    ``scope2_market_based_basis`` says which, in the words every output uses.
    """
    gwp = table[table["category"] == "gwp100"]
    roles = gwp["process_kind"].map(process_role)
    location = float(gwp.loc[roles == "electricity", "value"].sum())
    if market_table is not None:
        m_roles = market_table["process_kind"].map(process_role)
        market = float(market_table.loc[m_roles == "electricity", "value"].sum())
    else:
        market = location
    capital = float(gwp.loc[roles == "capital goods", "value"].sum())
    other = float(gwp.loc[~roles.isin(["electricity", "capital goods"]), "value"].sum())
    total = float(gwp["value"].sum())
    return {
        "unit": CATEGORY_UNITS["gwp100"],
        "scope2_location_based": location,
        "scope2_market_based": market,
        "scope2_market_based_basis": market_basis(provenance or {}),
        "scope3_capital_goods": capital,
        "other": other,
        "total_location_based": total,
        "total_market_based": total - location + market,
        "note": (
            "Scope 2 uses the life-cycle grid factors of the inventory, which include upstream fuel and grid "
            "emissions that a strict GHG Protocol inventory reports under scope 3 category 3. Market-based "
            "scope 2 uses contractual factors where a grid record gives one, else the location-based factor "
            "(the last step of the GHG Protocol Scope 2 Guidance's emission-factor hierarchy)."
        ),
    }


def sci(table: pd.DataFrame, energy_at_meter: float, units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """SCI = (E x I + M) / R per functional unit [kg CO2e per unit of R]."""
    ghg = ghg_protocol(table, None, {})
    e = energy_at_meter
    intensity = ghg["scope2_location_based"] / e if e > 0 else 0.0
    m = float(table.loc[(table["category"] == "gwp100") & (table["scope"] == "embodied"), "value"].sum())
    out = []
    for fu in units:
        if fu["phases"] != "all":
            continue
        out.append(
            {
                "functional_unit": fu["name"],
                "R": fu["amount"],
                "E_kWh": e,
                "I_kg_per_kWh": intensity,
                "M_kg": m,
                "SCI": (e * intensity + m) / fu["amount"],
                "unit": f"kg CO2e per {fu['name']}",
            }
        )
    if not out:
        out.append(
            {
                "functional_unit": "life cycle",
                "R": 1.0,
                "E_kWh": e,
                "I_kg_per_kWh": intensity,
                "M_kg": m,
                "SCI": e * intensity + m,
                "unit": "kg CO2e per life cycle",
            }
        )
    return out


def boundary(table: pd.DataFrame, provenance: dict[str, Any]) -> pd.DataFrame:
    """Per phase and boundary component: energy and gwp100 per unit of the phase (run, request).

    Energy is IT energy for the IT components and energy at the meter for the
    datacenter overhead; their sum is the energy at the meter per unit.
    """
    rows = []
    gwp = table[table["category"] == "gwp100"]
    for b in provenance.get("boundary", []):
        amount = b.get("amount") or 1.0
        value = float(gwp.loc[(gwp["phase"] == b["phase"]) & (gwp["component"] == b["component"]), "value"].sum())
        rows.append(
            {
                "phase": b["phase"],
                "component": b["component"],
                "what": b["label"],
                "per": b["per"],
                "energy [kWh per unit]": b["energy_kwh"],
                "gwp100 [kg CO2e per unit]": value / amount,
                "narrow boundary": bool(b["narrow"]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "phase",
            "component",
            "what",
            "per",
            "energy [kWh per unit]",
            "gwp100 [kg CO2e per unit]",
            "narrow boundary",
        ],
    )


def boundary_summary(table: pd.DataFrame, provenance: dict[str, Any]) -> pd.DataFrame:
    """Per phase: the narrow boundary (active accelerators) beside the comprehensive one, per unit."""
    detail = boundary(table, provenance)
    rows = []
    for phase, sub in detail.groupby("phase", sort=False):
        narrow = sub[sub["narrow boundary"]]
        operational = sub[sub["component"] != "embodied"]
        rows.append(
            {
                "phase": phase,
                "per": sub["per"].iloc[0],
                "narrow energy [kWh]": float(narrow["energy [kWh per unit]"].sum()),
                "comprehensive energy [kWh]": float(operational["energy [kWh per unit]"].sum()),
                "narrow gwp100 [kg CO2e]": float(narrow["gwp100 [kg CO2e per unit]"].sum()),
                "comprehensive gwp100 [kg CO2e]": float(sub["gwp100 [kg CO2e per unit]"].sum()),
            }
        )
    return pd.DataFrame(rows)


def assumptions(provenance: dict[str, Any]) -> pd.DataFrame:
    """The defaults the study took from the inventory: value, unit, source, range."""
    rows = []
    for a in provenance.get("assumptions", []):
        rng = a.get("range")
        rows.append(
            {
                "assumption": a.get("label") or a["name"],
                "field": a["name"],
                "value": a["value"],
                "unit": a["unit"],
                "range": f"{fmt_number(rng[0])} - {fmt_number(rng[1])}" if rng else "",
                "distribution": a.get("distribution") or "",
                "source": a.get("citation") or a["source"],
            }
        )
    return pd.DataFrame(rows, columns=["assumption", "field", "value", "unit", "range", "distribution", "source"])
