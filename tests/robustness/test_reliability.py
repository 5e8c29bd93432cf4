"""No data loss, concurrency, reproducibility and safety."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest

import lca
from lca import cli
from lca.results import TABLE_COLUMNS
from tests.conftest import ROOT, SCENARIOS

BLOOM = SCENARIOS / "bloom-176b.yaml"


def _run_cli(*args: str) -> int:
    return cli.main(list(args))


def test_same_inputs_give_bit_identical_outputs(home, tmp_path):
    for out in ("a", "b"):
        assert _run_cli("run", str(BLOOM), "--out", str(tmp_path / out), "--home", str(home), "-q") == 0
    for name in ("impacts.csv", "provenance.json", "study.yaml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_outputs_carry_provenance(home, tmp_path):
    import json

    assert _run_cli("run", str(BLOOM), "--out", str(tmp_path), "--home", str(home), "-q") == 0
    prov = json.loads((tmp_path / "provenance.json").read_text())
    assert prov["study_sha256"] == __import__("hashlib").sha256(BLOOM.read_bytes()).hexdigest()
    assert prov["seed"] == 42 and prov["samples"] == 1000  # every run draws 1,000 seeded Monte Carlo samples
    assert {"ai-lca", "bw2data", "bw2calc", "numpy"} <= set(prov["versions"])
    assert any(s["id"] == "fr-luccioni2023" for s in prov["sources"])
    assert set(prov["outputs"]) == {"impacts.csv", "study.yaml"}
    table = pd.read_csv(tmp_path / "impacts.csv")  # plain CSV: provenance is in provenance.json
    assert list(table.columns) == TABLE_COLUMNS
    assert len(table) > 0
    # no absolute path of this machine in the outputs (the rerun block holds relative paths)
    assert str(ROOT) not in (tmp_path / "impacts.csv").read_text()
    prov.pop("rerun")
    assert str(ROOT) not in json.dumps(prov)


def test_check_passes_then_detects_a_change(home, tmp_path, capsys):
    assert _run_cli("run", str(BLOOM), "--out", str(tmp_path), "--home", str(home), "-q") == 0
    assert _run_cli("run", "--check", str(tmp_path), "--home", str(home)) == 0
    csv = tmp_path / "impacts.csv"
    text = csv.read_text()
    changed = text.replace('"operational","gwp100",', '"operational","gwp100",1', 1)
    assert changed != text  # one number of the table is changed (a digit put in front of it)
    csv.write_text(changed)
    assert _run_cli("run", "--check", str(tmp_path), "--home", str(home)) == 1
    assert "check failed" in capsys.readouterr().out


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize("delay", [0.3, 1.5, 3.0])
def test_interrupted_run_leaves_earlier_results_intact(home, tmp_path, sig, delay):
    out = tmp_path / "results"
    assert _run_cli("run", str(BLOOM), "--out", str(out), "--home", str(home), "-q") == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # a different study into the same folder, interrupted part-way
    other = SCENARIOS / "patterson2021" / "t5.yaml"
    proc = subprocess.Popen([sys.executable, "-m", "lca.cli", "run", str(other), "--out", str(out),
                             "--home", str(home), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    time.sleep(delay)
    proc.send_signal(sig)
    proc.communicate(timeout=120)
    names = {p.name for p in out.iterdir()}
    assert not [n for n in names if n.endswith(".tmp")], names  # no partial or temporary file
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    for name, content in after.items():
        if content != before.get(name):
            # replaced: must be a complete file of the new run
            assert name in ("impacts.csv", "study.yaml", "provenance.json", "impacts-market-based.csv")
            if name == "impacts.csv":
                assert b"pat21-t5" in content and content.endswith(b"\n")
    # either the old set is complete and consistent, or the new one is
    from lca.reports.results_dir import verify_outputs

    if after.get("provenance.json") == before["provenance.json"]:
        stale = verify_outputs(out)
        assert set(stale) <= {"impacts.csv", "study.yaml", "impacts-market-based.csv"}  # detected, not silent
    else:
        assert verify_outputs(out) == []


@pytest.mark.slow
def test_eight_processes_share_one_project(tmp_path):
    home = tmp_path / "shared-home"
    code = (
        "import sys, lca; r = lca.run(sys.argv[1], home=sys.argv[2]); "
        "print(repr(r.total('gwp100')))"
    )
    studies = [BLOOM, SCENARIOS / "patterson2021" / "gpt3-175b.yaml"] * 4
    env = {**os.environ}
    procs = [subprocess.Popen([sys.executable, "-c", code, str(s), str(home)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for s in studies]
    results = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, results):
        assert proc.returncode == 0, err[-2000:]
    totals = [float(out.strip().splitlines()[-1]) for out, _ in results]
    expected = {str(BLOOM): 50_524.77, str(SCENARIOS / "patterson2021" / "gpt3-175b.yaml"): 553_143.0}
    for study, total in zip(studies, totals):
        assert total == pytest.approx(expected[str(study)], rel=1e-4)
    # one foreground database per study, no duplicates
    with lca.engine.brightway(home) as (bd, _bc, _h):
        assert sorted(bd.databases) == sorted(["biosphere3", "ai-lca indicators", "ai-lca study bloom-176b",
                                               "ai-lca study pat21-gpt3-175b"])


# ---------------------------------------------------------------- safety rules

PACKAGE = ROOT / "lca"


def _calls(name: str) -> list[str]:
    hits = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) == name:
                hits.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return hits


def test_no_eval_or_exec_of_user_text():
    assert _calls("eval") == [] and _calls("exec") == []


def test_yaml_is_only_loaded_safely():
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "yaml.load(" not in text or "Loader=_Loader" in text, path
        assert "yaml.unsafe_load" not in text and "FullLoader" not in text and "UnsafeLoader" not in text


def test_python_tags_are_refused(tmp_path):
    study = tmp_path / "evil.yaml"
    marker = tmp_path / "pwned"
    study.write_text(f"!!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(lca.StudyError):
        lca.load_study(study)
    assert not marker.exists()


def test_inventory_paths_stay_inside_their_folder(home):
    hand = ROOT / "tests" / "bad_inputs" / "hand" / "inv-profile-escape.yaml"
    with pytest.raises(lca.InventoryError, match="inside its inventory folder"):
        lca.run(hand, home=home)


def test_no_network_during_a_run(tmp_path, monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    result = lca.run(BLOOM, home=tmp_path / "offline-home")
    assert result.total() > 0
