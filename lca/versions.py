"""Versions of ai-lca and the packages its results depend on (recorded in every provenance)."""

from __future__ import annotations

import importlib.metadata
import platform

__all__ = ["package_versions", "version"]

_PACKAGES = (
    "ai-lca",
    "bw2data",
    "bw2calc",
    "bw2io",
    "bw_processing",
    "numpy",
    "scipy",
    "pandas",
    "networkx",
    "pint",
    "pydantic",
)


def version() -> str:
    try:
        return importlib.metadata.version("ai-lca")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "0.0.0+local"


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out
