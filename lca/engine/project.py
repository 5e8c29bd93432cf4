"""What ai-lca keeps in a Brightway project: list it, clean it, extend a user's method, export a foreground.

ai-lca writes into a project (its embedded one, or a user's project a study
links to) only:

* foreground databases ``ai-lca study <name>`` (one per study name);
* the indicator flows (database ``ai-lca indicators``);
* methods ``("ai-lca", category, hash)``, each identified by what it contains.

:func:`extend_method` copies a user's method and adds the characterisation
factor of a category's indicator flow, so the user's own method scores a
foreground that still carries indicator flows (pre-characterised inventory
data) in full. :func:`export_excel` writes a foreground (and the indicator
flows it uses) in bw2io's Excel format.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import EngineError, InputError
from .database import FOREGROUND_PREFIX, database_name
from .home import quiet
from .setup import INDICATORS, category_records, write_indicators

__all__ = ["ai_lca_contents", "clean_project", "extend_method", "export_excel", "EXTENDED_SUFFIX"]

EXTENDED_SUFFIX = "with ai-lca indicator flows"


def ai_lca_contents(bd: Any) -> dict[str, list[Any]]:
    """The databases and methods ai-lca created in the current project."""
    dbs = sorted(d for d in bd.databases if d.startswith(FOREGROUND_PREFIX) or d == INDICATORS)
    methods = sorted(m for m in bd.methods if m and (m[0] == "ai-lca" or m[-1] == EXTENDED_SUFFIX))
    return {"databases": dbs, "methods": methods}


def clean_project(bd: Any, study: str | None = None, *, everything: bool = False) -> dict[str, list[Any]]:
    """Delete what ai-lca wrote: one study's foreground, or every foreground and ai-lca method.

    ``everything`` also removes the indicator flows and the extended methods
    (a method that characterises them would be left pointing at nothing).
    Nothing of the user's own is touched. Returns what was removed.
    """
    contents = ai_lca_contents(bd)
    if study is not None:
        db = database_name(study)
        if db not in bd.databases:
            raise InputError(
                "no foreground of this study in the project",
                value=study,
                valid=", ".join(d.removeprefix(FOREGROUND_PREFIX) for d in contents["databases"] if d != INDICATORS),
            )
        dbs, methods = [db], []
    else:
        dbs = [d for d in contents["databases"] if d != INDICATORS or everything]
        methods = [m for m in contents["methods"] if m[0] == "ai-lca" or everything]
    with quiet():
        for m in methods:
            bd.Method(m).deregister()
        for d in dbs:
            del bd.databases[d]
    return {"databases": dbs, "methods": methods}


def extend_method(bd: Any, method: tuple[str, ...], category: str, factor: float = 1.0) -> tuple[str, ...]:
    """A copy of ``method`` plus the ``category`` indicator flow at ``1 / factor``; returns its key.

    ``factor`` converts the method's unit into the category's (as in a study's
    ``background.methods``): an indicator flow is in the category's unit, so
    one unit of it is ``1 / factor`` units of the method's.
    """
    records = category_records()
    if category not in records:
        raise InputError("unknown impact category", value=category, valid=", ".join(records))
    if not factor > 0:
        raise InputError("factor must be positive", value=factor)
    method = tuple(method)
    if method not in bd.methods:
        raise EngineError(f"method {method} not found in the project", hint="list them with bw2data.methods")
    with quiet():
        if INDICATORS not in bd.databases:
            write_indicators(bd, records)
        indicator = bd.get_node(database=INDICATORS, code=category)
        cfs = [cf for cf in bd.Method(method).load() if not _is(cf[0], indicator.id, bd)]
        key = (*method, EXTENDED_SUFFIX)
        meta = dict(bd.methods[method])
        meta["description"] = (
            f"{method} with the ai-lca '{category}' indicator flow at {1 / factor:g} "
            f"(pre-characterised inventory data of ai-lca foregrounds). {meta.get('description', '')}"
        ).strip()
        m = bd.Method(key)
        m.register(**{k: v for k, v in meta.items() if k in ("unit", "description", "filename")}, ai_lca=True)
        m.write([*cfs, (indicator.id, 1.0 / factor)])
    return key


def _is(flow: Any, flow_id: int, bd: Any) -> bool:
    if isinstance(flow, int):
        return flow == flow_id
    return bd.get_node(database=flow[0], code=flow[1]).id == flow_id


def export_excel(bd: Any, study: str, folder: Path) -> list[Path]:
    """bw2io Excel files of a study's foreground and of the indicator flows it uses, in ``folder``."""
    db = database_name(study)
    if db not in bd.databases:
        raise InputError("the study has not been run in this project: run it first", value=study)
    folder.mkdir(parents=True, exist_ok=True)
    with quiet():
        from bw2io.export.excel import write_lci_excel  # bw2io logs a warning about optional importers on import

        paths = [Path(write_lci_excel(db, dirpath=str(folder))), Path(write_lci_excel(INDICATORS, dirpath=str(folder)))]
    return paths
