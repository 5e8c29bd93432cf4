"""ACT: Architectural Carbon modeling Tool (Gupta et al., ISCA 2022).

Carbon per area of a logic die (``CPA``) from the fab's energy per area
(``EPA``), its greenhouse gases (``GPA``), its materials (``MPA``), the carbon
intensity of the fab's grid and the yield::

    CPA = (CI_fab * EPA + GPA + MPA) / Y

ACT's default GPA is the mean of its 95 % and 99 % abatement scenarios
("GPA97"); its default yield 0.875, fab grid Taiwan 583 g/kWh (the 2022
location table). Memory and storage: ``E = CPS * capacity``. Packaging adds a
fixed amount per integrated circuit.
"""

from __future__ import annotations

__all__ = ["carbon_per_area", "die_impacts", "memory_impacts"]


def carbon_per_area(epa: float, gpa: float, mpa: float, fab_intensity: float, yield_: float = 0.875) -> float:
    """Embodied carbon per die area.

    Parameters
    ----------
    epa : float
        Fab electricity per area. [kWh/cm2]
    gpa : float
        Fab process gases per area. [kg CO2e/cm2]
    mpa : float
        Procured materials per area. [kg CO2e/cm2]
    fab_intensity : float
        Carbon intensity of the fab's electricity. [kg CO2e/kWh]
    yield_ : float
        Fraction of good dies. [unitless]

    Returns
    -------
    float
        Carbon per area of good die. [kg CO2e/cm2]
    """
    if not 0.0 < yield_ <= 1.0:
        raise ValueError(f"yield must be within (0, 1], got {yield_}")
    return (fab_intensity * epa + gpa + mpa) / yield_


def die_impacts(area: float, cpa: float, packaging: float = 0.0) -> float:
    """Embodied carbon of a die of ``area`` [cm2] at ``cpa`` [kg CO2e/cm2], plus packaging [kg CO2e]."""
    return area * cpa + packaging


def memory_impacts(capacity: float, cps: float) -> float:
    """Embodied carbon of ``capacity`` [GB] of memory or storage at ``cps`` [kg CO2e/GB] [kg CO2e]."""
    return capacity * cps
