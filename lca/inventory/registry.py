"""Resolve inventory ids through an ordered list of folders.

User folders come first, the bundled ``inventories/`` folder last: a record in
an earlier folder overrides a record with the same id in a later one, and the
registry remembers which folder won and what it shadowed. Ids are unique
within a folder across all kinds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InventoryError, UnknownIdError
from .loader import LoadedRecord, Origin, inventory_files, load_file
from .schema import CATEGORIES, GridRecord, Record, Value

__all__ = ["bundled_folder", "Entry", "Registry"]


def bundled_folder() -> Path:
    """The ``inventories/`` folder shipped with ai-lca."""
    here = Path(__file__).resolve().parents[2] / "inventories"
    if not here.is_dir():  # pragma: no cover - broken install
        raise InventoryError(
            "bundled inventories folder not found",
            file=here,
            hint="install ai-lca from a source checkout (pip install -e .)",
        )
    return here


@dataclass
class Entry:
    """A resolved record, the folder it came from and what it overrides."""

    record: Record
    origin: Origin
    shadowed: list[Origin] = field(default_factory=list)
    bundled: bool = False

    @property
    def kind(self) -> str:
        return self.record.kind  # type: ignore[attr-defined]


class Registry:
    """All records of an ordered list of inventory folders (first folder wins)."""

    def __init__(self, folders: Iterable[Path | str] = (), *, include_bundled: bool = True) -> None:
        if isinstance(folders, str | Path):  # one folder, not an iterable of its characters
            folders = [folders]
        user = [Path(f).resolve() for f in folders]
        for f in user:
            if f == Path(f.anchor) or f == Path.home().resolve():
                raise InventoryError(
                    "an inventory folder cannot be the filesystem root or the home folder",
                    file=f,
                    hint="name the folder that holds your inventory files",
                )
        self.bundled = bundled_folder() if include_bundled else None
        self.folders: list[Path] = []
        for f in user + ([self.bundled] if self.bundled else []):
            if f not in self.folders:
                self.folders.append(f)
        self._entries: dict[str, Entry] = {}
        self.used: dict[str, Entry] = {}
        for folder in self.folders:
            self._load_folder(folder)

    # ------------------------------------------------------------------ loading
    def _load_folder(self, folder: Path) -> None:
        if not folder.exists():
            raise InventoryError("inventory folder not found", file=folder)
        if not folder.is_dir():
            raise InventoryError("inventory path is not a folder", file=folder)
        local: dict[str, LoadedRecord] = {}
        files = inventory_files(folder)
        if not files and folder != self.bundled:  # a folder named to change nothing is a wrong folder
            raise InventoryError(
                "the inventory folder holds no inventory files (.yaml, .yml or .csv)",
                file=folder,
                hint="name the folder that holds your inventory files, or leave it out",
            )
        for path in files:
            for item in load_file(path, folder):
                rid = item.record.id
                if rid in local:
                    first = local[rid].origin
                    raise InventoryError(
                        f"duplicate id {rid!r}: also defined at {first}",
                        file=item.origin.file,
                        line=item.origin.line,
                        field="id",
                        hint="ids must be unique within an inventory folder",
                    )
                local[rid] = item
        for rid, item in local.items():
            if rid in self._entries:
                winner = self._entries[rid]
                if winner.kind != item.record.kind:  # type: ignore[attr-defined]
                    raise InventoryError(
                        f"id {rid!r} is a {winner.kind} here but a {item.record.kind} "  # type: ignore[attr-defined]
                        f"in {item.origin}, which it would override",
                        file=winner.origin.file,
                        line=winner.origin.line,
                        hint="an override must have the same kind as the record it replaces",
                    )
                winner.shadowed.append(item.origin)
            else:
                self._entries[rid] = Entry(record=item.record, origin=item.origin, bundled=folder == self.bundled)

    # ------------------------------------------------------------------ queries
    def ids(self, kind: str | None = None) -> list[str]:
        return sorted(i for i, e in self._entries.items() if kind is None or e.kind == kind)

    def entries(self, kind: str | None = None) -> list[Entry]:
        return [self._entries[i] for i in self.ids(kind)]

    def entry(self, ident: str, kind: str | None = None, **where: Any) -> Entry:
        entry = self._entries.get(ident)
        if entry is None or (kind is not None and entry.kind != kind):
            names = {e.record.name: e.record.id for e in self.entries(kind) if e.record.name}
            raise UnknownIdError(kind or "inventory", ident, self.ids(kind), aliases=names, **where)
        self.used[ident] = entry
        return entry

    def get(self, ident: str, kind: str | None = None, **where: Any) -> Any:
        """The record with id ``ident`` (of ``kind``), marked as used."""
        return self.entry(ident, kind, **where).record

    def grid(self, ident: str, **where: Any) -> GridRecord:
        """A grid record with indicators inherited along its ``base`` chain."""
        chain: list[str] = []
        current: str | None = ident
        merged: dict[str, Value | None] = dict.fromkeys(CATEGORIES)
        first: GridRecord | None = None
        while current is not None:
            if current in chain:
                raise InventoryError(
                    "circular 'base' chain between grid records",
                    value=" -> ".join(chain + [current]),
                    **where,
                )
            chain.append(current)
            rec: GridRecord = self.get(current, "grid", **where)
            first = first or rec
            for cat in CATEGORIES:
                if merged[cat] is None and getattr(rec, cat) is not None:
                    merged[cat] = getattr(rec, cat)
            current = rec.base
        if first is None:  # pragma: no cover - the loop always runs once
            raise UnknownIdError("grid", ident, self.ids("grid"), **where)
        return first.model_copy(update=merged)

    def sources(self) -> list[dict[str, Any]]:
        """Every value of every used record: id, field, value, unit, source, origin."""
        rows: list[dict[str, Any]] = []
        for ident, entry in sorted(self.used.items()):
            for path, value in iter_values(entry.record):
                rows.append(
                    {
                        "id": ident,
                        "kind": entry.kind,
                        "field": path,
                        "value": value.value,
                        "unit": value.unit,
                        "source": value.source,
                        "assumption": value.assumption,
                        "origin": str(entry.origin),
                        "overrides": [str(o) for o in entry.shadowed],
                    }
                )
        return rows


def iter_values(obj: Any, path: str = "") -> Iterable[tuple[str, Value]]:
    """Every :class:`Value` inside a record, with its dotted path."""
    if isinstance(obj, Value):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from iter_values(v, f"{path}.{k}" if path else str(k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from iter_values(v, f"{path}[{i}]")
    elif hasattr(obj, "model_fields"):
        for name in type(obj).model_fields:
            sub = getattr(obj, name)
            if sub is not None:
                yield from iter_values(sub, f"{path}.{name}" if path else name)
