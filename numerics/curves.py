"""Antagonism curves: T(tau_2) and FC(tau_2) of an agonist + antagonist mixture.

The SCIENCE.md section 4 set-up: R ligands, agonists L_1 = 0.4 R at tau_1 = tau_c, and
L_2 = 0.6 R at tau_2 in (0, tau_c).  The minimum of T(tau_2) is the strongest antagonist;
the inflection below it (root of d^2T/dtau_2^2 in (0, tau_min)) is the critical point of
the gradient.  Both are located with bracketed solvers on the compiled kernels.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from antagonism.theory.result import Result
from antagonism.theory.validation import check_positive_scalar

from .kernels import adaptive_kernels


class PotentialResult(Result):
    """An antagonism curve.

    Keys
    ----
    tau2, T, fc : ndarray -- grid of antagonist binding times, output and fold change
    tau_min, T_min : float or None -- minimum of T(tau_2) in (0, tau_c)
    tau_inflection : float or None -- root of d^2T/dtau_2^2 in (0, tau_min)
    N, m, tau_c, L1, L2, tau1 : float
    """


def antagonism_potential(N, m, tau_c=3.0, *, R=1e4, agonist_fraction=0.4, tau1=None,
                         n_points=400, backend="auto"):
    """T_{N,m}(tau_2) and FC(tau_2) with located minimum and inflection.

    Parameters
    ----------
    N, m : float; tau_c : float (s)
    R : float -- total ligands; agonists L_1 = agonist_fraction R, antagonists the rest
    tau1 : float -- agonist binding time (default tau_c)
    """
    tau_c = check_positive_scalar(tau_c, "tau_c")
    R = check_positive_scalar(R, "R")
    if not 0 < agonist_fraction < 1:
        raise ValueError(f"agonist_fraction must be in (0, 1), got {agonist_fraction}")
    k = adaptive_kernels(float(N), float(m), backend)
    tau1 = tau_c if tau1 is None else check_positive_scalar(tau1, "tau1")
    L = np.array([agonist_fraction * R, (1 - agonist_fraction) * R])
    T_of = lambda t2: k.output(np.array([tau1, t2]), L, tau_c)
    d2T = lambda t2: k.hessian_diagonal(np.array([tau1, t2]), L, tau_c)[1]
    dT = lambda t2: k.grad_output(np.array([tau1, t2]), L, tau_c)[1]
    lo, hi = 1e-6 * tau_c, tau_c * (1 - 1e-9)
    tau2 = np.linspace(lo, hi, n_points)
    T = np.array([T_of(t) for t in tau2])
    T_agonist = k.output(np.array([tau1]), L[:1], tau_c)
    res = PotentialResult(N=float(N), m=float(m), tau_c=tau_c, tau1=tau1, L1=L[0], L2=L[1],
                          tau2=tau2, T=T, fc=T / T_agonist, tau_min=None, T_min=None,
                          tau_inflection=None)
    i = int(np.argmin(T))
    if 0 < i < n_points - 1:  # interior minimum: refine on the bracketing grid cells
        g = np.array([dT(t) for t in tau2[i - 1:i + 2]])
        if g[0] < 0 < g[-1]:
            res.tau_min = brentq(dT, tau2[i - 1], tau2[i + 1], xtol=1e-14, rtol=1e-14)
        else:
            res.tau_min = minimize_scalar(T_of, bounds=(tau2[i - 1], tau2[i + 1]),
                                          method="bounded", options={"xatol": 1e-12}).x
        res.T_min = T_of(res.tau_min)
        inner = tau2[tau2 < res.tau_min]
        h = np.array([d2T(t) for t in inner])
        # critical point of the gradient: d2T changes sign from - to + (dT/dtau_2 has a minimum)
        idx = np.nonzero((h[:-1] < 0) & (h[1:] > 0))[0]
        if idx.size:
            j = idx[-1]
            res.tau_inflection = brentq(d2T, inner[j], inner[j + 1], xtol=1e-14, rtol=1e-14)
    return res
