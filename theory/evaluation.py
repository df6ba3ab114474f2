"""Numeric evaluation of any cell model on a ligand set, from its derived expressions.

``model_evaluator(model)`` returns an :class:`~.evaluator.Evaluator`:

- a :class:`~.sum_form_evaluator.SumFormEvaluator` when the model gives a sum form (exact
  gradients by the implicit-function theorem, O(n) in the number n of ligand types);
- an :class:`~.explicit_evaluator.ExplicitEvaluator` otherwise (the output of n explicit
  ligand types, lambdified per n; O(n^2) per gradient);
- a :class:`~.networks.engine.NetworkEvaluator` for a reaction network too large for the
  symbolic derivation to finish within seconds (``NetworkModel.derivation_method()`` is
  "numeric"): the steady-state equations solved numerically, with exact sensitivities by
  the implicit-function theorem; also for a smaller network whose closed-form root at its
  reference agonists is not the state reached from rest, or fails there
  (:func:`~.networks.multistability.closed_form_is_from_rest`).

:func:`evaluator_method` says which: "symbolic" (derived expressions) or "numeric".

Binding times are in s, quantities in molecules; gradients are per s and per molecule.
"""
from __future__ import annotations

from functools import lru_cache

from .evaluator import Evaluator, Gradient, SteadyState
from .explicit_evaluator import ExplicitEvaluator
from .networks.engine import NetworkEvaluator
from .sum_form_evaluator import SumFormEvaluator

__all__ = ["Evaluator", "ExplicitEvaluator", "Gradient", "NetworkEvaluator", "SteadyState",
           "SumFormEvaluator", "evaluator_method", "model_evaluator"]


@lru_cache(maxsize=64)
def model_evaluator(model):
    """The numpy evaluator of ``model`` (cached per model): sum form when it has one.

    Parameters
    ----------
    model : CellModel with numeric parameters

    Returns
    -------
    Evaluator -- ``output(tau, L)``, ``steady_state``, ``gradient`` (dF/dtau_i per s,
    dF/dL_i per molecule), ``grad_output``, ``grad_L``, ``hessian_diagonal``,
    ``probe_gradient`` for binding times tau_i (s) and quantities L_i (molecules).

    Examples
    --------
    T_{5,3} = S_5 / (tau_c^2 S_3) with S_k = sum_i L_i tau_i^k is 1 at tau = tau_c:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> ev = model_evaluator(AdaptiveProofreading(5, 3, tau_c=3))
    >>> round(ev.output([3.0], [10.0]), 12)
    1.0
    >>> [round(float(g), 4) for g in ev.grad_output([3.0, 1.0], [1.0, 1.0])]  # antagonism
    [0.6735, -0.0839]
    """
    if getattr(model, "derivation_method", lambda: "symbolic")() == "numeric":
        return NetworkEvaluator(model)
    if getattr(model, "network", None) is not None:
        # the closed form's root must be the state a resting cell reaches
        from .networks.multistability import closed_form_is_from_rest

        agrees, why = closed_form_is_from_rest(model)
        if not agrees:
            model.use_numeric_engine(why)
            return NetworkEvaluator(model)
    if model.sum_form() is not None:
        return SumFormEvaluator(model)
    return ExplicitEvaluator(model)


def evaluator_method(evaluator):
    """"numeric" for an evaluator that solves the steady state numerically (a large
    reaction network), "symbolic" for one that evaluates derived expressions."""
    return getattr(evaluator, "method", "symbolic")
