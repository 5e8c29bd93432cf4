"""Generate docs/validation.md: every published case, our number, the deviation, the tolerance.

The cases and tolerances are the ones the tests in tests/validation/ and tests/compute/
assert (imported from them); this script runs the same studies and writes the table.
Run from the repository root: ``python docs/scripts/make_validation.py``.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import lca  # noqa: E402
from lca.compute.architecture import parameter_count  # noqa: E402
from lca.compute.flops import training_flops  # noqa: E402
from lca.embodied.resolve import resolve_embodied  # noqa: E402
from lca.inventory import Registry  # noqa: E402
from tests.validation import test_embodied, test_llmcarbon_operational, test_patterson, test_serving  # noqa: E402

SC = ROOT / "scenarios"


def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="ai-lca-validation-"))
    (ROOT / "docs" / "validation.md").write_text(render(lambda p: lca.run(p, home=home)), encoding="utf-8")
    print("wrote docs/validation.md")


def render(run) -> str:
    """The page's text; ``run(path)`` runs a study (the tests pass their cached runner)."""
    rows: list[tuple[str, str, float, float, str, str]] = []  # case, quantity, published, ours, unit, tolerance

    bloom = run(SC / "bloom-176b.yaml")
    for q, pub, ours in [
        ("dynamic", 24.69, bloom.value("gwp100", component="accelerators") / 1e3),
        ("idle", 14.63, bloom.value("gwp100", component="idle") / 1e3),
        ("embodied", 11.2, bloom.value("gwp100", scope="embodied") / 1e3),
        ("total", 50.5, bloom.total() / 1e3),
    ]:
        rows.append(("BLOOM-176B (Luccioni et al. 2023)", q, pub, ours, "t CO2e", "1 %"))

    gemini = run(SC / "elsworth2025" / "gemini-apps-median-prompt.yaml")
    energy = {b["component"]: b["energy_kwh"] * 1000 for b in gemini.provenance["boundary"]}
    for component, share in (("accelerators", 0.58), ("host", 0.25), ("idle", 0.10), ("overhead", 0.08)):
        rows.append(("Elsworth et al. 2025: median Gemini prompt, split entered", component, 0.24 * share,
                     energy[component], "Wh", "1 %"))
    rows.append(("Elsworth et al. 2025: median Gemini prompt, split entered", "total (shares sum to 101 %)", 0.24,
                 gemini.energy_at_meter() * 1000, "Wh", "1 % (+1 % rounding)"))

    for name, (mwh, gross, net) in test_patterson.TABLE4.items():
        r = run(SC / "patterson2021" / f"{name}.yaml")
        for q, pub, ours, what in [("energy", mwh, r.energy_at_meter() / 1e3, "energy"),
                                   ("gross CO2e", gross, r.total() / 1e3, "gross"),
                                   ("net CO2e", net, r.total("gwp100", basis="market") / 1e3, "net")]:
            tol = test_patterson._tol(name, what)
            unit = "MWh" if q == "energy" else "t CO2e"
            rows.append((f"Patterson 2021 Table 4: {name}", q, pub, ours, unit,
                         f"{tol:.1%}" + (" (printed precision)" if tol > test_patterson.RTOL else "")))

    water = run(SC / "li2023" / "gpt3-water-us.yaml")
    t = water.table[(water.table["category"] == "water")]
    kinds = t["process_id"].map(lambda p: water.graph.nodes[p]["kind"])
    tr = t["phase"] == "training"
    rows += [
        ("GPT-3 water, U.S. average (Li et al. 2023)", "on-site", 0.708, t[tr & (kinds == "water")]["value"].sum() / 1e6,
         "million L", "0.5 %"),
        ("GPT-3 water, U.S. average (Li et al. 2023)", "off-site", 4.731, t[tr & (kinds == "grid")]["value"].sum() / 1e6,
         "million L", "0.5 %"),
        ("GPT-3 water, U.S. average (Li et al. 2023)", "total", 5.439, t[tr]["value"].sum() / 1e6, "million L", "0.5 %"),
        ("GPT-3 water, U.S. average (Li et al. 2023)", "per request", 16.904,
         water.value("water", phase="inference") * 1e3, "mL", "0.5 %"),
    ]

    xlm = run(SC / "llmcarbon" / "xlm.yaml")
    rows.append(("LLMCarbon XLM", "embodied", 0.648, xlm.value("gwp100", scope="embodied") / 1e3, "t CO2e", "1 %"))
    for emb, tonnes in test_embodied.XLM_SPLIT.items():
        rows.append(("LLMCarbon XLM", f"embodied: {emb}", tonnes,
                     xlm.value("gwp100", process_id=f"manufacturing/{emb}") / 1e3, "t CO2e", "1 % or 0.0005 t"))
    rows.append(("LLMCarbon XLM", "energy", 94.4, xlm.energy_at_meter() / 1e3, "MWh", "0.5 %"))
    rows.append(("LLMCarbon XLM", "operational CO2e", 39.0, xlm.value("gwp100", scope="operational") / 1e3,
                 "t CO2e", "1 %"))

    for name, row in test_llmcarbon_operational.LLMCARBON.items():
        ours = test_llmcarbon_operational.predict(name)
        for q, pub, val, unit in zip(("days", "energy", "CO2e"), row[-3:], ours, ("days", "MWh", "t CO2e")):
            rows.append((f"LLMCarbon operational prediction: {name}", q, pub, val, unit, "1 %"))

    reg = Registry()
    rows.append(("Boavizta API", "H100 SXM card", 575.1,
                 resolve_embodied(reg, "boavizta-h100-sxm").impacts["gwp100"].value, "kg CO2e", "1 %"))
    rows.append(("Boavizta API", "p5.48xlarge", 10300,
                 resolve_embodied(reg, "boavizta-p5-48xlarge").impacts["gwp100"].value, "kg CO2e", "1 %"))
    from lca.embodied.act import carbon_per_area

    for node, cpa in test_embodied.ACT_CPA.items():
        rec = reg.get(f"act-{node}")
        ours = carbon_per_area(rec.epa.value, (rec.gpa95.value + rec.gpa99.value) / 2, rec.mpa.value, 0.583, 0.875)
        rows.append(("ACT carbon per area (Taiwan 583 g/kWh, GPA97, Y 0.875)", node, cpa, ours, "kg CO2e/cm2", "0.1 %"))

    g = training_flops(reg.get("gpt3-175b"), 300e9, 2048)
    rows.append(("Patterson 2021: training FLOPs", "GPT-3", 3.14e23, g.model, "FLOP", "5 %"))
    t5 = training_flops(reg.get("t5-11b"), 2**11 * 512 * 1e6, 512, target_length=114)
    rows.append(("Patterson 2021: training FLOPs", "T5 (not reproduced, see compute.md)", 4.05e22, t5.model, "FLOP",
                 "5 % (fails: xfail)"))
    for prompt_mean in (200, 1000):
        rows.append(("ML.ENERGY v3.0: Llama 3.1 8B, H100, batch 64 "
                     "(not reproduced, see tests/validation/test_serving.py)",
                     f"energy per output token, prompts of {prompt_mean} tokens (assumed)",
                     test_serving.PUBLISHED_J_PER_TOKEN, test_serving.ours(prompt_mean), "J", "25 % (fails: xfail)"))
    for model, devices in test_serving.TREND_CASES:
        for prompt_mean in (200, 1000):
            rows.append(("ML.ENERGY v3.0: answers of 6,988 vs 717 tokens on B200 (trend; published: mean over "
                         "its models, ours: this model as a stand-in)",
                         f"energy per token, long / short answers, {model} on {devices} B200, prompts of "
                         f"{prompt_mean} tokens (assumed)", test_serving.PUBLISHED_PER_TOKEN_RATIO,
                         test_serving.per_token_ratio(model, devices, prompt_mean), "ratio",
                         "published within the spread of the four cases"))
    pd_case = ("ML.ENERGY Benchmark (Chung et al. 2025, Table 4): Llama 3.1 70B, TP 4, one prefill and one decode "
               "instance on 8 GPUs (H100 assumed)")
    ours_pd = {k: test_serving.disaggregated_joules(*k) for k in test_serving.PD_PUBLISHED_J}
    for (p_in, p_out), published in test_serving.PD_PUBLISHED_J.items():
        rows.append((pd_case + " (not reproduced)", f"GPU energy per request, {p_in} in / {p_out} out",
                     published, ours_pd[(p_in, p_out)], "J", "25 % (fails: xfail)"))
    base = (512, 512)
    for key, tol in (((4096, 512), "25 %"), ((512, 4096), "25 % (fails: xfail)")):
        rows.append((pd_case + " (trend)", f"energy per request, {key[0]} in / {key[1]} out over 512 in / 512 out",
                     test_serving.PD_PUBLISHED_J[key] / test_serving.PD_PUBLISHED_J[base],
                     ours_pd[key] / ours_pd[base], "ratio", tol))
    for m in reg.ids("model"):
        arch = reg.get(m)
        rows.append(("parameter counts", m, arch.published_params.value, float(parameter_count(arch).total),
                     "parameters", "1 %"))

    lines = ["# Validation", "",
             "Generated by `python docs/scripts/make_validation.py` from the cases and tolerances of the tests in",
             "`tests/validation/` and `tests/compute/`. Deviation = ours / published - 1.", "",
             "| case | quantity | published | ai-lca | unit | deviation | tolerance |", "|---|---|---|---|---|---|---|"]
    for case, q, pub, ours, unit, tol in rows:
        lines.append(f"| {case} | {q} | {pub:.6g} | {ours:.6g} | {unit} | {ours / pub - 1:+.2%} | {tol} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
