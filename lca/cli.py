"""The ``lca`` command.

Exit codes: 0 success, 1 the analysis failed, 2 bad input (a study, an
inventory file, an option). Errors print one short message, no traceback,
unless ``--debug`` is given.
"""

from __future__ import annotations

import argparse
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


def print_summary(result: Any, console: Any, verbose: bool = False) -> None:
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
    if verbose:
        pt = Table(title="gwp100 by process \\[kg CO2e]", title_justify="left")
        for col in ("phase", "activity", "process", "scope", "value"):
            pt.add_column(col, justify="right" if col == "value" else "left")
        rows = result.table[result.table["category"] == "gwp100"]
        for _, row in rows.iterrows():
            pt.add_row(row["phase"], row["activity"], row["process"], row["scope"], _fmt(row["value"]))
        console.print(pt)
    energy = result.energy_at_meter()
    console.print(f"electricity at the meter: {_fmt(energy)} kWh")
    if result.uncertainty is not None:
        from .report.views import uncertainty_warnings

        u = result.uncertainty
        ut = Table(title=f"static result beside {int(u['samples'].iloc[0]):,} Monte Carlo samples (seed "
                         f"{result.provenance.get('seed')})", title_justify="left")
        for col in ("category", "static", "p2.5", "median", "p97.5", "unit"):
            ut.add_column(col, justify="left" if col in ("category", "unit") else "right")
        for _, r in u.iterrows():
            ut.add_row(r["category"], _fmt(r["static"]), _fmt(r["p2.5"]), _fmt(r["p50"]), _fmt(r["p97.5"]), r["unit"])
        console.print(ut)
        for w in uncertainty_warnings(u):
            console.print(f"[yellow]warning: {w}[/yellow]")
    for a in result.provenance.get("assumptions", []):
        rng = f", range {a['range'][0]:.4g}-{a['range'][1]:.4g}" if a.get("range") else ""
        console.print(f"[dim]assumption: {a['label']} = {a['value']:.4g} {a['unit']}{rng} ({a['name']})[/dim]")
    for note in result.notes:
        if note.code != "default":  # the defaults are listed as assumptions above
            console.print(f"[dim]note: {note}[/dim]")


def cmd_run(args: argparse.Namespace) -> int:
    from .pipeline import run
    from .report.results_dir import write_results

    console = _console(args)
    if args.check:
        return _check(args, console)
    if not args.scenario:
        raise InputError("'lca run' needs a study file (or --check RESULT_DIR)", valid="lca run STUDY.yaml")
    inventories = [Path(i) for i in (args.inventory or ())]
    formats = _formats(args.format)
    result = run(args.scenario, home=args.home, inventories=inventories, brightway_dir=args.brightway_dir)
    out = Path(args.out) if args.out else Path("results") / result.study
    written = write_results(result, out, study_path=Path(args.scenario), inventories=inventories, formats=formats)
    print_summary(result, console, verbose=args.verbose)
    console.print(f"wrote {', '.join(p.name for p in written)} in {out}")
    return 0


def _formats(text: str | None) -> list[str]:
    from .report.exporters import FORMATS

    wanted = [f.strip().lower() for f in (text or "csv").split(",") if f.strip()]
    bad = [f for f in wanted if f not in FORMATS]
    if bad:
        raise InputError("unknown output format", value=",".join(bad), valid=", ".join(FORMATS))
    return ["csv"] + [f for f in wanted if f != "csv"]


def cmd_compare(args: argparse.Namespace) -> int:
    """Run several studies and put their totals side by side."""
    from rich.markup import escape
    from rich.progress import Progress
    from rich.table import Table

    from .pipeline import run
    from .report.compare import comparison_chart, comparison_table, uneven_gaps
    from .study import load_study

    console = _console(args)
    studies = [load_study(path) for path in args.studies]
    results = []
    with Progress(console=console, transient=True, disable=args.quiet) as progress:
        task = progress.add_task("running studies", total=len(studies))
        for study in studies:
            results.append(run(study, home=args.home, inventories=args.inventory or (), brightway_dir=args.brightway_dir))
            progress.advance(task)
    table = comparison_table(results)
    view = Table(title="comparison (totals)", title_justify="left")
    cats = list(dict.fromkeys(table["category"]))
    view.add_column("study")
    for cat in cats:
        unit = table.loc[table["category"] == cat, "unit"].iloc[0]
        view.add_column(escape(f"{cat} [{unit}]"), justify="right")
    for study in dict.fromkeys(table["study"]):
        sub = table[table["study"] == study].set_index("category")
        view.add_row(study, *[_fmt(float(sub.loc[c, "total"])) for c in cats])
    console.print(view)
    gaps = uneven_gaps({r.study: r.notes for r in results})
    _print_gaps(console, gaps, "study")
    if args.out:
        from .report.results_dir import write_analysis

        out = Path(args.out)
        write_analysis(out, {"compare.csv": table.to_csv(index=False, lineterminator="\n"),
                             "compare.html": comparison_chart(table, gaps=gaps)},
                       command="compare", studies=studies,
                       notes={r.study: r.notes for r in results},
                       extra_inventories=[Path(p).name for p in args.inventory or ()])
        console.print(f"wrote compare.csv, compare.html and compare-provenance.json in {out}")
    return 0


def _print_gaps(console: Any, gaps: dict[str, list[str]], label: str) -> None:
    """Warn that some compared items leave out impacts that others include."""
    from rich.markup import escape

    if not gaps:
        return
    console.print(f"[yellow]warning:[/yellow] not every {label} covers the same impacts; totals differ on:")
    for name, items in gaps.items():
        for gap in items:
            console.print(f"  {escape(name)}: {escape(gap)}")


def _progress(args: argparse.Namespace, console: Any, total: int, label: str):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TimeRemainingColumn,
    )

    progress = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                        TimeRemainingColumn(), console=console, transient=True, disable=args.quiet)
    task = progress.add_task(label, total=total)
    return progress, (lambda n: progress.advance(task, n))


def cmd_sweep(args: argparse.Namespace) -> int:
    """Evaluate the scenarios of a study's sweep section."""
    from rich.markup import escape
    from rich.table import Table

    from .report.compare import comparison_chart, uneven_gaps
    from .report.results_dir import write_analysis
    from .study import load_study
    from .analysis.sweep import run_sweep, scenarios

    console = _console(args)
    study = load_study(args.scenario)
    if study.sweep is None:
        raise InputError("the study has no 'sweep' section", file=args.scenario,
                         hint="add sweep: {parameters: {path: [values, ...]}}")
    progress, advance = _progress(args, console, len(scenarios(study.sweep)), "scenarios")
    with progress:
        result = run_sweep(study, progress=advance)
    gwp = result.table[result.table["category"] == "gwp100"]
    view = Table(title=f"{study.name}: sweep, gwp100 [kg CO2e]".replace("[", "\\["), title_justify="left")
    for col in ("scenario", "total", "embodied", "operational"):
        view.add_column(col, justify="left" if col == "scenario" else "right")
    for _, row in gwp.iterrows():
        view.add_row(escape(str(row["scenario"])), _fmt(row["total"]), _fmt(row["embodied"]), _fmt(row["operational"]))
    console.print(view)
    console.print(f"{len(gwp)} scenarios: scaling parameters {result.scaling or 'none'}, structural "
                  f"{result.structural or 'none'} ({result.groups} compiled variants)")
    gaps = uneven_gaps(result.notes)
    _print_gaps(console, gaps, "scenario")
    out = Path(args.out) if args.out else Path("results") / f"{study.name}-sweep"
    write_analysis(out, {"sweep.csv": result.table.to_csv(index=False, lineterminator="\n"),
                         "sweep.html": comparison_chart(result.table, label="scenario", gaps=gaps)},
                   command="sweep", studies=[study], notes=result.notes, scenarios=len(gwp),
                   scaling_parameters=result.scaling, structural_parameters=result.structural)
    console.print(f"wrote sweep.csv, sweep.html and sweep-provenance.json in {out}")
    return 0


def _client(args: argparse.Namespace) -> Any:
    if args.scheduler or args.workers:
        from .analysis.dask import local_client

        return local_client(args.workers or 2, args.scheduler)
    return None


def _uncertain_model(args: argparse.Namespace, allow_empty: bool = False) -> tuple[Any, Any]:
    """The study of ``args.scenario`` and what Monte Carlo samples in it (an error if nothing)."""
    from .study import load_study
    from .analysis.montecarlo import build_model

    study = load_study(args.scenario)
    model = build_model(study, home=getattr(args, "home", None), brightway_dir=getattr(args, "brightway_dir", None))
    if not model.inputs and not allow_empty:
        raise InputError("nothing to sample: no value used by this study carries a distribution",
                         file=args.scenario, hint="give 'range'/'distribution' to inventory values (assumptions)")
    return study, model


def cmd_mc(args: argparse.Namespace) -> int:
    """Monte Carlo over the distributions of the inventory and the study."""
    import numpy as np
    from rich.table import Table

    from .analysis.montecarlo import monte_carlo

    console = _console(args)
    if args.samples < 2:
        raise InputError("--samples must be at least 2", value=args.samples)
    study, model = _uncertain_model(args, allow_empty=args.background)
    background = None
    if args.background:
        if study.background is None:
            raise InputError("--background needs a study linked to a background database ('background:')",
                             file=args.scenario)
        if args.workers or args.scheduler:
            raise InputError("--background runs in one process (the Brightway project is local to this machine)")
        from .analysis.background_mc import BackgroundSampler
        from .graph import build_graph
        from .inventory import Registry

        graph = build_graph(study, Registry(study.inventory_folders()))
        background = BackgroundSampler(study, graph, model.compiled.nodes, args.seed, home=args.home,
                                       brightway_dir=args.brightway_dir)
    client = _client(args)
    progress, advance = _progress(args, console, args.samples, "Monte Carlo")
    try:
        with progress:
            mc = monte_carlo(model, args.samples, seed=args.seed, chunk=args.chunk, client=client, progress=advance,
                             background=background)
    finally:
        if client is not None:
            client.close()
        if background is not None:
            background.close()
            console.print(f"background sampled: median {np.median(background.solver.iterations):.0f} GMRES "
                          f"iterations per solve, {background.solver.fallbacks} direct fallbacks")
    pct = mc.percentiles()
    view = Table(title=f"{study.name}: Monte Carlo, {args.samples} samples, seed {args.seed}", title_justify="left")
    for col in ("category", "static", "mean", "p2.5", "p50", "p97.5", "unit"):
        view.add_column(col, justify="left" if col in ("category", "unit") else "right")
    for _, r in pct.iterrows():
        view.add_row(r["category"], *[_fmt(r[c]) for c in ("static", "mean", "p2.5", "p50", "p97.5")], r["unit"])
    console.print(view)
    console.print("sampled: " + ", ".join(model.labels))
    if args.out:
        import pandas as pd

        from .report.results_dir import write_analysis

        out = Path(args.out)
        samples = pd.DataFrame(mc.total, columns=list(mc.categories))
        write_analysis(out, {"uncertainty.csv": pct.to_csv(index=False, lineterminator="\n"),
                             "mc-convergence.csv": mc.convergence().to_csv(index=False, lineterminator="\n"),
                             "mc-samples.csv": samples.to_csv(index=False, lineterminator="\n")},
                       command="mc", studies=[study], seed=args.seed, samples=args.samples, chunk=args.chunk,
                       background_sampled=bool(args.background), sampled_inputs=list(model.labels))
        console.print(f"wrote uncertainty.csv, mc-convergence.csv, mc-samples.csv and mc-provenance.json in {out}")
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """One-at-a-time tornado, rank correlation and Sobol indices."""
    from rich.table import Table

    from .analysis.montecarlo import monte_carlo
    from .analysis.sensitivity import rank_correlation, sobol, tornado

    console = _console(args)
    study, model = _uncertain_model(args)
    tor = tornado(model)
    rc = rank_correlation(monte_carlo(model, args.samples, seed=args.seed))
    sob = sobol(model, args.samples, seed=args.seed)
    merged = tor.merge(rc, on=["input", "category"]).merge(sob, on=["input", "category"])
    view = Table(title=f"{study.name}: sensitivity of {args.category}", title_justify="left")
    for col in ("input", "swing", "spearman", "first_order", "total_order"):
        view.add_column(col, justify="left" if col == "input" else "right")
    for _, r in merged[merged["category"] == args.category].iterrows():
        view.add_row(r["input"], _fmt(r["swing"]), f"{r['spearman']:.3f}", f"{r['first_order']:.3f}",
                     f"{r['total_order']:.3f}")
    console.print(view)
    if args.out:
        from .report.results_dir import write_analysis

        out = Path(args.out)
        write_analysis(out, {"sensitivity.csv": merged.to_csv(index=False, lineterminator="\n")},
                       command="sensitivity", studies=[study], seed=args.seed, samples=args.samples,
                       sampled_inputs=list(model.labels))
        console.print(f"wrote sensitivity.csv and sensitivity-provenance.json in {out}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    """Write reports (xlsx, json, md, html, csv) from a results folder."""
    from .report.exporters import export
    from .report.results_dir import load_report_data, verify_outputs

    console = _console(args)
    folder = Path(args.results)
    data = load_report_data(folder)
    stale = verify_outputs(folder)
    if stale:
        raise InputError(f"the results folder is inconsistent: {', '.join(stale)} changed after the run",
                         file=folder, hint="re-run the study (lca run) before reporting")
    formats = [f for f in _formats(args.format or "xlsx,json,md,html") if f != "csv" or args.format]
    written = export(data, Path(args.out) if args.out else folder, formats)
    console.print(f"wrote {', '.join(p.name for p in written)}")
    return 0


def _check(args: argparse.Namespace, console: Any) -> int:
    """Re-run the study of a results folder and compare the outputs byte by byte."""
    import tempfile

    from .pipeline import run
    from .report.results_dir import read_provenance, verify_outputs, write_results

    folder = Path(args.check)
    prov = read_provenance(folder)
    stale = verify_outputs(folder)
    if stale:
        console.print(f"[red]outputs changed since they were written: {', '.join(stale)}[/red]")
    rerun = prov.get("rerun", {})
    study = (folder / rerun["study"]).resolve() if rerun.get("study") else None
    if study is None or not study.is_file():
        study = folder / "study.yaml"
    inventories = [(folder / i).resolve() for i in rerun.get("inventories", [])]
    result = run(study, home=args.home, inventories=inventories, brightway_dir=args.brightway_dir)
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write_results(result, fresh, study_path=study, inventories=inventories)
        differ = []
        for name in ("impacts.csv",):
            old, new = (folder / name).read_bytes(), (fresh / name).read_bytes()
            if old != new:
                differ.append(name)
                old_lines, new_lines = old.decode().splitlines(), new.decode().splitlines()
                changed = [(a, b) for a, b in zip(old_lines, new_lines) if a != b]
                for a, b in changed[:5]:
                    console.print(f"- {a}\n+ {b}")
                if len(old_lines) != len(new_lines):
                    console.print(f"row count {len(old_lines)} -> {len(new_lines)}")
    if differ or stale:
        console.print(f"[red]check failed: {', '.join(sorted(set(differ + stale)))} differ from a fresh run[/red]")
        return 1
    console.print(f"check passed: a fresh run of {study.name} reproduces {folder / 'impacts.csv'} byte for byte")
    return 0


def cmd_compute(args: argparse.Namespace) -> int:
    """Per-token breakdown of a model and workload on an accelerator."""
    from rich.table import Table

    from .compute import parameter_count
    from .compute.flops import forward_flops_per_token, training_flops
    from .compute.hardware import device_from_record
    from .compute.memory import decode_step_bytes, kv_entry_bytes, weight_bytes
    from .compute.roofline import Efficiency, request_energy, training_run
    from .errors import InputError
    from .inventory import Registry

    console = _console(args)
    reg = Registry(args.inventory or ())
    arch = reg.get(args.model, "model")
    acc = reg.get(args.hardware, "accelerator")
    idle = float(reg.get("default-idle-power-fraction", "parameter").value.value)
    device = device_from_record(acc, args.precision, idle)
    pc = parameter_count(arch)
    t = Table(title=f"{arch.name or arch.id} on {device.name} ({args.precision})", title_justify="left")
    t.add_column("quantity")
    t.add_column("value", justify="right")
    t.add_column("unit")
    t.add_row("parameters, total", f"{pc.total:,}", "")
    t.add_row("parameters, active per token", f"{pc.active:,}", "")
    t.add_row("weights", _fmt(weight_bytes(arch, args.precision) / 1e9), "GB")
    t.add_row("KV cache per token", _fmt(kv_entry_bytes(arch, args.kv_precision) / 1e6), "MB")
    if args.train_tokens:
        if not args.sequence_length:
            raise InputError("--train-tokens needs --sequence-length")
        flops = training_flops(arch, args.train_tokens, args.sequence_length, recompute=args.recompute,
                               target_length=args.target_length)
        run = training_run(flops.model, flops.hardware, device, mfu=args.mfu or float(
            reg.get("default-training-mfu", "parameter").value.value), accelerators=args.accelerators)
        t.add_row("training FLOPs, model", f"{flops.model:.4g}", "FLOP")
        t.add_row("training FLOPs, executed", f"{flops.hardware:.4g}", "FLOP")
        t.add_row("accelerator-hours", _fmt(run.accelerator_hours), "h")
        if run.duration:
            t.add_row("duration", _fmt(run.duration / 24), "days")
        t.add_row("device energy", _fmt(run.device_energy), "kWh")
    else:
        if arch.encoder_layers:
            raise InputError(f"'{arch.id}' is an encoder-decoder; use --train-tokens for its training")
        p, n, b = args.prompt, args.output, args.batch
        if p + n > arch.max_context:
            raise InputError("prompt + output is beyond the model's context", value=p + n,
                             valid=f"at most {arch.max_context}")
        eff = Efficiency(compute=args.compute_efficiency, memory=args.memory_efficiency)
        e = request_energy(arch, device, p, n, b, devices=args.devices, eff=eff, precision=args.precision,
                           kv_precision=args.kv_precision)
        t.add_row("forward FLOPs, first output token", _fmt(forward_flops_per_token(arch, p)), "FLOP")
        t.add_row("forward FLOPs, last output token", _fmt(forward_flops_per_token(arch, p + n - 1)), "FLOP")
        t.add_row("bytes per decode step (batch)", _fmt(decode_step_bytes(arch, b, p) / 1e9), "GB")
        t.add_row("devices per replica", str(e.devices), "")
        t.add_row("prefill FLOPs per request", f"{e.prefill_flops:.4g}", "FLOP")
        t.add_row("decode FLOPs per request", f"{e.decode_flops:.4g}", "FLOP")
        t.add_row("decode steps memory-bound", f"{e.decode_memory_bound:.0%}", "")
        t.add_row("prefill time (batch)", _fmt(e.prefill_time), "s")
        t.add_row("decode time (batch)", _fmt(e.decode_time), "s")
        t.add_row("energy per request, prefill", _fmt(e.prefill_energy * 1000), "Wh")
        t.add_row("energy per request, decode", _fmt(e.decode_energy * 1000), "Wh")
        t.add_row("energy per output token", _fmt(e.energy_per_output_token * 1e6), "mWh")
    console.print(t)
    console.print("[dim]energies at the devices: host overhead and PUE are added by the process graph[/dim]")
    return 0


def cmd_inventory(args: argparse.Namespace) -> int:
    """List, explain or validate inventory records."""
    from rich.table import Table

    from .embodied.resolve import resolve_embodied
    from .inventory import Registry, iter_values

    console = _console(args)
    if args.action == "validate":
        if not args.target:
            from .errors import InputError

            raise InputError("'lca inventory validate' needs a folder", valid="lca inventory validate DIR")
        reg = Registry([args.target], include_bundled=False)
        n = sum(1 for e in reg.entries() for _ in iter_values(e.record))
        for e in reg.entries("embodied"):
            resolve_embodied(Registry([args.target]), e.record.id)
        console.print(f"{args.target}: {len(reg.ids())} records, {n} values: OK (units, sources, ranges, ids)")
        return 0
    reg = Registry(args.inventory or ())
    if args.action == "list":
        table = Table(title="inventory records" + (f" of kind {args.target}" if args.target else ""),
                      title_justify="left")
        for col in ("id", "kind", "name", "from"):
            table.add_column(col)
        for entry in reg.entries(args.target):
            origin = "bundled" if entry.bundled else str(entry.origin)
            table.add_row(entry.record.id, entry.kind, entry.record.name or "", origin)
        console.print(table)
        return 0
    if not args.target:
        from .errors import InputError

        raise InputError("'lca inventory show' needs an id", valid="lca inventory show ID")
    entry = reg.entry(args.target)
    rec = entry.record
    console.print(f"[bold]{rec.id}[/bold] ({entry.kind}) {rec.name or ''}")
    console.print(f"from: {'bundled ' if entry.bundled else ''}{entry.origin}")
    for o in entry.shadowed:
        console.print(f"overrides: {o}")
    if rec.notes:
        console.print(f"notes: {rec.notes}")
    plain = {k: v for k, v in rec.model_dump(exclude_none=True).items()
             if isinstance(v, str | int | float | bool) and k not in ("id", "kind", "name", "notes", "source")}
    if plain:
        console.print(", ".join(f"{k}: {v}" for k, v in plain.items()))
    table = Table(title_justify="left")
    for col in ("field", "value", "unit", "range", "source"):
        table.add_column(col, overflow="fold")
    rows = list(iter_values(rec))
    if entry.kind == "embodied":
        res = resolve_embodied(reg, rec.id)
        rows += [(f"(computed) {c}", v) for c, v in res.impacts.items()]
    for path, value in rows:
        rng = f"{value.range[0]:.4g} - {value.range[1]:.4g}" if value.range else ""
        table.add_row(path, f"{value.value:.6g}", value.unit, rng, value.source or "")
    console.print(table)
    return 0


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--home", help="ai-lca home folder (default: $LCA_HOME or the user data folder)")
    p.add_argument("--brightway-dir", metavar="DIR",
                   help="your own Brightway folder, for studies linked to a background database "
                        "(default: $BRIGHTWAY2_DIR, else Brightway's folder)")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing but errors")
    p.add_argument("-v", "--verbose", action="store_true", help="print more detail")


def _command(sub: Any, name: str, help_text: str, examples: str) -> argparse.ArgumentParser:
    """A subcommand whose --help ends with its examples."""
    return sub.add_parser(name, help=help_text, epilog=examples, formatter_class=argparse.RawDescriptionHelpFormatter)


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
    p.add_argument("--inventory", action="append", metavar="DIR", help="extra inventory folder (repeatable)")
    p.add_argument("--format", help="outputs, comma-separated: csv,xlsx,json,md,html (default csv)")
    _add_common(p)
    p.set_defaults(func=cmd_run)

    cp = _command(sub, "compare", "run several studies and compare their totals", """examples:
  lca compare scenarios/patterson2021/*.yaml
  lca compare a.yaml b.yaml --out results/compare     also writes compare.csv and compare.html
""")
    cp.add_argument("studies", nargs="+", help="study YAML files")
    cp.add_argument("--out", help="folder for compare.csv and compare.html")
    cp.add_argument("--inventory", action="append", metavar="DIR")
    _add_common(cp)
    cp.set_defaults(func=cmd_compare)

    sw = _command(sub, "sweep", "evaluate the scenarios of a study's sweep section", """examples:
  lca sweep scenarios/levers/grid-and-ppa.yaml
  lca sweep scenarios/levers/algorithmic.yaml --out results/algo   writes sweep.csv and sweep.html
""")
    sw.add_argument("scenario", help="study YAML file with a sweep section")
    sw.add_argument("--out", help="output folder (default: results/<study>-sweep)")
    _add_common(sw)
    sw.set_defaults(func=cmd_sweep)

    mc = _command(sub, "mc", "Monte Carlo over the uncertainty of the inventory and the study", """examples:
  lca mc scenarios/llama-3.1-8b-service.yaml --samples 20000 --seed 1
  lca mc study.yaml --samples 1000000 --workers 2 --out results/mc   on a local Dask cluster
  lca mc study.yaml --samples 1000000 --scheduler tcp://10.0.0.5:8786
""")
    mc.add_argument("scenario", help="study YAML file")
    mc.add_argument("--samples", type=int, default=10000)
    mc.add_argument("--seed", type=int, default=42)
    mc.add_argument("--chunk", type=int, default=2000, help="samples per task (results depend on seed and chunk)")
    mc.add_argument("--workers", type=int, help="run on a local Dask cluster with this many threads")
    mc.add_argument("--scheduler", help="address of a Dask scheduler (tcp://host:port)")
    mc.add_argument("--out", help="folder for uncertainty.csv, mc-convergence.csv, mc-samples.csv")
    mc.add_argument("--background", action="store_true",
                    help="also sample the linked background database (in this process)")
    _add_common(mc)
    mc.set_defaults(func=cmd_mc)

    se = _command(sub, "sensitivity", "tornado, rank correlation and Sobol indices", """examples:
  lca sensitivity scenarios/llama-3.1-8b-service.yaml
  lca sensitivity study.yaml --category water --samples 8192 --out results/sens
""")
    se.add_argument("scenario", help="study YAML file")
    se.add_argument("--category", default="gwp100", choices=["gwp100", "water", "adpe", "pe"])
    se.add_argument("--samples", type=int, default=4096)
    se.add_argument("--seed", type=int, default=42)
    se.add_argument("--out", help="folder for sensitivity.csv")
    _add_common(se)
    se.set_defaults(func=cmd_sensitivity)

    r = _command(sub, "report", "write reports from a results folder", """examples:
  lca report results/bloom-176b                     xlsx, json, md and html next to impacts.csv
  lca report results/bloom-176b --format html --out site/
""")
    r.add_argument("results", help="results folder written by lca run")
    r.add_argument("--format", help="comma-separated: csv,xlsx,json,md,html (default: xlsx,json,md,html)")
    r.add_argument("--out", help="where to write (default: the results folder)")
    _add_common(r)
    r.set_defaults(func=cmd_report)

    c = _command(sub, "compute", "per-token FLOPs, bytes, time and energy of a model and workload", """examples:
  lca compute llama-3.1-8b --hardware h100-sxm --prompt 1000 --output 300 --batch 16
  lca compute gpt3-175b --hardware v100-sxm2-32gb --precision fp16 --train-tokens 300e9 --sequence-length 2048
""")
    c.add_argument("model", help="architecture id (lca inventory list model)")
    c.add_argument("--hardware", required=True, help="accelerator id")
    c.add_argument("--precision", default="bf16")
    c.add_argument("--kv-precision", default="bf16")
    c.add_argument("--prompt", type=int, default=1000, help="prompt tokens per request")
    c.add_argument("--output", type=int, default=300, help="output tokens per request")
    c.add_argument("--batch", type=int, default=1, help="requests per batch")
    c.add_argument("--devices", type=int, help="devices per replica (default: fewest that fit)")
    c.add_argument("--compute-efficiency", type=float, default=0.5, help="prefill MFU (default 0.5)")
    c.add_argument("--memory-efficiency", type=float, default=0.6, help="decode MBU (default 0.6)")
    c.add_argument("--train-tokens", type=float, help="training tokens (switches to training)")
    c.add_argument("--sequence-length", type=int)
    c.add_argument("--target-length", type=int, help="decoder tokens per example (encoder-decoder)")
    c.add_argument("--mfu", type=float, help="model FLOPs utilisation (default: inventory default)")
    c.add_argument("--recompute", choices=["none", "selective", "full"], default="none")
    c.add_argument("--accelerators", type=int, help="devices used at once (gives the duration)")
    c.add_argument("--inventory", action="append", metavar="DIR")
    _add_common(c)
    c.set_defaults(func=cmd_compute)

    i = _command(sub, "inventory", "list, explain or validate inventory records", """examples:
  lca inventory list grid               every grid mix, and the folder it comes from
  lca inventory show h100-sxm           values, units, sources and which folder won
  lca inventory validate my-inventories check a folder of your own
""")
    i.add_argument("action", choices=["list", "show", "validate"])
    i.add_argument("target", nargs="?", help="kind (list), id (show) or folder (validate)")
    i.add_argument("--inventory", action="append", metavar="DIR", help="extra inventory folder (repeatable)")
    _add_common(i)
    i.set_defaults(func=cmd_inventory)
    return parser




def _terminate(signum: int, frame: Any) -> None:  # pragma: no cover - exercised in a subprocess test
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)  # clean up like Ctrl-C: temporary files are removed
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
