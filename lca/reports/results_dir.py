"""A results folder: the outputs of one run, its study and its provenance.

Layout::

    <out>/impacts.csv        the tidy table (provenance in '#' comment lines)
    <out>/study.yaml         the study file as it was run
    <out>/provenance.json    written last: inputs, versions, seed, sources, sha256 of every output

Every file is written atomically (temporary file, then rename), and
``provenance.json`` last: a run interrupted before it leaves the previous
provenance, whose hashes then no longer match, which ``lca run --check`` and
``lca report`` detect. Nothing in the outputs depends on the time or the
machine, so the same inputs give byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..activity import Note
from ..errors import InputError
from ..versions import package_versions
from .atomic import atomic_path, write_text
from .exporters import ReportData, csv_with_provenance, export

__all__ = [
    "write_results",
    "write_analysis",
    "analysis_provenance",
    "read_provenance",
    "verify_outputs",
    "load_report_data",
]

PROVENANCE = "provenance.json"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _seal(path: Path, provenance: dict[str, Any], written: list[Path]) -> Path:
    """Write ``provenance`` with the sha256 of every file ``written``, last, to ``path``."""
    provenance["outputs"] = {p.name: _sha256(p) for p in written}
    return write_text(path, json.dumps(provenance, indent=2, sort_keys=True) + "\n")


def write_results(
    result: Any,
    out: Path,
    *,
    study_path: Path | None,
    inventories: Iterable[Path] = (),
    formats: Iterable[str] = ("csv",),
) -> list[Path]:
    """Write a run's outputs into ``out``; return the paths written (provenance last).

    ``formats``: any of csv, xlsx, json, md, html (csv is always written: it is
    the table the other formats and ``lca report`` start from).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_text(out / "impacts.csv", csv_with_provenance(result))]
    if result.market_table is not None:
        written.append(
            write_text(out / "impacts-market-based.csv", result.market_table.to_csv(index=False, lineterminator="\n"))
        )
    if study_path is not None:
        with atomic_path(out / "study.yaml") as tmp:
            shutil.copyfile(study_path, tmp)
        written.append(out / "study.yaml")
    provenance = dict(result.provenance)
    provenance["sources"] = result.sources
    provenance["notes"] = [n.to_dict() for n in result.notes]
    if result.uncertainty is not None:
        provenance["uncertainty"] = result.uncertainty.to_dict(orient="split", index=False)  # keeps column order
    provenance["rerun"] = {
        "study": os.path.relpath(study_path, out) if study_path is not None else None,
        "inventories": [os.path.relpath(Path(i).resolve(), out) for i in inventories],
    }
    others = [f for f in formats if f != "csv"]
    if others:
        data = ReportData.from_result(result)
        data.provenance = {
            k: v for k, v in provenance.items() if k not in ("rerun", "outputs", "sources", "notes", "uncertainty")
        }
        written += export(data, out, others)
    written.append(_seal(out / PROVENANCE, provenance, written))
    return written


def write_analysis(
    out: Path,
    files: dict[str, str],
    *,
    command: str,
    studies: Iterable[Any],
    seed: int | None = None,
    notes: dict[str, list[Any]] | None = None,
    **extra: Any,
) -> list[Path]:
    """Write the outputs of an analysis (compare, sweep, mc, sensitivity), then its provenance.

    ``<command>-provenance.json`` comes last, as for a run (a separate name, so
    that ``lca mc --out`` into a run's folder keeps the run's own
    ``provenance.json``): the command, each study's
    file and sha256, the inventory folders, package versions, the seed, the
    notes, any ``extra`` settings (samples, chunk ...) and the sha256 of every
    file written, so ``verify_outputs`` detects a file changed or left from
    an interrupted run.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = [write_text(out / name, text) for name, text in files.items()]
    provenance: dict[str, Any] = {
        "command": command,
        "studies": [
            {
                "study": s.name,
                "study_file": s.path.name if s.path else None,
                "study_sha256": s.content_hash,
                "inventory_folders": [f.name for f in s.inventory_folders()] + ["bundled"],
            }
            for s in studies
        ],
        "versions": package_versions(),
        "seed": seed,
        **extra,
    }
    if notes is not None:
        provenance["notes"] = {
            k: [n.to_dict() if hasattr(n, "to_dict") else str(n) for n in v] for k, v in notes.items()
        }
    written.append(_seal(out / analysis_provenance(command), provenance, written))
    return written


def analysis_provenance(command: str) -> str:
    """File name of the provenance of analysis ``command`` (e.g. ``mc-provenance.json``)."""
    return f"{command}-provenance.json"


def load_report_data(folder: Path) -> Any:
    """Rebuild the :class:`ReportData` of a results folder from its files."""
    folder = Path(folder)
    prov = read_provenance(folder)
    table_path = folder / "impacts.csv"
    if not table_path.is_file():
        raise InputError("results folder has no impacts.csv", file=folder)
    table = pd.read_csv(table_path, comment="#", keep_default_na=False)
    market_path = folder / "impacts-market-based.csv"
    market = pd.read_csv(market_path, keep_default_na=False) if market_path.is_file() else None
    unc_path = folder / "uncertainty.csv"  # written by lca mc --out (more samples than the run's own)
    unc: pd.DataFrame | None
    if unc_path.is_file():
        unc = pd.read_csv(unc_path)
    else:
        u = prov.get("uncertainty")
        unc = pd.DataFrame(u["data"], columns=u["columns"]) if u else None
    provenance = {k: v for k, v in prov.items() if k not in ("sources", "notes", "rerun", "outputs", "uncertainty")}
    notes = [Note.from_dict(n) for n in prov.get("notes", [])]
    return ReportData(prov.get("study", folder.name), table, provenance, notes, prov.get("sources", []), market, unc)


def read_provenance(folder: Path, name: str = PROVENANCE) -> dict[str, Any]:
    path = Path(folder) / name
    if not path.is_file():
        raise InputError(f"not an ai-lca results folder (no {name})", file=folder)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(f"{name} is not valid JSON: {exc}", file=path) from None


def verify_outputs(folder: Path, name: str = PROVENANCE) -> list[str]:
    """Names of outputs whose content no longer matches the hash the provenance file ``name`` recorded."""
    prov = read_provenance(folder, name)
    bad = []
    for output, digest in prov.get("outputs", {}).items():
        path = Path(folder) / output
        if not path.is_file() or _sha256(path) != digest:
            bad.append(output)
    return bad
