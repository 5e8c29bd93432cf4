"""Operational activity: device power, IT energy and hardware amortisation.

Pure functions of named physical quantities; units in brackets.
"""

from __future__ import annotations

__all__ = ["device_power", "it_energy", "amortised_units"]


def device_power(tdp: float, utilisation: float, idle_power: float = 0.0) -> float:
    """Mean electrical power of an accelerator at a given utilisation.

    Linear between idle and TDP: ``P = P_idle + u * (TDP - P_idle)``. With no
    idle power known this is ``TDP * u``.

    Parameters
    ----------
    tdp : float
        Thermal design power of the device. [W]
    utilisation : float
        Fraction of the dynamic range in use, 0..1. [unitless]
    idle_power : float, default 0
        Power drawn when idle. [W]

    Returns
    -------
    float
        Mean device power. [W]
    """
    if not 0.0 <= utilisation <= 1.0:
        raise ValueError(f"utilisation must be within [0, 1], got {utilisation}")
    if idle_power > tdp:
        raise ValueError(f"idle power {idle_power} W is above the TDP {tdp} W")
    return idle_power + utilisation * (tdp - idle_power)


def it_energy(accelerator_hours: float, power: float, host_overhead: float = 0.0) -> float:
    """IT energy of accelerator time, before datacenter overhead (PUE).

    Parameters
    ----------
    accelerator_hours : float
        Device time. [h]
    power : float
        Mean power per device. [W]
    host_overhead : float, default 0
        Host power (CPU, DRAM, NIC, fans) as a fraction of the device power. [unitless]

    Returns
    -------
    float
        Energy at the IT equipment. [kWh]
    """
    return accelerator_hours * power * (1.0 + host_overhead) / 1000.0


def amortised_units(use_hours: float, lifetime: float, utilisation: float = 1.0) -> float:
    """Share of one piece of hardware consumed by ``use_hours`` of use.

    Linear time allocation over the hours the hardware is expected to be in
    use: ``use_hours / (lifetime * utilisation)``.

    Parameters
    ----------
    use_hours : float
        Hours of use attributed to the activity. [h]
    lifetime : float
        Service life of the hardware. [h]
    utilisation : float, default 1
        Fraction of the lifetime the hardware is in use. [unitless]

    Returns
    -------
    float
        Units of hardware attributed. [unitless]
    """
    if lifetime <= 0 or not 0.0 < utilisation <= 1.0:
        raise ValueError("lifetime must be > 0 and utilisation within (0, 1]")
    return use_hours / (lifetime * utilisation)
