"""Write the generated half of the bad-input corpus (tests/bad_inputs/generated/).

Each case is a study that one mutation of a valid base study breaks, with the error class
and a fragment of the message that the run must produce. Run from the repository root:
``python tests/bad_inputs/generate.py``; the files are committed and the test checks them.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
OUT = HERE / "generated"

BASE = {
    "schema_version": 1,
    "name": "corpus",
    "functional_unit": {"name": "test"},
    "grid": "FR",
    "datacenter": "uptime-2024-average",
    "hardware": {"accelerator": "a100-sxm4-80gb", "server": "hpe-apollo-6500-gen10plus-a100",
                 "lifetime": "5 years", "utilisation": 0.8},
    "training": {"accelerator_hours": 1000, "average_power": "400 W", "host_overhead": 0.2},
    "inference": {"requests": 1000, "energy_per_request": "3 Wh", "energy_scope": "it"},
}
MODELLED = {
    "schema_version": 1,
    "name": "corpus-modelled",
    "functional_unit": {"name": "test"},
    "model": "llama-3.1-8b",
    "grid": "US",
    "hardware": {"accelerator": "h100-sxm", "server": "hgx-h100-8gpu"},
    "training": {"tokens": 1e12, "sequence_length": 8192, "mfu": 0.4},
    "inference": {"requests": 1e6, "prompt_tokens": 1000, "output_tokens": 300, "batch_size": 8},
}

# (path, wrong value, error class, fragment)
NUMERIC = [
    ("training.accelerator_hours", "h"), ("training.average_power", "W"), ("training.host_overhead", ""),
    ("training.idle_energy", "kWh"), ("inference.requests", ""), ("inference.energy_per_request", "kWh"),
    ("hardware.lifetime", "h"), ("hardware.utilisation", ""),
]
IDS = [("grid", "FR", "FRA"), ("datacenter", "uptime-2024-average", "uptime-2024-averag"),
       ("hardware.accelerator", "a100-sxm4-80gb", "a100-sxm4-80g"),
       ("hardware.server", "hpe-apollo-6500-gen10plus-a100", "hpe-apollo-6500"),
       ("hardware.accelerator_embodied", None, "luccioni2023-a10"), ("training.grid", None, "DEX"),
       ("inference.datacenter", None, "google-fleett"), ("training.accelerator", None, "h100"),
       ("hardware.server_embodied", None, "boavizta-p5-48xlarge-platfrom"), ("inference.grid", None, "SWE"),
       ("training.datacenter", None, "aws-fleeet"), ("inference.accelerator", None, "mi300"),
       ("grid", "FR", "france"), ("hardware.accelerator", "a100-sxm4-80gb", "A100")]


def _set(doc: dict, path: str, value) -> dict:
    out = copy.deepcopy(doc)
    keys = path.split(".")
    node = out
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    if value is _DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value
    return out


_DELETE = object()


def cases() -> list[tuple[str, dict | str, str, str]]:
    out: list[tuple[str, dict | str, str, str]] = []
    # numbers: negative, NaN, infinity, text, list, wrong unit, absurd unit
    for path, unit in NUMERIC:
        tag = path.replace(".", "-")
        out.append((f"negative-{tag}", _set(BASE, path, -1), "StudyError", "out of range"))
        out.append((f"nan-{tag}", _set(BASE, path, math.nan), "InputError", "finite"))
        out.append((f"inf-{tag}", _set(BASE, path, math.inf), "InputError", "finite"))
        out.append((f"text-{tag}", _set(BASE, path, "lots"), "InputError", path))
        out.append((f"list-{tag}", _set(BASE, path, [1, 2]), "InputError", path))
        if unit:
            out.append((f"unit-{tag}", _set(BASE, path, "12 L"), "UnitError", "does not convert"))
            out.append((f"badunit-{tag}", _set(BASE, path, "12 flurbs"), "UnitError", "unknown unit"))
    # numbers of a modelled study
    for path in ("training.tokens", "training.sequence_length", "training.mfu", "inference.prompt_tokens",
                 "inference.batch_size", "inference.requests", "inference.compute_efficiency",
                 "inference.memory_efficiency", "inference.devices"):
        tag = path.replace(".", "-")
        out.append((f"modelled-negative-{tag}", _set(MODELLED, path, -3), "StudyError", "out of range"))
        out.append((f"modelled-text-{tag}", _set(MODELLED, path, "many"), "StudyError", path.split(".")[-1]))
        out.append((f"modelled-nan-{tag}", _set(MODELLED, path, math.nan), "InputError", path.split(".")[-1]))
    for path in ("training.recompute", "inference.kv_precision", "inference.precision"):
        out.append((f"modelled-choice-{path.replace('.', '-')}", _set(MODELLED, path, "maybe"), "StudyError",
                    "not allowed"))
    # zero where physics forbids it
    for path in ("training.accelerator_hours", "inference.requests", "inference.energy_per_request",
                 "hardware.lifetime", "hardware.utilisation", "training.average_power"):
        out.append((f"zero-{path.replace('.', '-')}", _set(BASE, path, 0), "StudyError", "out of range"))
    # fractions above one
    for path, v in (("hardware.utilisation", 1.5), ("training.load", 1.2)):
        doc = _set(BASE, path, v)
        if path.startswith("training"):
            doc = _set(doc, "training.average_power", _DELETE)
        out.append((f"above-one-{path.replace('.', '-')}", doc, "StudyError", "out of range"))
    # unknown ids, with a close match to suggest
    for i, (path, _good, bad) in enumerate(IDS):
        out.append((f"unknown-id-{i:02d}-{path.replace('.', '-')}", _set(BASE, path, bad), "UnknownIdError",
                    "Did you mean"))
    out.append(("unknown-model", _set(MODELLED, "model", "llama-3.1-8"), "UnknownIdError", "Did you mean"))
    # unknown keys at every level, typos of real keys
    for path, typo in (("grdi", "grid"), ("hardware.acelerator", "accelerator"), ("training.avg_power", None),
                       ("inference.request", "requests"), ("functional_unit.nam", "name"), ("schema", None),
                       ("training.acelerator_hours", "accelerator_hours"), ("hardware.life_time", "lifetime"),
                       ("inference.prompt_token", None), ("hardware.utilization", "utilisation")):
        doc = _set(BASE, path, 1)
        out.append((f"unknown-key-{path.replace('.', '-')}", doc, "StudyError",
                    f"Did you mean '{typo}'" if typo else "unknown field"))
    # wrong types for structured fields
    for path, value in (("hardware", "a100"), ("training", [1000]), ("inference", 5), ("functional_unit", "x"),
                        ("grid", 12), ("name", 12), ("processes", {"a": 1}), ("sources", "paper"),
                        ("inventories", "folder"), ("hardware.accelerator", ["a100-sxm4-80gb"])):
        out.append((f"type-{path.replace('.', '-')}", _set(BASE, path, value), "StudyError", path.split(".")[-1]))
    # missing required fields
    for path in ("functional_unit", "name", "hardware", "hardware.accelerator", "functional_unit.name"):
        out.append((f"missing-{path.replace('.', '-')}", _set(BASE, path, _DELETE), "StudyError", "missing required"))
    out.append(("no-phase", _set(_set(BASE, "training", _DELETE), "inference", _DELETE), "StudyError",
                "at least one phase"))
    out.append(("schema-version-2", _set(BASE, "schema_version", 2), "StudyError", "not allowed"))
    out.append(("bad-name", _set(BASE, "name", "my study!"), "StudyError", "identifier"))
    # contradictory or incomplete phase descriptions
    out.append(("hours-and-duration", _set(_set(BASE, "training.accelerators", 8), "training.duration", "2 days"),
                "StudyError", "not both"))
    out.append(("accelerators-without-duration", _set(_set(BASE, "training.accelerator_hours", _DELETE),
                                                      "training.accelerators", 8), "StudyError", "go together"))
    out.append(("power-twice", _set(BASE, "training.load", 0.5), "StudyError", "not both"))
    # what a measured figure covers, and fields that would be ignored
    out.append(("scope-missing", _set(BASE, "inference.energy_scope", _DELETE), "StudyError", "energy_scope"))
    out.append(("scope-without-measurement", _set(MODELLED, "training.energy_scope", "it"), "StudyError",
                "gives neither"))
    out.append(("host-overhead-in-measured-it", _set(BASE, "inference.host_overhead", 0.2), "StudyError",
                "already includes"))
    out.append(("host-overhead-in-facility", _set(_set(BASE, "inference.energy_scope", "facility"),
                                                  "inference.host_overhead", 0.1), "StudyError", "already includes"))
    out.append(("split-and-scope", _set(BASE, "inference.energy_per_request",
                                        {"accelerators": "2 Wh", "host": "1 Wh"}), "StudyError", "components"))
    out.append(("split-empty", _set(_set(BASE, "inference.energy_per_request", {}), "inference.energy_scope",
                                    _DELETE), "StudyError", "at least one"))
    out.append(("split-idle-twice", _set(_set(_set(BASE, "inference.energy_per_request",
                                                   {"accelerators": "2 Wh", "idle": "1 Wh"}),
                                              "inference.energy_scope", _DELETE), "inference.idle_energy", "5 kWh"),
                "StudyError", "'idle' component"))
    out.append(("power-at-facility", _set(BASE, "training.energy_scope", "facility"), "StudyError",
                "power per accelerator"))
    out.append(("old-utilisation-name", _set(BASE, "training.utilisation", 0.5), "StudyError", "now 'load'"))
    out.append(("precision-in-measured-training", _set(BASE, "training.precision", "fp8"), "StudyError",
                "only with 'tokens'"))
    out.append(("batch-in-measured-inference", _set(BASE, "inference.batch_size", 8), "StudyError",
                "only with 'prompt_tokens'"))
    out.append(("inference-time-without-power", _set(_set(_set(BASE, "inference.energy_per_request", _DELETE),
                                                           "inference.energy_scope", _DELETE),
                                                      "inference.accelerator_hours", 100), "StudyError",
                "device power"))
    out.append(("batch-does-not-fit", _set(_set(MODELLED, "inference.batch_size", 5000), "inference.devices", 1),
                "StudyError",
                "does not fit"))
    out.append(("load-with-modelled-inference", _set(MODELLED, "inference.load", 0.5), "StudyError",
                "drop 'load'"))
    out.append(("no-power", _set(BASE, "training.average_power", _DELETE), "StudyError", "device power"))
    out.append(("no-time", _set(BASE, "training.accelerator_hours", _DELETE), "StudyError", "training needs"))
    out.append(("requests-twice", _set(BASE, "inference.requests_per_day", 10), "StudyError", "either 'requests'"))
    out.append(("energy-and-power", _set(BASE, "inference.average_power", "300 W"), "StudyError", "already gives"))
    out.append(("process-no-phase", _set(_set(BASE, "inference", _DELETE), "processes",
                                         [{"process": "x", "phase": "inference", "amount": 1}]),
                "StudyError", "lacks"))
    # modelled phases
    out.append(("tokens-without-model", _set(MODELLED, "model", _DELETE), "StudyError", "needs the study's 'model'"))
    out.append(("prompt-beyond-context", _set(MODELLED, "inference.prompt_tokens", 200000), "StudyError",
                "beyond the model's context"))
    out.append(("sequence-beyond-context", _set(MODELLED, "training.sequence_length", 10**6), "StudyError",
                "beyond the context"))
    out.append(("tokens-without-sequence", _set(MODELLED, "training.sequence_length", _DELETE), "StudyError",
                "needs 'sequence_length'"))
    out.append(("prompt-without-output", _set(MODELLED, "inference.output_tokens", _DELETE), "StudyError",
                "needs 'output_tokens'"))
    out.append(("negative-tokens", _set(MODELLED, "training.tokens", -1), "StudyError", "out of range"))
    out.append(("zero-batch", _set(MODELLED, "inference.batch_size", 0), "StudyError", "out of range"))
    out.append(("mfu-above-one", _set(MODELLED, "training.mfu", 1.5), "StudyError", "out of range"))
    out.append(("unknown-precision", _set(MODELLED, "training.precision", "bf15"), "StudyError", "not allowed"))
    out.append(("precision-not-on-device", _set(_set(MODELLED, "hardware.accelerator", "t4"),
                                                "hardware.server", _DELETE), "StudyError", "precision"))
    out.append(("mfu-and-achieved", _set(MODELLED, "training.achieved_flops", "100 TFLOP/s"), "StudyError",
                "not both"))
    out.append(("encoder-decoder-inference", _set(MODELLED, "model", "t5-11b"), "StudyError", "encoder-decoder"))
    out.append(("encoder-decoder-training", _set(_set(MODELLED, "model", "t5-11b"), "inference", _DELETE),
                "StudyError", "target_length"))
    out.append(("provisioned-too-small", _set(MODELLED, "inference.accelerators", 1) | {}, "StudyError", "go together"))
    # continuous batching
    out.append(("batching-in-measured-inference", _set(BASE, "inference.batching", {"max_batched_tokens": 64}),
                "StudyError", "only with 'prompt_tokens'"))
    out.append(("batching-without-budget", _set(MODELLED, "inference.batching", {"requests": 100}), "StudyError",
                "max_batched_tokens"))
    out.append(("batching-lognormal-without-sigma",
                _set(MODELLED, "inference.batching",
                     {"max_batched_tokens": 64, "prompt_lengths": {"family": "lognormal"}}),
                "StudyError", "lognormal needs it"))
    out.append(("batching-unknown-family",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 64, "output_lengths": {"family": "zipf"}}),
                "StudyError", "family"))
    out.append(("batching-seed-without-draw",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 64, "seed": 1}),
                "StudyError", "'seed' is used only"))
    out.append(("batching-histogram-mean",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 64, "prompt_lengths": {
                    "family": "histogram", "bins": [1, 11, 21], "weights": [1, 1]}}),
                "StudyError", "has a mean of 10.5 tokens"))
    out.append(("batching-histogram-record-unknown",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 64, "prompt_lengths": {
                    "family": "histogram", "record": "no-such-trace"}}),
                "UnknownIdError", "no-such-trace"))
    out.append(("batching-histogram-record-and-bins",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 64, "prompt_lengths": {
                    "family": "histogram", "record": "azure-2023-code-prompts", "bins": [1, 2], "weights": [1]}}),
                "StudyError", "one of them"))
    out.append(("batching-disaggregation-zero",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 64,
                                                      "disaggregation": {"prefill": 0, "decode": 3}}),
                "StudyError", "greater than 0"))
    out.append(("batching-too-many-steps",
                _set(MODELLED, "inference.batching", {"max_batched_tokens": 1, "requests": 100_000}),
                "StudyError", "engine steps"))
    m = _set(_set(MODELLED, "inference.accelerators", 1), "inference.duration", "1 h")
    out.append(("provisioned-shorter-than-busy", m, "StudyError", "provisioned accelerator time is shorter"))
    out.append(("lifetime-missing", _set(_set(BASE, "hardware.server", _DELETE), "hardware.lifetime", _DELETE),
                "StudyError", "lifetime"))
    out.append(("grid-missing", _set(_set(BASE, "grid", _DELETE), "datacenter", "uptime-2024-average"),
                "StudyError", "no grid given"))
    out.append(("background-incomplete", _set(BASE, "background", {"project": "p", "database": "d",
                                                                   "methods": {},
                                                                   "links": {"grid": {"code": "x"}}}),
                "StudyError", "at least one category"))
    out.append(("background-link-twice", _set(BASE, "background", {
        "project": "p", "database": "d",
        "methods": {c: {"method": ["a"]} for c in ("gwp100", "water", "adpe", "pe")},
        "links": {"grid": {"code": "x", "name": "y"}}}), "StudyError", "either 'code' or 'name'"))
    # raw text cases
    out.append(("yaml-syntax", "name: [unclosed\n", "StudyError", "not valid YAML"))
    out.append(("yaml-tab", "name:\tbad\n\tgrid: FR\n", "StudyError", "not valid YAML"))
    out.append(("yaml-list", "- 1\n- 2\n", "StudyError", "mapping"))
    out.append(("yaml-scalar", "just text\n", "StudyError", "mapping"))
    out.append(("yaml-duplicate-key", yaml.safe_dump(BASE, sort_keys=False) + "grid: DE\n", "StudyError",
                "duplicate key"))
    out.append(("yaml-comment-only", "# nothing here\n", "StudyError", "empty"))
    out.append(("yaml-python-tag", "!!python/object/apply:os.system ['echo hi']\n", "StudyError", "not valid YAML"))
    out.append(("yaml-deep", "a: " + "[" * 2000 + "]" * 2000 + "\n", "StudyError", "YAML"))
    # one reading of every number: decimal commas, YAML 1.1 base-60 numbers and booleans, unit expressions
    for path, value in (("training.average_power", "0,400 kW"), ("training.accelerator_hours", "1,5"),
                        ("hardware.lifetime", "5,5 years"), ("training.idle_energy", "2,5 MWh")):
        out.append((f"decimal-comma-{path.replace('.', '-')}", _set(BASE, path, value), "UnitError",
                    "did you mean " + value.split()[0].replace(",", ".")))
    head = yaml.safe_dump({k: v for k, v in BASE.items() if k != "training"}, sort_keys=False)
    out.append(("yaml11-base-sixty", head + "training:\n  average_power: 400 W\n  accelerator_hours: 190:20:30\n",
                "InputError", "accelerator_hours"))
    head = yaml.safe_dump({k: v for k, v in BASE.items() if k != "hardware"}, sort_keys=False)
    for word in ("yes", "off"):
        out.append((f"yaml11-boolean-{word}", head + f"hardware:\n  accelerator: a100-sxm4-80gb\n"
                    f"  include_embodied: {word}\n", "StudyError", "include_embodied"))
    for i, value in enumerate(("5 kWh**99999999", "2 kg**4**4**4", "1 kWh**1e9", "3 W*" + "m*" * 40 + "m")):
        out.append((f"unit-expression-{i}", _set(BASE, "training.idle_energy", value), "UnitError",
                    "training.idle_energy"))
    bomb = ["a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]"] + [
        f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    out.append(("yaml-alias-bomb", "\n".join(bomb) + "\n", "StudyError", "expands to more than"))
    for i, folder in enumerate(("/", "../../etc")):
        out.append((f"inventory-escape-{i}", _set(BASE, "inventories", [folder]), "InputError", "inventor"))
    return out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.yaml"):
        old.unlink()
    manifest = []
    for name, doc, error, match in cases():
        text = doc if isinstance(doc, str) else yaml.safe_dump(doc, sort_keys=False)
        (OUT / f"{name}.yaml").write_text(text, encoding="utf-8")
        manifest.append({"file": f"generated/{name}.yaml", "error": error, "match": match})
    (HERE / "generated.manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    print(f"wrote {len(manifest)} cases")


if __name__ == "__main__":
    main()
