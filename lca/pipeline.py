"""Run a study end to end: study -> activity -> graph -> Brightway -> result table (+ Monte Carlo)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from .activity import COMPONENT_LABELS, NARROW, Activity, Component, NoteCode
from .analysis.compiled import compile_graph
from .analysis.montecarlo import build_model, monte_carlo
from .arguments import category_names, folder, folders, sample_count, seed_value
from .engine import database_name, run_graph
from .errors import InputError
from .graph import NodeKind, ProcessGraph, build_graph
from .inventory import CATEGORIES, Registry
from .results import Result, build_activity, build_table, market_based_table
from .study import Study, load_study, study_from_dict
from .versions import package_versions

__all__ = ["run", "prepare", "package_versions", "functional_units", "boundary", "DEFAULT_SAMPLES", "DEFAULT_SEED"]

DEFAULT_SAMPLES = 1000  # Monte Carlo samples drawn by every run (the static result is reported beside them)
DEFAULT_SEED = 42


def functional_units(study: Study, activity: Activity) -> list[dict[str, Any]]:
    """The functional units a study supports, with the amount of each in the study."""
    units: list[dict[str, Any]] = [{"name": "life cycle", "phases": "all", "amount": 1.0}]
    if study.training is not None:
        units.append({"name": "training run", "phases": ["training"], "amount": 1.0})
    inf = study.inference
    if inf is not None:
        requests = float(activity.values[activity.phases["inference"].amount])
        units.append({"name": "1,000 requests", "phases": ["inference"], "amount": requests / 1000.0})
        units.append({"name": "request", "phases": ["inference"], "amount": requests})
        if inf.modelled:
            tokens = requests * (int(inf.prompt_tokens) + int(inf.output_tokens))  # type: ignore[arg-type]
            units.append({"name": "million tokens", "phases": ["inference"], "amount": tokens / 1e6})
        if inf.duration is not None:
            units.append({"name": "deployment year", "phases": ["inference"], "amount": inf.duration / 8766.0})
        units.append({"name": "request (life cycle, training amortised)", "phases": "all", "amount": requests})
    return units


def boundary(activity: Activity) -> list[dict[str, Any]]:
    """Energy per unit of each phase by boundary component [kWh], with the narrow and comprehensive sums.

    The narrow boundary is the active accelerators alone; the comprehensive
    one adds the host, idle capacity and datacenter overhead.
    """
    rows = []
    for name, phase in activity.phases.items():
        amount = float(activity.values[phase.amount])
        for comp, q in phase.energy.items():
            rows.append(
                {
                    "phase": name,
                    "per": phase.unit,
                    "amount": amount,
                    "component": str(comp),
                    "label": COMPONENT_LABELS[comp],
                    "energy_kwh": float(activity.values[q]),
                    "narrow": comp in NARROW,
                }
            )
        if phase.hardware_hours is not None:
            rows.append(
                {
                    "phase": name,
                    "per": phase.unit,
                    "amount": amount,
                    "component": "embodied",
                    "label": COMPONENT_LABELS[Component.EMBODIED],
                    "energy_kwh": 0.0,
                    "narrow": False,
                    "accelerator_hours": float(activity.values[phase.hardware_hours]),
                }
            )
    return rows


def prepare(
    study: Study | str | Path | dict[str, Any], inventories: Iterable[str | Path] | str | Path = ()
) -> tuple[Study, Registry, ProcessGraph]:
    """Load and validate everything a run needs, without touching Brightway.

    ``study`` is a validated study, the path of a study file, or a mapping of
    its fields (as a study file would give them).
    """
    if isinstance(study, dict):
        study = study_from_dict(study)
    elif isinstance(study, str | Path):
        study = load_study(study)
    elif not isinstance(study, Study):
        raise InputError(
            "a study is a Study, the path of a study file or a mapping of its fields", value=type(study).__name__
        )
    registry = Registry([*folders("inventories", inventories), *study.inventory_folders()])
    graph = build_graph(study, registry)
    return study, registry, graph


def run(
    study: Study | str | Path | dict[str, Any],
    *,
    home: str | Path | None = None,
    inventories: Iterable[str | Path] | str | Path = (),
    categories: Iterable[str] | None = None,
    brightway_dir: str | Path | None = None,
    samples: int = DEFAULT_SAMPLES,
    seed: int = DEFAULT_SEED,
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
    categories : iterable of str, optional
        Impact categories to compute (default: all four; for a study linked to
        a background database, those its ``background.methods`` give a
        method for: the others are reported as not computed, never as 0).
    brightway_dir : path, optional
        Your own Brightway folder, for a study linked to a background
        database (default: ``$BRIGHTWAY2_DIR``, else Brightway's folder). A
        study can name a project there, never a folder.
    samples : int, default 1000
        Monte Carlo samples over every uncertain input (defaults and inventory
        values with a range); the static result is reported beside their
        median and 95 % interval. 0 skips them.
    seed : int, default 42
        Seed of the Monte Carlo samples.
    """
    samples = sample_count(samples, none_allowed=True)
    seed = seed_value(seed)
    folder("home", home)
    folder("brightway_dir", brightway_dir)
    categories = category_names(categories)
    study, registry, graph = prepare(study, inventories)
    bg = study.background
    computable: list[str] = list(CATEGORIES) if bg is None else [c for c in CATEGORIES if c in bg.methods]
    cats: list[str] = computable if categories is None else [str(c) for c in categories]
    unknown = [c for c in cats if c not in CATEGORIES]
    if unknown or not cats:
        raise InputError("unknown impact category", value=unknown or cats, valid=", ".join(CATEGORIES))
    no_method = [c for c in cats if c not in computable]
    if no_method:
        raise InputError(
            "no method for this category in the study's background.methods",
            value=", ".join(no_method),
            valid=", ".join(computable),
            hint="add a method for it under background.methods, or leave it out of the categories",
        )
    not_computed = {
        c: (
            "not asked for"
            if c in computable
            else f"background.methods gives no method for {c}: not computed (not reported as 0)"
        )
        for c in CATEGORIES
        if c not in cats
    }
    for c, why in not_computed.items():
        graph.note(NoteCode.GAP, f"{c} not computed: {why}", c)
    solution = run_graph(
        graph,
        database_name(study.name),
        home=home,
        categories=cats,
        background=study.background,
        brightway_dir=brightway_dir,
    )
    if solution.links:
        _name_linked(graph, solution.links)
    table = build_table(study.name, graph, solution.contributions)
    activity_table = build_activity(graph, solution.supply)
    act = graph.activity
    if act is None:  # pragma: no cover - build_graph always attaches the activity
        raise RuntimeError("the process graph has no activity model")
    mc = None
    uncertainty = None
    warnings: list[str] = []
    if samples:
        h = _link_matrix(graph, solution.link_scores) if study.background is not None else None
        model = build_model(study, registry, compiled=compile_graph(graph, h))
        if model.inputs:
            mc = monte_carlo(model, samples, seed=seed, chunk=min(samples, 2000))
            uncertainty = mc.percentiles()
            uncertainty = uncertainty[uncertainty["category"].isin(cats)].reset_index(drop=True)
            warnings = [w for w in mc.warnings() if w.split(":")[0] in cats]
    grid_rows = activity_table[activity_table["kind"] == "grid"]
    provenance = {
        "study": study.name,
        "study_file": study.path.name if study.path else None,
        "study_sha256": study.content_hash,
        "inventory_folders": ["bundled" if f == registry.bundled else f.name for f in registry.folders],
        "brightway_database": database_name(study.name),
        "categories": cats,
        "not_computed": not_computed,
        "methods": {c: str(k) for c, k in solution.methods.items()},
        "background": _background_provenance(study, solution) if study.background is not None else None,
        "versions": package_versions(),
        "seed": seed if mc is not None else None,
        "samples": len(mc.total) if mc is not None else 0,
        "monte_carlo_parameters": list(mc.labels) if mc is not None else [],
        "functional_units": functional_units(study, act),
        "energy_at_meter_kwh": float(grid_rows["amount"].sum()),
        "energy_at_meter_by_phase_kwh": {p: float(v) for p, v in grid_rows.groupby("phase")["amount"].sum().items()},
        "phases": {name: phase.source for name, phase in act.phases.items()},
        "boundary": boundary(act),
        "market_based": _market_grids(graph),
        "assumptions": [q.to_dict() for q in act.defaults],
        "quantities": [
            act.quantity(n).to_dict()
            for n in (*act.inputs, *act.derived)
            if np.ndim(act.values.get(n, 0.0)) == 0 and not isinstance(act.values.get(n), str)
        ],
    }
    return Result(
        study=study.name,
        table=table,
        activity=activity_table,
        scores=solution.scores,
        notes=list(graph.notes),
        sources=_sources(registry.sources(), solution.links, graph),
        provenance=provenance,
        graph=graph,
        market_table=market_based_table(graph, table),
        uncertainty=uncertainty,
        monte_carlo=mc,
        warnings=warnings,
        inventory_folders=list(registry.folders),
    )


def _replaced(links: dict[str, Any], graph: ProcessGraph) -> set[str]:
    """Inventory record ids whose values a linked background activity replaced."""
    return {node.split("/", 1)[1] for node in links if "/" in node}


def _name_linked(graph: ProcessGraph, links: dict[str, dict[str, Any]]) -> None:
    """A linked process is named by its background activity; notes about the replaced inventory go."""
    replaced = _replaced(links, graph)
    for node, bg in links.items():
        where = f" [{bg['location']}]" if bg.get("location") else ""
        graph.nodes[node]["name"] = f"{bg['name']}{where} (background '{bg['database']}')"
        graph.nodes[node]["comment"] = f"background activity {bg['code']} of database '{bg['database']}'"
    graph.drop_notes(
        [
            n
            for n in graph.notes
            if (n.subject in replaced and n.code in (NoteCode.GAP, NoteCode.DEFAULT)) or n.code == NoteCode.LINK
        ]
    )
    for node, bg in links.items():
        version = ", ".join(
            f"{k} {bg[k]}" for k in ("activities", "modified", "version", "sha256") if bg.get(k) is not None
        )
        graph.note(
            NoteCode.LINK,
            f"{node} replaced by background activity '{bg['name']}' [{bg.get('location') or 'no location'}], "
            f"code {bg['code']}, database '{bg['database']}' of project '{bg['project']}' ({version})",
            node,
        )


def _sources(sources: list[dict[str, Any]], links: dict[str, Any], graph: ProcessGraph) -> list[dict[str, Any]]:
    """Inventory sources less the values a linked background replaced."""
    replaced = _replaced(links, graph)
    return [s for s in sources if s.get("id") not in replaced or s.get("kind") not in ("grid", "embodied")]


def _background_provenance(study: Study, solution: Any) -> dict[str, Any]:
    bg = study.background
    if bg is None:  # pragma: no cover - called for linked studies only
        return {}
    return {
        "project": bg.project,
        "database": bg.database,
        "methods": {c: {"method": list(m.method), "factor": m.factor} for c, m in bg.methods.items()},
        "links": solution.links,
    }


def _link_matrix(graph: ProcessGraph, scores: dict[tuple[str, str], float]) -> np.ndarray:
    nodes = sorted(graph.nodes)
    h = np.zeros((len(CATEGORIES), len(nodes)))
    for (node, cat), score in scores.items():
        if cat in CATEGORIES:
            h[CATEGORIES.index(cat), nodes.index(node)] = score
    return h


def _market_grids(graph: ProcessGraph) -> dict[str, list[str]]:
    """Grids with a contractual (market-based) factor, and those whose location-based factor stands in."""
    grids = [(d.get("comment", n), d) for n, d in graph.nodes(data=True) if d.get("kind") == NodeKind.GRID]
    contract = sorted(
        str(c).removeprefix("grid record ").strip("'") for c, d in grids if d.get("market_gwp100") is not None
    )
    fallback = sorted(
        str(c).removeprefix("grid record ").strip("'") for c, d in grids if d.get("market_gwp100") is None
    )
    return {"contractual": contract, "location_fallback": fallback}
