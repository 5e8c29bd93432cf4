"""The package reads top-down: imports point one way (so no cycle), none hides inside a function.

Layers, lowest first (a unit is a subpackage or a top-level module of ``lca``); a unit may
import only from units of lower layers. Third-party libraries may be imported inside a
function (matplotlib, bw2data, distributed ... are loaded only when needed); modules of
``lca`` may not: an import placed inside a function to dodge a cycle is a cycle.
"""

from __future__ import annotations

import ast
import sys

from tests.conftest import ROOT

PACKAGE = ROOT / "lca"
LAYERS: list[set[str]] = [
    {"errors", "versions", "numbers", "unit_table", "terminal"},
    {"environment", "arguments"},
    {"units", "yamlio"},
    {"validation"},
    {"inventory"},
    {"study", "measured", "compute", "embodied"},
    {"activity"},
    {"graph"},
    {"engine"},
    {"analysis"},
    {"results"},
    {"pipeline"},
    {"reports"},
    {"api"},
    {"cli"},
]
RANK = {unit: i for i, layer in enumerate(LAYERS) for unit in layer}
# the root package re-exports lazily (it imports only errors and versions): these may use it
ROOT_USERS = {"results", "cli"}


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _imports():
    """(source unit, target module, file:line, inside a function) for every import of an lca module."""
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(ROOT).with_suffix("")
        is_init = rel.name == "__init__"
        module = ".".join(rel.parts[:-1] if is_init else rel.parts)
        base = module.split(".") if is_init else module.split(".")[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = {id(n) for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
                     for n in ast.walk(f) if n is not f}
        for node in ast.walk(tree):
            targets = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    b = base[: len(base) - node.level + 1]
                    targets = [".".join(b + ([node.module] if node.module else []))]
                elif node.module:
                    targets = [node.module]
            for t in targets:
                if t == "lca" or t.startswith("lca."):
                    yield module, t, f"{path.relative_to(ROOT)}:{node.lineno}", id(node) in functions


def test_every_unit_has_a_layer():
    units = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()
             if (p.suffix == ".py" and p.stem != "__init__") or (p.is_dir() and (p / "__init__.py").exists())}
    assert units == set(RANK), f"give these a layer: {sorted(units - set(RANK))}; gone: {sorted(set(RANK) - units)}"


def test_imports_point_down():
    upward = []
    for module, target, where, _inside in _imports():
        src, dst = _unit(module), _unit(target)
        if not src or src == dst:
            continue
        if dst == "":
            if src not in ROOT_USERS:
                upward.append(f"{where}: {module} imports the root package")
            continue
        if RANK[dst] >= RANK[src]:
            upward.append(f"{where}: {module} ({src}, layer {RANK[src]}) imports {target} ({dst}, layer {RANK[dst]})")
    assert not upward, "imports must point down the layers:\n" + "\n".join(upward)


def test_no_import_of_lca_inside_a_function():
    hidden = [f"{where}: {target}" for _m, target, where, inside in _imports() if inside]
    assert not hidden, "import at the top of the module instead:\n" + "\n".join(hidden)


def test_import_lca_loads_no_numerical_library():
    import subprocess

    code = "import sys, lca; print(sorted(m for m in ('numpy','pandas','scipy','bw2data','pint') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert out == "[]", out


def test_lca_help_loads_no_numerical_library():
    import subprocess

    code = ("import sys, lca.cli; lca.cli.build_parser().format_help(); "
            "print(sorted(m for m in ('numpy','pandas','scipy','bw2data','pint') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    assert out == "[]", out

