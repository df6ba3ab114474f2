"""Regime classification of proofreading models: broad vs specialized antagonism.

The classification follows from derived quantities only:

- tau*: the root of dT/dtau_j (strongest antagonist); none for m = 0 or pure proofreading;
- tau_infl: the extremum of the gradient in (0, tau*) -- the *gradient critical point*;
  present iff m > 1;
- p: the small-tau exponent of the gradient, gamma ~ tau^p, which sets the escape class.

Specialized antagonism (critical point of the gradient present): the gradient vanishes on
weak ligands and peaks near threshold; broad antagonism (absent): the gradient is largest
on the weakest ligands.
"""
from __future__ import annotations

import sympy as sp

from antagonism import derivations as dv
from antagonism.derivations.escape import escape_class

from .closed_forms import _exact
from .result import Result
from .validation import check_exponents, check_positive_scalar

MODELS = ("adaptive", "kpr")


class RegimeResult(Result):
    """Regime of a model.

    Keys
    ----
    model : str
    N, m, tau_c : float
    regime : {"broad", "specialized"}
    antagonism : bool -- whether any sub-threshold ligand lowers the output
    gradient_critical_point : bool -- interior extremum of the antagonistic gradient
    tau_star : float or None -- strongest antagonist at T = 1 (same unit as tau_c)
    tau_star_over_tau_c : float or None
    tau_inflection : float or None -- gradient extremum at T = 1
    small_tau_exponent : float -- p in gamma(tau) ~ tau^p as tau -> 0
    effective_m : float or None -- p + 1 when the leading term is antagonistic
    escape : {"finite-time", "exponential", "frozen", "pushed-to-zero"}
    reasons : list of str
    derivations : dict of name -> Derivation (not serialised by ``to_dict``)
    """

    def to_dict(self, keys=None):
        keys = keys or [k for k in self.keys() if k != "derivations"]
        return super().to_dict(keys)


def _float(expr):
    return None if expr is None else float(expr)


def classify_regime(model="adaptive", N=5, m=3, tau_c=1.0):
    """Classify a built-in model analytically.

    Parameters
    ----------
    model : {"adaptive", "kpr"}
        Adaptive proofreading T_{N,m}, or McKeithan's kinetic proofreading (m unused).
    N, m : float
        0 <= m < N, not necessarily integers.
    tau_c : float
        Threshold binding time (seconds); tau* and tau_infl are returned in its unit.

    Returns
    -------
    RegimeResult
    """
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    tau_c = check_positive_scalar(tau_c, "tau_c")
    if model == "kpr":
        check_positive_scalar(N, "N")
        sym = dv.KineticProofreading(_exact(N))
        m = None
    else:
        N, m = check_exponents(N, m)
        sym = dv.AdaptiveProofreading(_exact(N), _exact(m), _exact(tau_c))
    star = dv.critical_binding_time(sym)
    infl = dv.inflection_binding_time(sym)
    expo = dv.small_tau_exponent(sym)
    sign = expo.conditions[0].split()[-1]
    escape = escape_class(expo.expr, sign)
    at_boundary = {dv.T: 1, dv.tau_c: _exact(tau_c)}
    tau_star = None if star.expr is None else _float(sp.N(star.expr.subs(at_boundary)))
    tau_infl = None if infl.expr is None else _float(sp.N(infl.expr.subs(at_boundary)))
    has_gcp = tau_infl is not None
    antagonism = tau_star is not None
    p = float(expo.expr)
    reasons = []
    if antagonism:
        reasons.append(f"dT/dtau_j vanishes at tau* = {tau_star:.6g} (T = 1): strongest antagonist")
    else:
        reasons.append("no interior root of dT/dtau_j: " + "; ".join(star.conditions))
    if not antagonism and not has_gcp and sign == "positive":
        reasons.append("no sub-threshold ligand has a negative gradient, so there is no "
                       "antagonistic gradient and no critical point of it; the regime is "
                       "reported as broad (no specialisation near threshold)")
    elif has_gcp:
        reasons.append(f"the gradient has an extremum at tau_infl = {tau_infl:.6g} < tau*: "
                       "weak ligands sit on a flat landscape, antagonism is specialized")
    else:
        reasons.append("no extremum of the gradient in (0, tau*) (" + "; ".join(infl.conditions)
                       + "): the gradient is largest on the weakest ligands, antagonism is broad")
    reasons.append(f"gamma(tau) ~ tau^{p:g} as tau -> 0 with a {sign} leading coefficient: "
                   f"escape is {escape}")
    if model == "kpr":
        reasons.append("pure proofreading is linear in L with positive weights: no antagonism")
    return RegimeResult(
        model=model, N=float(N), m=None if m is None else float(m), tau_c=tau_c,
        regime="specialized" if has_gcp else "broad",
        antagonism=antagonism,
        gradient_critical_point=has_gcp,
        tau_star=tau_star,
        tau_star_over_tau_c=None if tau_star is None else tau_star / tau_c,
        tau_inflection=tau_infl,
        small_tau_exponent=p,
        effective_m=(p + 1) if sign == "negative" else None,
        escape=escape,
        reasons=reasons,
        derivations={"tau_star": star, "tau_inflection": infl, "small_tau_exponent": expo},
    )


def regime_table(N_values=range(1, 7), tau_c=1.0):
    """Classify T_{N,m} for every N in ``N_values`` and integer m = 0..N-1."""
    return [classify_regime("adaptive", N, m, tau_c) for N in N_values for m in range(int(N))]


def regime_table_markdown(N_values=range(1, 7), tau_c=1.0):
    """The regime table as a Markdown table (tau* and tau_infl at T = 1, units of tau_c)."""
    head = ("| N | m | regime | gradient critical point | tau*/tau_c | tau_infl/tau_c | "
            "small-tau exponent p | escape |\n|---|---|---|---|---|---|---|---|")
    fmt = (lambda v: "–" if v is None else f"{v / tau_c:.4f}")
    rows = [f"| {r.N:g} | {r.m:g} | {r.regime} | {'yes' if r.gradient_critical_point else 'no'}"
            f" | {fmt(r.tau_star)} | {fmt(r.tau_inflection)} | {r.small_tau_exponent:g} | "
            f"{r.escape} |" for r in regime_table(N_values, tau_c)]
    return "\n".join([head] + rows) + "\n"
