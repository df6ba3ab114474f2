"""The minimal adaptive-sorting network (Lalanne & Francois, PRL 2013), N = 1.

For each ligand type i, L_i bound complexes are either unphosphorylated (C_0,i) or
phosphorylated (C_1,i); a kinase K phosphorylates them and is inactivated by C_0:

    dC_1,i/dt = phi K C_0,i - C_1,i / tau_i,     C_0,i + C_1,i = L_i
    dK/dt     = alpha (K_T - K) - epsilon K sum_j C_0,j

Output: sum_i C_1,i (molecules).  In the strong-feedback limit (large K_T at fixed
lambda = alpha K_T / epsilon, then phi -> 0) the output divided by phi lambda tau_c is
T_{1,0}: the adaptive proofreading form with N = 1, m = 0.
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step, derived
from .model import CellModel, SharedVariable, SumForm
from .validation import check_positive

phi, alpha, epsilon, K_T, K, lam = sp.symbols("phi alpha epsilon K_T K lambda", positive=True)
C0_sum, C1_sum = sp.symbols("C_0 C_1", positive=True)


@lru_cache(maxsize=1)
def type_steady_state():
    """Derive (C_0, C_1) of one ligand type at kinase level K: the steady state of
    dC_1/dt = phi K C_0 - C_1/tau with C_0 + C_1 = L."""
    c0, c1 = sp.symbols("c_0 c_1", positive=True)
    one = sp.solve([phi * K * c0 - c1 / sy.tau, c0 + c1 - sy.L], [c0, c1], dict=True)[0]
    return one[c0], one[c1]


def steady_state(K_types=1):
    """Derive the steady state for K_types ligand types: C_0,i(K), C_1,i(K), and the kinase
    equation alpha (K_T - K) = epsilon K sum_j C_0,j(K).

    Returns ``(Derivation of the output, kinase equation, taus, Ls)``."""
    taus, Ls = sy.ligand_symbols(K_types)
    c0, c1 = type_steady_state()
    C0 = [c0.subs({sy.tau: ti, sy.L: Li}) for ti, Li in zip(taus, Ls)]
    C1 = [c1.subs({sy.tau: ti, sy.L: Li}) for ti, Li in zip(taus, Ls)]
    kinase = sp.Eq(alpha * (K_T - K), epsilon * K * sum(C0))
    steps = [Step("steady state of dC_1/dt = 0 with C_0 + C_1 = L: C_0", c0),
             Step("and C_1", c1), Step("kinase balance", kinase)]
    return Derivation("output = sum_i C_1,i", sum(C1), tuple(steps),
                      ("K solves the kinase balance",)), kinase, taus, Ls


def strong_feedback_limit(K_types=2):
    """Derive lim output / (phi lambda tau_c) in the strong-feedback limit.

    Substituting alpha = lambda epsilon / K_T, the kinase balance gives K -> lambda/sum_j C_0,j
    as K_T -> infinity; then phi -> 0 (phi K tau << 1) makes C_0,i -> L_i.  The result is
    sum_i L_i tau_i / (tau_c sum_i L_i) = T_{1,0}.
    """
    out, kinase, taus, Ls = steady_state(K_types)
    balance = kinase.subs(alpha, lam * epsilon / K_T)
    C0 = kinase.rhs / (epsilon * K)  # sum_j C_0,j(K), as derived in steady_state
    reduced = sp.Eq(sp.limit(balance.lhs, K_T, sp.oo), balance.rhs)
    steps = [Step("alpha = lambda epsilon / K_T in the kinase balance", balance),
             Step("K_T -> infinity: lambda = K sum_j C_0,j(K)", reduced)]
    # the limit balance sets lambda = K sum_j C_0,j(K); use it to eliminate lambda
    ratio = out.expr / (phi * (K * C0) * sy.tau_c)
    limit = sp.simplify(sp.limit(ratio, phi, 0))
    steps.append(Step("phi -> 0", limit))
    return Derivation("strong-feedback limit of output/(phi lambda tau_c)", limit, tuple(steps),
                      ("K_T -> infinity at fixed lambda, then phi -> 0",))


class AdaptiveSorting(CellModel):
    """The adaptive-sorting ODE network as a cell model: output sum_i C_1,i (molecules),
    with the kinase K shared by every ligand type.

    Parameters: phi (1/s per kinase), alpha (1/s), epsilon (1/(s molecule)), K_T (molecules),
    tau_c (s).
    """

    name = "adaptive-sorting"
    reference_agonist = (10, 100)  # the figures' agonists
    title = "adaptive sorting (N = 1): kinase K shared by all ligand types, output sum C_1"

    def __init__(self, phi=phi, alpha=alpha, epsilon=epsilon, K_T=K_T, tau_c=sy.tau_c):
        self.set_parameters(phi=phi, alpha=alpha, epsilon=epsilon, K_T=K_T, tau_c=tau_c)
        for name, value in self.parameters().items():
            check_positive(value, name)

    def describe(self):
        """At the catalogue's constants the kinase adapts only from L = 10^4 up, so the
        reference agonists (L = 100) see the linear regime; the description says so."""
        from antagonism._core.catalog import BUILTIN_MODELS

        defaults = {k: p.value for k, p in BUILTIN_MODELS[self.name].items()}
        values = self.parameters()
        if all(values[k].is_number and float(values[k]) == float(v)
               for k, v in defaults.items()):
            return "adaptive sorting (package constants, linear regime at L = 100)"
        return self.label()

    @derived
    def sum_form(self):
        """Aggregates C_0 = sum_i C_0,i(K) and C_1 = sum_i C_1,i(K); K in [0, K_T] solves
        alpha (K_T - K) - epsilon K C_0 = 0 (one root: the left side decreases in K)."""
        values = {phi: self.phi, alpha: self.alpha, epsilon: self.epsilon, K_T: self.K_T}
        c0, c1 = (e.subs(values) for e in type_steady_state())
        kinase = (alpha * (K_T - K) - epsilon * K * C0_sum).subs(values)
        return SumForm(terms={C0_sum: c0, C1_sum: c1}, output=C1_sum,
                       shared=(SharedVariable(K, kinase, sp.S.Zero, self.K_T,
                                              "active kinase (molecules)"),))
