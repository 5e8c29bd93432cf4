"""Read inventory files (YAML or CSV) into typed records in canonical units.

YAML layout::

    kind: grid                 # one kind per file
    source: default citation for every value in the file (optional)
    records:
      - id: FR
        gwp100: {value: 57, unit: g CO2e/kWh, source: "...", range: [50, 70]}

CSV layout (one record per row): leading ``# kind: grid`` / ``# source: ...``
comment lines, then a header whose value columns carry their unit in brackets,
``gwp100 [kg CO2e/kWh]``, with optional ``gwp100_min``, ``gwp100_max``,
``gwp100_source``, ``gwp100_distribution`` columns, and a ``source`` column for
the row.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InventoryError, UnitError
from ..units import convert
from ..validation import format_loc, validate
from ..yamlio import Document, read_text, read_yaml
from .schema import FIELD_UNITS, RECORD_TYPES, Record, Value

__all__ = ["Origin", "LoadedRecord", "load_file", "inventory_files"]

SUFFIXES = (".yaml", ".yml", ".csv")
MAX_FOLDER_ENTRIES = 20_000  # files and folders walked in one inventory folder before giving up


@dataclass(frozen=True)
class Origin:
    """Where a record came from."""

    folder: Path
    file: Path
    line: int | None = None

    def __str__(self) -> str:
        try:
            rel = self.file.relative_to(self.folder)
        except ValueError:
            rel = self.file
        line = f":{self.line}" if self.line else ""
        return f"{self.folder.name}/{rel}{line}"


@dataclass
class LoadedRecord:
    record: Record
    origin: Origin


def inventory_files(folder: Path) -> list[Path]:
    """Inventory files under ``folder`` (recursive, sorted).

    Hidden files and folders, folders starting with ``_`` and ``profiles/``
    folders (hourly profiles that records point to) are skipped. A ``.yaml``,
    ``.yml`` or ``.csv`` entry that is not a regular file (a broken link, a
    pipe) is an error, never skipped.
    """
    out = []
    seen = 0
    for path in folder.rglob("*"):
        seen += 1
        if seen > MAX_FOLDER_ENTRIES:
            raise InventoryError(
                f"the inventory folder holds more than {MAX_FOLDER_ENTRIES:,} entries: not an inventory folder?",
                file=folder,
                hint="name the folder that holds your inventory files, not a parent of many others",
            )
        rel = path.relative_to(folder)
        if any(part.startswith((".", "_")) or part == "profiles" for part in rel.parts[:-1]) or rel.name.startswith(
            "."
        ):
            continue
        if path.suffix.lower() in SUFFIXES:
            if path.is_file():
                out.append(path)
            elif not path.is_dir():  # never skipped in silence: the user meant it to be read
                raise InventoryError(
                    "an inventory file is not a regular file (a broken link, a pipe or a device)",
                    file=path,
                    hint="remove it, or point the link at an inventory file",
                )
    return sorted(out)


_HEADER_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?:\[(.*)\])?\s*$")


def _read_csv(path: Path) -> Document:
    text = read_text(path, InventoryError)
    meta: dict[str, str] = {}
    lines = text.splitlines()
    body_start = 0
    for i, line in enumerate(lines):
        if line.startswith("#"):
            if ":" in line:
                key, _, val = line[1:].partition(":")
                meta[key.strip()] = val.strip()
            body_start = i + 1
        else:
            break
    reader = csv.reader(io.StringIO("\n".join(lines[body_start:])))
    try:
        header = next(reader)
    except StopIteration:
        raise InventoryError("CSV file has no header row", file=path) from None
    columns: list[tuple[str, str | None]] = []
    for col in header:
        m = _HEADER_RE.match(col)
        if not m:
            raise InventoryError(
                "bad CSV column header", file=path, line=body_start + 1, value=col, valid="'name' or 'name [unit]'"
            )
        columns.append((m.group(1), m.group(2)))
    names = [c[0] for c in columns]
    if len(set(names)) != len(names):
        raise InventoryError("duplicate CSV column", file=path, line=body_start + 1, value=header)
    records: list[dict[str, Any]] = []
    marks: dict[tuple, tuple[int, int]] = {}
    for row_no, row in enumerate(reader):
        line_no = body_start + 2 + row_no
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise InventoryError(f"row has {len(row)} cells, header has {len(columns)}", file=path, line=line_no)
        cells = {name: cell.strip() for (name, _), cell in zip(columns, row)}
        units = dict(columns)
        rec: dict[str, Any] = {}
        extras: dict[str, dict[str, Any]] = {}
        for name, cell in cells.items():
            if cell == "":
                continue
            base, _, suffix = name.rpartition("_")
            if suffix in ("min", "max", "source", "distribution", "gsd", "sd") and base in units and units[base]:
                extras.setdefault(base, {})[suffix] = cell
            elif units[name]:
                rec[name] = {"value": _number(cell, path, line_no, name), "unit": units[name]}
            elif name == "year":
                rec[name] = int(_number(cell, path, line_no, name))
            else:
                rec[name] = cell
        for base, ext in extras.items():
            if base not in rec:
                raise InventoryError(f"'{base}_...' given without a '{base}' value", file=path, line=line_no)
            if "min" in ext or "max" in ext:
                lo = _number(ext.get("min", rec[base]["value"]), path, line_no, base + "_min")
                hi = _number(ext.get("max", rec[base]["value"]), path, line_no, base + "_max")
                rec[base]["range"] = [lo, hi]
            for key in ("source", "distribution"):
                if key in ext:
                    rec[base][key] = ext[key]
            for key in ("gsd", "sd"):
                if key in ext:
                    rec[base][key] = _number(ext[key], path, line_no, f"{base}_{key}")
        idx = len(records)
        marks[("records", idx)] = (line_no, 1)
        for name in rec:
            marks[("records", idx, name)] = (line_no, 1)
        records.append(rec)
    # '# source.<field>: ...' comment lines give the source of a whole column
    for key in [k for k in meta if k.startswith("source.")]:
        column = key.split(".", 1)[1]
        for rec in records:
            if isinstance(rec.get(column), dict):
                rec[column].setdefault("source", meta[key])
        del meta[key]
    data: dict[str, Any] = {"records": records}
    data.update(meta)
    marks[()] = (1, 1)
    return Document(path=path, data=data, marks=marks)


def _number(cell: Any, path: Path, line: int, field: str) -> float:
    if isinstance(cell, (int, float)):
        return float(cell)
    try:
        return float(str(cell).replace("_", ""))
    except ValueError:
        raise InventoryError("not a number", file=path, line=line, field=field, value=cell) from None


def _unit_for(units: dict[str, str], path: str) -> str | None:
    """Canonical unit of a dotted field path; '*' in a pattern matches one segment."""
    if path in units:
        return units[path]
    parts = path.split(".")
    for pattern, unit in units.items():
        pat = pattern.split(".")
        if len(pat) == len(parts) and all(p in ("*", q) for p, q in zip(pat, parts)):
            return unit
    return None


def _convert_values(record: Record, kind: str, doc: Document, loc: tuple, default_source: str | None) -> None:
    """Convert every Value of ``record`` to canonical units and fill in sources."""
    units = dict(FIELD_UNITS.get(kind, {}))
    if hasattr(record, "canonical_units"):
        units.update(record.canonical_units())

    def fix(value: Value, path: str, field_loc: tuple) -> Value:
        canonical = _unit_for(units, path)
        if canonical is not None:
            try:
                factor = convert(1.0, value.unit, canonical)
            except UnitError as exc:
                raise exc.located(field=format_loc(field_loc), **doc.where(field_loc)) from None
            if factor != 1.0 or value.unit != canonical:
                value = value.scaled(factor, canonical)
        if value.value < 0 and kind != "process":
            raise InventoryError(
                "value must not be negative",
                field=format_loc(field_loc),
                value=value.value,
                **doc.where(field_loc),
            )
        if not (value.source or record.source or default_source):
            raise InventoryError(
                "value has no source",
                field=format_loc(field_loc),
                hint="give 'source' on the value, the record or the file",
                **doc.where(field_loc),
            )
        if not value.source:
            value = value.model_copy(update={"source": record.source or default_source})
        return value

    def walk(obj: Any, path: str, field_loc: tuple) -> Any:
        if isinstance(obj, Value):
            return fix(obj, path, field_loc)
        if isinstance(obj, dict):
            return {k: walk(v, f"{path}.{k}" if path else k, field_loc + (k,)) for k, v in obj.items()}
        if hasattr(obj, "model_fields") and not isinstance(obj, Value):
            for name in type(obj).model_fields:
                sub = getattr(obj, name)
                if sub is None:
                    continue
                new = walk(sub, f"{path}.{name}" if path else name, field_loc + (name,))
                if new is not sub:
                    setattr(obj, name, new)
            return obj
        if isinstance(obj, list):
            return [walk(v, path, field_loc + (i,)) for i, v in enumerate(obj)]
        return obj

    walk(record, "", loc)


def load_file(path: Path, folder: Path) -> list[LoadedRecord]:
    """Load one inventory file into records with canonical units and sources."""
    path = Path(path)
    doc = _read_csv(path) if path.suffix.lower() == ".csv" else read_yaml(path, InventoryError)
    data = doc.data
    if not isinstance(data, dict):
        raise InventoryError("an inventory file must be a mapping with 'kind' and 'records'", file=path, line=1)
    unknown = set(data) - {"kind", "source", "records", "schema_version", "description", "license"}
    if unknown:
        key = sorted(unknown)[0]
        raise InventoryError(
            "unknown top-level field",
            value=key,
            valid="kind, source, records, schema_version, description, license",
            **doc.where((key,)),
        )
    kind = data.get("kind")
    if kind not in RECORD_TYPES:
        raise InventoryError(
            "unknown or missing record kind",
            field="kind",
            value=kind if kind is not None else ...,
            valid=", ".join(RECORD_TYPES),
            **doc.where(("kind",)),
        )
    records = data.get("records")
    if not isinstance(records, list) or not records:
        raise InventoryError("'records' must be a non-empty list", field="records", **doc.where(("records",)))
    default_source = data.get("source")
    if default_source is not None and not isinstance(default_source, str):
        raise InventoryError("'source' must be text", field="source", value=default_source, **doc.where(("source",)))
    model = RECORD_TYPES[kind]
    out: list[LoadedRecord] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(records):
        loc = ("records", i)
        if not isinstance(raw, dict):
            raise InventoryError("a record must be a mapping", field=format_loc(loc), value=raw, **doc.where(loc))
        raw = {"kind": kind, **raw} if "kind" not in raw else raw
        record = validate(model, raw, doc=doc, error=InventoryError, prefix=loc)
        if record.kind != kind:
            raise InventoryError(
                "record kind differs from the file's kind",
                field=format_loc(loc + ("kind",)),
                value=record.kind,
                valid=kind,
                **doc.where(loc + ("kind",)),
            )
        _convert_values(record, kind, doc, loc, default_source)
        line = doc.where(loc)["line"]
        if record.id in seen:
            raise InventoryError(
                f"duplicate id {record.id!r} (first at line {seen[record.id]})",
                field=format_loc(loc + ("id",)),
                **doc.where(loc + ("id",)),
            )
        seen[record.id] = line or 0
        out.append(LoadedRecord(record=record, origin=Origin(folder=folder, file=path, line=line)))
    return out
