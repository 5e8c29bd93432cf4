"""The ``lca`` command: parse, call a public function of :mod:`lca`, print its result.

Exit codes: 0 success, 1 the analysis failed, 2 bad input (a study, an
inventory file, an option). Errors print one short message, no traceback,
unless ``--debug`` is given. The public functions are imported on first use
(``import lca`` loads no numerical library), so ``lca --help`` is fast.
"""

from __future__ import annotations

import argparse
import logging
import math
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape as _markup_escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

import lca

from .environment import check_environment
from .errors import InputError, LcaError
from .numbers import fmt
from .reports.safe import printable
from .terminal import fit_streams, plain, writes_plain

__all__ = ["main", "build_parser"]


def escape(text: object) -> str:
    """Text for the terminal: control characters shown as \\xNN, console markup escaped."""
    return _markup_escape(printable(text))


FORMATS = ("csv", "xlsx", "json", "md", "html")
EXAMPLES = """examples:
  lca run scenarios/bloom-176b.yaml                 run a study, write results/bloom-176b/impacts.csv
  lca run scenarios/bloom-176b.yaml --out out/bloom write the results elsewhere
  lca run my-study.yaml --inventory my-inventories  use (and prefer) your own inventory folder
"""
MAX_SAMPLES = 100_000_000  # beyond this a Monte Carlo run is refused before it allocates


# ---------------------------------------------------------------- option types (validated like study fields)


def _int_in(lo: int, hi: int | None = None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < lo or (hi is not None and value > hi):
            raise argparse.ArgumentTypeError(
                f"{value} is out of range: valid {lo}" + (f" to {hi:,}" if hi else " or more")
            )
        return value

    return parse


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} is out of range: valid above 0 and at most 1")
    return value


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is out of range: valid a finite number above 0")
    return value


def _formats(text: str) -> list[str]:
    wanted = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad or not wanted:
        raise argparse.ArgumentTypeError(
            f"unknown output format {','.join(bad) or text!r}; valid: {', '.join(FORMATS)}"
        )
    return wanted


# ---------------------------------------------------------------- printing


class _PlainConsole(Console):
    """A console that spells its text plainly (``m^3``, ``10^26``) before it measures it, so columns line up."""

    def render_str(self, text: str, **kwargs: Any) -> Any:
        return super().render_str(plain(text), **kwargs)


def _console(args: argparse.Namespace) -> Console:
    kind = _PlainConsole if writes_plain() else Console
    return kind(quiet=getattr(args, "quiet", False), highlight=False, soft_wrap=True)


def _table(title: str, columns: Sequence[str], numeric: Sequence[str] = ()) -> Table:
    t = Table(title=escape(title), title_justify="left")
    for col in columns:
        t.add_column(escape(col), justify="right" if col in numeric else "left", overflow="fold")
    return t


def _progress(
    args: argparse.Namespace, console: Console, total: int, label: str
) -> tuple[Progress, Callable[[int], None]]:
    progress = Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=getattr(args, "quiet", False),
    )
    task = progress.add_task(label, total=total)
    return progress, (lambda n: progress.advance(task, n))


def print_summary(result: Any, console: Console, verbose: bool = False) -> None:
    """Totals, phases, the boundary split, the static result beside its samples, assumptions and notes."""
    totals = result.totals()
    t = _table(
        f"{result.study}: life-cycle impacts",
        ("category", "embodied", "operational", "total"),
        ("embodied", "operational", "total"),
    )
    for cat, row in totals.iterrows():
        t.add_row(cat, *(fmt(row[c], row["unit"]) for c in ("embodied", "operational", "total")))
    console.print(t)
    phases = result.by("phase", category="gwp100")
    if len(phases) > 1:
        pt = _table("gwp100 by phase", ("phase", "value", "share"), ("value", "share"))
        total = result.total("gwp100") or 1.0
        for _, row in phases.iterrows():
            pt.add_row(escape(row["phase"]), fmt(row["value"], "kg CO2e"), f"{row['value'] / total:.1%}")
        console.print(pt)
    comp = result.by("phase", "component", "scope", category="gwp100")
    ct = _table("gwp100 by boundary component", ("phase", "component", "scope", "value", "share"), ("value", "share"))
    total = result.total("gwp100") or 1.0
    for _, row in comp.iterrows():
        ct.add_row(
            escape(row["phase"]),
            escape(row["component"]),
            row["scope"],
            fmt(row["value"], "kg CO2e"),
            f"{row['value'] / total:.1%}",
        )
    console.print(ct)
    console.print(f"gwp100 market-based (GHG Protocol scope 2): {result.market_statement()}")
    if verbose:
        vt = _table("gwp100 by process", ("phase", "component", "process", "scope", "value"), ("value",))
        rows = result.table[result.table["category"] == "gwp100"]
        for _, row in rows.iterrows():
            vt.add_row(
                escape(row["phase"]),
                escape(row["component"]),
                escape(row["process"]),
                row["scope"],
                fmt(row["value"], "kg CO2e"),
            )
        console.print(vt)
    console.print(f"electricity at the meter: {fmt(result.energy_at_meter(), 'kWh')}")
    if result.uncertainty is not None:
        u = result.uncertainty
        ut = _table(
            f"static result beside {int(u['samples'].iloc[0]):,} Monte Carlo samples (seed "
            f"{result.provenance.get('seed')})",
            ("category", "static", "2.5 %", "median", "97.5 %"),
            ("static", "2.5 %", "median", "97.5 %"),
        )
        for _, r in u.iterrows():
            ut.add_row(r["category"], *(fmt(r[c], r["unit"]) for c in ("static", "p2.5", "p50", "p97.5")))
        console.print(ut)
    for w in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
    for a in result.provenance.get("assumptions", []):
        rng = f", range {fmt(a['range'][0], a['unit'])} to {fmt(a['range'][1], a['unit'])}" if a.get("range") else ""
        console.print(
            f"[dim]assumption: {escape(a['label'])} = {fmt(a['value'], a['unit'])}{escape(rng)} "
            f"({escape(a['name'])})[/dim]"
        )
    for note in result.notes:
        if note.code != "default":  # the defaults are listed as assumptions above
            console.print(f"[dim]note: {escape(note.text)}[/dim]")


def _print_gaps(console: Console, gaps: dict[str, list[str]], label: str) -> None:
    """Warn that some compared items leave out impacts that others include."""
    if not gaps:
        return
    console.print(f"[yellow]warning:[/yellow] not every {label} covers the same impacts; totals differ on:")
    for name, items in gaps.items():
        for gap in items:
            console.print(f"  {escape(name)}: {escape(gap)}")


# ---------------------------------------------------------------- commands


def cmd_run(args: argparse.Namespace) -> int:
    console = _console(args)
    if args.check:
        return _check(args, console)
    if not args.scenario:
        raise InputError("'lca run' needs a study file (or --check RESULT_DIR)", valid="lca run STUDY.yaml")
    formats = ["csv"] + [f for f in args.format if f != "csv"]
    result = lca.run(
        args.scenario,
        home=args.home,
        inventories=args.inventory,
        brightway_dir=args.brightway_dir,
        samples=args.samples,
        seed=args.seed,
    )
    out = Path(args.out) if args.out else Path("results") / result.study
    written = lca.write_results(
        result, out, study_path=Path(args.scenario), inventories=args.inventory, formats=formats, force=args.force
    )
    print_summary(result, console, verbose=args.verbose)
    console.print(f"wrote {', '.join(p.name for p in written)} in {escape(str(out))}")
    return 0


def _check(args: argparse.Namespace, console: Console) -> int:
    res = lca.check(args.check, home=args.home, brightway_dir=args.brightway_dir)
    if res.stale:
        console.print(f"[red]outputs changed since they were written: {escape(', '.join(res.stale))}[/red]")
    for line in res.diff:
        console.print(escape(line))
    if not res.ok:
        console.print(
            f"[red]check failed: {escape(', '.join(sorted(set(res.differ + res.stale))))} differ from a fresh run[/red]"
        )
        return 1
    console.print(
        f"check passed: a fresh run of {escape(res.study.name)} reproduces "
        f"{escape(str(Path(args.check) / 'impacts.csv'))} byte for byte"
    )
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    console = _console(args)
    progress, advance = _progress(args, console, len(args.studies), "running studies")
    with progress:
        cmp = lca.compare(
            args.studies, home=args.home, inventories=args.inventory, brightway_dir=args.brightway_dir, progress=advance
        )
    table = cmp.table
    cats = list(dict.fromkeys(table["category"]))
    view = _table("comparison (totals)", ["study", *cats], cats)
    for study in dict.fromkeys(table["study"]):
        sub = table[table["study"] == study].set_index("category")
        view.add_row(escape(study), *[fmt(float(sub.loc[c, "total"]), sub.loc[c, "unit"]) for c in cats])
    console.print(view)
    for w in cmp.warnings:
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
    _print_gaps(console, cmp.gaps, "study")
    if args.out:
        cmp.write(args.out, args.inventory, force=args.force)
        console.print(f"wrote compare.csv, compare.html and compare-provenance.json in {escape(args.out)}")
    return 0


def cmd_sweep(args: argparse.Namespace) -> int:
    console = _console(args)
    progress, advance = _progress(args, console, lca.sweep_size(args.scenario), "scenarios")
    with progress:
        run = lca.sweep(args.scenario, inventories=args.inventory, progress=advance)
    n = run.result.n
    shown = run.result.rows(slice(None) if n <= 50 else run.result.ranked()[[0, 1, 2, -3, -2, -1]])
    cols = ("total", "total_market_based", "embodied", "operational")
    view = _table(
        f"{run.study.name}: sweep, gwp100",
        ("scenario", "total", "total, market-based", "embodied", "operational"),
        ("total", "total, market-based", "embodied", "operational"),
    )
    for _, row in shown[shown["category"] == "gwp100"].iterrows():
        view.add_row(escape(str(row["scenario"])), *(fmt(row[c], "kg CO2e") for c in cols))
    console.print(view)
    if n > 50:
        console.print(f"{n:,} scenarios: the three lowest and highest are shown; all are in sweep.csv")
    console.print(
        f"{n:,} scenarios: varied per scenario {run.result.scaling or 'none'}, compiled per value "
        f"{run.result.structural or 'none'} ({run.result.groups} compiled variants)"
    )
    _print_gaps(console, run.gaps, "scenario")
    out = Path(args.out) if args.out else Path("results") / f"{run.study.name}-sweep"
    run.write(out, force=args.force)
    console.print(f"wrote sweep.csv, sweep.html and sweep-provenance.json in {escape(str(out))}")
    return 0


def cmd_mc(args: argparse.Namespace) -> int:
    console = _console(args)
    progress, advance = _progress(args, console, args.samples, "Monte Carlo")
    with progress:
        run = lca.monte_carlo(
            args.scenario,
            args.samples,
            seed=args.seed,
            chunk=args.chunk,
            workers=args.workers,
            scheduler=args.scheduler,
            background=args.background,
            home=args.home,
            brightway_dir=args.brightway_dir,
            inventories=args.inventory,
            progress=advance,
        )
    if run.background is not None:
        console.print(
            f"background sampled: median {run.background['median_iterations']:.0f} GMRES iterations per "
            f"solve, {run.background['fallbacks']} direct fallbacks"
        )
    pct = run.percentiles()
    view = _table(
        f"{run.study.name}: Monte Carlo, {args.samples:,} samples, seed {args.seed}",
        ("category", "static", "mean", "2.5 %", "median", "97.5 %"),
        ("static", "mean", "2.5 %", "median", "97.5 %"),
    )
    for _, r in pct.iterrows():
        view.add_row(r["category"], *(fmt(r[c], r["unit"]) for c in ("static", "mean", "p2.5", "p50", "p97.5")))
    console.print(view)
    for w in run.result.warnings():
        console.print(f"[yellow]warning:[/yellow] {escape(w)}")
    console.print("sampled: " + escape(", ".join(run.labels)))
    if args.out:
        run.write(args.out, force=args.force)
        console.print(
            f"wrote uncertainty.csv, mc-convergence.csv, mc-samples.csv and mc-provenance.json in {escape(args.out)}"
        )
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    console = _console(args)
    run = lca.sensitivity(
        args.scenario,
        samples=args.samples,
        seed=args.seed,
        inventories=args.inventory,
        home=args.home,
        brightway_dir=args.brightway_dir,
    )
    table = run.table[run.table["category"] == args.category]
    view = _table(
        f"{run.study.name}: sensitivity of {args.category}",
        ("input", "swing", "spearman", "Sobol first order [95 %]", "Sobol total order [95 %]"),
        ("swing", "spearman"),
    )
    for _, r in table.iterrows():
        view.add_row(
            escape(r["input"]),
            fmt(r["swing"], r.get("unit")),
            f"{r['spearman']:.3f}",
            f"{r['first_order']:.3f} [{r['first_order_low']:.3f}, {r['first_order_high']:.3f}]",
            f"{r['total_order']:.3f} [{r['total_order_low']:.3f}, {r['total_order_high']:.3f}]",
        )
    console.print(view)
    if args.out:
        run.write(args.out, force=args.force)
        console.print(f"wrote sensitivity.csv, sensitivity.html and sensitivity-provenance.json in {escape(args.out)}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    console = _console(args)
    written = lca.report(args.results, args.out, args.format, force=args.force)
    console.print(f"wrote {', '.join(p.name for p in written)}")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    console = _console(args)
    title, rows = lca.compute_table(
        args.model,
        args.hardware,
        precision=args.precision,
        kv_precision=args.kv_precision,
        prompt=args.prompt,
        output=args.output,
        batch=args.batch,
        devices=args.devices,
        compute_efficiency=args.compute_efficiency,
        memory_efficiency=args.memory_efficiency,
        train_tokens=args.train_tokens,
        sequence_length=args.sequence_length,
        target_length=args.target_length,
        mfu=args.mfu,
        recompute=args.recompute,
        accelerators=args.accelerators,
        inventories=args.inventory,
    )
    t = _table(title, ("quantity", "value"), ("value",))
    for quantity, value, unit in rows:
        t.add_row(escape(quantity), fmt(value, unit or None) if isinstance(value, float) else escape(str(value)))
    console.print(t)
    console.print(
        "[dim]energies at the accelerators: a study adds the host, idle capacity, datacenter overhead "
        "and embodied share[/dim]"
    )
    return 0


def cmd_home(args: argparse.Namespace) -> int:
    console = _console(args)
    if args.action == "repair":
        folder = lca.repair_home(args.home)
        console.print(f"removed ai-lca's Brightway project {escape(str(folder))}; the next run rebuilds it")
    return 0


def cmd_brightway(args: argparse.Namespace) -> int:
    console = _console(args)
    where = f"project {args.project!r}" if args.project else "ai-lca's embedded project"
    common = {"project": args.project, "home": args.home, "brightway_dir": args.brightway_dir}
    if args.action == "list":
        found = lca.brightway_contents(**common)
        console.print(f"in {escape(where)}:")
        for db in found["databases"]:
            console.print(f"  database {escape(db)}")
        for m in found["methods"]:
            console.print(f"  method {escape(str(m))}")
        if not found["databases"] and not found["methods"]:
            console.print("  nothing of ai-lca's")
    elif args.action == "clean":
        gone = lca.brightway_clean(study=args.study, everything=args.all, **common)
        console.print(
            f"removed from {escape(where)}: {len(gone['databases'])} database(s), {len(gone['methods'])} method(s)"
        )
        for item in (*gone["databases"], *map(str, gone["methods"])):
            console.print(f"  {escape(item)}")
    else:  # extend-method
        if not args.method or not args.category:
            raise InputError(
                "'lca brightway extend-method' needs --method and --category",
                valid="lca brightway extend-method --method 'IPCC 2021|climate change|...' --category gwp100",
            )
        key = lca.extend_method(args.method.split("|"), args.category, factor=args.factor, **common)
        console.print(f"wrote method {escape(str(key))} in {escape(where)}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    console = _console(args)
    written = lca.export(
        args.scenario,
        args.out,
        to=args.to,
        home=args.home,
        inventories=args.inventory,
        brightway_dir=args.brightway_dir,
    )
    console.print(f"wrote {', '.join(escape(p.name) for p in written)} in {escape(str(args.out))}")
    return 0


def cmd_inventory(args: argparse.Namespace) -> int:
    console = _console(args)
    if args.action == "validate":
        if not args.target:
            raise InputError("'lca inventory validate' needs a folder", valid="lca inventory validate DIR")
        records, values = lca.validate_inventory(args.target)
        console.print(f"{escape(args.target)}: {records} records, {values} values: OK (units, sources, ranges, ids)")
        return 0
    if args.action == "list":
        frame = lca.inventory_records(args.target, args.inventory)
        table = _table(
            "inventory records" + (f" of kind {args.target}" if args.target else ""), ("id", "kind", "name", "from")
        )
        for _, row in frame.iterrows():
            table.add_row(*(escape(str(row[c])) for c in ("id", "kind", "name", "from")))
        console.print(table)
        if frame.empty:
            console.print(f"no record of kind {escape(str(args.target))} in these folders")
        return 0
    if not args.target:
        raise InputError("'lca inventory show' needs an id", valid="lca inventory show ID")
    rec = lca.inventory_record(args.target, args.inventory)
    console.print(f"[bold]{escape(rec['id'])}[/bold] ({rec['kind']}) {escape(rec['name'])}")
    console.print(f"from: {'bundled ' if rec['bundled'] else ''}{escape(rec['origin'])}")
    for o in rec["overrides"]:
        console.print(f"overrides: {escape(o)}")
    if rec["notes"]:
        console.print(f"notes: {escape(rec['notes'])}")
    if rec["fields"]:
        console.print(escape(", ".join(f"{k}: {v}" for k, v in rec["fields"].items())))
    table = _table("values", ("field", "value", "unit", "range", "source"), ("value",))
    for path, value in rec["values"]:
        rng = f"{fmt(value.range[0])} to {fmt(value.range[1])}" if value.range else ""
        table.add_row(escape(path), fmt(value.value), escape(value.unit), rng, escape(value.source or ""))
    console.print(table)
    return 0


# ---------------------------------------------------------------- the parser


class _HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Examples kept as written, defaults shown after every option's help."""


def _add_common(p: argparse.ArgumentParser, *, study: bool = True) -> None:
    if study:
        p.add_argument(
            "--inventory",
            action="append",
            metavar="DIR",
            default=[],
            help="extra inventory folder, preferred to the study's and the bundled ones (repeatable)",
        )
        p.add_argument(
            "--brightway-dir",
            metavar="DIR",
            default=None,
            help="your own Brightway folder, for studies linked to a background database "
            "(default: $BRIGHTWAY2_DIR, else Brightway's folder)",
        )
    p.add_argument("--home", default=None, help="ai-lca home folder (default: $LCA_HOME or the user data folder)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def _seed(p: argparse.ArgumentParser) -> None:
    p.add_argument("--seed", type=_int_in(0, 2**63 - 1), default=42, help="seed of the Monte Carlo samples")


def _command(sub: Any, name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand whose --help shows every default and ends with its examples."""
    return sub.add_parser(name, help=help_text, description=help_text, epilog=examples, formatter_class=_HelpFormatter)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lca",
        description="Life-cycle assessment of AI systems (training, inference, hardware) on Brightway.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    p = _command(sub, "run", "run a study and write its impact table", EXAMPLES)
    p.add_argument("scenario", nargs="?", help="study YAML file")
    p.add_argument("--check", metavar="RESULT_DIR", help="re-run the study of a results folder and diff the outputs")
    p.add_argument("--out", help="output folder (default: results/<study name>)")
    p.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds files ai-lca did not write (files of the same names are replaced)",
    )
    p.add_argument("--format", type=_formats, default=["csv"], help="outputs, comma-separated: csv,xlsx,json,md,html")
    p.add_argument(
        "--samples",
        type=_int_in(0, MAX_SAMPLES),
        default=1000,
        help="Monte Carlo samples reported beside the static result (0: none)",
    )
    _seed(p)
    _add_common(p)
    p.set_defaults(func=cmd_run)

    cp = _command(
        sub,
        "compare",
        "run several studies and compare their totals",
        """examples:
  lca compare scenarios/patterson2021/*.yaml
  lca compare a.yaml b.yaml --out results/compare     also writes compare.csv and compare.html
""",
    )
    cp.add_argument("studies", nargs="+", help="study YAML files")
    cp.add_argument("--out", help="folder for compare.csv and compare.html")
    cp.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds files ai-lca did not write (files of the same names are replaced)",
    )
    _add_common(cp)
    cp.set_defaults(func=cmd_compare)

    sw = _command(
        sub,
        "sweep",
        "evaluate the scenarios of a study's sweep section",
        """examples:
  lca sweep scenarios/levers/grid-and-ppa.yaml
  lca sweep scenarios/levers/algorithmic.yaml --out results/algo   writes sweep.csv and sweep.html
""",
    )
    sw.add_argument("scenario", help="study YAML file with a sweep section")
    sw.add_argument("--out", help="output folder (default: results/<study>-sweep)")
    sw.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds files ai-lca did not write (files of the same names are replaced)",
    )
    _add_common(sw)
    sw.set_defaults(func=cmd_sweep)

    mc = _command(
        sub,
        "mc",
        "Monte Carlo over the uncertainty of the inventory and the study",
        """examples:
  lca mc scenarios/llama-3.1-8b-service.yaml --samples 20000 --seed 1
  lca mc study.yaml --samples 1000000 --workers 2 --out results/mc   on a local Dask cluster
  lca mc study.yaml --samples 1000000 --scheduler tcp://10.0.0.5:8786
""",
    )
    mc.add_argument("scenario", help="study YAML file")
    mc.add_argument("--samples", type=_int_in(2, MAX_SAMPLES), default=10000, help="Monte Carlo samples")
    _seed(mc)
    mc.add_argument(
        "--chunk", type=_int_in(1, 1_000_000), default=2000, help="samples per task (results depend on seed and chunk)"
    )
    mc.add_argument("--workers", type=_int_in(1, 1024), help="run on a local Dask cluster with this many threads")
    mc.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:port)")
    mc.add_argument("--out", help="folder for uncertainty.csv, mc-convergence.csv, mc-samples.csv")
    mc.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds files ai-lca did not write (files of the same names are replaced)",
    )
    mc.add_argument(
        "--background", action="store_true", help="also sample the linked background database (in this process)"
    )
    _add_common(mc)
    mc.set_defaults(func=cmd_mc)

    se = _command(
        sub,
        "sensitivity",
        "tornado, rank correlation and Sobol indices",
        """examples:
  lca sensitivity scenarios/llama-3.1-8b-service.yaml
  lca sensitivity study.yaml --category water --samples 8192 --out results/sens
""",
    )
    se.add_argument("scenario", help="study YAML file")
    se.add_argument(
        "--category", default="gwp100", choices=["gwp100", "water", "adpe", "pe"], help="impact category to print"
    )
    se.add_argument("--samples", type=_int_in(16, 10_000_000), default=4096, help="base samples of the Sobol design")
    _seed(se)
    se.add_argument("--out", help="folder for sensitivity.csv")
    se.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds files ai-lca did not write (files of the same names are replaced)",
    )
    _add_common(se)
    se.set_defaults(func=cmd_sensitivity)

    r = _command(
        sub,
        "report",
        "write reports from a results folder",
        """examples:
  lca report results/bloom-176b                     xlsx, json, md and html next to impacts.csv
  lca report results/bloom-176b --format html --out site/
""",
    )
    r.add_argument("results", help="results folder written by lca run")
    r.add_argument(
        "--format", type=_formats, default=["xlsx", "json", "md", "html"], help="comma-separated: csv,xlsx,json,md,html"
    )
    r.add_argument("--out", help="where to write (default: the results folder)")
    r.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that holds files ai-lca did not write (files of the same names are replaced)",
    )
    _add_common(r, study=False)
    r.set_defaults(func=cmd_report)

    c = _command(
        sub,
        "compute",
        "per-token FLOPs, bytes, time and energy of a model and workload",
        """examples:
  lca compute llama-3.1-8b --hardware h100-sxm --prompt 1000 --output 300 --batch 16
  lca compute gpt3-175b --hardware v100-sxm2-32gb --precision fp16 --train-tokens 300e9 --sequence-length 2048
""",
    )
    c.add_argument("model", help="architecture id (lca inventory list model)")
    c.add_argument("--hardware", required=True, help="accelerator id (lca inventory list accelerator)")
    c.add_argument(
        "--precision",
        default="bf16",
        choices=["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"],
        help="number format of the weights and matmuls",
    )
    c.add_argument(
        "--kv-precision",
        default="bf16",
        choices=["fp32", "tf32", "bf16", "fp16", "fp8", "int8", "int4"],
        help="number format of the KV cache",
    )
    c.add_argument("--prompt", type=_int_in(1, 10_000_000), default=1000, help="prompt tokens per request")
    c.add_argument("--output", type=_int_in(0, 10_000_000), default=300, help="output tokens per request")
    c.add_argument(
        "--batch",
        type=_int_in(1, 1_000_000),
        default=None,
        help="requests per batch (default: the largest that fits, capped at the engine maximum)",
    )
    c.add_argument(
        "--devices", type=_int_in(1, 100_000), default=None, help="devices per replica (default: the fewest that fit)"
    )
    c.add_argument("--compute-efficiency", type=_fraction, default=None, help="prefill MFU (default: inventory)")
    c.add_argument("--memory-efficiency", type=_fraction, default=None, help="decode MBU (default: inventory)")
    c.add_argument("--train-tokens", type=_positive, help="training tokens (switches to training)")
    c.add_argument("--sequence-length", type=_int_in(1, 100_000_000), help="tokens per training sequence")
    c.add_argument("--target-length", type=_int_in(1, 100_000_000), help="decoder tokens per example (encoder-decoder)")
    c.add_argument("--mfu", type=_fraction, default=None, help="model FLOPs utilisation (default: inventory)")
    c.add_argument(
        "--recompute", choices=["none", "selective", "full"], default="none", help="activation recomputation"
    )
    c.add_argument("--accelerators", type=_int_in(1, 10_000_000), help="devices used at once (gives the duration)")
    _add_common(c)
    c.set_defaults(func=cmd_compute)

    h = _command(
        sub,
        "home",
        "look after the ai-lca home (its embedded Brightway project)",
        """examples:
  lca home repair                      rebuild ai-lca's own Brightway project after damage
  lca home repair --home ~/lca-test    the same for another home
""",
    )
    h.add_argument("action", choices=["repair"], help="what to do")
    _add_common(h, study=False)
    h.set_defaults(func=cmd_home)

    b = _command(
        sub,
        "brightway",
        "list or clean what ai-lca wrote in a Brightway project; extend a method of yours",
        """examples:
  lca brightway list                                   ai-lca's embedded project
  lca brightway list --project my-ecoinvent            a project of yours (in $BRIGHTWAY2_DIR)
  lca brightway clean --project my-ecoinvent --study llama-3.1-8b-service
  lca brightway clean --project my-ecoinvent --all     every foreground, method and the indicator flows
  lca brightway extend-method --project my-ecoinvent \\
      --method 'IPCC 2021|climate change|global warming potential (GWP100)' --category gwp100
""",
    )
    b.add_argument("action", choices=["list", "clean", "extend-method"], help="what to do")
    b.add_argument("--project", default=None, help="a project in your Brightway folder (default: ai-lca's own)")
    b.add_argument("--study", default=None, help="clean: only this study's foreground database")
    b.add_argument("--all", action="store_true", help="clean: also the indicator flows and extended methods")
    b.add_argument("--method", default=None, help="extend-method: the method key, its parts joined by '|'")
    b.add_argument(
        "--category", choices=["gwp100", "water", "adpe", "pe"], default=None, help="extend-method: the category"
    )
    b.add_argument(
        "--factor",
        type=_positive,
        default=1.0,
        help="extend-method: method unit x factor = category unit (e.g. 1000 for a water method in m3)",
    )
    b.add_argument(
        "--brightway-dir",
        metavar="DIR",
        default=None,
        help="your own Brightway folder (default: $BRIGHTWAY2_DIR, else Brightway's folder)",
    )
    _add_common(b, study=False)
    b.set_defaults(func=cmd_brightway)

    x = _command(
        sub,
        "export",
        "write a study's foreground for other tools",
        """examples:
  lca export scenarios/bloom-176b.yaml --to bw-excel --out bloom-excel
      bw2io Excel files of the foreground and of the indicator flows it uses
""",
    )
    x.add_argument("scenario", help="study YAML file")
    x.add_argument("--to", choices=["bw-excel"], default="bw-excel", help="format")
    x.add_argument("--out", required=True, help="folder to write into")
    _add_common(x)
    x.set_defaults(func=cmd_export)

    i = _command(
        sub,
        "inventory",
        "list, explain or validate inventory records",
        """examples:
  lca inventory list grid               every grid mix, and the folder it comes from
  lca inventory show h100-sxm           values, units, sources and which folder won
  lca inventory validate my-inventories check a folder of your own
""",
    )
    i.add_argument("action", choices=["list", "show", "validate"], help="what to do")
    i.add_argument("target", nargs="?", help="kind (list), id (show) or folder (validate)")
    _add_common(i)
    i.set_defaults(func=cmd_inventory)
    return parser


def _terminate(signum: int, frame: Any) -> None:  # pragma: no cover - exercised in a subprocess test
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    fit_streams()  # a terminal that cannot show m³ or 10²⁶ gets m^3 and 10^26, not a crash after the run
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)  # clean up like Ctrl-C: temporary files are removed
    parser = build_parser()
    log = logging.getLogger("lca")
    if not log.handlers:  # notices (e.g. waiting for a home in use) go to stderr, one line each
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.WARNING)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.version:
        print(f"ai-lca {lca.__version__}")
        return 0
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    if isinstance(getattr(args, "out", None), str) and not args.out.strip():  # never a silent default
        print("error: --out is empty: give a folder (--out DIR), or leave --out out for the default", file=sys.stderr)
        return 2
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        check_environment()
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
    except OSError as exc:  # a path the user gave that cannot be read or written
        if getattr(args, "debug", False):
            traceback.print_exc()
        where = f": {printable(exc.filename)}" if exc.filename else ""
        print(f"error: {exc.strerror or type(exc).__name__}{where}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - last resort: no traceback without --debug
        if getattr(args, "debug", False):
            traceback.print_exc()
        print(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for details)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
