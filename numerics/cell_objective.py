"""A T cell as an attack objective: the margin loss -log T, success when T < 1.

The attacked variable x is a batch of ligand vectors: binding times (``variable="tau"``),
quantities (``"L"``) or both concatenated (``"both"``, x = [tau, L]).  Maximising -log T
pushes a responding cell below threshold.
"""
from __future__ import annotations

import numpy as np

from .kernels import adaptive_kernels, check_ligands


class CellObjective:
    """Objective for :mod:`antagonism.numerics.attacks` on T_{N,m}.

    Parameters
    ----------
    tau, L : array_like -- the ligand set (the fixed part when only one of them is attacked)
    N, m, tau_c : float
    variable : {"tau", "L", "both"}
    """

    def __init__(self, tau, L, N, m, tau_c=3.0, variable="tau", backend="auto"):
        self.tau, self.L = check_ligands(tau, L)
        self.tau_c = float(tau_c)
        if variable not in ("tau", "L", "both"):
            raise ValueError(f"variable must be 'tau', 'L' or 'both', got {variable!r}")
        self.variable = variable
        self.kernels = adaptive_kernels(float(N), float(m), backend)

    def x0(self):
        """The unattacked input, shape (1, n) or (1, 2n)."""
        x = {"tau": self.tau, "L": self.L, "both": np.concatenate([self.tau, self.L])}
        return x[self.variable][None, :].copy()

    def _split(self, row):
        n = self.tau.size
        if self.variable == "tau":
            return row, self.L
        if self.variable == "L":
            return self.tau, row
        return row[:n], row[n:]

    def log_output(self, x):
        return np.array([self.kernels.log_output(*self._split(r), self.tau_c)
                         for r in np.atleast_2d(x)])

    def loss_and_grad(self, x):
        x = np.atleast_2d(x)
        losses, grads = np.empty(x.shape[0]), np.empty_like(x)
        for b, row in enumerate(x):
            tau, L = self._split(row)
            losses[b] = -self.kernels.log_output(tau, L, self.tau_c)
            T = np.exp(-losses[b])
            g_tau = -self.kernels.grad_log_output(tau, L, self.tau_c)
            g_L = -self.kernels.grad_L(tau, L, self.tau_c) / T if self.variable != "tau" else None
            grads[b] = {"tau": g_tau, "L": g_L,
                        "both": None if g_L is None else np.concatenate([g_tau, g_L])
                        }[self.variable]
        return losses, grads

    def success(self, x):
        return self.log_output(x) < 0.0


class SHP1CellObjective:
    """Objective for the SHP-1 model: x = binding times of the ligand types (shape (1, K)),
    loss -log(output), success when the output falls below ``threshold`` (default: half the
    response to the ligands that are not allowed to move, i.e. the agonists alone)."""

    def __init__(self, tau, L, movable, threshold=None, **params):
        from .shp1 import SHP1Model

        self.tau = np.asarray(tau, float)
        self.L = np.asarray(L, float)
        self.movable = np.asarray(movable, bool)
        self.model = SHP1Model(**params)
        if threshold is None:
            fixed = ~self.movable
            threshold = 0.5 * self.model.output(self.tau[fixed], self.L[fixed])
        self.threshold = float(threshold)

    def x0(self):
        return self.tau[None, :].copy()

    def loss(self, x):
        return np.array([-np.log(self.model.output(row, self.L)) for row in np.atleast_2d(x)])

    def loss_and_grad(self, x):
        x = np.atleast_2d(x)
        losses, grads = np.empty(len(x)), np.empty_like(x)
        for b, row in enumerate(x):
            g = self.model.gradient(row, self.L)
            out = g.steady_state.output
            losses[b], grads[b] = -np.log(out), -g.tau / out
        return losses, grads

    def success(self, x):
        return np.array([self.model.output(row, self.L) < self.threshold
                         for row in np.atleast_2d(x)])
