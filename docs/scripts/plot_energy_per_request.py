"""Energy per request vs prompt and output length, two models on H100 (docs figure).

Run: python docs/scripts/plot_energy_per_request.py  ->  docs/img/energy-per-request.png
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from lca.compute.hardware import device_from_record  # noqa: E402
from lca.compute.roofline import request_energy  # noqa: E402
from lca.inventory import Registry  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "img" / "energy-per-request.png"


def main() -> None:
    reg = Registry()
    device = device_from_record(reg.get("h100-sxm"), "bf16", 0.12)
    lengths = np.array([64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384])
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for model, style in (("llama-3.1-8b", "-"), ("llama-3.1-70b", "--")):
        arch = reg.get(model)
        for batch, color in ((1, "tab:blue"), (16, "tab:orange")):
            vs_prompt = [request_energy(arch, device, int(p), 300, batch).energy * 1000 for p in lengths]
            vs_output = [request_energy(arch, device, 1000, int(n), batch).energy * 1000 for n in lengths]
            label = f"{arch.name}, batch {batch}"
            axes[0].plot(lengths, vs_prompt, style, color=color, label=label)
            axes[1].plot(lengths, vs_output, style, color=color, label=label)
    axes[0].set_xlabel("prompt tokens (300 output tokens)")
    axes[1].set_xlabel("output tokens (1,000 prompt tokens)")
    axes[0].set_ylabel("energy per request at the devices [Wh]")
    for ax in axes:
        ax.set_xscale("log", base=2)
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
    axes[1].legend(fontsize=8)
    fig.suptitle("ai-lca compute model: NVIDIA H100 SXM, bf16, MFU 0.5 (prefill), MBU 0.6 (decode)")
    fig.tight_layout()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(OUT, dpi=110)
    print(f"wrote {OUT.name}")


if __name__ == "__main__":
    main()
