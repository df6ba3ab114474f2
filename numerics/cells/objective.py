"""A T cell as an attack objective: the margin loss log(threshold / F), success when the
output F falls below the threshold.

The attacked variable x is a batch of ligand vectors: binding times (``variable="tau"``),
quantities (``"L"``) or both concatenated (``"both"``, x = [tau, L]).  Maximising the loss
pushes a responding cell below threshold.  For T_{N,m} the threshold is 1 and the loss is
-log T.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism.theory.validation import check_ligands

from .evaluator import cell_evaluator, relative_threshold

VARIABLES = ("tau", "L", "both")


class CellObjective:
    """Objective for :mod:`antagonism.numerics.attacks` on any cell model.

    Parameters
    ----------
    model : CellModel with numeric parameters
    tau, L : array_like -- the ligand set (the fixed part when only one of them is attacked)
    variable : {"tau", "L", "both"}
    threshold : float, optional -- default: the model's threshold or, for models without
        one, half the output of the ligands at or above tau_c (the agonists alone)
    backend : passed to :func:`~.evaluator.cell_evaluator`
    """

    def __init__(self, model, tau, L, variable="tau", threshold=None, backend="auto"):
        self.tau, self.L = check_ligands(tau, L)
        if variable not in VARIABLES:
            raise InputError(f"variable must be 'tau', 'L' or 'both', got {variable!r}")
        self.variable = variable
        self.evaluator = cell_evaluator(model, backend)
        self.model = model
        if threshold is None:
            threshold = relative_threshold(self.evaluator, self.tau, self.L,
                                           self.tau < self.evaluator.tau_c)
        self.threshold = float(threshold)
        self.log_threshold = float(np.log(self.threshold))

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
        return np.array([self.evaluator.log_output(*self._split(r)) for r in np.atleast_2d(x)])

    def loss(self, x):
        """log(threshold) - log F per sample: positive once the cell is switched off."""
        return self.log_threshold - self.log_output(x)

    def loss_and_grad(self, x):
        x = np.atleast_2d(x)
        losses, grads = np.empty(x.shape[0]), np.empty_like(x)
        ev = self.evaluator
        for b, row in enumerate(x):
            tau, L = self._split(row)
            losses[b] = self.log_threshold - ev.log_output(tau, L)
            g_tau = -ev.grad_log_output(tau, L) if self.variable != "L" else None
            g_L = (-ev.grad_L(tau, L) / ev.output(tau, L) if self.variable != "tau" else None)
            grads[b] = {"tau": g_tau, "L": g_L,
                        "both": None if g_L is None or g_tau is None
                        else np.concatenate([g_tau, g_L])}[self.variable]
        return losses, grads

    def success(self, x):
        return self.loss(x) > 0.0
