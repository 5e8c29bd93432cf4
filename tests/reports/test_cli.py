"""The command line: help with examples, exit codes, compare, report, inventory, compute."""

from __future__ import annotations

import contextlib
import io

import pandas as pd
import pytest

from lca import cli
from tests.conftest import SCENARIOS


def _main(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("command", ["run", "compare", "report", "inventory", "compute"])
def test_help_shows_examples(command):
    code, out, _ = _main(command, "--help")
    assert code == 0 and "examples:" in out


def test_unknown_command_and_bad_option_exit_2():
    assert _main("frobnicate")[0] == 2
    assert _main("run", "--no-such-option")[0] == 2
    assert _main()[0] == 2


def test_compare_writes_table_and_chart(home, tmp_path):
    studies = [str(SCENARIOS / "patterson2021" / f"{n}.yaml") for n in ("t5", "meena")]
    code, out, err = _main("compare", *studies, "--out", str(tmp_path), "--home", str(home))
    assert code == 0, err
    table = pd.read_csv(tmp_path / "compare.csv")
    assert set(table["study"]) == {"pat21-t5", "pat21-meena"}
    assert "gwp100" in out and "t CO2e" in out  # totals in readable units
    assert "different functional units" in out  # T5 and Meena runs are different functional units
    assert "<svg" in (tmp_path / "compare.html").read_text()
    from lca.reports.results_dir import verify_outputs

    assert verify_outputs(tmp_path, "compare-provenance.json") == []


def test_run_formats_and_report(home, tmp_path):
    code, _, err = _main("run", str(SCENARIOS / "bloom-176b.yaml"), "--out", str(tmp_path), "--home", str(home),
                         "--format", "csv,md", "-q")
    assert code == 0, err
    assert (tmp_path / "report.md").is_file()
    assert _main("run", str(SCENARIOS / "bloom-176b.yaml"), "--format", "pdf")[0] == 2
    code, _, err = _main("report", str(tmp_path), "-q")
    assert code == 0, err
    assert {"report.html", "report.json", "report.xlsx"} <= {p.name for p in tmp_path.iterdir()}
    (tmp_path / "impacts.csv").write_text("tampered\n")
    code, _, err = _main("report", str(tmp_path))
    assert code == 2 and "inconsistent" in err


def test_quiet_prints_nothing(home, tmp_path):
    code, out, _ = _main("run", str(SCENARIOS / "bloom-176b.yaml"), "--out", str(tmp_path), "--home", str(home), "-q")
    assert code == 0 and out == ""


def test_debug_shows_the_traceback(tmp_path):
    code, _, err = _main("run", str(tmp_path / "missing.yaml"), "--debug")
    assert code == 2 and "Traceback" in err


def test_sweep_mc_sensitivity_commands(home, tmp_path):
    code, out, err = _main("sweep", str(SCENARIOS / "levers" / "grid-and-ppa.yaml"), "--out", str(tmp_path / "sw"))
    assert code == 0, err
    assert len(pd.read_csv(tmp_path / "sw" / "sweep.csv")) == 7 * 4  # 7 grids x 4 categories
    study = str(SCENARIOS / "llama-3.1-8b-service.yaml")
    code, out, err = _main("mc", study, "--samples", "500", "--seed", "3", "--out", str(tmp_path / "mc"))
    assert code == 0, err
    unc = pd.read_csv(tmp_path / "mc" / "uncertainty.csv")
    assert set(unc["category"]) == {"gwp100", "water", "adpe", "pe"}
    code, out, err = _main("sensitivity", study, "--samples", "256", "--out", str(tmp_path / "se"))
    assert code == 0, err
    assert "training.mfu" in out
    # a study without anything to sample is a clear input error
    code, _, err = _main("mc", str(SCENARIOS / "patterson2021" / "t5.yaml"), "--samples", "100")
    assert code == 2 and "nothing to sample" in err
    code, _, err = _main("sweep", str(SCENARIOS / "bloom-176b.yaml"))
    assert code == 2 and "no 'sweep' section" in err
    # every analysis folder carries its provenance, written last, with the hash of each output
    import json

    from lca.reports.results_dir import verify_outputs

    for folder, command in (("sw", "sweep"), ("mc", "mc"), ("se", "sensitivity")):
        name = f"{command}-provenance.json"
        prov = json.loads((tmp_path / folder / name).read_text())
        assert prov["command"] == command and len(prov["studies"][0]["study_sha256"]) == 64
        assert prov["versions"]["bw2calc"] and set(prov["outputs"]) == \
            {p.name for p in (tmp_path / folder).iterdir()} - {name}
        assert verify_outputs(tmp_path / folder, name) == []
    assert json.loads((tmp_path / "mc" / "mc-provenance.json").read_text())["seed"] == 3
    (tmp_path / "mc" / "uncertainty.csv").write_text("tampered\n")
    assert verify_outputs(tmp_path / "mc", "mc-provenance.json") == ["uncertainty.csv"]


def test_report_shows_uncertainty_bands(home, tmp_path):
    study = str(SCENARIOS / "llama-3.1-8b-service.yaml")
    assert _main("run", study, "--out", str(tmp_path), "--home", str(home), "-q")[0] == 0
    run_provenance = (tmp_path / "provenance.json").read_text()
    assert _main("mc", study, "--samples", "300", "--out", str(tmp_path), "-q")[0] == 0
    assert (tmp_path / "provenance.json").read_text() == run_provenance  # the run's own is kept
    assert (tmp_path / "mc-provenance.json").is_file()
    assert _main("report", str(tmp_path), "-q")[0] == 0
    html = (tmp_path / "report.html").read_text()
    assert "<h2>Uncertainty (static result beside the Monte Carlo samples)</h2>" in html
    assert pd.read_excel(tmp_path / "report.xlsx", sheet_name="uncertainty").shape[0] == 4


def test_uneven_gaps_keep_only_what_not_all_share():
    from lca.activity import Note, NoteCode
    from lca.reports.compare import uneven_gaps

    gap, default = NoteCode.GAP, NoteCode.DEFAULT
    notes = {
        "a": [Note(gap, "embodied inventory 'x' gives no water"), Note(default, "hardware lifetime 6.0 years")],
        "b": [Note(gap, "embodied inventory 'y' gives no water"),
              Note(gap, "accelerator 'z' has no embodied inventory: the manufacturing of the accelerators is not "
                        "included")],
    }
    assert uneven_gaps(notes) == {"b": [notes["b"][1].text]}
    assert uneven_gaps({"a": notes["a"], "c": notes["a"]}) == {}


def test_sweep_warns_when_scenarios_cover_different_impacts(tmp_path):
    import yaml

    data = yaml.safe_load((SCENARIOS / "levers" / "algorithmic.yaml").read_text())
    data["sweep"] = {"parameters": {"hardware.accelerator": ["h100-sxm", "mi300x"]}}
    study = tmp_path / "hw.yaml"
    study.write_text(yaml.safe_dump(data))
    code, out, err = _main("sweep", str(study), "--out", str(tmp_path / "sw"))
    assert code == 0, err
    assert "not every scenario covers the same impacts" in out and "'mi300x' has no embodied" in out
    page = (tmp_path / "sw" / "sweep.html").read_text()
    assert 'id="coverage"' in page and "mi300x" in page
    code, out, err = _main("sweep", str(SCENARIOS / "levers" / "grid-and-ppa.yaml"), "--out", str(tmp_path / "g"))
    assert code == 0 and "not every scenario" not in out
