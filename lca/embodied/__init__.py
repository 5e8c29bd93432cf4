"""Embodied (manufacturing) impacts from transparent parameters.

* :mod:`.act` — ACT (Gupta et al., ISCA 2022): carbon per die area by process node and
  fab grid, memory and storage per GB;
* :mod:`.boavizta` — Boavizta API bottom-up factors for GPU cards and servers;
* :mod:`.resolve` — turn parametric ``embodied`` inventory records into impacts.
"""

from .act import carbon_per_area, die_impacts, memory_impacts
from .boavizta import effective_die_area, gpu_card, server_platform

__all__ = [
    "carbon_per_area",
    "die_impacts",
    "effective_die_area",
    "gpu_card",
    "memory_impacts",
    "server_platform",
]
