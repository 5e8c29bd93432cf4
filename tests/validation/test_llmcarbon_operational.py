"""Layer (b): the training-run model against LLMCarbon's operational predictions (REFERENCE-DATA §3.2).

LLMCarbon (Faiz et al., ICLR 2024; repository SotaroKaneda/MLCarbon @dbd96b7, outputs of
``llmcarbon_tutorial.py``) predicts each run from 6 x active parameters x tokens, the
devices' peak x hardware efficiency, their measured system power, the PUE and the grid.
Given the same inputs, :func:`lca.compute.roofline.training_run` must reproduce its
predicted days, MWh and t CO2e within 1 % (the predictions are printed to 3-4 digits).
The peaks come from our accelerator catalogue (TPU v3 123 TFLOP/s bf16, V100 125 fp16).
"""

from __future__ import annotations

import pytest

from lca.compute.hardware import device_from_record
from lca.compute.roofline import training_run
from lca.inventory import Registry

REG = Registry()
RTOL = 0.01

# name: (active params, tokens, accelerator id, precision, efficiency, devices, system W, PUE, kg CO2e/kWh,
#        predicted days, MWh, t CO2e) - LLMCarbon database.csv inputs and tutorial outputs (§3.2)
LLMCARBON = {
    "T5": (11e9, 600e9, "tpu-v3", "bf16", 0.37, 512, 310, 1.12, 0.545, 19.67, 83.9, 45.7),
    "GPT3": (175e9, 300e9, "v100-sxm2-32gb", "fp16", 0.197, 10000, 330, 1.1, 0.429, 14.81, 1289.8, 553.3),
    "GShard": (2.3e9, 1000e9, "tpu-v3", "bf16", 0.39, 1000, 288, 1.09, 0.177, 3.33, 25.1, 4.4),
    "Switch": (7.41e9, 2000e9, "tpu-v3", "bf16", 0.28, 1000, 245, 1.1, 0.33, 29.88, 193.3, 63.8),
    "XLM": (0.55e9, 7000e9, "v100-sxm2-32gb", "fp16", 0.212, 512, 342, 1.1, 0.413, 19.71, 91.1, 37.6),
}


def predict(name: str) -> tuple[float, float, float]:
    """(days, MWh, t CO2e) of LLMCarbon's row ``name`` with our training-run model."""
    params, tokens, acc, precision, eff, n, watts, pue, ci, *_ = LLMCARBON[name]
    device = device_from_record(REG.get(acc, "accelerator"), precision, 0.12)
    flops = 6 * params * tokens  # LLMCarbon's convention (ours counts the architecture; see compute.md)
    run = training_run(flops, flops, device, mfu=eff, accelerators=n, average_power=watts)
    mwh = run.device_energy * pue / 1000
    return run.duration / 24, mwh, mwh * ci


@pytest.mark.parametrize("name", sorted(LLMCARBON))
def test_llmcarbon_operational_prediction(name):
    days, mwh, tonnes = predict(name)
    pub_days, pub_mwh, pub_t = LLMCARBON[name][-3:]
    assert days == pytest.approx(pub_days, rel=RTOL)
    assert mwh == pytest.approx(pub_mwh, rel=RTOL)
    # GShard's 4.4 t is printed with one decimal: 1 % or half its last digit
    assert tonnes == pytest.approx(pub_t, rel=RTOL, abs=0.05 if pub_t < 10 else 0)
