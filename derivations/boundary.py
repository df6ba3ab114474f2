"""Decision boundary, linear-classifier weight and fold change of T_{N,m}."""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step
from .gradients import _simplify


def linear_weight(model):
    """Derive w(tau) with T > 1  <=>  sum_i L_i w(tau_i) > 0.

    T - 1 = (S_N - tau_c^{N-m} S_m)/(tau_c^{N-m} S_m) and the denominator is positive, so the
    weight of ligand i is the coefficient of L_i in the numerator:
    w(tau) = tau^N - tau_c^{N-m} tau^m  (units s^N).
    """
    S_N, S_m = model.power_sums()
    margin = sp.expand((model.structural_output() - 1) * model.prefactor * S_m)
    steps = [Step("T - 1 times the positive denominator tau_c^{N-m} S_m", margin)]
    taus, Ls = sy.ligand_symbols(2)
    sums = {S: sum(Li * ti**k for ti, Li in zip(taus, Ls)) for S, k in ((S_N, model.N),
                                                                        (S_m, model.m))}
    num = sp.expand(margin.subs(sums))
    steps.append(Step("write the power sums out for two ligand types", num))
    w = _simplify(num.coeff(Ls[0]).subs(taus[0], sy.tau))
    steps.append(Step("coefficient of L_i: the weight w(tau_i)", w))
    return Derivation("w(tau)", w, tuple(steps), ("agonists w > 0, sub-threshold ligands w < 0",))


def decision_boundary(model):
    """Derive the two-ligand boundary L_2*(tau_1, L_1, tau_2): T(L_2*) = 1.

    L_2* = L_1 w(tau_1) / (-w(tau_2)) (molecules); finite for an agonist tau_1 > tau_c and a
    sub-threshold tau_2 < tau_c.
    """
    expr, (t1, t2), (L1, L2) = model.mixture_output(2)
    eq = sp.Eq(expr, 1)
    sol = sp.solve(eq, L2)
    steps = [Step("set T = 1", eq), Step("solve for L_2 (the equation is linear in L_2)", sol[0])]
    Lstar = _simplify(sol[0])
    return Derivation("L_2*", Lstar, tuple(steps), ("tau_1 > tau_c > tau_2",))


def fold_change(model):
    """Derive FC = T(agonist + antagonist) / T(agonist alone) for two ligand types.

    FC = 1 - [L_2 tau_2^m / (L_1 tau_1^m + L_2 tau_2^m)] [1 - (tau_2/tau_1)^{N-m}]
    (dimensionless).  Written as 1 - x (1 - rho) with x the antagonist's share of S_m.
    """
    mix, (t1, t2), (L1, L2) = model.mixture_output(2)
    alone = mix.subs(L2, 0)
    fc = _simplify(mix / alone)
    steps = [Step("T of the mixture", mix), Step("T of the agonist alone (L_2 = 0)", alone),
             Step("ratio", fc)]
    share = L2 * t2**model.m / (L1 * t1**model.m + L2 * t2**model.m)
    defect = _simplify((1 - fc) / share)
    steps.append(Step("(1 - FC) divided by the antagonist's share x = L_2 tau_2^m / S_m", defect))
    ratio = _simplify(1 - defect)
    steps.append(Step("rho = 1 - (1 - FC)/x: depends on tau_2/tau_1 only", ratio))
    expr = 1 - share * (1 - ratio)
    return Derivation("FC", expr, tuple(steps), ("tau_1, tau_2 > 0", "L_1 > 0"))
