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
    assert "gwp100 [kg CO2e]" in out
    assert "<svg" in (tmp_path / "compare.html").read_text()


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
