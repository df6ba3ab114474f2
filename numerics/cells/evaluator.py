"""The numeric interface the numerics use for any cell model, and how it is chosen.

``cell_evaluator(model)`` returns a :class:`CellEvaluator`: output, exact ligand gradients,
the Hessian diagonal and a descent stepper on a ligand set (tau in s, L in molecules).
T_{N,m} gets compiled kernels (:mod:`.kernels`); every other model gets the theory's
evaluator of its derived expressions (:func:`antagonism.theory.model_evaluator`).  A user
can register a faster evaluator for their own model class with
``@register_evaluator(MyModel)`` on a function ``(model, backend) -> CellEvaluator``
(``functools.singledispatch``).
"""
from __future__ import annotations

import math
from functools import lru_cache, singledispatch

import numpy as np

from antagonism._core.errors import InputError
from antagonism.theory.validation import check_ligands


class CellEvaluator:
    """Numeric output and gradients of one model (base class; subclasses implement
    ``output``, ``grad_output`` and ``grad_L``).

    Attributes
    ----------
    model : CellModel
    tau_c : float -- threshold binding time (s)
    threshold : float or None -- absolute decision threshold of the output, if the model has one
    """

    def __init__(self, model):
        if not model.is_numeric():
            raise InputError(f"{model!r} has symbolic parameters; numerics need numbers")
        self.model = model
        self.tau_c = float(model.tau_c)
        self.threshold = None if model.threshold is None else float(model.threshold)

    def __repr__(self):
        return f"{type(self).__name__}({self.model!r})"

    def output(self, tau, L):
        raise NotImplementedError

    def grad_output(self, tau, L):
        """dF/dtau_i (output units per s)."""
        raise NotImplementedError

    def grad_L(self, tau, L):
        """dF/dL_i (output units per molecule)."""
        raise NotImplementedError

    def log_output(self, tau, L):
        return math.log(self.output(tau, L))

    def grad_log_output(self, tau, L):
        """d log F / d tau_i (1/s)."""
        return self.grad_output(tau, L) / self.output(tau, L)

    def hessian_diagonal(self, tau, L, rel_step=1e-5):
        """d^2 F / d tau_i^2 by central differences of the exact gradient (1/s^2)."""
        tau, L = check_ligands(tau, L)
        out = np.empty_like(tau)
        for i in range(tau.size):
            h = rel_step * tau[i]
            up, down = tau.copy(), tau.copy()
            up[i] += h
            down[i] -= h
            out[i] = (self.grad_output(up, L)[i] - self.grad_output(down, L)[i]) / (2 * h)
        return out

    def descent_stepper(self, tau, L, eps, lower, upper):
        """A stepper for the exact descent (see :class:`GradientStepper`); ``tau`` is moved
        in place."""
        return GradientStepper(self, tau, L, eps, lower, upper)


class GradientStepper:
    """One exact descent step at a time: every ligand with tau_i < tau_c moves by

        tau_i <- clip(tau_i - eps (sum L / L_i) dF/dtau_i / scale, lower, upper),

    the intensive gradient (the same for every ligand at the same tau, whatever the
    ensemble size), with scale the model's threshold (1 for T_{N,m}) or, without one, the
    initial output.  Attributes: ``tau`` (moved in place), ``output`` (current F)."""

    def __init__(self, evaluator, tau, L, eps, lower, upper):
        self.evaluator, self.tau, self.L = evaluator, tau, L
        self.eps, self.lower, self.upper = eps, lower, upper
        self.movable = (tau < evaluator.tau_c) & (L > 0)
        self.output = evaluator.output(tau, L)
        self.scale = evaluator.threshold or self.output
        self.sum_L = float(L.sum())

    def step(self):
        """Move the ligands once; returns the root-mean-square displacement."""
        g = self.evaluator.grad_output(self.tau, self.L)
        per_molecule = np.divide(g, self.L, out=np.zeros_like(g), where=self.L > 0)
        new = np.clip(self.tau - self.eps * self.sum_L * per_molecule / self.scale,
                      self.lower, self.upper)
        new = np.where(self.movable, new, self.tau)
        moved = float(np.sqrt(np.mean((new - self.tau) ** 2)))
        self.tau[:] = new
        self.output = self.evaluator.output(self.tau, self.L)
        return moved


class TheoryEvaluator(CellEvaluator):
    """Any model through :func:`antagonism.theory.model_evaluator` (numpy; exact gradients
    by the implicit-function theorem for sum forms, O(n^2) for explicit outputs)."""

    def __init__(self, model):
        from antagonism.theory import model_evaluator

        super().__init__(model)
        self.impl = model_evaluator(model)

    def output(self, tau, L):
        return self.impl.output(tau, L)

    def grad_output(self, tau, L):
        return self.impl.gradient(tau, L).tau

    def grad_L(self, tau, L):
        return self.impl.gradient(tau, L).L

    def steady_state(self, tau, L):
        return self.impl.steady_state(tau, L)


@singledispatch
def _evaluator_for(model, backend):
    return TheoryEvaluator(model)


@lru_cache(maxsize=64)
def cell_evaluator(model, backend="auto"):
    """The numeric evaluator of ``model`` (cached per model): compiled kernels for T_{N,m}
    (``backend`` "auto", "numba" or "numpy"), the theory's evaluator otherwise."""
    from . import kernels  # noqa: F401  (registers the compiled T_{N,m} evaluator)

    if backend not in ("auto", "numba", "numpy"):
        raise InputError(f"backend must be auto, numba or numpy, got {backend!r}")
    return _evaluator_for(model, backend)


register_evaluator = _evaluator_for.register


def relative_threshold(evaluator, tau, L, movable):
    """The output level that counts as switched off: the model's threshold, or, for models
    without one, half the output of the ligands that do not move (the agonists alone)."""
    if evaluator.threshold is not None:
        return evaluator.threshold
    fixed = ~np.asarray(movable, bool)
    if not np.any(fixed & (np.asarray(L) > 0)):
        raise InputError("the model has no absolute threshold and every ligand may move: "
                         "give a threshold explicitly")
    return 0.5 * evaluator.output(np.asarray(tau)[fixed], np.asarray(L)[fixed])
