"""Ligand gradients and Hessians of a model's output, for any number of ligands.

The trick: single out ligand j (and l) from the aggregate sums, S = R + (ligand terms),
differentiate with the rest R held fixed, then substitute R back.  This is exact for any
number of ligands and keeps symbolic exponents tractable.
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step

tau_j, L_j = sp.symbols("tau_j L_j", positive=True)
tau_l, L_l = sp.symbols("tau_l L_l", positive=True)


def _simplify(expr):
    return sp.simplify(sp.powsimp(sp.expand(sp.simplify(expr)), force=True))


def _derive(model, variables, ligands, name):
    expr, back, close = model.singled_out(ligands)
    steps = [Step("single out the ligands from the aggregate sums", expr)]
    d = sp.diff(expr, *variables)
    steps.append(Step(f"differentiate with respect to {', '.join(map(str, variables))}", d))
    d = d.subs(back)
    steps.append(Step("substitute the rest sums back", d))
    if close:
        d = d.subs(close)
        steps.append(Step("write the aggregate numerator through the output T", d))
    d = _simplify(d)
    steps.append(Step("simplify", d))
    return d, steps


def gradient_tau(model):
    """Derive dT/dtau_j for ligand j of an arbitrary mixture.

    For T_{N,m}: L_j tau_j^{m-1} (N tau_j^{N-m} - m T tau_c^{N-m}) / (tau_c^{N-m} S_m),
    units of T per second.  The result is the positive prefactor times a bracket.
    """
    d, steps = _derive(model, (tau_j,), [(tau_j, L_j)], "dT/dtau_j")
    pre = model.gradient_prefactor(tau_j, L_j)
    bracket = _simplify(d / pre)
    if bracket.is_rational_function(tau_j):
        bracket = sp.factor(bracket)
    steps.append(Step("factor out the positive prefactor; the bracket decides the sign", bracket))
    expr = sp.Mul(pre, bracket, evaluate=False)
    return Derivation("dT/dtau_j", expr, tuple(steps), ("tau_j > 0", "L_j > 0"))


def gradient_L(model):
    """Derive dT/dL_j: for T_{N,m}, tau_j^m (tau_j^{N-m} - T tau_c^{N-m}) / (tau_c^{N-m} S_m)."""
    d, steps = _derive(model, (L_j,), [(tau_j, L_j)], "dT/dL_j")
    return Derivation("dT/dL_j", d, tuple(steps), ("tau_j > 0",))


def hessian_structural(model):
    """Derive the Hessian in (tau_j, tau_l, L_j, L_l) for two distinct ligands j != l.

    Entries on the (tau_j, tau_j), (tau_j, L_j) and (L_j, L_j) positions are the diagonal
    blocks, the others the couplings between ligands; valid for any number of ligands.
    """
    variables = (tau_j, tau_l, L_j, L_l)
    expr, back, close = model.singled_out([(tau_j, L_j), (tau_l, L_l)])
    H = sp.hessian(expr, variables).subs(back)
    if close:
        H = H.subs(close)
    H = H.applyfunc(_simplify)
    steps = (Step("single out ligands j and l", expr),
             Step("Hessian, rest sums substituted back", H))
    return Derivation("Hessian in (tau_j, tau_l, L_j, L_l)", H, steps, ("j != l",))


def hessian_explicit(model, K):
    """The full 2K x 2K Hessian of the K-type mixture output in (tau_1..tau_K, L_1..L_K)."""
    expr, taus, Ls = model.mixture_output(K)
    H = sp.hessian(expr, taus + Ls)
    return Derivation(f"Hessian of the {K}-type mixture", H, (Step("output", expr),), ())


def intensive_gradient(model):
    """Derive the per-ligand gradient shape gamma(tau) = (dT/dtau_j) / L_j at fixed T and S.

    For T_{N,m} it is tau^{m-1} (N tau^{N-m} - m T tau_c^{N-m}) / (tau_c^{N-m} S_m): the same
    for every ligand at the same tau, whatever its quantity (the dilute-ligand limit, where a
    single ligand's share of S_m and T is negligible).  Critical points of the output and of
    the gradient are roots of gamma and of d gamma / d tau.
    """
    g = gradient_tau(model)
    gamma = _simplify(g.expr.subs(L_j, 1).subs(tau_j, sy.tau))
    steps = g.steps + (Step("divide by L_j and rename tau_j -> tau", gamma),)
    return Derivation("gamma(tau) = (dT/dtau_j)/L_j", gamma, steps, ("T, S fixed (dilute ligand)",))
