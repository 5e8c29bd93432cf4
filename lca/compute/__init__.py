"""Compute model: pure functions from workload and hardware to physical activity."""

from .operational import amortised_units, device_power, it_energy

__all__ = ["amortised_units", "device_power", "it_energy"]
