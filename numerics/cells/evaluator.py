"""The evaluator of any cell model for the numerics, and the exact descent step.

``cell_evaluator(model)`` returns an :class:`antagonism.theory.evaluation.Evaluator` (the
one numeric interface: ``output``, ``gradient``, ``grad_output``, ``grad_L``,
``log_output``, ``grad_log_output``, ``hessian_diagonal`` on a ligand set, tau in s, L in
molecules): the compiled kernels for T_{N,m} (:class:`~.kernels.AdaptiveKernels`, which
registers itself in :mod:`.kernels`; the package imports that module), the theory's
evaluator of its derived expressions (:func:`antagonism.theory.model_evaluator`) for every
other model.  A user can register a faster evaluator for their own model class with
``@register_evaluator(MyModel)`` on a function ``(model, backend) -> Evaluator``
(``functools.singledispatch``).

:func:`descent_stepper` makes the stepper of the exact descent for an evaluator: the
generic :class:`GradientStepper`, or a faster one registered for the evaluator's class
(the compiled kernels register their fused pass).
"""
from __future__ import annotations

from functools import lru_cache, singledispatch

import numpy as np

from antagonism._core.errors import InputError
from antagonism.theory.evaluation import model_evaluator

BACKENDS = ("auto", "numba", "numpy")


@singledispatch
def _evaluator_for(model, backend):
    return model_evaluator(model)


register_evaluator = _evaluator_for.register


@lru_cache(maxsize=64)
def cell_evaluator(model, backend="auto"):
    """The numeric evaluator of ``model`` (cached per model): compiled kernels for T_{N,m}
    (``backend`` "auto", "numba" or "numpy"), the theory's evaluator otherwise.

    Returns an :class:`antagonism.theory.evaluation.Evaluator`."""
    if backend not in BACKENDS:
        raise InputError(f"backend must be auto, numba or numpy, got {backend!r}")
    return _evaluator_for(model, backend)


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


@singledispatch
def descent_stepper(evaluator, tau, L, eps, lower, upper):
    """A stepper for the exact descent of ``evaluator``'s model (``step()`` moves ``tau``
    in place and returns the rms move; ``output`` is the current F): the generic
    :class:`GradientStepper`, or the one registered for the evaluator's class
    (``@descent_stepper.register(MyEvaluator)``).

    Parameters
    ----------
    evaluator : Evaluator
    tau, L : ndarray -- binding times (s; moved in place) and quantities (molecules)
    eps : float -- step size; lower, upper : float -- the bounds of tau (s)
    """
    return GradientStepper(evaluator, tau, L, eps, lower, upper)


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
