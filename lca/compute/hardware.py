"""From an accelerator inventory record to the roofline's :class:`Device`."""

from __future__ import annotations

from ..errors import InventoryError
from ..inventory.schema import AcceleratorRecord
from .roofline import Device

__all__ = ["device_from_record"]


def device_from_record(acc: AcceleratorRecord, precision: str, idle_fraction: float) -> Device:
    """The roofline view of ``acc`` at ``precision``.

    Idle power is the record's, or ``idle_fraction`` x TDP when the vendor
    publishes none.

    Raises
    ------
    InventoryError
        When the record lacks the peak at ``precision``, the memory bandwidth,
        the memory size or the TDP.
    """
    if precision not in acc.peak_flops:
        raise InventoryError(
            f"accelerator '{acc.id}' has no peak throughput for precision {precision!r}",
            valid=", ".join(sorted(acc.peak_flops)) or "(none)",
        )
    missing = [f for f in ("memory", "memory_bandwidth", "tdp") if getattr(acc, f) is None]
    if missing:
        raise InventoryError(
            f"accelerator '{acc.id}' lacks {', '.join(missing)}, which the compute model needs",
            hint="give measured average_power, or add the values to an inventory record that overrides it",
        )
    tdp = acc.tdp.value  # type: ignore[union-attr]
    idle = acc.idle_power.value if acc.idle_power is not None else idle_fraction * tdp
    return Device(
        name=acc.name or acc.id,
        peak_flops=acc.peak_flops[precision].value,
        bandwidth=acc.memory_bandwidth.value * 1e9,  # type: ignore[union-attr]
        memory=acc.memory.value * 1e9,  # type: ignore[union-attr]
        tdp=tdp,
        idle_power=idle,
    )
