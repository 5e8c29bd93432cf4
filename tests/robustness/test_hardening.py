"""Inputs and faults beyond the corpus, by class: each class several cases, through the API, the CLI and processes.

Classes: numbers read one way only (decimal commas, YAML 1.1 spellings), documents that
expand (aliases), unit expressions that would never finish, paths that escape, results
folders that could mix or clobber (concurrency, a user's folder, a killed run, a full
disk), text that would turn into formulas, markup or escape sequences, absurd sizes, a Dask
scheduler that does not answer, API misuse, a damaged home. Every case is bounded in time
(pytest-timeout) and must end in one clear line.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml

import lca
from lca import cli
from lca.reports.results_dir import verify_outputs
from tests.conftest import ROOT, SCENARIOS

T5 = SCENARIOS / "patterson2021" / "t5.yaml"
BASE = {
    "schema_version": 1,
    "name": "hardening",
    "functional_unit": {"name": "test"},
    "grid": "FR",
    "datacenter": "uptime-2024-average",
    "hardware": {"accelerator": "a100-sxm4-80gb", "include_embodied": False},
    "training": {"accelerator_hours": 1000, "average_power": "400 W"},
}


def _write(tmp_path: Path, data: dict | str, name: str = "study.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False))
    return path


def _set(path: str, value) -> dict:
    import copy

    data = copy.deepcopy(BASE)
    node = data
    keys = path.split(".")
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
    return data


def _cli(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lca.cli", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def _one_clear_line(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert proc.returncode == code, proc.stdout + proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    return lines[0]


# ---------------------------------------------------------------- numbers are read one way

@pytest.mark.parametrize("path, value", [
    ("training.average_power", "0,400 kW"),
    ("training.accelerator_hours", "1,000"),
    ("training.idle_energy", "2,5 MWh"),
    ("hardware.lifetime", "5,5 years"),
])
def test_decimal_commas_are_refused_with_the_point_reading(tmp_path, home, path, value):
    study = _write(tmp_path, _set(path, value))
    with pytest.raises(lca.UnitError, match="comma") as info:
        lca.run(study, home=home, samples=0)
    assert "did you mean " + value.split()[0].replace(",", ".") in str(info.value)
    assert info.value.field == path


@pytest.mark.parametrize("text, field", [
    ("  accelerator_hours: 190:20:30\n", "training.accelerator_hours"),  # YAML 1.1: 685,230 (base 60)
    ("  accelerators: 1:30\n  duration: 10 h\n", "training.accelerators"),
    ("  average_power: 4:00\n", "training.average_power"),
])
def test_base_sixty_numbers_are_text_not_numbers(tmp_path, home, text, field):
    head = yaml.safe_dump({k: v for k, v in BASE.items() if k != "training"}, sort_keys=False)
    body = "training:\n  average_power: 400 W\n" if "average_power" not in text else "training:\n  accelerator_hours: 5\n"
    study = _write(tmp_path, head + body + text)
    with pytest.raises(lca.InputError) as info:
        lca.run(study, home=home, samples=0)
    assert info.value.field.startswith(field.split(".")[0])


@pytest.mark.parametrize("word", ["no", "off", "yes", "on", "n", "y"])
def test_yaml_11_booleans_are_not_booleans(tmp_path, home, word):
    head = yaml.safe_dump({k: v for k, v in BASE.items() if k != "hardware"}, sort_keys=False)
    study = _write(tmp_path, head + f"hardware:\n  accelerator: a100-sxm4-80gb\n  include_embodied: {word}\n")
    with pytest.raises(lca.StudyError, match="include_embodied|boolean|bool"):
        lca.run(study, home=home, samples=0)


def test_a_date_is_text(tmp_path):
    from lca.yamlio import read_yaml

    doc = read_yaml(_write(tmp_path, "a: 2024-01-01\nb: 1e3\nc: 0x10\nd: true\n"))
    assert doc.data == {"a": "2024-01-01", "b": 1000.0, "c": 16, "d": True}


@pytest.mark.parametrize("depth", [6, 9])
def test_alias_bombs_are_refused_quickly(tmp_path, depth):
    lines = ["a0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9]"]
    for i in range(1, depth):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    study = _write(tmp_path, "\n".join(lines) + "\n")
    t0 = time.perf_counter()
    proc = _cli("run", str(study), "--home", str(tmp_path / "h"), "--out", str(tmp_path / "out"))
    assert "expands to more than" in _one_clear_line(proc)
    assert time.perf_counter() - t0 < 30
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["5 kWh**99999999", "5 kWh^99999999", "2 kg**4**4**4", "3 W*" + "m*" * 40 + "m",
                                   "1 kWh**1e9"])
def test_unit_expressions_that_never_finish_are_refused(tmp_path, home, value):
    study = _write(tmp_path, _set("training.idle_energy", value))
    t0 = time.perf_counter()
    with pytest.raises(lca.UnitError):
        lca.run(study, home=home, samples=0)
    assert time.perf_counter() - t0 < 10


def test_a_csv_header_unit_that_never_finishes(tmp_path, home):
    inv = tmp_path / "inv"
    inv.mkdir()
    (inv / "g.csv").write_text("# kind: grid\n# source: test\nid,gwp100 [kg CO2e/kWh**99999999]\nX,1\n")
    study = _write(tmp_path, {**_set("grid", "X"), "inventories": ["inv"]})
    with pytest.raises(lca.InputError):
        lca.run(study, home=home, samples=0)


# ---------------------------------------------------------------- paths stay where they are named

@pytest.mark.parametrize("inventories", [["/"], ["../"], ["../../etc"], [str(Path.home())]])
def test_inventory_folders_do_not_escape(tmp_path, home, inventories):
    (tmp_path / "s").mkdir()
    study = _write(tmp_path / "s", {**BASE, "inventories": inventories})
    t0 = time.perf_counter()
    with pytest.raises(lca.InputError):
        lca.run(study, home=home, samples=0)
    assert time.perf_counter() - t0 < 10  # refused, not walked


def test_a_plain_string_is_one_inventory_folder(home):
    folder = str(ROOT / "tests" / "data" / "inventory-override")
    result = lca.run(ROOT / "tests" / "data" / "study-custom.yaml", home=home, samples=0, inventories=folder)
    assert result.total("gwp100") > 0
    # the other entry points too (they once read a string as one folder per character)
    title, rows = lca.compute_table("llama-3.1-8b", "h100-sxm", inventories=folder)
    assert rows


@pytest.mark.parametrize("field, value", [("training.load_profile", "../../../../etc/passwd"),
                                          ("training.codecarbon", "../outside.csv")])
def test_relative_files_stay_in_the_study_folder(tmp_path, home, field, value):
    (tmp_path / "s").mkdir()
    data = _set(field, value)
    if field.endswith("codecarbon"):
        data["training"].pop("average_power")
    study = _write(tmp_path / "s", data)
    with pytest.raises(lca.InputError) as info:
        lca.run(study, home=home, samples=0)
    assert "root:" not in str(info.value)  # never quotes a file it was not meant to read


# ---------------------------------------------------------------- results folders cannot mix or clobber

def test_a_users_folder_is_refused_then_kept_with_force(tmp_path, home):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "impacts.csv").write_text("my own numbers\n")
    (out / "notes.txt").write_text("keep me\n")
    assert cli.main(["run", str(T5), "--out", str(out), "--home", str(home), "-q", "--samples", "0"]) == 2
    assert (out / "impacts.csv").read_text() == "my own numbers\n"
    assert cli.main(["run", str(T5), "--out", str(out), "--home", str(home), "-q", "--samples", "0", "--force"]) == 0
    assert (out / "notes.txt").read_text() == "keep me\n"
    assert verify_outputs(out) == []


def test_kept_files_are_linked_and_a_failed_rewrite_leaves_them_as_they_were(tmp_path):
    """The staged folder holds hard links to the files already there (a 700 MB sweep.csv is not copied); every
    output replaces its file, so a rewrite that fails half way leaves the old folder byte for byte."""
    from lca.reports.atomic import write_text
    from lca.reports.staging import staged_folder

    out = tmp_path / "res"
    with staged_folder(out) as stage:
        write_text(stage / "sweep.csv", "old numbers\n")
        write_text(stage / "study.yaml", "name: old\n")
    (out / "notes.txt").write_text("keep me\n")
    with pytest.raises(RuntimeError), staged_folder(out, force=True, keep_existing=True) as stage:
        assert os.stat(stage / "sweep.csv").st_ino == os.stat(out / "sweep.csv").st_ino  # linked, not copied
        write_text(stage / "sweep.csv", "new numbers\n")
        write_text(stage / "study.yaml", b"name: new\n")
        raise RuntimeError("interrupted")
    assert (out / "sweep.csv").read_text() == "old numbers\n"
    assert (out / "study.yaml").read_text() == "name: old\n"
    with staged_folder(out, force=True, keep_existing=True) as stage:
        write_text(stage / "sweep.csv", "new numbers\n")
    assert (out / "sweep.csv").read_text() == "new numbers\n"
    assert (out / "notes.txt").read_text() == "keep me\n"


def test_output_into_an_inventory_folder_is_refused(tmp_path, home):
    inv = ROOT / "tests" / "data" / "inventory-override"
    code = cli.main(["run", str(ROOT / "tests" / "data" / "study-custom.yaml"), "--out", str(inv / "results"),
                     "--home", str(home), "-q", "--samples", "0"])
    assert code == 2
    assert not (inv / "results").exists()


def test_two_runs_into_one_folder_never_mix(tmp_path, home):
    """Run two different studies into one folder at once: one wins whole (or one is refused), never a mix."""
    out = tmp_path / "out"
    studies = [T5, SCENARIOS / "patterson2021" / "meena.yaml"]
    procs = [subprocess.Popen([sys.executable, "-m", "lca.cli", "run", str(s), "--out", str(out), "--home",
                               str(home), "-q", "--samples", "0"], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for s in studies]
    results = [p.communicate(timeout=240) for p in procs]
    codes = [p.returncode for p in procs]
    assert all(c in (0, 1) for c in codes), results
    assert 0 in codes
    prov = json.loads((out / "provenance.json").read_text())
    table = (out / "impacts.csv").read_text()
    assert f"pat21-{prov['study'].split('-', 1)[1]}" in table or prov["study"] in table
    assert verify_outputs(out) == []
    assert not list(tmp_path.glob(".out.staging-*"))


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_a_killed_run_leaves_the_previous_set(tmp_path, home, delay):
    out = tmp_path / "out"
    assert cli.main(["run", str(T5), "--out", str(out), "--home", str(home), "-q", "--samples", "0"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    proc = subprocess.Popen([sys.executable, "-m", "lca.cli", "run", str(SCENARIOS / "bloom-176b.yaml"), "--out",
                             str(out), "--home", str(home), "-q", "--format", "csv,xlsx,json,md,html"], cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before or verify_outputs(out) == []  # the previous set, or (if it finished) the new one whole
    assert verify_outputs(out) == []
    # the next run clears what the killed one left beside the folder
    assert cli.main(["run", str(T5), "--out", str(out), "--home", str(home), "-q", "--samples", "0"]) == 0
    assert not list(tmp_path.glob(".out.staging-*")) and not list(tmp_path.glob(".out.previous-*"))


@pytest.mark.skipif(os.geteuid() != 0 or sys.platform != "linux", reason="mounting a small tmpfs needs root on Linux")
def test_a_full_disk_leaves_the_previous_set(tmp_path, home):
    mnt = tmp_path / "small"
    mnt.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mnt)]).returncode != 0:
        pytest.skip("tmpfs could not be mounted here")
    try:
        out = mnt / "out"
        assert cli.main(["run", str(T5), "--out", str(out), "--home", str(home), "-q", "--samples", "0"]) == 0
        before = {p.name: p.read_bytes() for p in out.iterdir()}
        (mnt / "filler").write_bytes(b"\0" * (mnt.stat().st_size or 1))  # ensure later writes fail
        filler = mnt / "filler2"
        try:
            with open(filler, "wb") as f:
                while True:
                    f.write(b"\0" * 65536)
        except OSError:
            pass
        proc = _cli("run", str(SCENARIOS / "bloom-176b.yaml"), "--out", str(out), "--home", str(home),
                    "--format", "csv,xlsx,json,md,html")
        line = _one_clear_line(proc, code=1)
        assert "no space left" in line
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before
        assert not list(mnt.glob(".out.staging-*"))
    finally:
        subprocess.run(["umount", str(mnt)])


# ---------------------------------------------------------------- text that must stay text

NASTY = ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "@SUM(A1)", "-3", "$x^2$ and $y", "bell\x07 esc\x1b[31mred",
         "[bold red]markup[/]", "a # hash", "pipe | and <b>tag</b>"]


@pytest.fixture(scope="module")
def nasty_result(tmp_path_factory, home):
    folder = tmp_path_factory.mktemp("nasty")
    inv = folder / "inv"
    inv.mkdir()
    records = [{"id": f"p{i}", "name": name, "unit": "unit", "impacts": {"gwp100": {"value": 1 + i, "unit": "kg CO2e"}}}
               for i, name in enumerate(NASTY)]
    (inv / "processes.yaml").write_text(yaml.safe_dump({"kind": "process", "source": "test", "records": records}))
    data = {**BASE, "inventories": ["inv"],
            "processes": [{"process": f"p{i}", "phase": "system", "amount": 1} for i in range(len(NASTY))]}
    return folder, _write(folder, data)


def test_names_never_become_formulas_markup_or_escapes(nasty_result, home):
    from openpyxl import load_workbook

    folder, study = nasty_result
    proc = _cli("run", str(study), "--out", str(folder / "out"), "--home", str(home), "-v", "--samples", "0",
                "--format", "csv,xlsx,json,md,html")
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "\x07" not in proc.stdout  # shown as \x1b, never sent
    book = load_workbook(folder / "out" / "report.xlsx")
    for ws in book.worksheets:
        for row in ws.iter_rows():
            assert all(cell.data_type != "f" for cell in row), ws.title
    csv = (folder / "out" / "impacts.csv").read_text()
    assert "'=HYPERLINK" in csv and "'+1+2" in csv and "'@SUM" in csv
    md = (folder / "out" / "report.md").read_text()
    assert "<b>tag</b>" not in md and "\x1b" not in md
    html = (folder / "out" / "report.html").read_text()
    assert "<b>tag</b>" not in html and "\x1b" not in html


# ---------------------------------------------------------------- magnitudes at the ends of the range

def _gwp(result) -> float:
    return float(result.totals().loc["gwp100", "total"])


@pytest.mark.parametrize("hours", [1e10, 1e15, 1e30, 1e-30])
def test_far_scales_solve_and_scale_linearly(tmp_path, home, hours):
    """A million accelerators for a year (~1e10 h) and far beyond: solvable, and proportional to the hours.

    The singularity test once compared pivots across units and called a 4e14 kWh
    input beside 1-unit amounts a closed loop.
    """
    base = lca.run(_write(tmp_path, BASE), samples=0)
    far = lca.run(_write(tmp_path, _set("training.accelerator_hours", hours), "far.yaml"), samples=0)
    assert _gwp(far) == pytest.approx(_gwp(base) * hours / 1000, rel=1e-6)


@pytest.mark.parametrize("hours, fate", [(1e40, "infinite"), (1e-40, "0"), (1e-200, "0")])
def test_amounts_brightway_cannot_store_are_refused(tmp_path, home, hours, fate):
    """Brightway keeps amounts as 32-bit floats: one beyond their range would silently become 0 or infinite."""
    study = _write(tmp_path, _set("training.accelerator_hours", hours))
    with pytest.raises(lca.ScaleError, match=f"training/accelerators into training would be stored as {fate}"):
        lca.run(study, samples=0)
    line = _one_clear_line(_cli("run", str(study), "--out", str(tmp_path / "out"), "--samples", "0"))
    assert "32-bit floats" in line and not (tmp_path / "out").exists()


# ---------------------------------------------------------------- bounded work

def test_a_huge_sweep_is_refused_before_it_allocates(tmp_path):
    data = {**BASE, "sweep": {"parameters": {f"training.average_power": [f"{300 + i} W" for i in range(1000)],
                                             "hardware.utilisation": [0.5 + i / 2000 for i in range(1000)],
                                             "training.accelerator_hours": list(range(1, 1001))}}}
    study = _write(tmp_path, data)
    proc = _cli("sweep", str(study), "--out", str(tmp_path / "out"))
    assert "1,000,000,000 scenarios" in _one_clear_line(proc)


@pytest.mark.parametrize("samples", ["1000000000000", "0", "-5", "1e3", "many"])
def test_monte_carlo_sizes_are_checked(samples):
    assert cli.main(["mc", str(SCENARIOS / "llama-3.1-8b-service.yaml"), "--samples", samples, "-q"]) == 2


def test_the_api_refuses_samples_beyond_memory():
    with pytest.raises(lca.InputError, match="samples"):
        lca.monte_carlo(SCENARIOS / "llama-3.1-8b-service.yaml", 10**13)


def test_a_silent_dask_scheduler_is_given_up(tmp_path):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(5)  # accepts connections and never answers
    port = server.getsockname()[1]
    accepted = []
    threading.Thread(target=lambda: accepted.append(server.accept()), daemon=True).start()
    t0 = time.perf_counter()
    try:
        proc = _cli("mc", str(SCENARIOS / "llama-3.1-8b-service.yaml"), "--samples", "100", "--scheduler",
                    f"tcp://127.0.0.1:{port}", timeout=120)
    finally:
        server.close()
    assert "Dask scheduler" in _one_clear_line(proc, code=1)
    assert time.perf_counter() - t0 < 60


def test_a_closed_dask_port_is_a_clear_error():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _cli("mc", str(SCENARIOS / "llama-3.1-8b-service.yaml"), "--samples", "100", "--scheduler",
                f"tcp://127.0.0.1:{port}", timeout=120)
    assert "Dask scheduler" in _one_clear_line(proc, code=1)


# ---------------------------------------------------------------- the API raises our errors only

@pytest.mark.parametrize("call", [
    lambda home: lca.run(12345, home=home),
    lambda home: lca.run(T5, home=home, categories=["co2"]),
    lambda home: lca.run(T5, home=home, samples=-1),
    lambda home: lca.run({"name": "x"}, home=home),
    lambda home: lca.run(T5, home=home, samples=0).total("gwp100", basis="contract"),
    lambda home: lca.run(T5, home=home, samples=0).total("ghg"),
    lambda home: lca.compare([], home=home).table,
    lambda home: lca.report(T5),
    lambda home: lca.inventory_records("grids"),
    lambda home: lca.run(T5, home=home, samples=True),  # a bool, a float, text: never counts
    lambda home: lca.run(T5, home=home, samples=2.5),
    lambda home: lca.run(T5, home=home, samples="100"),
    lambda home: lca.run(T5, home=home, samples=1),  # one sample has no spread
    lambda home: lca.run(T5, home=home, samples=10, seed="abc"),
    lambda home: lca.run(T5, home=home, samples=10, seed=-1),
    lambda home: lca.run(T5, home=home, samples=0, categories=5),
    lambda home: lca.run(T5, home=123, samples=0),
    lambda home: lca.run(T5, home=home, samples=0, inventories=5),
    lambda home: lca.run(T5, home=home, samples=0, inventories=[5]),
    lambda home: lca.monte_carlo(T5, 100, chunk=0, home=home),
    lambda home: lca.monte_carlo(T5, 100, workers=0, home=home),
    lambda home: lca.sensitivity(T5, samples=1.5, home=home),
    lambda home: lca.compare([T5], samples=-3, home=home),
    lambda home: lca.monte_carlo(T5, 100, inventories=5, home=home),
    lambda home: lca.compute_table("llama-3.1-8b", "h100-sxm", inventories=[None]),
])
def test_api_misuse_raises_lca_errors(call, home):
    with pytest.raises(lca.LcaError):
        call(home)


def test_a_study_given_as_a_mapping_runs(home):
    result = lca.run(dict(BASE), home=home, samples=0)
    assert result.total("gwp100") == pytest.approx(1000 * 0.4 * 1.56 * lca.inventory_record("FR")["values"][0][1].value,
                                                   rel=1e-6)


# ---------------------------------------------------------------- a home that explains

def test_a_damaged_home_says_what_to_run(tmp_path):
    own = tmp_path / "home"
    assert _cli("run", str(T5), "--home", str(own), "--out", str(tmp_path / "o1"), "-q", "--samples", "0",
                timeout=300).returncode == 0
    project = next(p for p in (own / "brightway").iterdir() if p.is_dir() and p.name.startswith("ai-lca"))
    (project / "lci" / "databases.db").write_bytes(b"garbage" * 100)
    line = _one_clear_line(_cli("run", str(T5), "--home", str(own), "--out", str(tmp_path / "o2"), "--samples", "0",
                                timeout=300), code=1)
    assert "damaged" in line and "lca home repair" in line
    assert _cli("home", "repair", "--home", str(own)).returncode == 0
    assert _cli("run", str(T5), "--home", str(own), "--out", str(tmp_path / "o3"), "-q", "--samples", "0",
                timeout=300).returncode == 0


def test_a_busy_home_says_who_holds_it_and_gives_up(tmp_path):
    from filelock import FileLock

    own = tmp_path / "home"
    own.mkdir()
    (own / "project.lock.owner").write_text("pid 4242 on testhost")
    with FileLock(str(own / "project.lock")):
        proc = subprocess.run([sys.executable, "-m", "lca.cli", "run", str(T5), "--home", str(own), "--out",
                               str(tmp_path / "o"), "--samples", "0"], capture_output=True, text=True, timeout=120,
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), "LCA_LOCK_TIMEOUT_S": "5"})
    assert proc.returncode == 1
    assert "waiting for the ai-lca home" in proc.stderr and "pid 4242 on testhost" in proc.stderr
    assert "stayed in use" in proc.stderr.splitlines()[-1]


# ---------------------------------------------------------------- terminals that cannot show every character

def test_plain_spellings_for_a_terminal_that_cannot_show_them():
    from lca.terminal import plain

    assert plain("2.757 × 10²⁶ Mt CO2e, 3 m³, 4 µg, kg CO2e per km·kg, Zürich, 10⁻¹²") == (
        "2.757 x 10^26 Mt CO2e, 3 m^3, 4 ug, kg CO2e per km*kg, Zurich, 10^-12")
    assert plain("日本").count("?") == 2


@pytest.mark.parametrize("encoding", ["ascii", "latin-1", "cp1252"])
def test_a_run_on_a_terminal_without_unicode_prints_plain_text(tmp_path, home, encoding):
    """Before, printing m³ to an ASCII terminal was an 'internal error' after the results were written."""
    study = _write(tmp_path, _set("training.accelerator_hours", 1e35))
    proc = subprocess.run([sys.executable, "-m", "lca.cli", "run", str(study), "--out", str(tmp_path / "out"),
                           "--samples", "0"], capture_output=True, timeout=120, cwd=ROOT,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding})
    assert proc.returncode == 0, proc.stderr.decode(encoding, "replace")
    text = proc.stdout.decode(encoding)
    assert "x 10^24 Mt CO2e" in text and "internal error" not in proc.stderr.decode(encoding)
    table = text.split("life-cycle impacts\n", 1)[1].split("\n\n", 1)[0].splitlines()[:8]
    assert len({len(line) for line in table}) == 1, "\n".join(table)  # spelled plainly before it was measured


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32", "utf-8-sig"])
def test_a_study_saved_with_a_byte_order_mark_reads_as_in_utf8(tmp_path, home, encoding):
    """Windows editors save 'Unicode' as UTF-16 with a byte-order mark; YAML 1.2 allows it."""
    text = yaml.safe_dump(BASE, sort_keys=False)
    (tmp_path / "plain.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "wide.yaml").write_bytes(text.encode(encoding))
    assert _gwp(lca.run(tmp_path / "wide.yaml", samples=0)) == _gwp(lca.run(tmp_path / "plain.yaml", samples=0))


def test_utf16_without_a_byte_order_mark_says_how_to_save_it(tmp_path):
    (tmp_path / "study.yaml").write_bytes(yaml.safe_dump(BASE).encode("utf-16-le"))
    line = _one_clear_line(_cli("run", str(tmp_path / "study.yaml")))
    assert "binary" in line and "byte-order mark" in line


@pytest.mark.parametrize("kind", ["broken link", "pipe"])
def test_an_inventory_entry_that_is_not_a_file_is_an_error_not_skipped(tmp_path, home, kind):
    inv = tmp_path / "inv"
    inv.mkdir()
    if kind == "broken link":
        (inv / "grids.yaml").symlink_to(tmp_path / "moved-away.yaml")
    else:
        os.mkfifo(inv / "grids.csv")
    study = _write(tmp_path, {**BASE, "inventories": ["inv"]})
    with pytest.raises(lca.InventoryError, match="not a regular file"):
        lca.run(study, samples=0)


def test_output_paths_that_cannot_be_written_say_why(tmp_path, home):
    """A lock file that cannot be made was once reported as 'another ai-lca run is writing into this folder'."""
    study = _write(tmp_path, BASE)
    (tmp_path / "afile").write_text("x")
    line = _one_clear_line(_cli("run", str(study), "--out", str(tmp_path / "afile" / "sub"), "--samples", "0"), 1)
    assert "a part of the path is a file" in line
    line = _one_clear_line(_cli("run", str(study), "--out", "/proc/ai-lca-results", "--samples", "0"), 1)
    assert "cannot write in the folder" in line and "another ai-lca run" not in line
    assert "--out is empty" in _one_clear_line(_cli("run", str(study), "--out", "", "--samples", "0"))


@pytest.mark.parametrize("name, value, says", [
    ("LCA_LOCK_TIMEOUT_S", "abc", "LCA_LOCK_TIMEOUT_S is not a number of seconds"),
    ("LCA_LOCK_TIMEOUT_S", "-5", "LCA_LOCK_TIMEOUT_S is not a number of seconds"),
    ("LCA_LOCK_TIMEOUT_S", "nan", "LCA_LOCK_TIMEOUT_S is not a number of seconds"),
    ("SOURCE_DATE_EPOCH", "abc", "SOURCE_DATE_EPOCH is not a count of seconds"),
    ("SOURCE_DATE_EPOCH", "-1", "SOURCE_DATE_EPOCH is not a count of seconds"),
    ("SOURCE_DATE_EPOCH", "99999999999999", "SOURCE_DATE_EPOCH is beyond the dates"),
])
def test_a_malformed_environment_variable_is_named_not_replaced_by_its_default(tmp_path, home, name, value, says):
    """Once: a bad LCA_LOCK_TIMEOUT_S or SOURCE_DATE_EPOCH was an 'internal error' at import."""
    study = _write(tmp_path, BASE)
    proc = subprocess.run([sys.executable, "-m", "lca.cli", "run", str(study), "--out", str(tmp_path / "out"),
                           "--format", "xlsx", "--samples", "0"], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), name: value})
    assert says in _one_clear_line(proc) and not (tmp_path / "out").exists()


@pytest.mark.parametrize("damage", ["truncated", "removed"])
def test_a_damaged_results_folder_is_named_before_it_is_read(tmp_path, home, damage):
    """A truncated impacts.csv was parsed first: 'internal error: ParserError'."""
    out = tmp_path / "out"
    study = _write(tmp_path, BASE)
    lca.write_results(lca.run(study, samples=0), out, study_path=study)
    csv = out / "impacts.csv"
    if damage == "truncated":
        csv.write_bytes(csv.read_bytes()[:300])
    else:
        csv.unlink()
    line = _one_clear_line(_cli("report", str(out)))
    assert "impacts.csv changed or removed after the run" in line


def test_a_comparison_of_two_studies_with_one_name_is_refused(tmp_path, home):
    """Names label the comparison's rows: two studies named alike were an 'internal error: TypeError'."""
    first, second = _write(tmp_path, BASE, "a.yaml"), _write(tmp_path, BASE, "b.yaml")
    line = _one_clear_line(_cli("compare", str(first), str(second)))
    assert "same name" in line and "a.yaml, b.yaml" in line


def test_every_public_name_stays_what_it_is_after_the_subpackages_load(home):
    """`lca.compute` was both a function and the compute subpackage: after a run it was the module."""
    import importlib

    lca.run(T5, home=home, samples=0)  # loads lca.compute, lca.analysis ... as attributes of the package
    for name in lca.__all__:
        value = getattr(lca, name)
        assert not isinstance(value, type(importlib)), f"lca.{name} is a module, not the public {name}"


def test_an_inventory_folder_with_no_inventory_files_is_an_error(tmp_path, home):
    """A folder that changes nothing is a wrong folder: it was read as zero records without a word."""
    (tmp_path / "inv").mkdir()
    (tmp_path / "inv" / "notes.txt").write_text("grids to add later\n")
    with pytest.raises(lca.InventoryError, match="holds no inventory files"):
        lca.run(_write(tmp_path, {**BASE, "inventories": ["inv"]}), samples=0)


def test_the_terminal_probe_holds_every_character_ai_lca_writes():
    """A terminal that holds some but not all of them (cp1252: ² yes, ⁶ no) would fail on the first it lacks."""
    from lca.terminal import PROBE

    written = {ch for path in (ROOT / "lca").rglob("*.py") for ch in path.read_text(encoding="utf-8") if ord(ch) > 127}
    quotes = set("‘’“”")  # in comments and docstrings only
    assert written - quotes <= set(PROBE), sorted(written - quotes - set(PROBE))
