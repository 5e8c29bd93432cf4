"""Monte Carlo on a large background without refactorising every sample.

Brightway's ``LCA(use_distributions=True)`` factorises the sampled
technosphere matrix for every iteration (~1.3 s for an ecoinvent-sized system
on two cores). Here the *static* matrix is factorised once, and each sampled
system ``A_s x = f`` is solved with GMRES preconditioned by that
factorisation: for moderate uncertainty ``A_0^-1 A_s`` is close to the
identity and a few iterations reach the tolerance (relative residual
``rtol``, default 1e-10, which keeps the score within 1e-8 of a direct solve;
tested). If GMRES does not converge the sample falls back to a direct solve
and is counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

__all__ = ["PreconditionedSolver", "sample_lognormal_matrix"]


@dataclass
class PreconditionedSolver:
    """Solve perturbed versions of one sparse system, reusing its factorisation."""

    matrix: sp.csc_matrix
    rtol: float = 1e-10
    maxiter: int = 200
    fallbacks: int = 0
    iterations: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.matrix = sp.csc_matrix(self.matrix)
        # factorise the transpose, as bw2calc does: for technosphere matrices the LU of A^T
        # has a small fraction of the fill of the LU of A (2.5 s vs 49 s at ecoinvent size)
        self._lu = spla.splu(sp.csc_matrix(self.matrix.T))
        n = self.matrix.shape[0]
        self._precond = spla.LinearOperator((n, n), matvec=self.solve_static)

    def solve_static(self, rhs: np.ndarray) -> np.ndarray:
        """``matrix^-1 rhs`` with the stored factorisation of the transpose."""
        return self._lu.solve(np.asarray(rhs, dtype=float), trans="T")

    def solve(self, sampled: sp.spmatrix, rhs: np.ndarray) -> np.ndarray:
        """``sampled^-1 rhs`` by preconditioned GMRES (direct solve if it does not converge)."""
        count = [0]

        def callback(_):
            count[0] += 1

        x0 = self.solve_static(rhs)
        x, info = spla.gmres(sampled, rhs, x0=x0, M=self._precond, rtol=self.rtol, atol=0.0, restart=50,
                             maxiter=self.maxiter, callback=callback, callback_type="pr_norm")
        self.iterations.append(count[0])
        if info != 0:
            self.fallbacks += 1
            return spla.spsolve(sp.csr_matrix(sampled), rhs)
        return x


def sample_lognormal_matrix(matrix: sp.csc_matrix, sigma: np.ndarray, rng: np.random.Generator,
                            fixed: np.ndarray | None = None) -> sp.csc_matrix:
    """A copy of ``matrix`` whose stored entries are multiplied by lognormal factors.

    ``sigma`` holds one geometric standard deviation (log scale) per stored
    entry; entries flagged in ``fixed`` (e.g. the diagonal of production
    amounts) are not sampled.
    """
    factors = np.exp(rng.normal(0.0, 1.0, matrix.nnz) * sigma)
    if fixed is not None:
        factors[fixed] = 1.0
    out = matrix.copy()
    out.data = out.data * factors
    return out
