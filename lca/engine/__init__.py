"""The Brightway bridge: project, offline set-up, database write and solve."""

from .database import database_name, write_graph
from .home import brightway, lca_home
from .matrices import Matrices, check_solvable, to_matrices
from .setup import category_method, ensure_setup
from .solve import Solution, run_graph, solve_graph

__all__ = [
    "Matrices",
    "Solution",
    "brightway",
    "category_method",
    "check_solvable",
    "database_name",
    "ensure_setup",
    "lca_home",
    "run_graph",
    "solve_graph",
    "to_matrices",
    "write_graph",
]
