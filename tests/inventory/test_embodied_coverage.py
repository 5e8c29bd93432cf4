"""Every catalogue accelerator has an embodied record, or the gap is stated and visible."""

from __future__ import annotations

import pytest
import yaml

from lca.embodied.resolve import resolve_embodied
from lca.inventory import Registry
from lca.pipeline import prepare
from lca.study import study_from_dict
from tests.conftest import SCENARIOS

REG = Registry()

# no maker-published die area we could cite (docs/methodology/embodied.md)
NO_EMBODIED = {"mi300x", "tpu-v2", "tpu-v5e", "tpu-v5p"}


@pytest.mark.parametrize("ident", REG.ids("accelerator"))
def test_accelerator_embodied_resolves_or_is_a_stated_gap(ident):
    acc = REG.get(ident, "accelerator")
    if ident in NO_EMBODIED:
        assert acc.embodied is None
        return
    assert acc.embodied, f"{ident} has no embodied record and is not a stated gap"
    assert resolve_embodied(REG, acc.embodied).impacts["gwp100"].value > 0


def _service_on(accelerator: str):
    data = yaml.safe_load((SCENARIOS / "llama-3.1-8b-service.yaml").read_text())
    data["hardware"]["accelerator"] = accelerator
    return prepare(study_from_dict(data, path=SCENARIOS / "llama-3.1-8b-service.yaml"))


def test_missing_accelerator_embodied_is_noted():
    _, _, graph = _service_on("mi300x")
    assert any("accelerator 'mi300x' has no embodied inventory" in n.text for n in graph.notes)


def test_derived_card_enters_the_graph():
    _, _, graph = _service_on("b200")
    assert not any("no embodied inventory" in n.text for n in graph.notes)
    assert any("boavizta-b200" in str(node) for node in graph.nodes)
