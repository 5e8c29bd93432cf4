"""Test isolation: every test session gets its own ai-lca home and Brightway folder.

bw2data reads BRIGHTWAY2_DIR once, when first imported, and its dependencies write
under the XDG folders: all of them point into a temporary folder before anything
imports Brightway, so tests never touch a user's own projects.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

_SESSION_HOME = Path(tempfile.mkdtemp(prefix="ai-lca-tests-"))
os.environ["LCA_HOME"] = str(_SESSION_HOME / "home")
for key, sub in {
    "BRIGHTWAY2_DIR": "home/brightway",
    "XDG_DATA_HOME": "home/xdg/data",
    "XDG_STATE_HOME": "home/xdg/state",
    "XDG_CACHE_HOME": "home/xdg/cache",
    "XDG_CONFIG_HOME": "home/xdg/config",
    "MPLCONFIGDIR": "home/xdg/mpl",
}.items():
    (_SESSION_HOME / sub).mkdir(parents=True, exist_ok=True)
    os.environ[key] = str(_SESSION_HOME / sub)

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"


@pytest.fixture(scope="session")
def home() -> Path:
    """The shared ai-lca home of this test session (set up once)."""
    return Path(os.environ["LCA_HOME"])


@pytest.fixture(scope="session")
def run_study(home):
    """Run a study once per session and cache the result."""
    import lca

    cache: dict[str, object] = {}

    def _run(path: str | Path):
        key = str(path)
        if key not in cache:
            cache[key] = lca.run(Path(path), home=home)
        return cache[key]

    return _run


# a toy inventory whose numbers are easy to work by hand (frozen test data, not cited values)
TOY_INVENTORY = {
    "grids.yaml": """
kind: grid
source: "toy values for hand-worked tests"
records:
  - id: toy-grid
    gwp100: {value: 0.5, unit: kg CO2e/kWh}
    water: {value: 2.0, unit: L/kWh}
    adpe: {value: 1.0e-8, unit: kg Sb-eq/kWh}
    pe: {value: 10.0, unit: MJ/kWh}
""",
    "datacenters.yaml": """
kind: datacenter
source: "toy values for hand-worked tests"
records:
  - id: toy-dc
    pue: {value: 1.5, unit: ""}
    wue: {value: 1.0, unit: L/kWh}
""",
    "hardware.yaml": """
kind: accelerator
source: "toy values for hand-worked tests"
records:
  - id: toy-acc
    tdp: {value: 500, unit: W}
    idle_power: {value: 100, unit: W}
    embodied: toy-card
""",
    "servers.yaml": """
kind: server
source: "toy values for hand-worked tests"
records:
  - id: toy-server
    accelerators: 4
    embodied: toy-platform
    host_power: {value: 400, unit: W}
""",
    "embodied.yaml": """
kind: embodied
source: "toy values for hand-worked tests"
records:
  - id: toy-card
    impacts: {gwp100: {value: 200, unit: kg CO2e}}
  - id: toy-platform
    impacts: {gwp100: {value: 1000, unit: kg CO2e}}
""",
}

HEADER = """
schema_version: 1
name: {name}
functional_unit: {{name: toy}}
inventories: [inv]
grid: toy-grid
datacenter: toy-dc
hardware: {{accelerator: toy-acc, server: toy-server, lifetime: 5 years, utilisation: 1.0}}
"""


@pytest.fixture
def toy(tmp_path: Path):
    """Write the toy inventory; return a function that writes a study with the given phase text."""
    inv = tmp_path / "inv"
    inv.mkdir()
    for name, text in TOY_INVENTORY.items():
        (inv / name).write_text(text)

    def study(body: str, name: str = "toy") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(HEADER.format(name=name) + body)
        return path

    return study


def _browser_candidates() -> list[str | None]:
    import shutil

    found = [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")]
    return [p for p in found if p] + [None]  # None: Playwright's own browser (playwright install chromium)


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium: the system's, else Playwright's own.

    Where none is found the test is skipped with how to install one; under
    CI (``CI=true``, where ``.ci/run`` installs Debian's chromium) it fails.
    """
    from playwright.sync_api import Error, sync_playwright

    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run"]
    with sync_playwright() as p:
        for path in _browser_candidates():
            try:
                b = p.chromium.launch(executable_path=path, args=args)
            except Error:
                continue
            yield b
            b.close()
            return
    if os.environ.get("CI") == "true":
        pytest.fail("no headless Chromium found under CI (.ci/run installs Debian's chromium)")
    pytest.skip("no Chromium found: install one (apt install chromium, or python -m playwright install chromium)")
