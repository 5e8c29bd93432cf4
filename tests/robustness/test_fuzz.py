"""Fuzzing (hypothesis): parsers and unit conversion raise only ai-lca's own errors.

Bounded example counts keep CI fast; the strategies mix valid keys and values with
garbage so that the deep validators are reached, not only the first type check.
"""

from __future__ import annotations

import math
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lca.errors import LcaError, UnitError
from lca.inventory import Registry
from lca.pipeline import prepare
from lca.study import study_from_dict
from lca.units import convert, parse_quantity

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                           HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
    st.sampled_from(["400 W", "3 days", "1e12", "12 L", "FR", "US", "a100-sxm4-80gb", "h100-sxm", "llama-3.1-8b",
                     "-5 h", "nan", "0", "1.5", "bf16", "fp8", "none", "full"]),
)
KEYS = ["schema_version", "name", "functional_unit", "model", "grid", "datacenter", "hardware", "training",
        "inference", "processes", "accelerator", "server", "lifetime", "utilisation", "accelerator_hours",
        "average_power", "requests", "energy_per_request", "prompt_tokens", "output_tokens", "batch_size",
        "tokens", "sequence_length", "mfu", "duration", "accelerators", "host_overhead", "idle_energy",
        "precision", "background", "links", "methods", "unknown_key"]
values = st.recursive(scalars, lambda children: st.one_of(
    st.lists(children, max_size=4), st.dictionaries(st.sampled_from(KEYS), children, max_size=6)), max_leaves=20)

BASE = {
    "schema_version": 1, "name": "fuzz", "functional_unit": {"name": "f"}, "grid": "FR",
    "hardware": {"accelerator": "a100-sxm4-80gb", "include_embodied": False},
    "training": {"accelerator_hours": 10, "average_power": "300 W"},
}
REGISTRY = Registry()


def _check(fn, *args):
    try:
        fn(*args)
    except LcaError:
        pass


@SETTINGS
@given(st.dictionaries(st.sampled_from(KEYS), values, max_size=8))
def test_study_parser_from_random_mappings(data):
    _check(study_from_dict, data)


@SETTINGS
@given(st.sampled_from(sorted(BASE)), st.sampled_from(KEYS), values)
def test_study_pipeline_from_mutated_valid_study(section, key, value):
    data = {k: (dict(v) if isinstance(v, dict) else v) for k, v in BASE.items()}
    if isinstance(data[section], dict):
        data[section][key] = value
    else:
        data[section] = value

    def run():
        study = study_from_dict(data)
        prepare(study)

    _check(run)


@SETTINGS
@given(st.text(max_size=300))
def test_study_parser_from_random_yaml_text(tmp_path_factory, text):
    path = Path(tmp_path_factory.mktemp("fuzz")) / "study.yaml"
    path.write_text(text, encoding="utf-8")
    from lca.study import load_study

    _check(load_study, path)


record_fields = st.dictionaries(
    st.sampled_from(["id", "name", "gwp100", "water", "pue", "wue", "tdp", "unit", "value", "source", "range",
                     "distribution", "base", "impacts", "parts", "die", "accelerators", "embodied", "kind"]),
    values, max_size=6)


@SETTINGS
@given(st.sampled_from(["grid", "datacenter", "accelerator", "server", "embodied", "process", "model", "bogus"]),
       st.lists(record_fields, max_size=3))
def test_inventory_loader_from_random_records(tmp_path_factory, kind, records):
    folder = Path(tmp_path_factory.mktemp("inv"))
    try:
        text = yaml.safe_dump({"kind": kind, "source": "fuzz", "records": records})
    except yaml.YAMLError:
        return
    (folder / "f.yaml").write_text(text, encoding="utf-8")
    _check(Registry, [folder], )


@SETTINGS
@given(st.text(max_size=200))
def test_inventory_loader_from_random_text(tmp_path_factory, text):
    folder = Path(tmp_path_factory.mktemp("inv"))
    (folder / "f.yaml").write_text(text, encoding="utf-8")
    _check(Registry, [folder])
    (folder / "f.yaml").unlink()
    (folder / "g.csv").write_text("# kind: grid\n# source: fuzz\n" + text, encoding="utf-8")
    _check(Registry, [folder])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40), st.sampled_from(["kg CO2e/kWh", "W", "h", "L", "kWh", "", "GB/s", "FLOP/s"]))
def test_unit_conversion_from_random_strings(text, unit):
    try:
        convert(1.0, text, unit)
    except UnitError:
        pass
    try:
        value = parse_quantity(text, unit)
        assert math.isfinite(value)
    except UnitError:
        pass


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.floats(), st.integers(), st.booleans(), st.none(), st.lists(st.integers(), max_size=2)))
def test_quantity_from_random_python_values(value):
    try:
        parse_quantity(value, "W")
    except UnitError:
        pass
