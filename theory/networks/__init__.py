"""The numeric engine of reaction networks: steady states, outputs and sensitivities of a
network read from a model file: the state reached from rest, polished by Newton's method on
the compiled residual.

Modules
-------
:mod:`.system`
    the network as numbers: the reduced residual F(z; tau, L, p, T) = 0 of K ligand types
    (conservation laws eliminated) and its analytic Jacobian blocks.
:mod:`.solve`
    the solvers on a system: Newton with scaled rows, continuation in dose and binding time,
    pseudo-transient steps.
:mod:`.attractor`
    the state a resting cell reaches when the ligand is added: the reduced ODE integrated
    by scipy's BDF, polished by Newton; the stability of a steady state.
:mod:`.absorbing`
    absorbing end states: the state on the face of species that vanish without an
    exponential rate, found where the trajectory from rest settles nowhere.
:mod:`.branches`
    every steady state found at a point, with its stability; branches continued up and
    down a scan.
:mod:`.multistability`
    verdicts on multistable networks (the closed form checked against the state from rest;
    the steady states at the agonists and the tested mixture).
:mod:`.engine`
    :class:`~.engine.NetworkEvaluator`, the :class:`~antagonism.theory.evaluator.Evaluator` of
    a network: steady states, outputs, gradients and parameter sensitivities.
:mod:`.store`
    model files read once and stored as plain data under a key of everything that
    determines them (:func:`~.store.load_model_cached`).
"""
from .engine import NetworkEvaluator
from .store import load_model_cached

__all__ = ["NetworkEvaluator", "load_model_cached"]
