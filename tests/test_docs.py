"""The examples in the docs run as written."""

from __future__ import annotations

import re

import pytest
import yaml

import lca
from tests.conftest import ROOT


def _yaml_blocks(path):
    return re.findall(r"```yaml\n(.*?)```", path.read_text(), flags=re.S)


def test_quickstart_study_runs(home, tmp_path):
    block = _yaml_blocks(ROOT / "docs" / "quickstart.md")[0]
    study = tmp_path / "my-finetune.yaml"
    study.write_text(block)
    result = lca.run(study, home=home, samples=0)
    assert yaml.safe_load(block)["name"] == result.study
    # by hand: 64 A100 x 3 days at idle + 0.7 (TDP - idle), host 0.3 x that, PUE and the Swedish grid;
    # the card and a share of the server over 5 years at 80 % use
    from lca.embodied.resolve import resolve_embodied
    from lca.inventory import Registry

    reg = Registry()
    acc = reg.get("a100-sxm4-80gb")
    idle = acc.idle_power.value if acc.idle_power else 0.12 * acc.tdp.value
    power = idle + 0.7 * (acc.tdp.value - idle)
    hours = 64 * 72
    it_kwh = hours * power * 1.3 / 1000
    pue = reg.get("uptime-2024-average").pue.value
    grid = reg.grid("SE").gwp100.value
    life = 5 * 8766 * 0.8
    card = resolve_embodied(reg, acc.embodied).impacts["gwp100"].value
    server = resolve_embodied(reg, reg.get("hpe-apollo-6500-gen10plus-a100").embodied).impacts["gwp100"].value
    expected = it_kwh * pue * grid + hours * (card + server / 8) / life
    assert result.total("gwp100") == pytest.approx(expected, rel=1e-6)


def test_custom_inventory_guide_matches_the_tested_fixture():
    blocks = _yaml_blocks(ROOT / "docs" / "custom-inventories.md")
    grids = yaml.safe_load(blocks[0])
    fixture = yaml.safe_load((ROOT / "tests" / "data" / "inventory-override" / "grids.yaml").read_text())
    assert [r["id"] for r in grids["records"]] == [r["id"] for r in fixture["records"]]
    processes = yaml.safe_load(blocks[1])
    fixture_p = yaml.safe_load((ROOT / "tests" / "data" / "inventory-override" / "processes.yaml").read_text())
    strip = [{k: v for k, v in r.items() if k != "name"} for r in processes["records"]]
    assert strip == [{k: v for k, v in r.items() if k != "name"} for r in fixture_p["records"]]


def test_custom_inventory_guide_length_histogram_loads_and_draws_its_mean(tmp_path):
    from lca.compute.batching import histogram_mean
    from lca.inventory.loader import load_file

    block = next(b for b in _yaml_blocks(ROOT / "docs" / "custom-inventories.md") if "length_histogram" in b)
    (tmp_path / "lengths.yaml").write_text(block)
    (record,) = [item.record for item in load_file(tmp_path / "lengths.yaml", tmp_path)]
    assert histogram_mean(record.bins, record.weights) == pytest.approx(record.mean.value, rel=0.01)


def _docs_script(name: str):
    """Import docs/scripts/<name>.py (not a package) as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, ROOT / "docs" / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_is_up_to_date(monkeypatch):
    module = _docs_script("make_cli_reference")
    monkeypatch.setenv("COLUMNS", "100")
    assert module.render() == (ROOT / "docs" / "cli.md").read_text(), "run python docs/scripts/make_cli_reference.py"


def test_validation_page_is_up_to_date(run_study):
    module = _docs_script("make_validation")
    assert module.render(run_study) == (ROOT / "docs" / "validation.md").read_text(), \
        "run python docs/scripts/make_validation.py"


def test_the_stated_size_of_the_bad_input_corpus_is_its_size():
    folder = ROOT / "tests" / "bad_inputs"
    hand = len(yaml.safe_load((folder / "hand.manifest.yaml").read_text()))
    generated = len(yaml.safe_load((folder / "generated.manifest.yaml").read_text()))
    assert f"a {hand + generated}-case" in (ROOT / "README.md").read_text()
    safety = (ROOT / "docs" / "user-guide" / "safety.md").read_text()
    assert f"({hand + generated} cases: {hand} written by hand, {generated} generated;" in safety
