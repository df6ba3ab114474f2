"""Numeric evaluation of the closed forms derived in `antagonism.derivations`.

Each function derives its expression once per (N, m) with sympy (cached) and evaluates it
with numpy through ``sympy.lambdify``.  Nothing here is typed in by hand.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from antagonism import derivations as dv
from antagonism.derivations import symbols as sy
from antagonism.derivations._validate import exact_number as _exact

from .validation import check_array, check_exponents, check_positive_scalar


@lru_cache(maxsize=256)
def _critical_lambdas(N, m):
    model = dv.AdaptiveProofreading(_exact(N), _exact(m))
    star = dv.critical_binding_time(model).expr
    infl = dv.inflection_binding_time(model).expr
    as_fn = (lambda e: None if e is None else sp.lambdify((sy.tau_c, sy.T), e, "numpy"))
    return as_fn(star), as_fn(infl)


def critical_binding_time(N, m, tau_c=1.0, T=1.0):
    """Strongest antagonist tau* = tau_c (m T / N)^{1/(N-m)} (seconds, same unit as tau_c).

    The root of dT/dtau_j for a ligand in a mixture with output T; on the decision boundary
    T = 1.  Returns None for m = 0, where there is no interior critical point.
    """
    N, m = check_exponents(N, m)
    tau_c = check_positive_scalar(tau_c, "tau_c")
    T = check_positive_scalar(T, "T")
    f, _ = _critical_lambdas(N, m)
    return None if f is None else float(f(tau_c, T))


def inflection_binding_time(N, m, tau_c=1.0, T=1.0):
    """Extremum of the gradient, tau_infl = tau_c [m(m-1)T/(N(N-1))]^{1/(N-m)} (seconds).

    Exists (in (0, tau*)) iff m > 1; returns None otherwise.
    """
    N, m = check_exponents(N, m)
    tau_c = check_positive_scalar(tau_c, "tau_c")
    T = check_positive_scalar(T, "T")
    _, f = _critical_lambdas(N, m)
    return None if f is None else float(f(tau_c, T))


@lru_cache(maxsize=256)
def _boundary_lambdas(N, m):
    model = dv.AdaptiveProofreading(_exact(N), _exact(m))
    taus, Ls = sy.ligand_symbols(2)
    w = sp.lambdify((sy.tau, sy.tau_c), dv.linear_weight(model).expr, "numpy")
    Lstar = sp.lambdify((taus[0], Ls[0], taus[1], sy.tau_c), dv.decision_boundary(model).expr,
                        "numpy")
    fc = sp.lambdify((taus[0], Ls[0], taus[1], Ls[1]), dv.fold_change(model).expr, "numpy")
    out, t, Ls = model.mixture_output(2)
    T2 = sp.lambdify((t[0], Ls[0], t[1], Ls[1], sy.tau_c), out, "numpy")
    return w, Lstar, fc, T2


def linear_weight(tau, N, m, tau_c=1.0):
    """w(tau) = tau^N - tau_c^{N-m} tau^m (s^N): T > 1 iff sum_i L_i w(tau_i) > 0."""
    N, m = check_exponents(N, m)
    tau = check_array(tau, "tau", positive=True)
    return _boundary_lambdas(N, m)[0](tau, check_positive_scalar(tau_c, "tau_c"))


def decision_boundary(tau_1, L_1, tau_2, N, m, tau_c=1.0):
    """Antagonist quantity on the boundary, L_2* = L_1 w(tau_1)/(-w(tau_2)) (molecules).

    Meaningful for an agonist tau_1 > tau_c and an antagonist tau_2 < tau_c.
    """
    N, m = check_exponents(N, m)
    tau_1 = check_array(tau_1, "tau_1", positive=True)
    tau_2 = check_array(tau_2, "tau_2", positive=True)
    L_1 = check_array(L_1, "L_1", nonnegative=True)
    return _boundary_lambdas(N, m)[1](tau_1, L_1, tau_2, check_positive_scalar(tau_c, "tau_c"))


def fold_change(tau_1, L_1, tau_2, L_2, N, m):
    """FC = T(agonist + antagonist)/T(agonist) for two ligand types (dimensionless).

    FC = 1 - [L_2 tau_2^m / (L_1 tau_1^m + L_2 tau_2^m)] [1 - (tau_2/tau_1)^{N-m}].
    """
    N, m = check_exponents(N, m)
    args = [check_array(tau_1, "tau_1", positive=True), check_array(L_1, "L_1", positive=True),
            check_array(tau_2, "tau_2", positive=True), check_array(L_2, "L_2", nonnegative=True)]
    return _boundary_lambdas(N, m)[2](*args)


def adaptive_output(tau_1, L_1, tau_2, L_2, N, m, tau_c=1.0):
    """T_{N,m} of a two-type mixture, lambdified from the model's expression."""
    N, m = check_exponents(N, m)
    args = [check_array(tau_1, "tau_1", positive=True), check_array(L_1, "L_1", nonnegative=True),
            check_array(tau_2, "tau_2", positive=True), check_array(L_2, "L_2", nonnegative=True)]
    return _boundary_lambdas(N, m)[3](*args, check_positive_scalar(tau_c, "tau_c"))
