"""Kinetic proofreading (McKeithan 1995).

    dC_0/dt = kappa L_free R_free - (phi + 1/tau) C_0
    dC_n/dt = phi C_{n-1} - (phi + 1/tau) C_n          1 <= n < N
    dC_N/dt = phi C_{N-1} - C_N / tau
    R_b = sum_n C_n,  L_free = L - R_b,  R_free = R - R_b

Rates phi (s^-1), kappa (s^-1 per molecule), receptor number R, binding time tau (s).
The steady state is C_N = (phi tau / (1 + phi tau))^N R_b with R_b the smaller root of
kappa tau (L - R_b)(R - R_b) = R_b.  Both are derived here from the ODEs.  As a cell model
(output sum_i C_N,i) receptors are taken in excess, R_free = R: each type contributes
independently, linearly in L.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step, derived, ordered_roots
from .model import CellModel, SumForm
from .validation import check_positive

phi = sp.Symbol("phi", positive=True)
kappa = sp.Symbol("kappa", positive=True)
R = sp.Symbol("R", positive=True)
R_b = sp.Symbol("R_b", positive=True)
C_total = sp.Symbol("C_N", positive=True)


class KineticProofreading(CellModel):
    """McKeithan's kinetic proofreading chain with N steps.

    Parameters
    ----------
    N : number or symbol
        Number of proofreading steps (positive; an integer for the ODE chain).
    phi, kappa, R : number or symbol
        Phosphorylation rate (s^-1), binding rate (s^-1 molecule^-1), receptors.
    tau_c : number or symbol
        Threshold binding time (s): the range in which antagonists are sought.
    """

    name = "kpr"
    title = "kinetic proofreading (McKeithan 1995), output sum_i C_N,i, receptors in excess"

    def __init__(self, N=sy.N, phi=phi, kappa=kappa, R=R, tau_c=sy.tau_c):
        self.set_parameters(N=N, phi=phi, kappa=kappa, R=R, tau_c=tau_c)
        for name, value in self.parameters().items():
            check_positive(value, name)

    def symbolic(self):
        return KineticProofreading()

    @property
    def values(self):
        return {sy.N: self.N, phi: self.phi, kappa: self.kappa, R: self.R,
                sy.tau_c: self.tau_c}

    # -- derived steady state ------------------------------------------------------------
    def chain_steady_state(self):
        """Derive C_N / R_b at steady state from the chain equations, for symbolic N.

        For 1 <= n < N the steady state gives C_n = r C_{n-1}, r = phi/(phi + 1/tau);
        the last equation gives C_N = phi tau C_{N-1}.  Summing the chain gives R_b.
        """
        d = _chain_steady_state()
        return Derivation(d.name, d.expr.subs(self.values), d.steps, d.conditions)

    def bound_receptors(self):
        """Derive R_b: the root in [0, min(L, R)] of kappa tau (L - R_b)(R - R_b) = R_b."""
        eq = sp.Eq(self.kappa * sy.tau * (sy.L - R_b) * (self.R - R_b), R_b)
        Rb = sp.Symbol("R_b")
        roots = sp.solve(eq.subs(R_b, Rb), Rb)
        # the physical root is the smaller one (the '-' branch of the quadratic formula)
        physical = ordered_roots(roots)[0]
        return Derivation("R_b", physical, (Step("binding equilibrium", eq),
                                            Step("roots of the quadratic", sp.Tuple(*roots)),
                                            Step("physical (smaller) root", physical)),
                          ("0 <= R_b <= min(L, R)",))

    def contribution(self, tau, L):
        """C_N of one ligand type with receptors in excess (R_free = R):
        R_b = kappa R tau L / (1 + kappa R tau), so
        C_N = (phi tau/(1 + phi tau))^N kappa R tau L / (1 + kappa R tau).  Linear in L."""
        ratio = self.chain_steady_state().expr.subs(sy.tau, tau)
        Rb_excess = sp.solve(sp.Eq(self.kappa * tau * (L - R_b) * self.R, R_b), R_b)[0]
        return ratio * Rb_excess

    @derived
    def sum_form(self):
        """Output C_N = sum_i C_N,i, each type contributing independently."""
        return SumForm(terms={C_total: self.contribution(sy.tau, sy.L)}, output=C_total)


@lru_cache(maxsize=1)
def _chain_steady_state():
    """Derive C_N / R_b at steady state from the chain equations, for symbolic N.

    For 1 <= n < N the steady state gives C_n = r C_{n-1}, r = phi/(phi + 1/tau);
    the last equation gives C_N = phi tau C_{N-1}.  Summing the chain gives R_b.
    """
    n = sp.Symbol("n", integer=True, nonnegative=True)
    C0 = sp.Symbol("C_0", positive=True)
    t, N = sy.tau, sy.N
    # steady state of dC_n/dt for 1 <= n < N, solved for C_n in terms of C_{n-1}
    Cprev, Cn = sp.symbols("C_{n-1} C_n", positive=True)
    ratio = sp.solve(sp.Eq(phi * Cprev - (phi + 1 / t) * Cn, 0), Cn)[0] / Cprev
    ratio = sp.simplify(ratio)
    C_last = phi * t * ratio ** (N - 1) * C0  # from dC_N/dt = 0
    # sum_{n=0}^{N-1} r^n with |r| < 1, written out by sympy for symbolic N
    r = sp.Symbol("r", positive=True)
    geometric = sp.summation(r**n, (n, 0, N - 1))
    geometric = sp.piecewise_fold(geometric).args[-1][0] if isinstance(
        geometric, sp.Piecewise) else geometric
    total = sp.simplify(geometric.subs(r, ratio) * C0 + C_last)
    cn_over_rb = sp.simplify(sp.powsimp(C_last / total, force=True))
    steps = (
        Step("steady state of dC_n/dt for 1 <= n < N gives C_n / C_{n-1} = r", ratio),
        Step("steady state of dC_N/dt gives C_N = phi tau r^{N-1} C_0", C_last),
        Step("R_b = sum_{n<N} r^n C_0 + C_N", total),
        Step("divide C_N by R_b", cn_over_rb),
    )
    return Derivation("C_N / R_b", cn_over_rb, steps,
                     ("steady state", "N a positive integer"))
