"""The bad-input corpus: every case fails with a clear error, through the API and the CLI.

Each case names the error class and a fragment of the message. Through the API the run
must raise exactly that class of :class:`lca.InputError` (no other exception escapes);
through the CLI (``lca.cli.main`` in-process, plus a few real subprocesses) it must print
one short error line with no traceback, exit 2, and create no output folder or file.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import lca
from lca import cli

HERE = Path(__file__).resolve().parent


def _load_cases() -> list[dict]:
    cases = []
    for manifest in sorted(HERE.glob("*.manifest.yaml")):
        cases += yaml.safe_load(manifest.read_text())
    return cases


CASES = _load_cases()


def test_corpus_is_large_enough():
    assert len(CASES) >= 200
    assert len({c["file"] for c in CASES}) == len(CASES)


def _error_class(name: str) -> type:
    return getattr(lca.errors, name)


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_api_raises_the_expected_error(case, home):
    path = HERE / case["file"]
    with pytest.raises(lca.InputError) as info:
        lca.run(path, home=home)
    assert isinstance(info.value, _error_class(case["error"])), f"{type(info.value).__name__}: {info.value}"
    assert case["match"] in str(info.value)
    message = str(info.value)
    assert "Traceback" not in message and len(message) < 1500


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_cli_exit_2_no_traceback_no_output(case, home, tmp_path):
    out = tmp_path / "results"
    err, std = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(std):
        code = cli.main(["run", str(HERE / case["file"]), "--out", str(out), "--home", str(home)])
    assert code == 2
    text = err.getvalue()
    assert text.startswith("error: ") and "Traceback" not in text
    assert case["match"] in text
    assert len(text.strip().splitlines()) <= 3
    assert not out.exists()


@pytest.mark.parametrize("case", CASES[:: max(1, len(CASES) // 5)], ids=lambda c: c["file"])
def test_real_subprocess(case, home, tmp_path):
    out = tmp_path / "results"
    proc = subprocess.run(
        [sys.executable, "-m", "lca.cli", "run", str(HERE / case["file"]), "--out", str(out), "--home", str(home)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("error: ")
    assert not out.exists()


def test_existing_results_are_left_unchanged(home, tmp_path):
    out = tmp_path / "results"
    out.mkdir()
    earlier = out / "impacts.csv"
    earlier.write_text("earlier results\n")
    with contextlib.redirect_stderr(io.StringIO()):
        code = cli.main(["run", str(HERE / CASES[0]["file"]), "--out", str(out), "--home", str(home)])
    assert code == 2
    assert earlier.read_text() == "earlier results\n"
    assert sorted(p.name for p in out.iterdir()) == ["impacts.csv"]
