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
