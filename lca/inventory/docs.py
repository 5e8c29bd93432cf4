"""Generate ``docs/data-sources.md`` from the inventory metadata.

The page is generated, never edited by hand: ``python -m lca.inventory.docs``
rewrites it, and a test fails when the committed page differs from what the
bundled inventory generates, so the docs cannot drift from the data.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .registry import Registry, iter_values

__all__ = ["data_sources_markdown", "main"]

KIND_TITLES = {
    "grid": "Electricity grids",
    "datacenter": "Datacenters",
    "accelerator": "Accelerators",
    "server": "Server platforms",
    "embodied": "Embodied (manufacturing) inventories",
    "fab_node": "ACT fab parameters",
    "factor": "Boavizta part factors",
    "model": "Model architectures",
    "parameter": "Compute-model defaults",
    "method": "Impact categories",
    "process": "Processes",
}


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def data_sources_markdown(registry: Registry | None = None) -> str:
    """The data-sources page: one table per kind, one row per value."""
    reg = registry or Registry()
    lines = [
        "# Data sources",
        "",
        "Generated from the bundled inventory by `python -m lca.inventory.docs`; do not edit by hand.",
        "Every value: record id, field, value and unit (canonical, after conversion), range where",
        "one is given, and source. `assumption` marks values that are modelling choices.",
        "",
    ]
    kinds = sorted(
        {e.kind for e in reg.entries()}, key=lambda k: list(KIND_TITLES).index(k) if k in KIND_TITLES else 99
    )
    for kind in kinds:
        entries = reg.entries(kind)
        lines += [f"## {KIND_TITLES.get(kind, kind)} ({len(entries)} records)", ""]
        lines += ["| id | field | value | unit | range | source |", "|---|---|---|---|---|---|"]
        for entry in entries:
            for path, value in iter_values(entry.record):
                rng = f"{value.range[0]:.4g} – {value.range[1]:.4g}" if value.range else ""
                flag = " (assumption)" if value.assumption else ""
                lines.append(
                    f"| {_cell(entry.record.id)} | {_cell(path)} | {value.value:.6g} | {_cell(value.unit)} | "
                    f"{rng} | {_cell(value.source)}{flag} |"
                )
        lines.append("")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    target = Path(argv[0]) if argv else Path(__file__).resolve().parents[2] / "docs" / "data-sources.md"
    target.write_text(data_sources_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
