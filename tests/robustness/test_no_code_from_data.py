"""Nothing a study or an inventory names is unpickled, imported or executed.

Brightway unpickles files (``preferences.pickle``, ``geomapping.pickle``) and
database fields of the folder it opens, so a study that could name a Brightway
folder could run code on ``lca run``. A study names a *project* in the user's
own Brightway folder; the folder comes from the user (``BRIGHTWAY2_DIR``,
``--brightway-dir``, ``brightway_dir=``) only.
"""

from __future__ import annotations

import os
import pickle
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

import lca
from tests.conftest import ROOT


class _Payload:
    """Unpickling this writes the marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def _crafted_brightway_folder(folder: Path, marker: Path) -> None:
    """A folder that looks like a Brightway base folder, with pickles that run code."""
    folder.mkdir(parents=True)
    with sqlite3.connect(folder / "projects.db") as con:
        con.execute("create table projectdataset (id integer primary key, data blob, name text, full_hash bool, "
                    "is_sourced bool, revision integer)")
        con.execute("insert into projectdataset (data, name, full_hash, is_sourced) values (?, ?, 0, 0)",
                    (pickle.dumps({"n": _Payload(marker)}), "evil"))
    project = folder / "evil.0a0b0c0d"
    project.mkdir()
    for name in ("preferences.pickle", "geomapping.pickle", "setups.pickle"):
        (project / name).write_bytes(pickle.dumps(_Payload(marker)))


def _study(folder: Path, extra: str) -> Path:
    path = folder / "study.yaml"
    path.write_text(f"""
schema_version: 1
name: crafted
functional_unit: {{name: test}}
grid: FR
hardware: {{accelerator: h100-sxm, include_embodied: false}}
training: {{accelerator_hours: 10, average_power: 400 W}}
{extra}
""")
    return path


BACKGROUND = """background:
  project: evil
  database: bg
  {folder}
  methods: {{gwp100: {{method: [a]}}, water: {{method: [a]}}, adpe: {{method: [a]}}, pe: {{method: [a]}}}}
  links: {{grid: {{code: elec}}}}
"""


@pytest.mark.parametrize("folder_field", ["brightway_dir: crafted", "brightway_dir: ./crafted/",
                                          "brightway_dir: {abs}"])
def test_a_study_cannot_name_a_brightway_folder(tmp_path, home, folder_field):
    marker = tmp_path / "marker"
    _crafted_brightway_folder(tmp_path / "crafted", marker)
    field = folder_field.format(abs=(tmp_path / "crafted").as_posix())
    study = _study(tmp_path, BACKGROUND.format(folder=field))
    with pytest.raises(lca.StudyError, match="never a folder") as info:
        lca.run(study, home=home)
    assert info.value.field == "background"
    proc = subprocess.run([sys.executable, "-m", "lca.cli", "run", str(study), "--home", str(home),
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "never a folder" in proc.stderr
    assert not marker.exists()
    assert not (tmp_path / "out").exists()


def test_a_project_name_is_looked_up_in_the_users_folder_only(tmp_path, home):
    """The study names project 'evil'; it exists only in the crafted folder beside the study."""
    marker = tmp_path / "marker"
    _crafted_brightway_folder(tmp_path / "crafted", marker)
    own = tmp_path / "my-brightway"
    own.mkdir()
    sqlite3.connect(own / "projects.db").close()
    study = _study(tmp_path, BACKGROUND.format(folder=""))
    old = os.getcwd()
    os.chdir(tmp_path)  # a relative folder would be found from here: it must not be
    try:
        with pytest.raises(lca.EngineError):
            lca.run(study, home=home, brightway_dir=own)
    finally:
        os.chdir(old)
    assert not marker.exists()


def test_an_inventory_folder_runs_no_code(tmp_path, home):
    """Python files, pickles and YAML tags in an inventory folder are never executed."""
    marker = tmp_path / "marker"
    inv = tmp_path / "inv"
    inv.mkdir()
    code = f"from pathlib import Path; Path({str(marker)!r}).write_text('code ran')\n"
    for name in ("__init__.py", "grids.py", "conftest.py", "sitecustomize.py"):
        (inv / name).write_text(code)
    (inv / "grids.pickle").write_bytes(pickle.dumps(_Payload(marker)))
    (inv / "extra.pth").write_text(f"import pathlib; pathlib.Path({str(marker)!r}).write_text('x')\n")
    study = _study(tmp_path, "inventories: [inv]")
    with pytest.raises(lca.InventoryError, match="holds no inventory files"):  # none of them is read
        lca.run(study, home=home)
    assert not marker.exists()
    # beside one inventory file (a copy of a bundled one), still never run
    (inv / "generic.yaml").write_bytes((ROOT / "inventories" / "datacenters" / "generic.yaml").read_bytes())
    result = lca.run(study, home=home)
    assert result.total("gwp100") > 0
    assert not marker.exists()
