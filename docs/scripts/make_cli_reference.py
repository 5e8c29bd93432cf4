"""Generate docs/cli.md from the command line's own --help texts."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

from lca.cli import build_parser

OUT = Path(__file__).resolve().parents[1] / "cli.md"


def render() -> str:
    """The page's text; help is wrapped at 100 columns whatever the terminal."""
    os.environ["COLUMNS"] = "100"
    parser = build_parser()
    parts = ["# Command-line reference", "", "Generated from `lca ... --help` by `docs/scripts/make_cli_reference.py`.", ""]
    parts += ["## lca", "", "```", parser.format_help().rstrip(), "```", ""]
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, p in sub.choices.items():
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            p.print_help()
        parts += [f"## lca {name}", "", "```", buf.getvalue().rstrip(), "```", ""]
    return "\n".join(parts)


def main() -> None:
    OUT.write_text(render(), encoding="utf-8")
    print(f"wrote {OUT.name}")


if __name__ == "__main__":
    main()
