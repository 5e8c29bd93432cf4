"""Hardware of a phase: the accelerator, the server, their manufacturing and amortisation."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..embodied.resolve import resolve_embodied
from ..errors import StudyError
from ..inventory import CATEGORIES
from ..inventory.schema import AcceleratorRecord, ServerRecord
from ..study import Study
from .inputs import InputTable
from .quantity import NoteCode

__all__ = ["Hardware", "EmbodiedSpec", "resolve_hardware", "resolve_embodied_spec", "check_peak"]

CATEGORY_LABELS = {"gwp100": "climate change", "water": "water", "adpe": "mineral resources", "pe": "primary energy"}


@dataclass(frozen=True)
class EmbodiedSpec:
    """Manufacturing of one embodied record: impacts per unit (quantity names) or an assembly of parts."""

    ident: str
    name: str
    unit: str
    impacts: dict[str, str] = field(default_factory=dict)  # category -> quantity name
    parts: tuple[tuple[str, float], ...] = ()  # (embodied id, count) of an assembly


@dataclass(frozen=True)
class Hardware:
    """The hardware of one phase."""

    accelerator: AcceleratorRecord
    server: ServerRecord | None
    card_embodied: str | None  # embodied record of one accelerator card
    server_embodied: str | None  # embodied record of one server platform
    per_server: int  # accelerators per server
    lifetime: str | None  # quantity name [h]
    utilisation: str | None  # quantity name [unitless]


def resolve_embodied_spec(table: InputTable, ident: str, specs: dict[str, EmbodiedSpec]) -> None:
    """Resolve embodied record ``ident`` (and the parts of an assembly) into ``specs``, once."""
    if ident in specs:
        return
    res = resolve_embodied(table.registry, ident)
    rec = res.record
    name = f"manufacturing, {rec.name or rec.id}"
    if res.parts:
        specs[ident] = EmbodiedSpec(ident, name, rec.unit, parts=tuple(res.parts))
        for part, _count in res.parts:
            resolve_embodied_spec(table, part, specs)
        return
    impacts = {}
    for cat, value in res.impacts.items():
        impacts[cat] = table.inventory(
            "embodied",
            ident,
            cat,
            value,
            f"{CATEGORY_LABELS[cat]} of manufacturing one {rec.unit} of {rec.name or ident}",
        )
    specs[ident] = EmbodiedSpec(ident, name, rec.unit, impacts)
    missing = [c for c in CATEGORIES if c not in res.impacts]
    if missing:
        table.notes.add(
            NoteCode.GAP,
            f"embodied inventory '{ident}' gives no {', '.join(missing)}: that part of "
            "its manufacturing is not included (not counted as 0 by choice: no source)",
            ident,
        )


def resolve_hardware(study: Study, table: InputTable, phase: str) -> Hardware:
    """The accelerator, server and amortisation inputs of ``phase``."""
    reg = table.registry
    hw = study.hardware
    override = getattr(study, phase).accelerator
    if override:
        acc: AcceleratorRecord = reg.get(override, "accelerator", **study.where(phase, "accelerator"))
    else:
        acc = reg.get(hw.accelerator, "accelerator", **study.where("hardware", "accelerator"))
    server: ServerRecord | None = None
    if hw.server:
        server = reg.get(hw.server, "server", **study.where("hardware", "server"))
    card = hw.accelerator_embodied or acc.embodied
    platform = hw.server_embodied or (server.embodied if server else None)
    if card:
        reg.get(card, "embodied", **study.where("hardware", "accelerator_embodied"))
    if platform:
        reg.get(platform, "embodied", **study.where("hardware", "server_embodied"))
    notes = table.notes
    if not hw.include_embodied:
        card = platform = None
        notes.add(NoteCode.GAP, "embodied impacts excluded by the study (hardware.include_embodied: false)", "embodied")
    if server is not None and server.includes_accelerators and hw.accelerator_embodied is None:
        card = None  # the server figure already holds the cards
    if not card and not platform:
        if hw.include_embodied:
            notes.add(
                NoteCode.GAP,
                "no embodied (manufacturing) inventory given: embodied impacts are not included",
                "embodied",
            )
        return Hardware(acc, server, None, None, server.accelerators if server else 1, None, None)
    if server is None:
        notes.add(
            NoteCode.GAP,
            "no server platform given: host (CPU, memory, chassis) manufacturing is not included",
            "embodied",
        )
    if not card and not (server is not None and server.includes_accelerators):
        notes.add(
            NoteCode.GAP,
            f"accelerator '{acc.id}' has no embodied inventory: the manufacturing of the "
            "accelerators is not included (give hardware.accelerator_embodied)",
            "embodied",
        )
    lifetime = _lifetime(study, table, server)
    utilisation = _utilisation(study, table, server)
    return Hardware(acc, server, card, platform, server.accelerators if server else 1, lifetime, utilisation)


def _lifetime(study: Study, table: InputTable, server: ServerRecord | None) -> str:
    name = "hardware.lifetime"
    label = "hardware service life"
    if study.hardware.lifetime is not None:
        return table.study(name, study.hardware.lifetime, "h", label)
    if server is not None and server.lifetime is not None:
        return table.record_default(name, "server", server.id, "lifetime", server.lifetime, label)
    raise StudyError(
        "embodied impacts need a hardware lifetime",
        hint="set hardware.lifetime (e.g. '5 years') or use a server with a default lifetime",
        **study.where("hardware"),
    )


def _utilisation(study: Study, table: InputTable, server: ServerRecord | None) -> str:
    name = "hardware.utilisation"
    label = "share of the hardware's life in use"
    if study.hardware.utilisation is not None:
        return table.study(name, study.hardware.utilisation, "", label)
    if server is not None and server.utilisation is not None:
        return table.record_default(name, "server", server.id, "utilisation", server.utilisation, label)
    return table.default(name, "default-hardware-utilisation", label)


def check_peak(acc: AcceleratorRecord, precision: str, study: Study, phase: str) -> None:
    """The accelerator must publish what the roofline needs at ``precision``."""
    if precision not in acc.peak_flops:
        raise StudyError(
            f"accelerator '{acc.id}' has no peak throughput for precision {precision!r}",
            valid=", ".join(sorted(acc.peak_flops)) or "(none)",
            **study.where(phase, "precision"),
        )
    missing = [f for f in ("memory", "memory_bandwidth", "tdp") if getattr(acc, f) is None]
    if missing:
        raise StudyError(
            f"accelerator '{acc.id}' lacks {', '.join(missing)}, which the compute model needs",
            hint="give measured average_power, or an inventory record that overrides it",
            **study.where(phase),
        )
