"""Offline, idempotent set-up of the ai-lca Brightway project.

What is written (once; later calls find the marker and return at once):

* ``biosphere3``: the 4,709 ecoinvent 3.9 elementary flows bundled in bw2io;
* ``ai-lca indicators``: one indicator flow per impact category, carrying
  inventory data that is already characterised (a grid's kg CO2e per kWh);
* the bundled bw2io LCIA methods that the categories build on (IPCC 2021
  GWP100, EF v3.1 ADP elements and fossil, CED total, ReCiPe 2016 water
  consumption, EF v3.1 water use), written directly by flow id (``bw2setup``
  crashes on bw2io 0.9 + bw2data 4, brightway2-io#277);
* one method per impact category, ``("ai-lca", category, <hash>)``: the CFs
  of the Brightway method named in ``inventories/methods/`` (times its
  ``factor``) plus the category's indicator flow at 1.0. Results therefore
  stay in one Brightway method per category, whether the foreground carries
  indicator flows or links to elementary flows of a user's background
  database. The hash identifies what the method contains (source method,
  factor, and for a user's method its CFs): a key never comes to mean
  something else, so studies with different method choices in one project
  keep their own methods.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import time
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import EngineError
from ..inventory import CATEGORIES, MethodRecord, Registry
from ..inventory.registry import bundled_folder
from .home import quiet

__all__ = [
    "SETUP_VERSION",
    "INDICATORS",
    "BUNDLED_METHODS",
    "category_method",
    "method_key",
    "ensure_methods",
    "ensure_setup",
    "category_records",
]

SETUP_VERSION = 2  # 2: method keys carry the hash of their content
INDICATORS = "ai-lca indicators"
MARKER = "ai-lca-setup.json"

# Bundled bw2io methods installed as they are (users can select them too).
BUNDLED_METHODS: list[tuple[str, str, str]] = [
    ("IPCC 2021", "climate change", "global warming potential (GWP100)"),
    (
        "EF v3.1",
        "material resources: metals/minerals",
        "abiotic depletion potential (ADP): elements (ultimate reserves)",
    ),
    ("EF v3.1", "energy resources: non-renewable", "abiotic depletion potential (ADP): fossil fuels"),
    ("Cumulative Energy Demand (CED)", "total", "energy content (HHV)"),
    ("ReCiPe 2016 v1.03, midpoint (H)", "water use", "water consumption potential (WCP)"),
    ("EF v3.1", "water use", "user deprivation potential (deprivation-weighted water consumption)"),
]


def method_key(category: str, content: dict[str, Any]) -> tuple[str, str, str]:
    """The Brightway method key of an ai-lca category whose CFs are described by ``content``."""
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:12]
    return ("ai-lca", category, digest)


def category_method(category: str, record: MethodRecord | None = None) -> tuple[str, str, str]:
    """The method key of an embedded-project category (from its inventory method record)."""
    rec = record or category_records()[category]
    content = {"method": list(rec.brightway_method), "factor": rec.factor, "indicator": category, "bundled": True}
    return method_key(category, content)


def category_records(registry: Registry | None = None) -> dict[str, MethodRecord]:
    """The method records of the four impact categories (bundled inventory)."""
    if registry is None:
        return dict(_bundled_category_records())
    return {cat: registry.get(cat, "method") for cat in CATEGORIES}


@lru_cache(maxsize=1)
def _bundled_category_records() -> dict[str, MethodRecord]:
    # read once per process, and only the bundled method files (the bundled inventory is part of
    # the installed package; its ids are unique, which loading it whole checks in the tests)
    methods = Registry([bundled_folder() / "methods"], include_bundled=False)
    return {cat: methods.get(cat, "method") for cat in CATEGORIES}


def _bw2io_data() -> Path:
    spec = importlib.util.find_spec("bw2io")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        raise EngineError("bw2io is not installed; it provides the offline biosphere and LCIA data")
    return Path(list(spec.submodule_search_locations)[0]) / "data"


def _load_bundled_methods(wanted: set[tuple[str, ...]]) -> dict[tuple[str, ...], dict[str, Any]]:
    path = _bw2io_data() / "lcia" / "lcia_39_ecoinvent.zip"
    with zipfile.ZipFile(path) as archive:
        data = json.load(archive.open("data.json"))
    found = {tuple(m["name"]): m for m in data if tuple(m["name"]) in wanted}
    missing = wanted - set(found)
    if missing:
        raise EngineError(f"LCIA methods not found in bw2io's bundled file: {sorted(missing)}", file=path)
    return found


def _marker(bd: Any) -> Path:
    return Path(bd.projects.dir) / MARKER


def is_set_up(bd: Any) -> bool:
    marker = _marker(bd)
    if not marker.exists():
        return False
    try:
        info = json.loads(marker.read_text())
    except (OSError, ValueError):
        return False
    if info.get("version") != SETUP_VERSION:
        return False
    return {"biosphere3", INDICATORS} <= set(bd.databases)


def ensure_setup(bd: Any, registry: Registry | None = None) -> dict[str, Any]:
    """Create biosphere and indicator flows in the current project if needed; then the category methods.

    Must be called with the project current and the home lock held
    (:func:`lca.engine.home.brightway`). Returns what was done and how long
    it took, and ``methods``: category -> Brightway method key.
    """
    t0 = time.perf_counter()
    records = category_records(registry)
    created = False
    if not is_set_up(bd):
        created = True
        with quiet():
            _drop_version_1(bd)
            if "biosphere3" not in bd.databases:
                import bw2io

                bw2io.create_default_biosphere3()
            write_indicators(bd, records)
            bundled = _load_bundled_methods({tuple(m) for m in BUNDLED_METHODS})
            ids = _flow_ids(bd, "biosphere3")
            for key, method in bundled.items():
                m = bd.Method(key)
                m.register(
                    unit=method["unit"],
                    description=method.get("description", ""),
                    filename="lcia_39_ecoinvent.zip (bundled with bw2io)",
                )
                m.write(_cfs(method, ids))
        _marker(bd).write_text(json.dumps({"version": SETUP_VERSION}))
    methods = ensure_methods(bd, records)
    return {"created": created, "seconds": round(time.perf_counter() - t0, 3), "methods": methods}


def _drop_version_1(bd: Any) -> None:
    """What set-up version 1 wrote and version 2 names otherwise: ``("ai-lca", category)`` methods, whose
    meaning changed with every run, and ``ai-lca/<study>`` foreground databases."""
    for m in [m for m in bd.methods if len(m) == 2 and m[0] == "ai-lca"]:
        bd.Method(m).deregister()
    for db in [d for d in bd.databases if d.startswith("ai-lca/")]:
        del bd.databases[db]


def write_indicators(bd: Any, records: dict[str, MethodRecord]) -> None:
    """The indicator flows: one per category, carrying inventory data already characterised."""
    bd.Database(INDICATORS).write(
        {
            (INDICATORS, cat): {
                "name": f"{cat} indicator ({rec.unit})",
                "unit": rec.unit,
                "type": "emission",
                "categories": ("ai-lca indicator",),
                "description": rec.description or "",
            }
            for cat, rec in records.items()
        }
    )


def _flow_ids(bd: Any, database: str) -> dict[str, int]:
    from bw2data.backends import ActivityDataset as AD

    return {code: node_id for node_id, code in AD.select(AD.id, AD.code).where(AD.database == database).tuples()}


def _cfs(method: dict[str, Any], ids: dict[str, int], factor: float = 1.0) -> list[tuple[int, float]]:
    out = []
    for cf in method["exchanges"]:
        db, code = cf["input"]
        if db == "biosphere3" and code in ids:
            out.append((ids[code], cf["amount"] * factor))
    return out


def ensure_methods(bd: Any, records: dict[str, MethodRecord]) -> dict[str, tuple[str, str, str]]:
    """The ``("ai-lca", category, hash)`` methods of the embedded project, written where missing."""
    keys = {cat: category_method(cat, rec) for cat, rec in records.items()}
    missing = {cat: key for cat, key in keys.items() if key not in bd.methods}
    if missing:
        with quiet():
            wanted = {tuple(records[c].brightway_method) for c in missing}
            bundled = _load_bundled_methods(wanted)
            ids = _flow_ids(bd, "biosphere3")
            ind = _flow_ids(bd, INDICATORS)
            for cat, key in missing.items():
                rec = records[cat]
                m = bd.Method(key)
                m.register(
                    unit=rec.unit,
                    description=(
                        f"ai-lca category '{cat}': CFs of {tuple(rec.brightway_method)} x {rec.factor:g}, "
                        f"plus the '{cat}' indicator flow at 1. Source: {rec.source}"
                    ),
                    ai_lca=True,
                )
                m.write(_cfs(bundled[tuple(rec.brightway_method)], ids, rec.factor) + [(ind[cat], 1.0)])
    return keys
