"""Small-tau behaviour of the gradient and the escape of self ligands.

Near tau = 0 the intensive gradient behaves as gamma(tau) ~ a tau^p.  Under gradient descent
on the output, d tau / ds = -gamma ~ -a tau^p.  If a < 0 a weak ligand escapes towards tau*;
its escape time from tau_0 is int_{tau_0} d tau / (|a| tau^p), which stays finite as
tau_0 -> 0 for p < 1 (finite-time escape), diverges like log(1/tau_0) for p = 1
(exponential escape) and like tau_0^{1-p} for p > 1 (frozen).  If a > 0 the ligand is
pushed to zero.  For T_{N,m}, p = m - 1 (m > 0) and p = N - 1 with a > 0 (m = 0).
"""
from __future__ import annotations

import sympy as sp

from antagonism._core.errors import InputError

from . import symbols as sy
from .derivation import Derivation, Step, derived
from .gradients import _simplify, intensive_gradient, power_terms

ESCAPE_CLASSES = ("finite-time", "exponential", "frozen", "pushed-to-zero")


def leading_term(expr, var, values):
    """Return (coefficient, exponent) of the dominant term of ``expr`` as var -> 0+.

    The expression is expanded into terms c_k var^{p_k}; terms whose coefficient vanishes
    for the given values are dropped, and the smallest exponent wins.
    """
    grouped = power_terms(expr, var)
    if grouped is None:
        raise InputError(f"not a sum of powers of {var}: {expr}")
    terms = []
    for power, coeff in grouped.items():
        coeff_val, power_val = _simplify(coeff.subs(values)), _simplify(power.subs(values))
        if coeff_val != 0:
            terms.append((coeff_val, power_val, coeff, power))
    if not terms:
        return sp.S.Zero, sp.oo
    if all(t[1].is_number for t in terms):
        best = min(terms, key=lambda t: float(t[1]))
        return best[0], best[1]
    # symbolic exponents: decide by the sign of their differences where sympy can
    best = terms[0]
    for t in terms[1:]:
        if _simplify(t[1] - best[1]).is_negative:
            best = t
    return best[0], best[1]


@derived
def small_tau_exponent(model):
    """Derive (p, sign) with gamma(tau) ~ sign * |a| tau^p as tau -> 0+.

    ``expr`` is the exponent p.  Parts: ``exponent`` (p), ``coefficient`` (a),
    ``sign`` ("negative": antagonistic, the ligand escapes upward; "positive": pushed to
    zero; "undecided" for symbolic parameters), ``closed_form``.
    """
    template = model.symbolic()
    form = template.sum_form()
    if form is not None and form.implicit:
        reason = "implicit steady state: the exponent is found numerically (antagonism.theory)"
        return Derivation("p (gamma ~ tau^p)", None, (), (reason,),
                          {"exponent": None, "coefficient": None, "sign": "undecided",
                           "closed_form": False})
    gamma = intensive_gradient(template)
    steps = [Step("gamma(tau)", gamma.expr)]
    values = model.values
    domain = template.domain()
    if power_terms(gamma.expr, sy.tau):
        # compare exponents with the domain made explicit (T_{N,m}: N = m + g, g > 0)
        inverse = _inverse(domain, values)
        coeff, p = leading_term(gamma.expr.subs(domain), sy.tau,
                                {k: v for k, v in values.items() if k not in domain}
                                | {s: _simplify(e.subs(values)) for s, e in inverse.items()})
        if p is not sp.oo:
            p = _simplify(p.subs(inverse).subs(values))
            coeff = _simplify(coeff.subs(inverse).subs(values))
    else:  # no explicit power structure: sympy's series expansion gives the leading term
        coeff, p = gamma.expr.subs(values).leadterm(sy.tau)
        coeff, p = _simplify(coeff), _simplify(p)
    steps.append(Step("leading term as tau -> 0: coefficient", coeff))
    steps.append(Step("leading exponent p", p))
    sign = ("negative" if coeff.is_negative else "positive" if coeff.is_positive
            else "undecided")
    return Derivation("p (gamma ~ tau^p)", p, tuple(steps), (f"leading coefficient {sign}",),
                      {"exponent": p, "coefficient": coeff, "sign": sign,
                       "closed_form": True})


def _inverse(domain, values):
    """The new positive symbols of the domain substitutions in terms of the model's own
    (T_{N,m}: N = m + g gives g = N - m)."""
    inverse = {}
    for symbol, expr in domain.items():
        for new in expr.free_symbols - set(values) - {symbol}:
            inverse[new] = sp.solve(sp.Eq(symbol, expr), new)[0]
    return inverse


def escape_time(p):
    """Derive the escape time int_{tau_0}^{tau_1} d tau / tau^p of d tau/ds = tau^p (|a| = 1)."""
    t0, t1 = sp.symbols("tau_0 tau_1", positive=True)
    return sp.integrate(sy.tau ** (-p), (sy.tau, t0, t1)), t0, t1


def escape_class(p, leading_sign):
    """Classify escape from tau -> 0 given the exponent p and the sign of the leading term.

    Derived from the escape time: finite as tau_0 -> 0 ('finite-time'), diverging like
    log(1/tau_0) ('exponential'), or faster ('frozen'); a positive leading term means the
    descent drives tau to zero ('pushed-to-zero').
    """
    if leading_sign == "positive":
        return "pushed-to-zero"
    p = sp.nsimplify(p)
    t, t0, _ = escape_time(p)
    limit = sp.limit(t, t0, 0, "+")
    if limit.is_finite:
        return "finite-time"
    log_rate = sp.limit(t / sp.log(1 / t0), t0, 0, "+")
    return "exponential" if (log_rate.is_finite and log_rate != 0) else "frozen"
