"""The SHP-1 feedback model in numbers: steady states of mixtures, gradients, fold changes.

Closed forms come from :mod:`antagonism.derivations.shp1` (chain solution, binding
equilibrium), are lambdified once, and combined with two bracketed 1-D roots: the free
receptors R_f (shared by all ligand types) and the active SHP-1 S (shared by all chains).
Gradients use the implicit-function theorem (``derivations.shp1.implicit_gradient``) with
every partial derivative derived by sympy.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy.optimize import brentq

from antagonism.theory.result import Result
from antagonism.theory.validation import check_array

PARAMETER_NAMES = ("phi", "b", "gamma", "kappa", "N", "m", "S_T", "C_star", "R")


def shp1_parameters(**overrides):
    """The classical parameters (SCIENCE.md section 2.3) with ``overrides`` applied, checked."""
    from antagonism.derivations.shp1 import CLASSICAL

    unknown = set(overrides) - set(CLASSICAL)
    if unknown:
        raise ValueError(f"unknown SHP-1 parameter(s) {sorted(unknown)}; known: "
                         f"{', '.join(PARAMETER_NAMES)}")
    p = {k: float(v.value) for k, v in CLASSICAL.items()}
    for k, v in overrides.items():
        v = float(v)
        if not np.isfinite(v):
            raise ValueError(f"parameter {k} must be finite, got {v}")
        p[k] = v
    for k in ("phi", "b", "kappa", "S_T", "C_star", "R"):
        if p[k] <= 0:
            raise ValueError(f"parameter {k} must be positive, got {k}={p[k]}")
    if p["gamma"] < 0:
        raise ValueError(f"parameter gamma must be non-negative, got gamma={p['gamma']}")
    if p["N"] != int(p["N"]) or p["N"] < 1:
        raise ValueError(f"N must be a positive integer for the chain, got N={p['N']}")
    if p["m"] != int(p["m"]) or not 0 <= p["m"] <= p["N"]:
        raise ValueError(f"m must be an integer with 0 <= m <= N, got m={p['m']}")
    return p


@lru_cache(maxsize=1)
def _closed_forms():
    """Lambdified chain solution and its partial derivatives (derived by sympy)."""
    import sympy as sp

    from antagonism.derivations import shp1 as d
    from antagonism.derivations import symbols as sy

    Cn = d.chain_solution().expr
    args = (d.n, d.N_int, sy.tau, d.C_T, d.d, d.phi, d.r_plus, d.r_minus)
    r = sp.Symbol("r")
    P = d.d * r**2 - (d.phi + 1 / sy.tau + d.d) * r + d.phi  # characteristic polynomial
    dr_dtau = sp.simplify(-sp.diff(P, sy.tau) / sp.diff(P, r))
    dr_dd = sp.simplify(-sp.diff(P, d.d) / sp.diff(P, r))
    rargs = (r, sy.tau, d.d, d.phi)
    r_plus, r_minus = d.characteristic_roots().expr
    product = sp.simplify(r_plus * r_minus)  # phi/d: gives r_- without cancellation
    chain = {"C": Cn, "C_CT": sp.diff(Cn, d.C_T), "C_tau": sp.diff(Cn, sy.tau),
             "C_d": sp.diff(Cn, d.d), "C_rp": sp.diff(Cn, d.r_plus),
             "C_rm": sp.diff(Cn, d.r_minus)}
    compiled = _compiled_chain(chain, args)
    CT_of_Rf = d.total_balance().expr  # C_T(R_f) = kappa tau L R_f / (1 + kappa tau R_f)
    bargs = (sy.tau, sy.L, d.R_free, d.kappa)
    return {
        **compiled,
        "r_plus": sp.lambdify((sy.tau, d.d, d.phi), r_plus),
        "root_product": sp.lambdify((d.d, d.phi), product),
        "r_tau": sp.lambdify(rargs, dr_dtau), "r_d": sp.lambdify(rargs, dr_dd),
        "CT": sp.lambdify(bargs, CT_of_Rf),
        "CT_Rf": sp.lambdify(bargs, sp.diff(CT_of_Rf, d.R_free)),
        "CT_tau": sp.lambdify(bargs, sp.diff(CT_of_Rf, sy.tau)),
        "CT_L": sp.lambdify(bargs, sp.diff(CT_of_Rf, sy.L)),
    }


def _compiled_chain(chain, args):
    """The chain closed form and its partials as numba ufuncs cached on disk (generated
    module, as for the T_{N,m} kernels), or numpy functions without numba."""
    import sympy as sp

    from . import codegen
    from .kernels import numba_available

    if numba_available():
        path = codegen.write_module(codegen.ufunc_module_source(chain, args), prefix="shp1")
        module = codegen.import_module(path)
        return {name: getattr(module, name) for name in chain}
    return {name: sp.lambdify(args, e, "numpy", cse=True) for name, e in chain.items()}


class SHP1SteadyState(Result):
    """Steady state of a ligand mixture.

    Keys
    ----
    tau, L : ndarray -- per ligand type
    C_T : ndarray -- bound receptors per type;  R_f : float -- free receptors
    S : float -- active SHP-1;  d : float -- dephosphorylation rate b + gamma S (1/s)
    chains : ndarray (types, N+1) -- C_0..C_N per type
    C_m, C_N : ndarray -- per type;  output : float -- sum of C_N (the response)
    """


class SHP1Model:
    """SHP-1 feedback model with named parameters (classical set by default)."""

    def __init__(self, **params):
        self.p = shp1_parameters(**params)
        self.f = _closed_forms()

    def __repr__(self):
        return "SHP1Model(" + ", ".join(f"{k}={v:g}" for k, v in self.p.items()) + ")"

    # -- building blocks -----------------------------------------------------------------------
    def roots(self, tau, d):
        """r_+- of d r^2 - s r + phi (derived); r_- from the derived product r_+ r_- = phi/d,
        which avoids the cancellation of the '-' branch at small tau."""
        r_p = self.f["r_plus"](tau, d, self.p["phi"])
        return r_p, self.f["root_product"](d, self.p["phi"]) / r_p

    def chain_value(self, n, tau, C_T, S):
        """C_n of one chain with total C_T at active SHP-1 S (closed form)."""
        d = self.p["b"] + self.p["gamma"] * S
        r_p, r_m = self.roots(tau, d)
        return self.f["C"](n, self.p["N"], tau, C_T, d, self.p["phi"], r_p, r_m)

    def chain_partials(self, n, tau, C_T, S):
        """(C_n, dC_n/dtau, dC_n/dC_T, dC_n/dS): total derivatives through r_+-(tau, d)."""
        p, f = self.p, self.f
        d = p["b"] + p["gamma"] * S
        r_p, r_m = self.roots(tau, d)
        a = (n, p["N"], tau, C_T, d, p["phi"], r_p, r_m)
        C = f["C"](*a)
        d_tau = (f["C_tau"](*a) + f["C_rp"](*a) * f["r_tau"](r_p, tau, d, p["phi"])
                 + f["C_rm"](*a) * f["r_tau"](r_m, tau, d, p["phi"]))
        d_d = (f["C_d"](*a) + f["C_rp"](*a) * f["r_d"](r_p, tau, d, p["phi"])
               + f["C_rm"](*a) * f["r_d"](r_m, tau, d, p["phi"]))
        return C, d_tau, f["C_CT"](*a), d_d * p["gamma"]

    def free_receptors(self, tau, L):
        """R_f in [0, R] with R_f + sum_i C_T,i(R_f) = R (shared receptors)."""
        R, k = self.p["R"], self.p["kappa"]
        h = lambda Rf: Rf + np.sum(self.f["CT"](tau, L, Rf, k)) - R  # noqa: E731
        return brentq(h, 0.0, R, xtol=1e-13 * R, rtol=4 * np.finfo(float).eps)

    def shp1_level(self, tau, C_T):
        """Active SHP-1: the unique root in [0, S_T] of S = S_T C_m/(C_m + C*)."""
        p = self.p
        Cm = lambda S: np.sum(self.chain_value(p["m"], tau, C_T, S))  # noqa: E731
        G = lambda S: S - p["S_T"] * Cm(S) / (Cm(S) + p["C_star"])  # noqa: E731
        if Cm(0.0) <= 0:
            return 0.0
        return brentq(G, 0.0, p["S_T"], xtol=1e-12 * p["S_T"], rtol=4 * np.finfo(float).eps)

    # -- public --------------------------------------------------------------------------------
    def steady_state(self, tau, L):
        """Steady state of a mixture of ligand types (tau in s, L molecules)."""
        tau = np.atleast_1d(check_array(tau, "tau", positive=True))
        L = np.atleast_1d(check_array(L, "L", nonnegative=True))
        if tau.shape != L.shape:
            raise ValueError(f"tau and L must have the same shape, got {tau.shape}, {L.shape}")
        Rf = self.free_receptors(tau, L)
        C_T = self.f["CT"](tau, L, Rf, self.p["kappa"])
        S = self.shp1_level(tau, C_T)
        N = int(self.p["N"])
        chains = np.array([[self.chain_value(k, t, c, S) for k in range(N + 1)]
                           for t, c in zip(tau, C_T)])
        return SHP1SteadyState(tau=tau, L=L, C_T=C_T, R_f=Rf, S=S,
                               d=self.p["b"] + self.p["gamma"] * S, chains=chains,
                               C_m=chains[:, int(self.p["m"])], C_N=chains[:, N],
                               output=float(chains[:, N].sum()))

    def output(self, tau, L):
        return self.steady_state(tau, L).output

    def gradient(self, tau, L):
        """d output / d tau_j and d output / d L_j by implicit differentiation through the
        shared free receptors R_f and SHP-1 level S.  Returns a Result with keys tau, L."""
        st = self.steady_state(tau, L)
        p, f = self.p, self.f
        tau, L, C_T, Rf, S = st.tau, st.L, st.C_T, st.R_f, st.S
        k = p["kappa"]
        m, N = int(p["m"]), int(p["N"])
        Cm, Cm_tau, Cm_CT, Cm_S = self.chain_partials(m, tau, C_T, S)
        CN, CN_tau, CN_CT, CN_S = self.chain_partials(N, tau, C_T, S)
        CT_Rf, CT_tau, CT_L = (f["CT_Rf"](tau, L, Rf, k), f["CT_tau"](tau, L, Rf, k),
                               f["CT_L"](tau, L, Rf, k))
        Cm_tot = Cm.sum()
        kS = p["S_T"] * p["C_star"] / (Cm_tot + p["C_star"]) ** 2
        H_Rf = 1.0 + CT_Rf.sum()
        G_S = 1.0 - kS * Cm_S.sum()
        G_Rf = -kS * np.sum(Cm_CT * CT_Rf)
        F_S, F_Rf = CN_S.sum(), np.sum(CN_CT * CT_Rf)
        out = {}
        for name, H_x, Cm_x, CN_x in (("tau", CT_tau, Cm_tau + Cm_CT * CT_tau,
                                        CN_tau + CN_CT * CT_tau),
                                       ("L", CT_L, Cm_CT * CT_L, CN_CT * CT_L)):
            dRf = -H_x / H_Rf
            dS = -(-kS * Cm_x + G_Rf * dRf) / G_S
            out[name] = CN_x + F_Rf * dRf + F_S * dS
        return Result(tau=out["tau"], L=out["L"], steady_state=st)

    def fold_change(self, tau1, L1, tau2, L2):
        """FC = output(agonist + antagonist) / output(agonist alone), for each tau2."""
        alone = self.output([tau1], [L1])
        return np.array([self.output([tau1, t2], [L1, L2]) / alone
                         for t2 in np.atleast_1d(tau2)])
