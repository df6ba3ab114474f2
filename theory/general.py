"""Regime classification for any output, from an expression or from a numeric gradient.

- :func:`classify_output`: the user gives a sympy expression F for the output of a mixture
  and names the symbols of a *probe* ligand (tau_p, L_p); everything else is fixed by
  ``background``.  The classifier studies the per-ligand gradient of a dilute probe,
  gamma(tau) = lim_{L_p -> 0} (dF/dtau_p) / L_p;
- :func:`classify_gamma`: the same analysis on gamma(tau) given directly (what
  :func:`antagonism.theory.classify` uses for models without closed forms);
- :func:`classify_gradient`: the analysis on a numeric callable, no sympy needed.

Exponents are read off symbolically when gamma is an explicit sum of powers or has a series
at 0; otherwise the classifier falls back to numerics: a log-log slope for the exponent and
bracketed root finding for the critical points.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from antagonism._core.errors import InputError
from antagonism.derivations.escape import escape_class, leading_term

from .result import RegimeResult
from .validation import check_positive_scalar


def _roots_on_grid(f, grid, values=None):
    """Sign changes of f on a grid, refined with brentq; returns sorted roots.  ``values``
    may give f on the grid already (vectorised evaluation)."""
    vals = np.array([f(x) for x in grid]) if values is None else np.asarray(values, float)
    roots = []
    for a, b, fa, fb in zip(grid[:-1], grid[1:], vals[:-1], vals[1:]):
        if np.isfinite(fa) and np.isfinite(fb) and fa * fb < 0:
            roots.append(brentq(f, a, b, xtol=1e-14 * b, rtol=1e-13))
    return roots


def _symbolic_leading_term(gamma, t):
    """(p, sign, reason) of gamma ~ a t^p, or None when sympy cannot tell."""
    try:
        coeff, p = leading_term(gamma, t, {})
        if p.is_number:
            return float(p), ("negative" if coeff < 0 else "positive"), (
                f"gamma is an explicit sum of powers; leading term {coeff} tau^{p}")
    except (ValueError, TypeError):
        pass
    try:
        coeff, p = gamma.leadterm(t)
        if p.is_number and coeff.is_number:
            return float(p), ("negative" if coeff < 0 else "positive"), (
                f"series expansion: gamma ~ {sp.N(coeff, 6)} tau^{p}")
    except Exception:  # sympy raises many kinds here; fall back to numerics
        pass
    return None


def classify_gamma(gamma, t, tau_c, *, method="auto", grid_points=4000,
                   tau_min_fraction=1e-6):
    """Classify from the per-molecule gradient gamma(t), a sympy expression in ``t`` only.

    ``tau_c`` is the upper end of the search range for tau* and tau_infl.  Returns a Result
    with the keys of :class:`antagonism.theory.RegimeResult` (method says which path decided
    the exponent).

    Examples
    --------
    gamma(t) = t^2 (5 t^2 - 3) is that of T_{5,3} at tau_c = 1 (up to a positive factor):
    tau* = (3/5)^{1/2}, tau_infl = (3/10)^{1/2} < tau*, so the regime is specialized:

    >>> import sympy as sp
    >>> t = sp.Symbol("t", positive=True)
    >>> r = classify_gamma(t**2 * (5 * t**2 - 3), t, tau_c=1.0)
    >>> r.regime, r.method, r.small_tau_exponent
    ('specialized', 'symbolic', 2.0)
    >>> round(r.tau_star, 4), round(r.tau_inflection, 4)
    (0.7746, 0.5477)
    """
    tau_c = check_positive_scalar(tau_c, "tau_c")
    if method not in ("auto", "symbolic", "numeric"):
        raise InputError(f"method must be auto, symbolic or numeric, got {method!r}")
    free = gamma.free_symbols - {t}
    if free:
        raise InputError(f"background leaves free symbols {sorted(map(str, free))}")
    f = sp.lambdify(t, gamma, "numpy")
    df = sp.lambdify(t, sp.diff(gamma, t), "numpy")
    reasons, p, sign, used = [], None, None, "numeric"
    if method != "numeric":
        lead = _symbolic_leading_term(gamma, t)
        if lead is None and method == "symbolic":
            raise InputError(f"no symbolic leading term for gamma = {gamma}")
        if lead is not None:
            p, sign, why = lead
            used = "symbolic"
            reasons.append(why)
    res = classify_gradient(f, tau_c, dgamma=df, exponent=p, sign=sign, reasons=reasons,
                            grid_points=grid_points, tau_min_fraction=tau_min_fraction,
                            vectorised=True)
    res.method = used
    return res


def classify_output(expr, tau_probe, L_probe, background=None, tau_c=1.0, *,
                    method="auto", grid_points=4000, tau_min_fraction=1e-6):
    """Classify the antagonism regime of an arbitrary output F.

    Parameters
    ----------
    expr : sympy.Expr
        Output of a mixture; the cell responds when it exceeds its threshold.
    tau_probe, L_probe : sympy.Symbol
        Binding time and quantity of the probe ligand inside ``expr``.
    background : dict, optional
        Values for every other free symbol (agonist binding time and quantity, ...).
    tau_c : float
        Threshold binding time: tau* and tau_infl are searched in (0, tau_c).
    method : {"auto", "symbolic", "numeric"}
        "auto" tries symbolic exponents first and falls back to numerics.

    Returns
    -------
    Result with the keys of RegimeResult; ``method`` tells which path decided the exponent.

    Examples
    --------
    T_{3,1} = S_3 / (tau_c^2 S_1) with tau_c = 1, for a probe (tau, L) next to agonists
    (tau_1, L_1) = (1, 1): tau* = tau_c (m/N)^{1/(N-m)} = 3^{-1/2}, no inflection below it:

    >>> import sympy as sp
    >>> tau, L, tau_1, L_1 = sp.symbols("tau L tau_1 L_1", positive=True)
    >>> F = (L_1 * tau_1**3 + L * tau**3) / (L_1 * tau_1 + L * tau)
    >>> r = classify_output(F, tau, L, background={tau_1: 1, L_1: 1}, tau_c=1.0)
    >>> r.regime, round(r.tau_star, 4), r.tau_inflection, r.small_tau_exponent
    ('broad', 0.5774, None, 0.0)
    """
    t = sp.Symbol("tau", positive=True)
    slope = sp.diff(expr, tau_probe).subs(dict(background or {}))
    gamma = sp.limit(slope / L_probe, L_probe, 0, "+") if slope.has(L_probe) else slope
    gamma = sp.simplify(gamma.subs(tau_probe, t))
    res = classify_gamma(gamma, t, tau_c, method=method, grid_points=grid_points,
                         tau_min_fraction=tau_min_fraction)
    res.update(model="user", derivations={"gamma": gamma})
    return res


def classify_gradient(gamma, tau_c=1.0, *, dgamma=None, exponent=None, sign=None,
                      reasons=None, grid_points=400, tau_min_fraction=1e-6,
                      vectorised=False):
    """Classify from a numeric per-ligand gradient gamma(tau) (any model, no sympy needed).

    Parameters
    ----------
    gamma : callable -- per-ligand gradient of the output for a dilute probe at tau
    dgamma : callable, optional -- its derivative (default: central differences)
    exponent, sign : optional -- small-tau exponent and leading sign if known analytically;
        otherwise measured as a log-log slope near tau_min_fraction * tau_c
    vectorised : bool -- gamma and dgamma accept numpy arrays (one call per grid)

    Returns a Result with the RegimeResult keys (tau* and tau_infl in the unit of tau_c).
    ``gradient_antagonistic`` gives the sign of gamma only; ``antagonism`` is None here,
    because a verdict needs a size (:func:`antagonism.theory.strength.antagonism_strength`
    of a model, which :func:`antagonism.theory.classify` reports).

    Examples
    --------
    The gradient of T_{5,3} at tau_c = 1 as a plain function: the exponent p = 2 is measured
    as a log-log slope, tau* = (3/5)^{1/2} and tau_infl = (3/10)^{1/2} by root finding:

    >>> r = classify_gradient(lambda tau: tau**2 * (5 * tau**2 - 3), tau_c=1.0)
    >>> r.regime, r.method, round(r.small_tau_exponent, 2)
    ('specialized', 'numeric', 2.0)
    >>> round(r.tau_star, 4), round(r.tau_inflection, 4), r.gradient_antagonistic
    (0.7746, 0.5477, True)
    """
    tau_c = check_positive_scalar(tau_c, "tau_c")
    reasons = list(reasons or [])
    g = lambda x: float(gamma(x))  # noqa: E731
    dg = dgamma or (lambda x: (g(x * (1 + 1e-5)) - g(x * (1 - 1e-5))) / (2e-5 * x))
    if exponent is None:
        x1, x2 = tau_min_fraction * tau_c, 10 * tau_min_fraction * tau_c
        y1, y2 = g(x1), g(x2)
        exponent = round(float(np.log(abs(y2) / abs(y1)) / np.log(x2 / x1)), 3)
        sign = "negative" if y1 < 0 else "positive"
        reasons.append(f"numeric log-log slope of |gamma| near tau = 0: p = {exponent:g}")
    grid = np.geomspace(tau_min_fraction * tau_c, tau_c * (1 - 1e-9), grid_points)
    on_grid = (lambda fn: np.asarray(fn(grid), float) * np.ones_like(grid)) if vectorised \
        else (lambda fn: None)
    roots = [r for r in _roots_on_grid(g, grid, on_grid(gamma)) if dg(r) > 0]  # minima of F
    tau_star = roots[0] if roots else None
    tau_infl = None
    if tau_star is not None:
        inner = grid < tau_star
        d_values = on_grid(dgamma) if vectorised and dgamma is not None else None
        crit = (_roots_on_grid(dg, grid[inner], None if d_values is None else d_values[inner])
                if inner.sum() > 1 else [])
        tau_infl = crit[-1] if crit else None
        reasons.append(f"gamma changes sign at tau* = {tau_star:.6g}")
    elif g(grid[len(grid) // 2]) < 0:
        reasons.append("gamma is negative over the whole range: every probe antagonises, "
                       "with no interior strongest antagonist")
    else:
        reasons.append("gamma does not vanish in (0, tau_c): no strongest antagonist")
    if tau_infl is not None:
        reasons.append(f"d gamma/d tau vanishes at tau_infl = {tau_infl:.6g} < tau*")
    # through float: sympy 1.12 cannot read numpy 2's scalars
    exact = exponent if isinstance(exponent, sp.Basic) else float(exponent)
    escape = escape_class(sp.nsimplify(exact), sign)
    return RegimeResult(
        model="numeric", method="numeric", tau_c=tau_c,
        regime="specialized" if tau_infl is not None else "broad",
        antagonism=None,  # a size needs a model and a budget: theory.antagonism_strength
        gradient_antagonistic=tau_star is not None or g(grid[len(grid) // 2]) < 0,
        gradient_critical_point=tau_infl is not None,
        tau_star=tau_star,
        tau_star_over_tau_c=None if tau_star is None else tau_star / tau_c,
        tau_inflection=tau_infl,
        small_tau_exponent=float(exponent),
        effective_m=(float(exponent) + 1) if sign == "negative" else None,
        escape=escape, reasons=reasons, derivations={},
    )
