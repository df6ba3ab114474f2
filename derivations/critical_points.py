"""Critical points of the ligand gradient: the strongest antagonist and the inflection.

Both are roots of the per-molecule gradient gamma(tau) of a dilute ligand and of its
derivative.  When gamma is a sum of two powers of tau (power-sum models such as T_{N,m}),
gamma = 0 is linear in u = tau^gap once the lower power is factored out, and the roots come
in closed form for symbolic exponents (a brute-force ``sympy.solve`` fails there).  Other
models get ``expr = None`` with ``closed_form = False``: the theory locates their critical
points numerically.
"""
from __future__ import annotations

import sympy as sp

from . import symbols as sy
from .derivation import Derivation, Step, derived
from .gradients import _simplify, intensive_gradient, power_terms

_u = sp.Symbol("u", positive=True)


def two_powers(expr, var, domain):
    """Write expr = c_lo var^p_lo + c_hi var^p_hi with p_lo < p_hi decided under ``domain``.

    Returns ``(p_lo, c_lo, p_hi, c_hi)`` or None when expr is not a sum of exactly two
    powers or their order cannot be decided."""
    terms = power_terms(expr, var)
    if not terms or len(terms) != 2:
        return None
    (p1, c1), (p2, c2) = terms.items()
    diff = _simplify((p2 - p1).subs(domain))
    if diff.is_positive:
        return p1, c1, p2, c2
    if diff.is_negative:
        return p2, c2, p1, c1
    return None


def _root_of_two_powers(expr, var, model, what):
    """Solve c_lo tau^p_lo + c_hi tau^p_hi = 0 through u = tau^gap; returns
    (root, q, gap, steps) with root = tau_c q^(1/gap)."""
    p_lo, c_lo, p_hi, c_hi = two_powers(expr, var, model.domain())
    gap = _simplify(p_hi - p_lo)
    linear = sp.expand(c_lo + c_hi * _u)
    steps = [Step(f"{what} is tau^({p_lo}) (c_lo + c_hi u) with u = tau^({gap}): linear in u",
                  linear)]
    u_root = sp.solve(linear, _u)[0]
    steps.append(Step("solve for u", u_root))
    q = _simplify(u_root / model.tau_c**gap)
    steps.append(Step("factor out tau_c^(gap): u = tau_c^(gap) q", q))
    root = model.tau_c * q ** (1 / gap)
    steps.append(Step("take the (gap)-th root", root))
    return root, q, gap, steps


def _implicit(model):
    """Shared variables: no closed-form critical points (the theory finds them numerically)."""
    form = model.sum_form()
    return form is not None and form.implicit


def _decided(value):
    """True/False when sympy decides ``value > 0``, else None."""
    value = _simplify(value)
    if value.is_positive:
        return True
    if value.is_nonpositive:
        return False
    return None


@derived
def derive_critical_binding_time(model):
    """Derive tau*, the root of dF/dtau_j: the strongest antagonist.

    For T_{N,m}: tau* = tau_c (m T / N)^{1/(N-m)} (seconds), tau_c (m/N)^{1/(N-m)} on the
    boundary T = 1; it exists iff m > 0.  A model whose gradient is positive for every tau
    (pure kinetic proofreading) has none.

    Parts: ``exists`` (True, False, or None when undecided or not in closed form),
    ``closed_form`` (whether the root is known in closed form), ``q`` and ``gap``
    (tau* = tau_c q^{1/gap}) for two-power gradients, ``reason``.
    """
    template = model.symbolic()
    if _implicit(template):
        reason = "implicit steady state: tau* is located numerically (antagonism.theory)"
        return Derivation("tau*", None, (), (reason,),
                          {"exists": None, "closed_form": False, "reason": reason})
    gamma = intensive_gradient(template)
    steps = list(gamma.steps)
    values = model.values
    bracket = gamma.bracket
    sign = _simplify(bracket.subs(values))
    if sign.is_positive or sign.is_negative:
        reason = ("the gradient is " + ("positive" if sign.is_positive else "negative")
                  + " for every tau > 0: no critical point")
        return Derivation("tau*", None, tuple(steps), (reason,),
                          {"exists": False, "closed_form": True, "reason": reason})
    steps.append(Step("set the bracket to zero", sp.Eq(bracket, 0)))
    if two_powers(bracket, sy.tau, template.domain()) is None:
        reason = "the gradient is not a sum of two powers of tau: tau* is located numerically"
        return Derivation("tau*", None, tuple(steps), (reason,),
                          {"exists": None, "closed_form": False, "reason": reason})
    root, q, gap, more = _root_of_two_powers(bracket, sy.tau, template, "the bracket")
    steps += more
    exists = _decided(q.subs(values))
    if exists is False:
        steps.append(Step("substitute the model's parameters: q <= 0, no positive root",
                          _simplify(q.subs(values))))
        reason = "no interior critical point (m = 0 for T_{N,m}); descent pushes tau -> 0"
        return Derivation("tau*", None, tuple(steps), (reason,),
                          {"exists": False, "closed_form": True, "q": q, "gap": gap,
                           "reason": reason})
    expr = _simplify(root.subs(values))
    if values:
        steps.append(Step("substitute the model's parameters", expr))
    return Derivation("tau*", expr, tuple(steps), ("q > 0 (m > 0 for T_{N,m})", "T > 0"),
                      {"exists": exists, "closed_form": True, "q": q, "gap": gap,
                       "reason": "root of the two-power gradient"})


@derived
def derive_inflection_binding_time(model):
    """Derive tau_infl, the root of d gamma/d tau: the extremum of the gradient.

    For T_{N,m}: tau_infl = tau_c [m (m-1) T / (N (N-1))]^{1/(N-m)} (seconds).  With gamma a
    sum of two powers p_lo < p_hi, (tau_infl / tau*)^gap = p_lo / p_hi, so the inflection lies
    in (0, tau*) iff 0 < p_lo/p_hi < 1: for T_{N,m}, (m - 1)/(N - 1), i.e. iff m > 1.

    Parts: ``exists``, ``closed_form``, ``ratio`` ((tau_infl/tau*)^gap), ``reason``.
    """
    template = model.symbolic()
    values = model.values
    star = derive_critical_binding_time(model)
    if not star.closed_form or star.exists is False:
        reason = ("no strongest antagonist: no inflection below it" if star.exists is False
                  else star.reason)
        return Derivation("tau_infl", None, (), (reason,),
                          {"exists": False if star.exists is False else None,
                           "closed_form": star.closed_form, "ratio": None, "reason": reason})
    full = _simplify(sp.expand(intensive_gradient(template).expr))
    dgamma = _simplify(sp.diff(full, sy.tau))
    steps = [Step("gamma(tau) at fixed aggregates", full), Step("differentiate in tau", dgamma)]
    domain = template.domain()
    p_lo, _, p_hi, _ = two_powers(full, sy.tau, domain)
    ratio = _simplify(p_lo / p_hi) if _simplify(p_hi) != 0 else None
    steps.append(Step("(tau_infl / tau*)^(gap) = p_lo / p_hi for gamma = c_lo tau^p_lo + "
                      "c_hi tau^p_hi; the inflection is interior to (0, tau*) iff it lies "
                      "in (0, 1)", ratio))
    condition = "0 < p_lo/p_hi < 1: for T_{N,m} (m - 1)/(N - 1) in (0, 1), i.e. m > 1"
    r = None if ratio is None else _simplify(ratio.subs(values))
    if r is None or (r.is_number and not (r > 0 and r < 1)):
        steps.append(Step("substitute the model's parameters: not in (0, 1)", r))
        return Derivation("tau_infl", None, tuple(steps), (condition,),
                          {"exists": False, "closed_form": True, "ratio": ratio,
                           "reason": "the gradient has no extremum in (0, tau*)"})
    root, _, _, more = _root_of_two_powers(dgamma, sy.tau, template, "d gamma/d tau")
    steps += more
    expr = _simplify(root.subs(values))
    if values:
        steps.append(Step("substitute the model's parameters", expr))
    exists = True if r.is_number else None
    return Derivation("tau_infl", expr, tuple(steps), (condition,),
                      {"exists": exists, "closed_form": True, "ratio": ratio,
                       "reason": "extremum of the two-power gradient"})


def inflection_exists_condition(model=None):
    """Derive the set of m with an interior inflection, for N > 1 (T_{N,m} by default).

    The ratio rho(m) = (tau_infl/tau*)^{N-m} = (m - 1)/(N - 1) must lie in (0, 1).  rho is
    increasing in m (d rho/dm = 1/(N-1) > 0), so the set is the open interval between the
    roots of rho = 0 and rho = 1: 1 < m < N.
    """
    if model is None:
        from .adaptive import AdaptiveProofreading

        model = AdaptiveProofreading()
    rho = derive_inflection_binding_time(model).ratio
    h = sp.Symbol("h", positive=True)  # h = N - 1 > 0
    rho = _simplify(rho.subs(sy.N, h + 1))
    if not _simplify(sp.diff(rho, sy.m)).is_positive:
        raise ArithmeticError("rho(m) is not increasing; the interval argument does not apply")
    lo = sp.solve(sp.Eq(rho, 0), sy.m)[0]
    hi = sp.solve(sp.Eq(rho, 1), sy.m)[0]
    return sp.Interval.open(lo, hi.subs(h, sy.N - 1))
