"""Measured energy from CodeCarbon's ``emissions.csv``.

CodeCarbon (mlco2/codecarbon) appends one row per tracked run with, among
others, ``duration`` [s], ``cpu_energy``, ``gpu_energy``, ``ram_energy`` and
``energy_consumed`` [kWh], and in recent versions ``gpu_count``. ai-lca takes
the IT energy as ``cpu_energy + gpu_energy + ram_energy`` (CodeCarbon's
``energy_consumed`` may already include its own PUE setting; the process graph
applies the datacenter's PUE instead), and accelerator time as
``duration x gpu_count`` when ``gpu_count`` is given.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError
from .yamlio import read_text

__all__ = ["Measured", "read_codecarbon", "REQUIRED_COLUMNS"]

REQUIRED_COLUMNS = ("duration", "cpu_energy", "gpu_energy", "ram_energy")


@dataclass(frozen=True)
class Measured:
    """Energy and time of one or more measured runs."""

    runs: int
    cpu_energy: float  # [kWh]
    gpu_energy: float  # [kWh]
    ram_energy: float  # [kWh]
    duration: float  # [h], summed over runs
    accelerator_hours: float | None  # [h], when gpu_count is reported
    files: tuple[str, ...]

    @property
    def energy(self) -> float:
        """IT energy: CPU + GPU + RAM [kWh]."""
        return self.cpu_energy + self.gpu_energy + self.ram_energy

    def describe(self) -> str:
        return (
            f"CodeCarbon ({self.runs} run{'s' if self.runs != 1 else ''} in {', '.join(self.files)}): "
            f"CPU {self.cpu_energy:.4g} + GPU {self.gpu_energy:.4g} + RAM {self.ram_energy:.4g} kWh"
        )


def _number(text: str, path: Path, line: int, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputError("not a number", file=path, line=line, field=column, value=text) from None
    if not math.isfinite(value) or value < 0:
        raise InputError("must be a finite, non-negative number", file=path, line=line, field=column, value=text)
    return value


def read_codecarbon(paths: list[Path]) -> Measured:
    """Sum the runs of one or more CodeCarbon ``emissions.csv`` files."""
    cpu = gpu = ram = duration = 0.0
    acc_hours = 0.0
    has_count = True
    runs = 0
    for path in paths:
        rows = list(csv.reader(io.StringIO(read_text(path))))
        header = [h.strip() for h in rows[0]]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing:
            raise InputError(
                "not a CodeCarbon emissions.csv: missing columns",
                file=path,
                line=1,
                value=", ".join(missing),
                valid=", ".join(REQUIRED_COLUMNS),
            )
        idx = {c: header.index(c) for c in header}
        has_count = has_count and "gpu_count" in idx
        for line, row in enumerate(rows[1:], start=2):
            if not row or not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                raise InputError(f"row has {len(row)} cells, the header {len(header)}", file=path, line=line)
            runs += 1
            d = _number(row[idx["duration"]], path, line, "duration") / 3600.0
            duration += d
            cpu += _number(row[idx["cpu_energy"]], path, line, "cpu_energy")
            gpu += _number(row[idx["gpu_energy"]], path, line, "gpu_energy")
            ram += _number(row[idx["ram_energy"]], path, line, "ram_energy")
            if has_count:
                count = row[idx["gpu_count"]].strip()
                acc_hours += d * (_number(count, path, line, "gpu_count") if count else 0.0)
    if runs == 0:
        raise InputError("no run in the CodeCarbon file(s)", file=paths[0] if paths else None)
    return Measured(
        runs, cpu, gpu, ram, duration, acc_hours if has_count and acc_hours > 0 else None, tuple(p.name for p in paths)
    )
