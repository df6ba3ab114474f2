"""Compiled T_{N,m} kernels: output, ligand gradients, Hessian diagonal and the fused descent.

``adaptive_kernels(N, m)`` returns an :class:`AdaptiveKernels` backed by numba (generated
module, cached on disk; see :mod:`antagonism.numerics.codegen`) or, when numba is not
installed or ``ANTAGONISM_DISABLE_NUMBA=1``, by numpy functions lambdified from the same
derived expressions.  All values are computed in the scaled log domain and stay finite for
tau up to 1e6 and N up to 100; only ``output`` itself can overflow, when T does.
"""
from __future__ import annotations

import math
import os
import time
from functools import lru_cache

import numpy as np

from antagonism.theory.validation import check_array, check_exponents, check_positive_scalar

from . import codegen


def numba_available():
    if os.environ.get("ANTAGONISM_DISABLE_NUMBA") == "1":
        return False
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def check_ligands(tau, L):
    """Validate a ligand set: positive finite tau, non-negative finite L, same length."""
    tau = check_array(tau, "tau", positive=True)
    L = check_array(L, "L", nonnegative=True)
    if tau.shape != L.shape or tau.ndim != 1:
        raise ValueError(f"tau and L must be 1-D arrays of equal length, got {tau.shape} "
                         f"and {L.shape}")
    if not np.any(L > 0):
        raise ValueError("L must have at least one positive entry")
    return np.ascontiguousarray(tau), np.ascontiguousarray(L)


class _NumpyBackend:
    """Vectorised numpy versions of the generated kernels (the fallback)."""

    def __init__(self, N, m):
        import sympy as sp

        Li, u, pN, pm, sN, sm, rho = codegen.scaled_symbols()
        ex = codegen.kernel_expressions(float(N), float(m))
        args = (Li, u, pN, pm, sN, sm)
        self.N, self.m = float(N), float(m)
        self._grad = sp.lambdify(args, ex["grad_log"], "numpy")
        self._hess = sp.lambdify(args, ex["hess_over_T"], "numpy")
        self._gradL = sp.lambdify((u, pN, pm, sN, sm), ex["grad_L_log"], "numpy")
        self._log = sp.lambdify((rho, sp.Symbol("tau_c", positive=True), sN, sm),
                                ex["log_output"], "numpy")

    def powers(self, x):
        return x**self.N, x**self.m

    def scaled_sums(self, tau, L, inv_rho):
        pN_, pm_ = self.powers(tau * inv_rho)
        return float(L @ pN_), float(L @ pm_)

    def log_output(self, rho_, tau_c, sN_, sm_):
        return float(self._log(rho_, tau_c, sN_, sm_))

    def grad_log(self, tau, L, inv_rho, sN_, sm_, out):
        x = tau * inv_rho
        out[:] = self._grad(L, x, *self.powers(x), sN_, sm_) * inv_rho

    def hess_over_T(self, tau, L, inv_rho, sN_, sm_, out):
        x = tau * inv_rho
        out[:] = self._hess(L, x, *self.powers(x), sN_, sm_) * inv_rho**2

    def grad_L_log(self, tau, L, inv_rho, sN_, sm_, out):
        x = tau * inv_rho
        out[:] = self._gradL(x, *self.powers(x), sN_, sm_)

    def descent_pass(self, tau, L, inv_rho, sN_, sm_, step, tau_c, lower, upper):
        x = tau * inv_rho
        g = self._grad(1.0, x, *self.powers(x), sN_, sm_) * inv_rho
        new = np.where(tau < tau_c, np.clip(tau - step * g, lower, upper), tau)
        moved = float(np.sqrt(np.mean((new - tau) ** 2)))
        tau[:] = new
        s = self.scaled_sums(tau, L, inv_rho)
        return s[0], s[1], moved

    def descend(self, tau, L, inv_rho, rho_, tau_c, eps, sum_L, lower, upper, max_iter, ftol,
                T_hist, move_hist):
        sN_, sm_ = self.scaled_sums(tau, L, inv_rho)
        T = math.exp(self.log_output(rho_, tau_c, sN_, sm_))
        T_hist[0] = T
        for it in range(max_iter):
            if T < 1.0:
                return it, 0
            sN_, sm_, moved = self.descent_pass(tau, L, inv_rho, sN_, sm_, eps * sum_L * T,
                                                tau_c, lower, upper)
            T_new = math.exp(self.log_output(rho_, tau_c, sN_, sm_))
            T_hist[it + 1], move_hist[it] = T_new, moved
            if abs(T_new - T) <= ftol * T_new:
                return it + 1, (1 if T_new >= 1.0 else 0)
            T = T_new
        return max_iter, (0 if T < 1.0 else 2)


class AdaptiveKernels:
    """Compiled evaluation of T_{N,m} on a ligand set (tau_i in s, L_i molecules).

    Attributes
    ----------
    N, m : float
    backend : {"numba", "numpy"}
    source_path : pathlib.Path or None -- the generated module (numba backend)
    compile_seconds : float -- time spent deriving, generating and loading
    """

    def __init__(self, N, m, backend="auto"):
        self.N, self.m = check_exponents(float(N), float(m))
        start = time.perf_counter()
        use_numba = backend == "numba" or (backend == "auto" and numba_available())
        if backend not in ("auto", "numba", "numpy"):
            raise ValueError(f"backend must be auto, numba or numpy, got {backend!r}")
        if use_numba:
            path = codegen.cached_module_path(self.N, self.m)
            self.warm = path is not None
            self.source_path = path or codegen.generate_module(self.N, self.m)
            self._impl = codegen.import_module(self.source_path)
            self.backend = "numba"
        else:
            self.source_path, self.warm = None, False
            self._impl = _NumpyBackend(self.N, self.m)
            self.backend = "numpy"
        self.compile_seconds = time.perf_counter() - start

    def __repr__(self):
        return f"AdaptiveKernels(N={self.N:g}, m={self.m:g}, backend={self.backend!r})"

    # -- helpers ---------------------------------------------------------------------------
    @staticmethod
    def scale(tau, L, tau_c):
        """rho = max(tau_c, max tau over ligands with L > 0): every u = tau/rho <= 1."""
        return max(float(tau_c), float(np.max(tau[L > 0])))

    def _state(self, tau, L, tau_c):
        tau, L = check_ligands(tau, L)
        tau_c = check_positive_scalar(tau_c, "tau_c")
        r = self.scale(tau, L, tau_c)
        sN_, sm_ = self._impl.scaled_sums(tau, L, 1.0 / r)
        return tau, L, tau_c, r, sN_, sm_

    def warm_up(self):
        """Compile (or load from the disk cache) every kernel on a tiny input."""
        tau = np.array([1.0, 2.0])
        L = np.array([1.0, 1.0])
        self.log_output(tau, L, 1.0)
        self.grad_log_output(tau, L, 1.0)
        self.hessian_diagonal(tau, L, 1.0)
        self.grad_L(tau, L, 1.0)
        self.descend(tau.copy(), L, 1.0, eps=0.1, max_iter=1)
        return self

    # -- public evaluations -------------------------------------------------------------------
    def log_output(self, tau, L, tau_c):
        """log T_{N,m}: finite whenever the inputs are."""
        tau, L, tau_c, r, sN_, sm_ = self._state(tau, L, tau_c)
        return float(self._impl.log_output(r, tau_c, sN_, sm_))

    def output(self, tau, L, tau_c):
        """T_{N,m} = S_N/(tau_c^{N-m} S_m) (dimensionless); inf if T exceeds the float range."""
        with np.errstate(over="ignore"):
            return float(np.exp(self.log_output(tau, L, tau_c)))

    def grad_log_output(self, tau, L, tau_c):
        """d log T / d tau_i (1/s) = (L_i/tau_i)(N tau_i^N/S_N - m tau_i^m/S_m)."""
        tau, L, tau_c, r, sN_, sm_ = self._state(tau, L, tau_c)
        out = np.empty_like(tau)
        self._impl.grad_log(tau, L, 1.0 / r, sN_, sm_, out)
        return out

    def grad_output(self, tau, L, tau_c):
        """d T / d tau_i (1/s), the derived ligand gradient."""
        return self.output(tau, L, tau_c) * self.grad_log_output(tau, L, tau_c)

    def grad_L(self, tau, L, tau_c):
        """d T / d L_i (1/molecule)."""
        tau, L, tau_c, r, sN_, sm_ = self._state(tau, L, tau_c)
        out = np.empty_like(tau)
        self._impl.grad_L_log(tau, L, 1.0 / r, sN_, sm_, out)
        return self.output(tau, L, tau_c) * out

    def hessian_diagonal(self, tau, L, tau_c):
        """d^2 T / d tau_i^2 (1/s^2), from the derived Hessian."""
        tau, L, tau_c, r, sN_, sm_ = self._state(tau, L, tau_c)
        out = np.empty_like(tau)
        self._impl.hess_over_T(tau, L, 1.0 / r, sN_, sm_, out)
        return self.output(tau, L, tau_c) * out

    def descend(self, tau, L, tau_c, eps=0.2, max_iter=1000, ftol=1e-10, lower=None,
                upper=None):
        """Exact descent in place on ``tau`` (see :func:`antagonism.numerics.descent`).

        Returns (iterations, status, T_history, rms_move_history).
        """
        tau_c = check_positive_scalar(tau_c, "tau_c")
        r = self.scale(tau, L, tau_c)
        lower = 1e-9 * tau_c if lower is None else float(lower)
        upper = tau_c * (1 - 1e-12) if upper is None else float(upper)
        T_hist = np.full(max_iter + 1, np.nan)
        move_hist = np.full(max_iter, np.nan)
        it, status = self._impl.descend(tau, L, 1.0 / r, r, tau_c, float(eps), float(L.sum()),
                                        lower, upper, int(max_iter), float(ftol), T_hist,
                                        move_hist)
        return int(it), int(status), T_hist[:it + 1], move_hist[:it]


@lru_cache(maxsize=64)
def adaptive_kernels(N, m, backend="auto"):
    """Kernels for T_{N,m}, generated and compiled once per process (and cached on disk)."""
    return AdaptiveKernels(N, m, backend)
