"""A results folder: the outputs of one run, its study and its provenance.

Layout::

    <out>/impacts.csv        the tidy table (plain RFC 4180 CSV)
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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from ..activity import Note
from ..errors import InputError
from ..versions import package_versions
from .atomic import write_text
from .exporters import ReportData, csv_with_provenance, export
from .safe import csv_text
from .staging import staged_folder

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
    with open(path, "rb") as handle:  # in blocks: an output may be larger than memory allows
        return hashlib.file_digest(handle, "sha256").hexdigest()


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
    force: bool = False,
) -> list[Path]:
    """Write a run's outputs into ``out``, all or nothing; return the paths written (provenance last).

    The outputs are staged beside ``out`` and swapped in with one rename
    (:func:`lca.reports.staging.staged_folder`): ``out`` then holds this run's
    files only, and ``provenance.json`` hashes exactly the bytes this run
    wrote. ``formats``: any of csv, xlsx, json, md, html (csv is always
    written: it is the table the other formats and ``lca report`` start from).
    """
    out = Path(out).expanduser().absolute()
    with staged_folder(out, force=force, protected=getattr(result, "inventory_folders", ())) as stage:
        written = [write_text(stage / "impacts.csv", csv_with_provenance(result))]
        if result.market_table is not None:
            written.append(write_text(stage / "impacts-market-based.csv", csv_text(result.market_table)))
        if study_path is not None:
            # a new file, never written in place: the staged folder holds hard links to the files already there
            written.append(write_text(stage / "study.yaml", Path(study_path).read_bytes()))
        provenance = dict(result.provenance)
        provenance["sources"] = result.sources
        provenance["notes"] = [n.to_dict() for n in result.notes]
        if result.uncertainty is not None:
            provenance["uncertainty"] = result.uncertainty.to_dict(orient="split", index=False)  # keeps column order
        provenance["rerun"] = {
            "study": os.path.relpath(Path(study_path).absolute(), out) if study_path is not None else None,
            "inventories": [os.path.relpath(Path(i).resolve(), out) for i in inventories],
        }
        others = [f for f in formats if f != "csv"]
        if others:
            data = ReportData.from_result(result)
            data.provenance = {
                k: v for k, v in provenance.items() if k not in ("rerun", "outputs", "sources", "notes", "uncertainty")
            }
            written += export(data, stage, others)
        written.append(_seal(stage / PROVENANCE, provenance, written))
        names = [p.name for p in written]
    return [out / n for n in names]


def write_analysis(
    out: Path,
    files: dict[str, Any],
    *,
    command: str,
    studies: Iterable[Any],
    seed: int | None = None,
    notes: dict[str, list[Any]] | None = None,
    force: bool = False,
    **extra: Any,
) -> list[Path]:
    """Write the outputs of an analysis (compare, sweep, mc, sensitivity), then its provenance, all or nothing.

    ``files`` maps names to text, bytes, or a function that writes the file to a
    text handle (a large table streamed in chunks).

    ``<command>-provenance.json`` comes last, as for a run (a separate name, so
    that ``lca mc --out`` into a run's folder keeps the run's own
    ``provenance.json``, whose files are carried over untouched): the command,
    each study's file and sha256, the inventory folders, package versions, the
    seed, the notes, any ``extra`` settings (samples, chunk ...) and the sha256
    of every file written.
    """
    out = Path(out).expanduser().absolute()
    with staged_folder(out, force=force, keep_existing=True) as stage:
        written = [write_text(stage / name, text) for name, text in files.items()]
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
        written.append(_seal(stage / analysis_provenance(command), provenance, written))
        names = [p.name for p in written]
    return [out / n for n in names]


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
    table = pd.read_csv(table_path, keep_default_na=False)
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
