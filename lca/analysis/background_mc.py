"""Monte Carlo samples of a linked background, without refactorising per sample.

Brightway draws the samples: a ``bw2calc.LCA(use_distributions=True)`` of the
background resamples its technosphere and biosphere matrices with
``next()`` on its mapped matrices, exactly as Brightway's own Monte Carlo does
— but ai-lca does not call ``lci()``, which would factorise again. Each
sampled system is solved by :class:`PreconditionedSolver` (GMRES with the
static factorisation as preconditioner). A sample yields the cumulative impact
per unit of every linked background activity, ``H_s`` (categories x foreground
nodes), which replaces the compiled study's static ``H``.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from ..engine.background import background_ids, setup_background_project
from ..engine.home import brightway, quiet, user_brightway_dir
from ..inventory import CATEGORIES
from .iterative import PreconditionedSolver

__all__ = ["BackgroundSampler"]


class BackgroundSampler:
    """Sampled ``H`` matrices of a study linked to a background database."""

    def __init__(
        self,
        study: Any,
        graph: Any,
        nodes: list[str],
        seed: int,
        home: Any = None,
        rtol: float = 1e-10,
        brightway_dir: Any = None,
    ) -> None:
        self._stack = contextlib.ExitStack()
        self.study, self.nodes, self.seed = study, nodes, seed
        self._open(graph, home, rtol, brightway_dir)

    def _open(self, graph: Any, home: Any, rtol: float, brightway_dir: Any) -> None:
        bg = self.study.background
        bd, bc, _ = self._stack.enter_context(
            brightway(home, base_dir=user_brightway_dir(brightway_dir), project=bg.project)
        )
        methods = setup_background_project(bd, bg)
        links = background_ids(bd, graph, bg.database)
        self.links = [(self.nodes.index(node), bg_id) for node, (_d, _c, bg_id) in links.items()]
        first = self.links[0][1]
        any_method = next(iter(methods.values()))
        with quiet():
            self.c = []
            for cat in CATEGORIES:  # a category without a method is not computed: 0 here, left out of the results
                static = bc.LCA({first: 1.0}, method=methods.get(cat, any_method))
                static.load_lci_data()
                static.load_lcia_data()
                c = np.asarray(static.characterization_matrix.diagonal()).ravel()
                self.c.append(c if cat in methods else np.zeros_like(c))
            self.sampler = bc.LCA({first: 1.0}, method=any_method, use_distributions=True, seed_override=self.seed)
            self.sampler.load_lci_data()
        self.columns = {bg_id: static.dicts.activity[bg_id] for _i, bg_id in self.links}
        self.rows = {bg_id: static.dicts.product[bg_id] for _i, bg_id in self.links}
        self.static_a = static.technosphere_matrix.tocsc()
        self.static_b = static.biosphere_matrix.tocsr()
        self.solver = PreconditionedSolver(self.static_a, rtol=rtol)

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> BackgroundSampler:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def _h(self, a: Any, b: Any, solve) -> np.ndarray:
        h = np.zeros((len(CATEGORIES), len(self.nodes)))
        for node_index, bg_id in self.links:
            f = np.zeros(a.shape[0])
            f[self.rows[bg_id]] = 1.0
            g = b @ solve(a, f)
            for k, c in enumerate(self.c):
                h[k, node_index] = float(c @ g)
        return h

    def static_h(self) -> np.ndarray:
        return self._h(self.static_a, self.static_b, lambda _a, f: self.solver.solve_static(f))

    def sample(self) -> tuple[np.ndarray, Any, Any]:
        """One Brightway sample of the background: ``(H_s, A_s, B_s)``."""
        next(self.sampler.technosphere_mm)
        next(self.sampler.biosphere_mm)
        a = self.sampler.technosphere_mm.matrix.tocsc()
        b = self.sampler.biosphere_mm.matrix.tocsr()
        return self._h(a, b, self.solver.solve), a, b
