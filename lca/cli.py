"""The ``lca`` command.

Exit codes: 0 success, 1 the analysis failed, 2 bad input (a study, an
inventory file, an option). Errors print one short message, no traceback,
unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import InputError, LcaError

__all__ = ["main"]

EXAMPLES = """examples:
  lca run scenarios/bloom-176b.yaml                 run a study, write results/bloom-176b/impacts.csv
  lca run scenarios/bloom-176b.yaml --out out/bloom write the results elsewhere
  lca run my-study.yaml --inventory my-inventories  use (and prefer) your own inventory folder
"""


def _console(args: argparse.Namespace) -> Any:
    from rich.console import Console

    return Console(quiet=getattr(args, "quiet", False), highlight=False, soft_wrap=False)


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    mag = abs(value)
    if mag >= 1e6 or mag < 1e-3:
        return f"{value:.4g}"
    if mag >= 100:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def print_summary(result: Any, console: Any) -> None:
    """Totals by category (embodied / operational), by phase and by activity."""
    from rich.table import Table

    totals = result.totals()
    table = Table(title=f"{result.study}: life-cycle impacts", title_justify="left")
    for col in ("category", "embodied", "operational", "total", "unit"):
        table.add_column(col, justify="left" if col in ("category", "unit") else "right")
    for cat, row in totals.iterrows():
        table.add_row(cat, _fmt(row["embodied"]), _fmt(row["operational"]), _fmt(row["total"]), row["unit"])
    console.print(table)
    phases = result.table.groupby(["phase", "category"], sort=False)["value"].sum().unstack("category")
    if len(phases) > 1:
        pt = Table(title="by phase", title_justify="left")
        pt.add_column("phase")
        for cat in phases.columns:
            pt.add_column(cat, justify="right")
        for phase, row in phases.iterrows():
            pt.add_row(phase, *[_fmt(v) for v in row])
        console.print(pt)
    acts = result.by("phase", "activity", "scope", category="gwp100")
    at = Table(title="gwp100 by activity \\[kg CO2e]", title_justify="left")
    for col in ("phase", "activity", "scope", "value", "share"):
        at.add_column(col, justify="right" if col in ("value", "share") else "left")
    total = result.total("gwp100") or 1.0
    for _, row in acts.iterrows():
        at.add_row(row["phase"], row["activity"], row["scope"], _fmt(row["value"]), f"{row['value'] / total:.1%}")
    console.print(at)
    if result.market_table is not None:
        console.print(
            f"gwp100 market-based (scope 2 contractual factors): {_fmt(result.total('gwp100', basis='market'))} kg CO2e"
        )
    energy = result.energy_at_meter()
    console.print(f"electricity at the meter: {_fmt(energy)} kWh")
    for note in result.notes:
        console.print(f"[dim]note: {note}[/dim]")


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run
    from .report import write_csv, write_text

    console = _console(args)
    result = run(args.scenario, home=args.home, inventories=args.inventory or ())
    out = Path(args.out) if args.out else Path("results") / result.study
    write_csv(result.table, out / "impacts.csv")
    write_text(out / "provenance.json", json.dumps(result.provenance, indent=2, sort_keys=True) + "\n")
    print_summary(result, console)
    console.print(f"wrote {out / 'impacts.csv'}")
    return 0


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", help="ai-lca home folder (default: $LCA_HOME or the user data folder)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lca",
        description="Life-cycle assessment of AI systems (training, inference, hardware) on Brightway.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = sub.add_parser(
        "run",
        help="run a study and write its impact table",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("scenario", help="study YAML file")
    p.add_argument("--out", help="output folder (default: results/<study name>)")
    p.add_argument("--inventory", action="append", metavar="DIR", help="extra inventory folder (repeatable)")
    _add_common(p)
    p.set_defaults(func=cmd_run)
    return parser




def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.version:
        from . import __version__

        print(f"ai-lca {__version__}")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except LcaError as exc:
        if getattr(args, "debug", False):
            traceback.print_exc()
        kind = "error" if isinstance(exc, InputError) else "analysis failed"
        print(f"{kind}: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; earlier results are left as they were", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: no traceback without --debug
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
