"""Compiled T_{N,m} kernels: output, ligand gradients, Hessian diagonal and the fused
descent pass.

:class:`AdaptiveKernels` is the :class:`~antagonism.theory.evaluation.Evaluator` of
:class:`~antagonism.derivations.AdaptiveProofreading`, backed by numba (a generated module
cached on disk; see :mod:`antagonism.numerics.codegen`) or, when numba is not installed or
``ANTAGONISM_DISABLE_NUMBA=1``, by numpy functions lambdified from the same derived
expressions.  All values are computed in the scaled log domain and stay finite for tau up to
1e6 and N up to 100; only ``output`` itself can overflow, when T does.

Importing this module registers :class:`AdaptiveKernels` as the evaluator of
AdaptiveProofreading (:func:`~.evaluator.register_evaluator`) and its fused pass as its
descent stepper (:func:`~.evaluator.descent_stepper`).
"""
from __future__ import annotations

import math
import os
import time

import numpy as np

from antagonism._core.errors import InputError
from antagonism.derivations import AdaptiveProofreading
from antagonism.theory.evaluation import Evaluator, Gradient, SteadyState, model_evaluator
from antagonism.theory.validation import check_ligands

from .. import codegen
from .evaluator import BACKENDS, descent_stepper, register_evaluator


def numba_available():
    if os.environ.get("ANTAGONISM_DISABLE_NUMBA") == "1":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


class _NumpyBackend:
    """Vectorised numpy versions of the generated kernels (the fallback), same signatures."""

    def __init__(self):
        import sympy as sp

        from antagonism.derivations import symbols as sy

        Li, u, pN, pm, sN, sm, rho = codegen.scaled_symbols()
        ex = codegen.kernel_expressions()
        args = (Li, u, pN, pm, sN, sm, sy.N, sy.m)
        self._grad = sp.lambdify(args, ex["grad_log"], "numpy")
        self._hess = sp.lambdify(args, ex["hess_over_T"], "numpy")
        self._gradL = sp.lambdify((u, pN, pm, sN, sm, sy.N, sy.m), ex["grad_L_log"], "numpy")
        self._log = sp.lambdify((rho, sp.Symbol("tau_c", positive=True), sN, sm, sy.N, sy.m),
                                ex["log_output"], "numpy")

    def scaled_sums(self, tau, L, inv_rho, N, m):
        u = tau * inv_rho
        return float(L @ u**N), float(L @ u**m)

    def log_output(self, rho, tau_c, sN, sm, N, m):
        return float(self._log(rho, tau_c, sN, sm, N, m))

    def grad_log(self, tau, L, inv_rho, sN, sm, out, N, m):
        u = tau * inv_rho
        out[:] = self._grad(L, u, u**N, u**m, sN, sm, N, m) * inv_rho

    def hess_over_T(self, tau, L, inv_rho, sN, sm, out, N, m):
        u = tau * inv_rho
        out[:] = self._hess(L, u, u**N, u**m, sN, sm, N, m) * inv_rho**2

    def grad_L_log(self, tau, L, inv_rho, sN, sm, out, N, m):
        u = tau * inv_rho
        out[:] = self._gradL(u, u**N, u**m, sN, sm, N, m)

    def init_powers(self, tau, inv_rho, P, Q, N, m):
        u = tau * inv_rho
        P[:], Q[:] = u**N, u**m

    def descent_pass(self, tau, L, P, Q, inv_rho, sN, sm, step, tau_c, lower, upper, N, m):
        u = tau * inv_rho
        g = self._grad(1.0, u, P, Q, sN, sm, N, m) * inv_rho
        new = np.where(tau < tau_c, np.clip(tau - step * g, lower, upper), tau)
        moved2 = float(np.sum((new - tau) ** 2))
        tau[:] = new
        self.init_powers(tau, inv_rho, P, Q, N, m)
        return float(L @ P), float(L @ Q), moved2


class AdaptiveKernels(Evaluator):
    """Compiled evaluation of T_{N,m} on a ligand set (tau_i in s, L_i molecules).

    Parameters
    ----------
    model : AdaptiveProofreading with numeric N, m, tau_c
    backend : {"auto", "numba", "numpy"}
    specialise : bool
        Bake the exponents into their own module (the default: fast per ligand, one compile
        per (N, m), cached on disk), or use the generic module (one compile for every
        (N, m); slower per ligand, handy for sweeps over many exponents).

    Attributes
    ----------
    N, m, tau_c : float
    backend : {"numba", "numpy"}
    specialised : bool
    source_path : pathlib.Path or None -- the generated module (numba backend)
    warm : bool -- the module came from the disk cache
    compile_seconds : float -- time spent deriving, generating and loading
    """

    def __init__(self, model, backend="auto", specialise=True):
        if not isinstance(model, AdaptiveProofreading):
            raise TypeError(f"AdaptiveKernels needs an AdaptiveProofreading model, got {model!r}")
        super().__init__(model)
        if backend not in BACKENDS:
            raise InputError(f"backend must be auto, numba or numpy, got {backend!r}")
        self.N, self.m = float(model.N), float(model.m)
        self.specialised = bool(specialise)
        start = time.perf_counter()
        if backend == "numba" or (backend == "auto" and numba_available()):
            exps = (self.N, self.m) if self.specialised else (None, None)
            self.source_path, self.warm = codegen.module_path(*exps)
            self._impl = codegen.import_module(self.source_path)
            self.backend = "numba"
        else:
            self.source_path, self.warm, self.specialised = None, False, False
            self._impl = _NumpyBackend()
            self.backend = "numpy"
        self._exps = (self.N, self.m)
        self.compile_seconds = time.perf_counter() - start

    def __repr__(self):
        return (f"AdaptiveKernels(N={self.N:g}, m={self.m:g}, tau_c={self.tau_c:g}, "
                f"backend={self.backend!r}, specialised={self.specialised})")

    # -- helpers ---------------------------------------------------------------------------
    def scale(self, tau, L):
        """rho = max(tau_c, max tau over ligands with L > 0): every u = tau/rho <= 1."""
        return max(self.tau_c, float(np.max(tau, where=L > 0, initial=0.0)))

    def _state(self, tau, L):
        tau, L = check_ligands(tau, L)
        r = self.scale(tau, L)
        sN_, sm_ = self._impl.scaled_sums(tau, L, 1.0 / r, *self._exps)
        return tau, L, r, sN_, sm_

    def warm_up(self):
        """Compile (or load from the disk cache) every kernel on a tiny input."""
        tau = np.array([1.0, 2.0]) * self.tau_c / 2
        L = np.array([1.0, 1.0])
        self.log_output(tau, L)
        self.grad_log_output(tau, L)
        self.hessian_diagonal(tau, L)
        self.grad_L(tau, L)
        stepper = descent_stepper(self, tau.copy(), L, 0.1, 1e-9, self.tau_c)
        stepper.step()
        return self

    # -- public evaluations -------------------------------------------------------------------
    def log_output(self, tau, L):
        """log T_{N,m}: finite whenever the inputs are."""
        tau, L, r, sN_, sm_ = self._state(tau, L)
        return float(self._impl.log_output(r, self.tau_c, sN_, sm_, *self._exps))

    def output(self, tau, L):
        """T_{N,m} = S_N/(tau_c^{N-m} S_m) (dimensionless); inf if T exceeds the float range."""
        with np.errstate(over="ignore"):
            return float(np.exp(self.log_output(tau, L)))

    def _per_ligand(self, kernel, tau, L):
        tau, L, r, sN_, sm_ = self._state(tau, L)
        out = np.empty_like(tau)
        getattr(self._impl, kernel)(tau, L, 1.0 / r, sN_, sm_, out, *self._exps)
        return out

    def grad_log_output(self, tau, L):
        """d log T / d tau_i (1/s) = (L_i/tau_i)(N tau_i^N/S_N - m tau_i^m/S_m)."""
        return self._per_ligand("grad_log", tau, L)

    def grad_output(self, tau, L):
        """d T / d tau_i (1/s), the derived ligand gradient."""
        return self.output(tau, L) * self.grad_log_output(tau, L)

    def grad_L(self, tau, L):
        """d T / d L_i (1/molecule)."""
        return self.output(tau, L) * self._per_ligand("grad_L_log", tau, L)

    def hessian_diagonal(self, tau, L, rel_step=None):
        """d^2 T / d tau_i^2 (1/s^2), from the derived Hessian (exact: ``rel_step``, the
        finite-difference step of other evaluators, is not used)."""
        return self.output(tau, L) * self._per_ligand("hess_over_T", tau, L)

    def steady_state(self, tau, L):
        """The :class:`~antagonism.theory.evaluation.SteadyState` of the ligands: T_{N,m}
        has no shared variables, so its output is all of it."""
        tau, L = check_ligands(tau, L)
        return SteadyState(tau=tau, L=L, output=self.output(tau, L), aggregates={},
                           shared={}, terms={})

    def gradient(self, tau, L):
        """The :class:`~antagonism.theory.evaluation.Gradient`: dT/dtau_i (1/s) and dT/dL_i
        (1/molecule) from the compiled kernels."""
        state = self.steady_state(tau, L)
        T = state.output
        return Gradient(tau=T * self._per_ligand("grad_log", state.tau, state.L),
                        L=T * self._per_ligand("grad_L_log", state.tau, state.L),
                        steady_state=state, coefficients={})

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau) of a dilute probe next to the background ligands, from the derived
        expressions (:func:`antagonism.theory.model_evaluator`)."""
        return model_evaluator(self.model).probe_gradient(tau_background, L_background)


class _FusedStepper:
    """The fused compiled descent pass (same steps as :class:`~.evaluator.GradientStepper`
    with scale 1; ``tau`` is moved in place).  State: the scale, the current scaled sums
    and, per ligand, the powers u^N and u^m of the current binding times (reused by the
    next pass)."""

    def __init__(self, kernels, tau, L, eps, lower, upper):
        tau, L = check_ligands(tau, L)
        self.k, self.tau, self.L = kernels, tau, L
        self.lower, self.upper = float(lower), float(upper)
        self.rho = kernels.scale(tau, L)
        self.inv_rho = 1.0 / self.rho
        self.P, self.Q = np.empty_like(tau), np.empty_like(tau)
        kernels._impl.init_powers(tau, self.inv_rho, self.P, self.Q, *kernels._exps)
        # the kernel, not ``L @ P``: a BLAS call leaves its worker threads spinning for
        # ~0.1 s, which halves the speed of the parallel passes that follow on 2 cores
        self.sN, self.sm = kernels._impl.scaled_sums(tau, L, self.inv_rho, *kernels._exps)
        self.eps_sum_L = float(eps) * float(L.sum())
        self.output = self._T()

    def _T(self):
        k = self.k
        return math.exp(k._impl.log_output(self.rho, k.tau_c, self.sN, self.sm, *k._exps))

    def step(self):
        k = self.k
        self.sN, self.sm, moved2 = k._impl.descent_pass(
            self.tau, self.L, self.P, self.Q, self.inv_rho, self.sN, self.sm,
            self.eps_sum_L * self.output, k.tau_c, self.lower, self.upper, *k._exps)
        self.output = self._T()
        return math.sqrt(moved2 / self.tau.size)


@register_evaluator(AdaptiveProofreading)
def _adaptive_evaluator(model, backend):
    return AdaptiveKernels(model, backend)


@descent_stepper.register(AdaptiveKernels)
def _fused_stepper(evaluator, tau, L, eps, lower, upper):
    return _FusedStepper(evaluator, tau, L, eps, lower, upper)
