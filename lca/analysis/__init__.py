"""Analyses on a compiled study: sweeps, Monte Carlo, sensitivity, the background solver, Dask."""

from .compiled import CompiledStudy, compile_graph, compile_study
from .montecarlo import MonteCarloResult, UncertainModel, build_model, monte_carlo
from .sensitivity import rank_correlation, sobol, tornado
from .sweep import SweepResult, run_sweep, scenarios

__all__ = [
    "CompiledStudy",
    "MonteCarloResult",
    "SweepResult",
    "UncertainModel",
    "build_model",
    "compile_graph",
    "compile_study",
    "monte_carlo",
    "rank_correlation",
    "run_sweep",
    "scenarios",
    "sobol",
    "tornado",
]
