"""Critical points of the ligand gradient: the strongest antagonist and the inflection.

Both are roots of equations that are linear in u = tau^{N-m} once the positive power of tau
is factored out, so they are solved through that structure rather than by brute force
(a direct ``sympy.solve`` on the raw gradient fails for symbolic exponents).
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step
from .gradients import _simplify, intensive_gradient

_u = sp.Symbol("u", positive=True)


def _solve_through_power(bracket, gap, model):
    """Solve bracket(tau) = 0 where bracket is linear in u = tau^gap; return (tau_root, steps)."""
    in_u = sp.expand(bracket.subs(sy.tau ** gap, _u))
    steps = [Step(f"substitute u = tau^({gap}); the equation is linear in u", in_u)]
    if in_u.has(sy.tau) or sp.degree(in_u, _u) != 1:
        raise ValueError(f"equation is not linear in tau^{gap}: {bracket}")
    u_root = sp.solve(in_u, _u)[0]
    steps.append(Step("solve for u", u_root))
    scale = model.tau_c ** gap
    q = _simplify(u_root / scale)
    steps.append(Step("factor out tau_c^(gap): u = tau_c^(gap) q", q))
    root = model.tau_c * q ** (1 / gap)
    steps.append(Step("take the (gap)-th root", root))
    return root, q, steps


def _star_bracket(template):
    """The sign-deciding bracket of dT/dtau_j, as a function of tau, with its derivation."""
    gamma = intensive_gradient(template)
    bracket = gamma.steps[-2].expr  # the bracket left after the positive prefactor
    bracket = _simplify(bracket.subs(sp.Symbol("tau_j", positive=True), sy.tau))
    return bracket, list(gamma.steps) + [Step("set the bracket to zero", sp.Eq(bracket, 0))]


def critical_binding_time(model):
    """Derive tau*, the root of dT/dtau_j: the strongest antagonist.

    For T_{N,m}: tau* = tau_c (m T / N)^{1/(N-m)} (seconds), tau_c (m/N)^{1/(N-m)} on the
    boundary T = 1.  It exists (in (0, tau_c) at T = 1) iff m > 0.  For a model whose gradient
    bracket is positive for all tau (pure kinetic proofreading) there is none: ``expr`` is None.
    """
    template = model.symbolic()
    bracket, steps = _star_bracket(template)
    if not hasattr(template, "exponent_gap"):
        positive = _simplify(bracket.subs(model.values)).is_positive
        reason = ("the gradient is positive for every tau > 0: no critical point"
                  if positive else "no closed-form critical point for this model")
        return Derivation("tau*", None, tuple(steps), (reason,))
    root, q, more = _solve_through_power(bracket, template.exponent_gap, template)
    steps += more
    values = model.values
    q_val = _simplify(q.subs(values))
    if q_val.is_number and not q_val > 0:
        steps.append(Step("substitute the model's parameters: q = 0, the root is tau = 0", q_val))
        return Derivation("tau*", None, tuple(steps),
                          ("m = 0: no interior critical point; descent pushes tau -> 0",))
    expr = _simplify(root.subs(values))
    if model.N.is_number and model.m.is_number:
        steps.append(Step("substitute the model's parameters", expr))
    return Derivation("tau*", expr, tuple(steps), ("m > 0", "T > 0"))


def inflection_binding_time(model):
    """Derive tau_infl, the root of d gamma/d tau: the extremum of the gradient.

    For T_{N,m}: tau_infl = tau_c [m (m-1) T / (N (N-1))]^{1/(N-m)} (seconds).  It lies in
    (0, tau*) iff 0 < (m-1)/(N-1) < 1, i.e. iff m > 1 given 0 <= m < N.  The condition is
    returned in ``conditions``; ``expr`` is None when the inflection does not exist.
    """
    template = model.symbolic()
    if not hasattr(template, "exponent_gap"):
        return Derivation("tau_infl", None, (), ("no antagonistic gradient: no inflection",))
    gamma = intensive_gradient(template).expr
    dgamma = sp.diff(gamma, sy.tau)
    steps = [Step("gamma(tau) at fixed T and S_m", gamma), Step("differentiate in tau", dgamma)]
    bracket = _simplify(dgamma * template.prefactor * sy.power_sum(template.m)
                        / sy.tau ** (template.m - 2))
    steps.append(Step("factor out tau^{m-2} / (tau_c^{N-m} S_m)", bracket))
    root, q, more = _solve_through_power(bracket, template.exponent_gap, template)
    steps += more
    _, q_star, _ = _solve_through_power(_star_bracket(template)[0], template.exponent_gap,
                                        template)
    ratio = _simplify(q / q_star)
    steps.append(Step("(tau_infl / tau*)^(N-m): the inflection is interior to (0, tau*) iff "
                      "this lies in (0, 1)", ratio))
    condition = "0 < (m - 1)/(N - 1) < 1, i.e. m > 1 (given 0 <= m < N)"
    values = model.values
    if model.N.is_number and model.m.is_number:
        r = _simplify(ratio.subs(values)) if model.N != 1 else sp.S.Zero
        exists = bool(r.is_number and r > 0 and r < 1)
        if not exists:
            steps.append(Step("substitute the model's parameters: not in (0, 1)", r))
            return Derivation("tau_infl", None, tuple(steps), (condition,))
        expr = _simplify(root.subs(values))
        steps.append(Step("substitute the model's parameters", expr))
        return Derivation("tau_infl", expr, tuple(steps), (condition,))
    return Derivation("tau_infl", root.subs(values), tuple(steps), (condition,))


def inflection_exists_condition():
    """Derive the set of m with an interior inflection, for N > 1.

    The ratio rho(m) = (tau_infl/tau*)^{N-m} = (m - 1)/(N - 1) must lie in (0, 1).  rho is
    increasing in m (d rho/dm = 1/(N-1) > 0), so the set is the open interval between the
    roots of rho = 0 and rho = 1: 1 < m < N.
    """
    template = model_template()
    rho = inflection_binding_time(template).steps[-1].expr  # the ratio step
    g = sp.Symbol("g", positive=True)  # g = N - 1 > 0
    rho = _simplify(rho.subs(sy.N, g + 1))
    if not _simplify(sp.diff(rho, sy.m)).is_positive:
        raise ArithmeticError("rho(m) is not increasing; the interval argument does not apply")
    lo = sp.solve(sp.Eq(rho, 0), sy.m)[0]
    hi = sp.solve(sp.Eq(rho, 1), sy.m)[0]
    return sp.Interval.open(lo, hi.subs(g, sy.N - 1))


def model_template():
    from .adaptive import AdaptiveProofreading

    return AdaptiveProofreading.symbolic()
