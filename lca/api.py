"""The public functions of ai-lca: what the command line calls, and what a notebook calls.

Each returns a typed result that knows how to write its outputs; nothing here
prints. ``lca.run`` (one study) lives in :mod:`lca.pipeline`.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .analysis.background_mc import BackgroundSampler
from .analysis.dask import local_client
from .analysis.montecarlo import MonteCarloResult, UncertainModel, build_model
from .analysis.montecarlo import monte_carlo as _monte_carlo
from .analysis.sensitivity import rank_correlation, sobol, tornado
from .analysis.sweep import SweepResult, run_sweep, scenario_count
from .arguments import folders, sample_count, seed_value, whole_number
from .compute.architecture import parameter_count
from .compute.flops import forward_flops_per_token, training_flops
from .compute.memory import decode_step_bytes, kv_cache_bytes, kv_copies, kv_entry_bytes, weight_bytes
from .compute.roofline import Device, Efficiency, request_energy, training_run
from .compute.serving import max_batch, replica_devices
from .embodied.resolve import resolve_embodied
from .engine.home import brightway, user_brightway_dir
from .engine.home import repair_home as _repair_home
from .engine.project import ai_lca_contents, clean_project, export_excel
from .engine.project import extend_method as _extend_method
from .errors import InputError, StudyError
from .graph import build_graph
from .inventory import Registry, iter_values
from .inventory.schema import RECORD_TYPES
from .pipeline import DEFAULT_SAMPLES, DEFAULT_SEED, run
from .reports.compare import comparison_chart, comparison_table, sweep_chart, uneven_gaps
from .reports.exporters import FORMATS
from .reports.exporters import export as export_reports
from .reports.results_dir import (
    load_report_data,
    read_provenance,
    verify_outputs,
    write_analysis,
    write_results,
)
from .reports.safe import csv_text, write_csv
from .reports.sensitivity import sensitivity_page
from .reports.staging import staged_folder
from .results import Result
from .study import Study, load_study

__all__ = [
    "Comparison",
    "SweepRun",
    "MonteCarloRun",
    "SensitivityRun",
    "CheckResult",
    "compare",
    "sweep",
    "monte_carlo",
    "sensitivity",
    "report",
    "check",
    "compute_table",
    "inventory_records",
    "inventory_record",
    "validate_inventory",
    "repair_home",
    "write_results",
    "DEFAULT_SAMPLES",
    "DEFAULT_SEED",
    "FORMATS",
]

Progress = Callable[[int], None] | None


def _study(study: Study | str | Path) -> Study:
    return study if isinstance(study, Study) else load_study(study)


def _registry(study: Study, inventories: Iterable[str | Path] | str | Path) -> Registry:
    return Registry([*folders("inventories", inventories), *study.inventory_folders()])


# ---------------------------------------------------------------- compare


@dataclass
class Comparison:
    """Studies side by side: totals, the gaps they do not share, and what makes them not comparable."""

    results: list[Result]
    table: pd.DataFrame
    gaps: dict[str, list[str]]
    warnings: list[str]
    studies: list[Study] = field(default_factory=list)

    def write(self, out: str | Path, inventories: Iterable[str | Path] = (), *, force: bool = False) -> list[Path]:
        return write_analysis(
            Path(out),
            {
                "compare.csv": csv_text(self.table),
                "compare.html": comparison_chart(self.table, gaps=self.gaps, warnings=self.warnings),
            },
            command="compare",
            studies=self.studies,
            notes={r.study: r.notes for r in self.results},
            warnings=self.warnings,
            extra_inventories=[Path(p).name for p in inventories],
            force=force,
        )


def compare(
    studies: Iterable[Study | str | Path],
    *,
    home: Any = None,
    inventories: Iterable[str | Path] = (),
    brightway_dir: Any = None,
    samples: int = 0,
    progress: Progress = None,
) -> Comparison:
    """Run several studies and put their totals side by side.

    ``warnings`` names what makes the totals not comparable as such: different
    functional units, and impacts some studies leave out (``gaps``).
    """
    samples = sample_count(samples, none_allowed=True)
    loaded = [_study(s) for s in studies]
    if not loaded:
        raise InputError("nothing to compare", hint="give one study or more (files or Study objects)")
    names = [s.name for s in loaded]
    twice = [n for n in dict.fromkeys(names) if names.count(n) > 1]
    if twice:  # names label the comparison's rows (and each study's Brightway foreground)
        files = ", ".join(str(s.path.name) if s.path else "(not from a file)" for s in loaded if s.name == twice[0])
        raise InputError(
            "two studies of the comparison have the same name",
            value=twice[0],
            hint=f"give each its own 'name' ({files})",
        )
    inventories = folders("inventories", inventories)
    results = []
    for s in loaded:
        results.append(run(s, home=home, inventories=inventories, brightway_dir=brightway_dir, samples=samples))
        if progress is not None:
            progress(1)
    table = comparison_table(results)
    gaps = uneven_gaps({r.study: r.notes for r in results})
    warnings = []
    units = {s.name: s.functional_unit.name for s in loaded}
    if len(set(units.values())) > 1:
        warnings.append(
            "the studies have different functional units, so their totals answer different questions: "
            + "; ".join(f"{k}: {v}" for k, v in units.items())
        )
    return Comparison(results, table, gaps, warnings, loaded)


# ---------------------------------------------------------------- sweep


@dataclass
class SweepRun:
    study: Study
    result: SweepResult
    gaps: dict[str, list[str]]

    @property
    def table(self) -> pd.DataFrame:
        return self.result.table

    def write(self, out: str | Path, *, force: bool = False) -> list[Path]:
        return write_analysis(
            Path(out),
            {
                "sweep.csv": partial(write_csv, self.result.frames()),  # streamed: 10^6 scenarios are 4 x 10^6 rows
                "sweep.html": sweep_chart(self.result, self.gaps, title=f"Sweep: {self.study.name}"),
            },
            command="sweep",
            force=force,
            studies=[self.study],
            notes=self.result.notes,
            scenarios=self.result.n,
            scaling_parameters=self.result.scaling,
            structural_parameters=self.result.structural,
        )


def sweep(study: Study | str | Path, *, inventories: Iterable[str | Path] = (), progress: Progress = None) -> SweepRun:
    """Evaluate the scenarios of a study's ``sweep`` section on the compiled study."""
    s = _study(study)
    if s.sweep is None:
        raise StudyError(
            "the study has no 'sweep' section", file=s.path, hint="add sweep: {parameters: {path: [values, ...]}}"
        )
    result = run_sweep(s, registry=_registry(s, inventories), progress=progress)
    return SweepRun(s, result, uneven_gaps(result.notes))


def sweep_size(study: Study | str | Path) -> int:
    """The number of scenarios of a study's sweep."""
    s = _study(study)
    return scenario_count(s.sweep) if s.sweep is not None else 0


# ---------------------------------------------------------------- Monte Carlo


@dataclass
class MonteCarloRun:
    study: Study
    model: UncertainModel
    result: MonteCarloResult
    chunk: int
    background: dict[str, Any] | None = None  # GMRES iterations and fallbacks of a sampled background

    @property
    def labels(self) -> list[str]:
        return self.model.labels

    def percentiles(self) -> pd.DataFrame:
        return self.result.percentiles()

    def write(self, out: str | Path, *, force: bool = False) -> list[Path]:
        mc = self.result
        samples = pd.DataFrame(mc.total, columns=list(mc.categories))
        return write_analysis(
            Path(out),
            {
                "uncertainty.csv": mc.percentiles().to_csv(index=False, lineterminator="\n"),
                "mc-convergence.csv": mc.convergence().to_csv(index=False, lineterminator="\n"),
                "mc-samples.csv": samples.to_csv(index=False, lineterminator="\n"),
            },
            command="mc",
            force=force,
            studies=[self.study],
            seed=mc.seed,
            samples=len(mc.total),
            chunk=self.chunk,
            background_sampled=self.background is not None,
            sampled_inputs=list(self.labels),
        )


def uncertain_model(
    study: Study | str | Path,
    *,
    inventories: Iterable[str | Path] = (),
    home: Any = None,
    brightway_dir: Any = None,
    allow_empty: bool = False,
) -> tuple[Study, UncertainModel]:
    """A study and what Monte Carlo samples in it (an error if nothing)."""
    s = _study(study)
    model = build_model(s, _registry(s, inventories), home=home, brightway_dir=brightway_dir)
    if not model.inputs and not allow_empty:
        raise InputError(
            "nothing to sample: no value used by this study carries a distribution or a range",
            file=s.path,
            hint="give 'range'/'distribution' to inventory values (assumptions)",
        )
    return s, model


def check_samples(samples: int, model: UncertainModel) -> None:
    """Refuse a Monte Carlo whose stored samples would not fit in half of this machine's memory."""
    phases = len(model.compiled.demands)
    per_sample = 8 * (model.inputs + len(model.compiled.categories) * (2 + phases))
    available = _physical_memory() // 2
    if samples * per_sample > available:
        raise InputError(
            f"{samples:,} samples would store {samples * per_sample / 1e9:,.1f} GB of results",
            value=samples,
            valid=f"at most {available // per_sample:,} samples on this machine",
            hint="draw fewer samples: the percentiles converge long before (see mc-convergence.csv)",
        )


def _physical_memory() -> int:
    try:
        return int(os.sysconf("SC_PHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 8 * 2**30


def monte_carlo(
    study: Study | str | Path,
    samples: int = 10_000,
    *,
    seed: int = DEFAULT_SEED,
    chunk: int = 2000,
    workers: int | None = None,
    scheduler: str | None = None,
    processes: bool = False,
    background: bool = False,
    home: Any = None,
    brightway_dir: Any = None,
    inventories: Iterable[str | Path] = (),
    progress: Progress = None,
) -> MonteCarloRun:
    """Seeded Monte Carlo over every uncertain input of a study (optionally on Dask, or with its background)."""
    samples, seed, chunk = sample_count(samples), seed_value(seed), whole_number("chunk", chunk, 1)
    if workers is not None:
        whole_number("workers", workers, 1)
    s, model = uncertain_model(
        study, inventories=inventories, home=home, brightway_dir=brightway_dir, allow_empty=background
    )
    check_samples(samples, model)
    sampler = None
    if background:
        if s.background is None:
            raise InputError(
                "background sampling needs a study linked to a background database ('background:')", file=s.path
            )
        if workers or scheduler:
            raise InputError("background sampling runs in one process (the Brightway project is local)")
        graph = build_graph(s, _registry(s, inventories))
        sampler = BackgroundSampler(s, graph, model.compiled.nodes, seed, home=home, brightway_dir=brightway_dir)
    client = local_client(workers or 2, scheduler, processes=processes) if (workers or scheduler) else None
    stats = None
    try:
        result = _monte_carlo(
            model, samples, seed=seed, chunk=chunk, client=client, progress=progress, background=sampler
        )
    finally:
        if client is not None:
            client.close()
        if sampler is not None:
            sampler.close()
            stats = {
                "median_iterations": float(np.median(sampler.solver.iterations)),
                "fallbacks": sampler.solver.fallbacks,
            }
    return MonteCarloRun(s, model, result, chunk, stats)


# ---------------------------------------------------------------- sensitivity


@dataclass
class SensitivityRun:
    study: Study
    table: pd.DataFrame  # input x category: swing, spearman, first/total order and their intervals
    labels: list[str]
    samples: int
    seed: int

    def write(self, out: str | Path, *, force: bool = False) -> list[Path]:
        return write_analysis(
            Path(out),
            {
                "sensitivity.csv": csv_text(self.table),
                "sensitivity.html": sensitivity_page(
                    self.study.name, self.table, self.samples, int(self.table["sobol_samples"].iloc[0])
                ),
            },
            command="sensitivity",
            force=force,
            studies=[self.study],
            seed=self.seed,
            samples=self.samples,
            sampled_inputs=list(self.labels),
        )


def sensitivity(
    study: Study | str | Path,
    *,
    samples: int = 4096,
    seed: int = DEFAULT_SEED,
    inventories: Iterable[str | Path] = (),
    home: Any = None,
    brightway_dir: Any = None,
) -> SensitivityRun:
    """One-at-a-time tornado, Spearman rank correlation and Sobol indices of every uncertain input."""
    samples, seed = sample_count(samples), seed_value(seed)
    s, model = uncertain_model(study, inventories=inventories, home=home, brightway_dir=brightway_dir)
    tor = tornado(model)
    rc = rank_correlation(_monte_carlo(model, samples, seed=seed))
    sob = sobol(model, samples, seed=seed)
    merged = tor.merge(rc, on=["input", "category"]).merge(sob, on=["input", "category"])
    return SensitivityRun(s, merged, model.labels, samples, seed)


# ---------------------------------------------------------------- results folders


def report(
    source: Result | str | Path,
    out: str | Path | None = None,
    formats: Iterable[str] = ("xlsx", "json", "md", "html"),
    *,
    force: bool = False,
) -> list[Path]:
    """Write reports of a result (``lca.run``) or of a results folder written by ``lca run``.

    ``out`` is the folder to write into (default: the results folder; required
    for a result). ``formats``: any of csv, xlsx, json, md, html. The files are
    staged and swapped in together; a folder of the user's own is refused
    unless ``force``.
    """
    formats = list(formats)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise InputError("unknown report format", value=",".join(bad), valid=", ".join(FORMATS))
    if isinstance(source, Result):
        if out is None:
            raise InputError("lca.report(result, out) needs the folder to write into")
        return write_results(
            source, Path(out), study_path=None, formats=["csv", *[f for f in formats if f != "csv"]], force=force
        )
    folder = Path(source)
    stale = verify_outputs(folder)  # before reading them: a truncated or edited file is named, not parsed
    if stale:
        raise InputError(
            f"the results folder is inconsistent: {', '.join(stale)} changed or removed after the run",
            file=folder,
            hint="re-run the study (lca run) before reporting",
        )
    data = load_report_data(folder)
    target = Path(out) if out else folder
    with staged_folder(target, force=force, keep_existing=True) as stage:
        names = [p.name for p in export_reports(data, stage, formats)]
    return [target / n for n in names]


@dataclass
class CheckResult:
    ok: bool
    study: Path
    stale: list[str]  # outputs whose hash no longer matches their provenance
    differ: list[str]  # outputs a fresh run writes differently
    diff: list[str]  # the first differing lines


def check(folder: str | Path, *, home: Any = None, brightway_dir: Any = None) -> CheckResult:
    """Re-run the study of a results folder and compare its outputs byte by byte."""
    folder = Path(folder)
    prov = read_provenance(folder)
    stale = verify_outputs(folder)
    rerun = prov.get("rerun", {})
    study = (folder / rerun["study"]).resolve() if rerun.get("study") else None
    if study is None or not study.is_file():
        study = folder / "study.yaml"
    inventories = [(folder / i).resolve() for i in rerun.get("inventories", [])]
    samples = int(prov.get("samples") or 0)
    result = run(
        study,
        home=home,
        inventories=inventories,
        brightway_dir=brightway_dir,
        samples=samples,
        seed=int(prov.get("seed") or DEFAULT_SEED),
    )
    differ, diff = [], []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = Path(tmp)
        write_results(result, fresh, study_path=study, inventories=inventories)
        for name in ("impacts.csv",):
            old, new = (folder / name).read_bytes(), (fresh / name).read_bytes()
            if old != new:
                differ.append(name)
                old_lines, new_lines = old.decode().splitlines(), new.decode().splitlines()
                diff += [f"- {a}\n+ {b}" for a, b in zip(old_lines, new_lines) if a != b][:5]
                if len(old_lines) != len(new_lines):
                    diff.append(f"row count {len(old_lines)} -> {len(new_lines)}")
    return CheckResult(not differ and not stale, study, stale, differ, diff)


# ---------------------------------------------------------------- compute breakdown


def compute_table(
    model: str,
    hardware: str,
    *,
    precision: str = "bf16",
    kv_precision: str = "bf16",
    prompt: int = 1000,
    output: int = 300,
    batch: int | None = None,
    devices: int | None = None,
    compute_efficiency: float | None = None,
    memory_efficiency: float | None = None,
    train_tokens: float | None = None,
    sequence_length: int | None = None,
    target_length: int | None = None,
    mfu: float | None = None,
    recompute: str = "none",
    accelerators: int | None = None,
    inventories: Iterable[str | Path] = (),
) -> tuple[str, list[tuple[str, float | str, str]]]:
    """Per-token FLOPs, bytes, time and energy of a model and workload on an accelerator (``lca compute``).

    Named ``compute_table``, not ``compute``: ``lca.compute`` is the compute-model subpackage.

    Defaults that a study would take from the inventory (efficiencies, MFU,
    usable memory, the engine's maximum batch) are taken from it here too.
    Returns a title and rows ``(quantity, value, unit)``.
    """
    reg = Registry(folders("inventories", inventories))
    arch = reg.get(model, "model", field="model")
    acc = reg.get(hardware, "accelerator", field="--hardware")

    def default(ident: str) -> float:
        return float(reg.get(ident, "parameter").value.value)

    if precision not in acc.peak_flops:
        raise InputError(
            f"accelerator '{acc.id}' has no peak throughput for precision {precision!r}",
            field="--precision",
            valid=", ".join(sorted(acc.peak_flops)) or "(none)",
        )
    missing = [f for f in ("memory", "memory_bandwidth", "tdp") if getattr(acc, f) is None]
    if missing:
        raise InputError(
            f"accelerator '{acc.id}' lacks {', '.join(missing)}, which the compute model needs", field="--hardware"
        )
    tdp = acc.tdp.value
    idle = acc.idle_power.value if acc.idle_power is not None else default("default-idle-power-fraction") * tdp
    device = Device(
        acc.name or acc.id,
        acc.peak_flops[precision].value,
        acc.memory_bandwidth.value * 1e9,
        acc.memory.value * 1e9,
        tdp,
        idle,
    )
    pc = parameter_count(arch)
    rows: list[tuple[str, float | str, str]] = [
        ("parameters, total", float(pc.total), ""),
        ("parameters, active per token", float(pc.active), ""),
        ("weights", weight_bytes(arch, precision), "B"),
        ("KV cache per token", kv_entry_bytes(arch, kv_precision), "B"),
    ]
    if train_tokens:
        if not sequence_length:
            raise InputError("--train-tokens needs --sequence-length", field="--sequence-length")
        flops = training_flops(
            arch,
            train_tokens,
            sequence_length,
            recompute=recompute,  # type: ignore[arg-type]
            target_length=target_length,
        )
        used_mfu = mfu if mfu is not None else default("default-training-mfu")
        trun = training_run(
            flops.model,
            flops.hardware,
            device,
            mfu=used_mfu,
            accelerators=accelerators,
            utilisation=default("default-training-power-utilisation"),
        )
        rows += [
            ("training FLOPs, model", flops.model, "FLOP"),
            ("training FLOPs, executed", flops.hardware, "FLOP"),
            ("MFU" + (" (default)" if mfu is None else ""), used_mfu, ""),
            ("accelerator-hours", trun.accelerator_hours, "h"),
        ]
        if trun.duration:
            rows.append(("duration", trun.duration, "h"))
        rows.append(("energy at the accelerators", trun.device_energy, "kWh"))
    else:
        if arch.encoder_layers:
            raise InputError(f"'{arch.id}' is an encoder-decoder; use --train-tokens for its training", field="model")
        if prompt + output > arch.max_context:
            raise InputError(
                "prompt + output is beyond the model's context",
                value=prompt + output,
                valid=f"at most {arch.max_context}",
                field="--prompt",
            )
        usable = default("default-memory-usable")
        kv_seq = kv_cache_bytes(arch, prompt + output, kv_precision)
        n = devices or int(
            replica_devices(arch, weight_bytes(arch, precision), kv_seq, batch or 1, device.memory, usable)
        )
        fit = int(max_batch(arch, device.memory, n, usable, prompt + output, precision, kv_precision))
        b = batch if batch is not None else min(fit, int(default("default-max-num-seqs")))
        if b < 1 or b > fit:
            raise InputError(
                f"the batch does not fit in the memory of {n} x {device.name}",
                value=b,
                valid=f"at most {fit} requests per batch" if fit else "more --devices",
                field="--batch" if batch is not None else "--devices",
            )
        eff = Efficiency(
            compute=compute_efficiency if compute_efficiency is not None else default("default-prefill-mfu"),
            memory=memory_efficiency if memory_efficiency is not None else default("default-decode-mbu"),
        )
        e = request_energy(
            arch,
            device,
            prompt,
            output,
            b,
            devices=n,
            eff=eff,
            precision=precision,
            kv_precision=kv_precision,
            memory_power=default("default-memory-bound-power"),
        )
        rows += [
            ("batch" + (" (largest that fits, capped at the engine maximum)" if batch is None else ""), float(b), ""),
            ("largest batch that fits", float(fit), ""),
            ("forward FLOPs, first output token", forward_flops_per_token(arch, prompt), "FLOP"),
            ("forward FLOPs, last output token", forward_flops_per_token(arch, prompt + output - 1), "FLOP"),
            ("bytes per decode step (batch)", decode_step_bytes(arch, b, prompt, precision, kv_precision, n), "B"),
            ("copies of the KV cache on the replica", kv_copies(arch, n), ""),
            ("devices per replica", float(e.devices), ""),
            ("prefill FLOPs per request", e.prefill_flops, "FLOP"),
            ("decode FLOPs per request", e.decode_flops, "FLOP"),
            ("decode steps memory-bound", e.decode_memory_bound, ""),
            ("prefill time (batch)", e.prefill_time / 3600, "h"),
            ("decode time (batch)", e.decode_time / 3600, "h"),
            ("energy per request at the accelerators, prefill", e.prefill_energy, "kWh"),
            ("energy per request at the accelerators, decode", e.decode_energy, "kWh"),
            ("energy per output token at the accelerators", e.energy_per_output_token, "kWh"),
        ]
    return f"{arch.name or arch.id} on {device.name} ({precision})", rows


# ---------------------------------------------------------------- inventories


@contextlib.contextmanager
def _project(project: str | None, home: Any, brightway_dir: Any) -> Iterator[Any]:
    """bw2data with ai-lca's embedded project current, or the user's ``project`` in their Brightway folder."""
    if project is None:
        with brightway(home) as (bd, _bc, _h):
            yield bd
    else:
        with brightway(home, base_dir=user_brightway_dir(brightway_dir), project=project) as (bd, _bc, _h):
            yield bd


def brightway_contents(project: str | None = None, *, home: Any = None, brightway_dir: Any = None) -> dict:
    """The databases and methods ai-lca created in a Brightway project (default: its embedded one)."""
    with _project(project, home, brightway_dir) as bd:
        return ai_lca_contents(bd)


def brightway_clean(
    project: str | None = None,
    *,
    study: str | None = None,
    everything: bool = False,
    home: Any = None,
    brightway_dir: Any = None,
) -> dict:
    """Remove what ai-lca wrote in a project: one ``study``'s foreground, or every foreground and ai-lca method
    (``everything``: also the indicator flows and extended methods). Returns what was removed."""
    with _project(project, home, brightway_dir) as bd:
        return clean_project(bd, study, everything=everything)


def extend_method(
    method: Iterable[str],
    category: str,
    *,
    factor: float = 1.0,
    project: str | None = None,
    home: Any = None,
    brightway_dir: Any = None,
) -> tuple[str, ...]:
    """Copy a Brightway ``method`` and add the ai-lca ``category`` indicator flow, so that it scores ai-lca
    foregrounds in full; returns the new method's key (the original key plus 'with ai-lca indicator flows')."""
    with _project(project, home, brightway_dir) as bd:
        return _extend_method(bd, tuple(method), category, factor)


def export(
    study: Study | str | Path,
    out: str | Path,
    *,
    to: str = "bw-excel",
    home: Any = None,
    inventories: Iterable[str | Path] = (),
    brightway_dir: Any = None,
) -> list[Path]:
    """Write a study's foreground for other tools: ``to="bw-excel"`` writes bw2io Excel files of the
    foreground and of the indicator flows it uses (importable with ``bw2io.ExcelImporter``)."""
    if to != "bw-excel":
        raise InputError("unknown export format", value=to, valid="bw-excel")
    s = _study(study)
    run(s, home=home, inventories=inventories, brightway_dir=brightway_dir, samples=0)
    project = s.background.project if s.background is not None else None
    folder = Path(out)
    with tempfile.TemporaryDirectory(prefix=".lca-export-", dir=folder.parent if folder.parent.exists() else None) as t:
        with _project(project, home, brightway_dir) as bd:
            written = export_excel(bd, s.name, Path(t))
        return write_analysis(
            folder, {p.name: p.read_bytes() for p in written}, command="export", studies=[s], force=False
        )


def repair_home(home: str | Path | None = None) -> Path:
    """Rebuild ai-lca's own Brightway project in ``home`` (after damage); returns the folder removed."""
    return _repair_home(home)


def inventory_records(kind: str | None = None, inventories: Iterable[str | Path] = ()) -> pd.DataFrame:
    """Every record (of ``kind``): id, kind, name and the folder it comes from."""
    if kind is not None and kind not in RECORD_TYPES:
        raise InputError("unknown inventory kind", value=kind, valid=", ".join(sorted(RECORD_TYPES)))
    reg = Registry(folders("inventories", inventories))
    rows = [
        {
            "id": e.record.id,
            "kind": e.kind,
            "name": e.record.name or "",
            "from": "bundled" if e.bundled else str(e.origin),
        }
        for e in reg.entries(kind)
    ]
    return pd.DataFrame(rows, columns=["id", "kind", "name", "from"])


def inventory_record(ident: str, inventories: Iterable[str | Path] = ()) -> dict[str, Any]:
    """One record: where it comes from, what it overrides, its plain fields and every value with its source."""
    reg = Registry(folders("inventories", inventories))
    entry = reg.entry(ident)
    rec = entry.record
    values = list(iter_values(rec))
    if entry.kind == "embodied":
        values += [(f"(computed) {c}", v) for c, v in resolve_embodied(reg, rec.id).impacts.items()]
    plain = {
        k: v
        for k, v in rec.model_dump(exclude_none=True).items()
        if isinstance(v, str | int | float | bool) and k not in ("id", "kind", "name", "notes", "source")
    }
    return {
        "id": rec.id,
        "kind": entry.kind,
        "name": rec.name or "",
        "bundled": entry.bundled,
        "origin": str(entry.origin),
        "overrides": [str(o) for o in entry.shadowed],
        "notes": rec.notes,
        "fields": plain,
        "values": values,
    }


def validate_inventory(folder: str | Path) -> tuple[int, int]:
    """Check a folder of inventory files (units, sources, ranges, ids, computed records): (records, values)."""
    reg = Registry([folder], include_bundled=False)
    n = sum(1 for e in reg.entries() for _ in iter_values(e.record))
    full = Registry([folder])
    for e in reg.entries("embodied"):
        resolve_embodied(full, e.record.id)
    return len(reg.ids()), n
