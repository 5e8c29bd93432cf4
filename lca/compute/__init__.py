"""Compute model: pure functions from workload and hardware to physical activity.

* :mod:`.architecture` — architectures as data, parameter counts;
* :mod:`.flops` — FLOPs per token (position-aware attention), prefill, decode, training;
* :mod:`.memory` — bytes moved: weights, KV cache, optimizer state;
* :mod:`.roofline` — time, devices, power and energy on an accelerator;
* :mod:`.operational` — device power, IT energy, hardware amortisation.
"""

from .architecture import Architecture, ParameterCount, parameter_count
from .flops import (
    decode_flops,
    forward_flops_per_token,
    prefill_flops,
    training_flops,
)
from .operational import amortised_units, device_power, it_energy
from .roofline import Device, Efficiency, request_energy, training_run

__all__ = [
    "Architecture",
    "Device",
    "Efficiency",
    "ParameterCount",
    "amortised_units",
    "decode_flops",
    "device_power",
    "forward_flops_per_token",
    "it_energy",
    "parameter_count",
    "prefill_flops",
    "request_energy",
    "training_flops",
    "training_run",
]
