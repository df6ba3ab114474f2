"""Regime classification of any cell model: broad vs specialized antagonism.

The classification follows from derived quantities only:

- tau*: the root of the per-molecule gradient gamma(tau) of a dilute ligand (strongest
  antagonist); none for m = 0 or pure proofreading;
- tau_infl: the extremum of gamma in (0, tau*) -- the *gradient critical point*;
  present iff m > 1 for T_{N,m};
- p: the small-tau exponent of the gradient, gamma ~ tau^p, which sets the escape class.

Specialized antagonism (critical point of the gradient present): the gradient vanishes on
weak ligands and peaks near threshold; broad antagonism (absent): the gradient is largest
on the weakest ligands.

Models whose critical points come in closed form (T_{N,m}, kinetic proofreading) are
classified analytically on the decision boundary (T = threshold); the others numerically,
from the derived gamma(tau) at their reference background (``CellModel.reference_background``).
"""
from __future__ import annotations

import sympy as sp

from antagonism import derivations as dv
from antagonism.derivations.errors import InputError
from antagonism.derivations.escape import escape_class

from .general import classify_gamma, classify_gradient
from .result import RegimeResult


def _number(value):
    return None if value is None else float(value)


def classify(model, *, background=None, method="auto"):
    """Classify the regime of a cell model with numeric parameters.

    Parameters
    ----------
    model : CellModel
    background : (taus, Ls), optional
        Ligands a dilute probe is added to (numeric classification); default
        ``model.reference_background()``.
    method : {"auto", "symbolic", "numeric"}
        "auto" uses the closed forms where the derivations give them, numerics otherwise.

    Returns
    -------
    RegimeResult
    """
    if method not in ("auto", "symbolic", "numeric"):
        raise InputError(f"method must be auto, symbolic or numeric, got {method!r}")
    if not model.is_numeric():
        raise InputError(f"{model!r} has symbolic parameters: classification needs numbers "
                         "(use antagonism.derivations for symbolic results)")
    result = None
    if method != "numeric" and background is None:
        result = _classify_closed_form(model)
        if result is None and method == "symbolic":
            raise InputError(f"{type(model).__name__}: the critical points have no closed "
                             "form; use method='numeric'")
    if result is None:
        result = _classify_numeric(model, background)
    params = {k: _number(v) if sp.sympify(v).is_number else str(v)
              for k, v in model.parameters().items()}
    # parameters under their own key only: a model parameter named like a result field
    # (regime, method...) never replaces it; tau_c, every model's threshold, is a field
    head = {"model": model.name, "parameters": params, "tau_c": float(model.tau_c)}
    result = RegimeResult({**head, **{k: v for k, v in result.items() if k != "model"}})
    # relative to the model's threshold binding time, whatever range tau* was sought in
    result.tau_star_over_tau_c = (None if result.tau_star is None
                                  else result.tau_star / float(model.tau_c))
    result.update(model.regime_predictions())
    return result


def _classify_closed_form(model):
    star = dv.critical_binding_time(model)
    infl = dv.inflection_binding_time(model)
    expo = dv.small_tau_exponent(model)
    if not (star.closed_form and infl.closed_form and expo.closed_form):
        return None
    if expo.sign == "undecided":
        return None
    at = {dv.T: model.threshold if model.threshold is not None else sp.S.One}
    values = []
    for d in (star, infl):
        if d.expr is None:
            values.append(None)
            continue
        e = d.expr.subs(at)
        if not e.is_number:
            return None  # needs aggregates of a background: numeric path
        values.append(float(e))
    tau_star, tau_infl = values
    p = float(expo.exponent)
    sign = expo.sign
    escape = escape_class(expo.exponent, sign)
    reasons = []
    if tau_star is not None:
        reasons.append(f"dF/dtau_j vanishes at tau* = {tau_star:.6g} (on the boundary): "
                       "strongest antagonist")
    else:
        reasons.append(f"no interior root of dF/dtau_j: {star.reason}")
    if tau_infl is not None:
        reasons.append(f"the gradient has an extremum at tau_infl = {tau_infl:.6g} < tau*: "
                       "weak ligands sit on a flat landscape, antagonism is specialized")
    elif tau_star is None and sign == "positive":
        reasons.append("no sub-threshold ligand has a negative gradient, so there is no "
                       "antagonistic gradient and no critical point of it; the regime is "
                       "reported as broad (no specialisation near threshold)")
    else:
        reasons.append("no extremum of the gradient in (0, tau*) (" + "; ".join(infl.conditions)
                       + "): the gradient is largest on the weakest ligands, antagonism is "
                       "broad")
    reasons.append(f"gamma(tau) ~ tau^{p:g} as tau -> 0 with a {sign} leading coefficient: "
                   f"escape is {escape}")
    return dict(
        method="symbolic", tau_c=float(model.tau_c),
        regime="specialized" if tau_infl is not None else "broad",
        antagonism=tau_star is not None, gradient_critical_point=tau_infl is not None,
        tau_star=tau_star, tau_inflection=tau_infl, small_tau_exponent=p,
        effective_m=(p + 1) if sign == "negative" else None, escape=escape,
        reasons=reasons,
        derivations={"tau_star": star, "tau_inflection": infl, "small_tau_exponent": expo})


def _classify_numeric(model, background):
    from .evaluation import model_evaluator

    taus, Ls = background if background is not None else model.reference_background()
    taus = [float(t) for t in taus]
    Ls = [float(x) for x in Ls]
    fn, gamma = model_evaluator(model).probe_gradient(taus, Ls)
    lower, upper = (float(v) for v in model.probe_range())
    res = (classify_gamma(gamma, dv.tau, upper) if gamma is not None
           else classify_gradient(fn, upper, grid_points=200, tau_min_fraction=1e-4))
    out = dict(res)
    out["tau_c"] = float(model.tau_c)
    out["reasons"] = [f"gamma(tau) of a dilute probe next to the background tau = {taus}, "
                      f"L = {Ls}"] + list(res.reasons)
    out["derivations"] = {"gamma": gamma}
    return out


def classify_regime(model="adaptive", **parameters):
    """Classify the registered model ``model`` (a name) with ``parameters`` overriding its
    defaults, e.g. ``classify_regime("adaptive", N=5, m=3, tau_c=3)``."""
    return classify(dv.create_model(model, **parameters))


def regime_table(N_values=range(1, 7), tau_c=1.0):
    """Classify T_{N,m} for every N in ``N_values`` and integer m = 0..N-1."""
    return [classify(dv.AdaptiveProofreading(N, m, tau_c)) for N in N_values
            for m in range(int(N))]


def regime_table_markdown(N_values=range(1, 7), tau_c=1.0):
    """The regime table as a Markdown table (tau* and tau_infl at T = 1, units of tau_c)."""
    head = ("| N | m | regime | gradient critical point | tau*/tau_c | tau_infl/tau_c | "
            "small-tau exponent p | escape |\n|---|---|---|---|---|---|---|---|")
    fmt = (lambda v: "–" if v is None else f"{v / tau_c:.4f}")
    rows = [f"| {r.parameters['N']:g} | {r.parameters['m']:g} | {r.regime} | "
            f"{'yes' if r.gradient_critical_point else 'no'}"
            f" | {fmt(r.tau_star)} | {fmt(r.tau_inflection)} | {r.small_tau_exponent:g} | "
            f"{r.escape} |" for r in regime_table(N_values, tau_c)]
    return "\n".join([head] + rows) + "\n"
