"""The minimal adaptive-sorting network (Lalanne & Francois, PRL 2013), N = 1.

For each ligand type i, L_i bound complexes are either unphosphorylated (C_0,i) or
phosphorylated (C_1,i); a kinase K phosphorylates them and is inactivated by C_0:

    dC_1,i/dt = phi K C_0,i - C_1,i / tau_i,     C_0,i + C_1,i = L_i
    dK/dt     = alpha (K_T - K) - epsilon K sum_j C_0,j

Output: sum_i C_1,i.  In the strong-feedback limit (large K_T at fixed lambda = alpha K_T /
epsilon, then phi -> 0) the output divided by phi lambda tau_c is T_{1,0}: the adaptive
proofreading form with N = 1, m = 0.
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step

phi, alpha, epsilon, K_T, K, lam = sp.symbols("phi alpha epsilon K_T K lambda", positive=True)


def steady_state(K_types=1):
    """Derive the steady state for K_types ligand types: C_0,i(K), C_1,i(K), and the kinase
    equation alpha (K_T - K) = epsilon K sum_j C_0,j(K)."""
    taus, Ls = sy.ligand_symbols(K_types)
    C0 = [Li / (1 + phi * K * ti) for ti, Li in zip(taus, Ls)]
    C1 = [phi * K * ti * c for ti, c in zip(taus, C0)]
    kinase = sp.Eq(alpha * (K_T - K), epsilon * K * sum(C0))
    steps = [Step("C_1,i = phi K tau_i C_0,i and C_0,i + C_1,i = L_i give C_0,i", sp.Tuple(*C0)),
             Step("kinase balance", kinase)]
    output = sum(C1)
    return Derivation("output = sum_i C_1,i", output, tuple(steps),
                      ("K solves the kinase balance",)), kinase, taus, Ls


def strong_feedback_limit(K_types=2):
    """Derive lim output / (phi lambda tau_c) in the strong-feedback limit.

    Substituting alpha = lambda epsilon / K_T, the kinase balance gives K -> lambda/sum_j C_0,j
    as K_T -> infinity; then phi -> 0 (phi K tau << 1) makes C_0,i -> L_i.  The result is
    sum_i L_i tau_i / (tau_c sum_i L_i) = T_{1,0}.
    """
    out, kinase, taus, Ls = steady_state(K_types)
    balance = kinase.subs(alpha, lam * epsilon / K_T)
    C0 = sum(Li / (1 + phi * K * ti) for ti, Li in zip(taus, Ls))
    reduced = sp.Eq(sp.limit(balance.lhs, K_T, sp.oo), balance.rhs)
    steps = [Step("alpha = lambda epsilon / K_T in the kinase balance", balance),
             Step("K_T -> infinity: lambda = K sum_j C_0,j(K)", reduced)]
    # the limit balance sets lambda = K sum_j C_0,j(K); use it to eliminate lambda
    ratio = out.expr / (phi * (K * C0) * sy.tau_c)
    limit = sp.simplify(sp.limit(ratio, phi, 0))
    steps.append(Step("phi -> 0", limit))
    return Derivation("strong-feedback limit of output/(phi lambda tau_c)", limit, tuple(steps),
                      ("K_T -> infinity at fixed lambda, then phi -> 0",))
