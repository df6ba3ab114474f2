"""Decision boundary, linear-classifier weight and fold change of any model."""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step, derived
from .gradients import _simplify


def _threshold(model):
    """The model's threshold, or the symbol theta when it has none."""
    return sp.Symbol("theta", positive=True) if model.threshold is None else model.threshold


def natural_fraction(expr):
    """(numerator, denominator) with positive powers written on their natural side:
    sympy writes S_N / (tau_c^{N-m} S_m) as S_N tau_c^{m-N} / S_m; this gives back
    (S_N, tau_c^{N-m} S_m)."""
    num, den = sp.fraction(sp.together(expr))
    for f in sp.Mul.make_args(num):
        if f.is_Pow and f.base.is_positive and f.exp.could_extract_minus_sign():
            num, den = num / f, den * f.base ** (-f.exp)
    return num, den


@derived
def derive_linear_weight(model):
    """Derive w(tau) with F > threshold  <=>  sum_i L_i w(tau_i) > 0.

    When F - threshold is a positive denominator times a combination linear in the
    aggregates, the weight of a ligand is that combination of its per-molecule terms.  For
    T_{N,m}: T - 1 = (S_N - tau_c^{N-m} S_m)/(tau_c^{N-m} S_m), so
    w(tau) = tau^N - tau_c^{N-m} tau^m (units s^N).  ``expr`` is None when the decision is
    not linear in the quantities.
    """
    form = model.sum_form()
    if form is None or form.implicit:
        return Derivation("w(tau)", None, (), ("needs a sum form without shared variables",))
    out_num, den = natural_fraction(form.output)
    num = sp.expand(out_num - _threshold(model) * den)
    steps = [Step("F - threshold over F's own denominator", num / den)]
    linear = all(sp.diff(num, A, 2) == 0 for A in form.aggregates) and not num.subs(
        {A: 0 for A in form.aggregates}).is_nonzero
    if not (den.is_positive and linear):
        return Derivation("w(tau)", None, tuple(steps),
                          ("the decision is not linear in the ligand quantities",))
    phis = form.per_molecule()
    w = _simplify(sum(sp.diff(num, A) * phis[A] for A in form.aggregates))
    steps.append(Step("the denominator is positive; the numerator is linear in the sums, "
                      "so each ligand adds L_i w(tau_i)", w))
    return Derivation("w(tau)", w, tuple(steps), ("agonists w > 0, sub-threshold ligands w < 0",))


@derived
def derive_decision_boundary(model):
    """Derive the two-ligand boundary L_2*(tau_1, L_1, tau_2): F(L_2*) = threshold.

    For T_{N,m}: L_2* = L_1 w(tau_1) / (-w(tau_2)) (molecules); finite for an agonist
    tau_1 > tau_c and a sub-threshold tau_2 < tau_c.  ``expr`` is None when the equation has
    no unique closed-form root.
    """
    expr, (t1, t2), (L1, L2) = model.mixture_output(2)
    eq = sp.Eq(expr, _threshold(model))
    sol = sp.solve(eq, L2)
    steps = [Step("set the output to the threshold", eq)]
    if len(sol) != 1:
        return Derivation("L_2*", None, tuple(steps), ("no unique closed-form root in L_2",))
    Lstar = _simplify(sol[0])
    steps.append(Step("solve for L_2 (linear for T_{N,m})", Lstar))
    return Derivation("L_2*", Lstar, tuple(steps), ("tau_1 > tau_c > tau_2",))


@derived
def derive_fold_change(model):
    """Derive FC = F(agonist + antagonist) / F(agonist alone) for two ligand types.

    For T_{N,m}: FC = 1 - [L_2 tau_2^m / (L_1 tau_1^m + L_2 tau_2^m)] [1 - (tau_2/tau_1)^{N-m}]
    (dimensionless): 1 - x (1 - rho) with x the antagonist's share of the denominator sum.
    Parts: ``share`` (x, for outputs that are a ratio of two sums) and ``rho``.
    """
    mix, (t1, t2), (L1, L2) = model.mixture_output(2)
    alone = mix.subs(L2, 0)
    fc = _simplify(mix / alone)
    steps = [Step("output of the mixture", mix), Step("output of the agonist alone (L_2 = 0)",
                                                      alone), Step("ratio", fc)]
    form = model.sum_form()
    share = rho = None
    if form is not None and not form.implicit:
        num, den = natural_fraction(form.output)
        denominator_sums = [A for A in form.aggregates if den.has(A)]
        if len(denominator_sums) == 1:
            phi = form.per_molecule()[denominator_sums[0]]
            a1, a2 = L1 * phi.subs(sy.tau, t1), L2 * phi.subs(sy.tau, t2)
            share = a2 / (a1 + a2)
            defect = _simplify((1 - fc) / share)
            steps.append(Step("(1 - FC) divided by the antagonist's share x of the "
                              "denominator sum", defect))
            rho = _simplify(1 - defect)
            steps.append(Step("rho = 1 - (1 - FC)/x", rho))
            fc = 1 - share * (1 - rho)
    return Derivation("FC", fc, tuple(steps), ("tau_1, tau_2 > 0", "L_1 > 0"),
                      {"share": share, "rho": rho})
