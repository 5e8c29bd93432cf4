"""Run a study end to end: study -> graph -> Brightway -> result table."""

from __future__ import annotations

import importlib.metadata
import platform
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .engine import database_name, run_graph
from .graph import build_graph
from .inventory import CATEGORIES, Registry
from .results import Result, build_activity, build_table, market_based_table
from .study import Study, load_study

__all__ = ["run", "prepare", "package_versions"]

_PACKAGES = ("ai-lca", "bw2data", "bw2calc", "bw2io", "bw_processing", "numpy", "scipy", "pandas", "networkx", "pint", "pydantic")


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def functional_units(study: Study) -> list[dict[str, Any]]:
    """The functional units a study supports, with the amount of each in the study."""
    units: list[dict[str, Any]] = [{"name": "life cycle", "phases": "all", "amount": 1.0}]
    if study.training is not None:
        units.append({"name": "training run", "phases": ["training"], "amount": 1.0})
    inf = study.inference
    if inf is not None:
        requests = inf.total_requests
        units.append({"name": "1,000 requests", "phases": ["inference"], "amount": requests / 1000.0})
        if inf.modelled:
            tokens = requests * (int(inf.prompt_tokens) + int(inf.output_tokens))  # type: ignore[arg-type]
            units.append({"name": "million tokens", "phases": ["inference"], "amount": tokens / 1e6})
        if inf.duration is not None:
            units.append({"name": "deployment year", "phases": ["inference"], "amount": inf.duration / 8766.0})
        units.append({"name": "request (life cycle, training amortised)", "phases": "all", "amount": requests})
    return units


def prepare(study: Study | str | Path, inventories: Iterable[str | Path] = ()) -> tuple[Study, Registry, Any]:
    """Load and validate everything a run needs, without touching Brightway."""
    if not isinstance(study, Study):
        study = load_study(study)
    registry = Registry([*inventories, *study.inventory_folders()])
    graph = build_graph(study, registry)
    return study, registry, graph


def run(
    study: Study | str | Path,
    *,
    home: str | Path | None = None,
    inventories: Iterable[str | Path] = (),
    categories: Iterable[str] = CATEGORIES,
    brightway_dir: str | Path | None = None,
) -> Result:
    """Run a study and return its :class:`~lca.results.Result`.

    Parameters
    ----------
    study : Study or path
        A validated study, or the path of a study YAML file.
    home : path, optional
        ai-lca home folder (default: ``$LCA_HOME`` or the user data folder).
    inventories : paths, optional
        Extra inventory folders; they override the study's and the bundled ones.
    categories : iterable of str
        Impact categories to compute (default: all four).
    brightway_dir : path, optional
        Your own Brightway folder, for a study linked to a background
        database (default: ``$BRIGHTWAY2_DIR``, else Brightway's folder). A
        study can name a project there, never a folder.
    """
    study, registry, graph = prepare(study, inventories)
    cats = list(categories)
    solution = run_graph(graph, database_name(study.name), home=home, categories=cats,
                         background=study.background, brightway_dir=brightway_dir)
    table = build_table(study.name, graph, solution.contributions)
    activity = build_activity(graph, solution.supply)
    grid_rows = activity[activity["kind"] == "grid"]
    provenance = {
        "study": study.name,
        "study_file": study.path.name if study.path else None,
        "study_sha256": study.content_hash,
        "inventory_folders": [
            "bundled" if f == registry.bundled else f.name for f in registry.folders
        ],
        "brightway_database": database_name(study.name),
        "methods": {c: f"('ai-lca', '{c}')" for c in cats},
        "versions": package_versions(),
        "seed": None,
        "functional_units": functional_units(study),
        "energy_at_meter_kwh": float(grid_rows["amount"].sum()),
        "energy_at_meter_by_phase_kwh": {p: float(v) for p, v in grid_rows.groupby("phase")["amount"].sum().items()},
        "phases": graph.graph.get("phase_sources", {}),
    }
    return Result(
        study=study.name,
        table=table,
        activity=activity,
        scores=solution.scores,
        notes=list(graph.graph["notes"]),
        sources=registry.sources(),
        provenance=provenance,
        graph=graph,
        market_table=market_based_table(graph, table),
    )
