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

import math

import sympy as sp

from antagonism import derivations as dv
from antagonism._core.errors import ConvergenceError, InputError
from antagonism.derivations.escape import escape_class

from .general import classify_gamma, classify_gradient
from .result import RegimeResult
from .strength import (
    DOSE_FACTOR,
    TOLERANCE,
    antagonism_strength,
    potency_text,
    strength_curve,
)
from .threshold import threshold_binding_time
from .vocabulary import VOCABULARY  # noqa: F401  (the words, also imported from here)

#: the potency's keys (:class:`antagonism.theory.strength.StrengthCurve`) and definition
POTENCY_KEYS = ("ic50_dose_at_strongest", "tau_at_strongest", "min_ic50_dose",
                "tau_at_min_ic50")
POTENCY_DEFINITION = (
    "the antagonist dose L_2 that halves the reference agonists' response: "
    "ic50_dose_at_strongest at the headline budget's best tau_2 (tau_at_strongest), "
    "min_ic50_dose the smallest over tau_2 (at tau_at_min_ic50); None: no dose up to the "
    "largest budget does")


def _number(value):
    return None if value is None else float(value)


def classify(model, *, background=None, method="auto", tolerance=TOLERANCE,
             dose_factor=DOSE_FACTOR, dose_response=True, level=None):
    """Classify the regime of a cell model with numeric parameters.

    Parameters
    ----------
    model : CellModel
    background : (taus, Ls), optional
        Ligands a dilute probe is added to (numeric classification) and the reference
        agonists of the antagonism strength; default ``model.reference_background()``.
    method : {"auto", "symbolic", "numeric"}
        "auto" uses the closed forms where the derivations give them, numerics otherwise.
    tolerance : float in (0, 1]
        ``antagonism`` is true only when the antagonism strength (the smallest fold change
        one antagonist type reaches within the dose budget) is below it.
    dose_factor : float
        The dose budget: antagonists up to dose_factor times the reference agonists' dose
        (and never more than the model's receptor number).
    dose_response : bool
        Also the strength at every budget (``strength_curve``: 1x, 10x, 100x, 1000x and the
        receptor number), the potency (``ic50_dose_at_strongest``, ``min_ic50_dose``) and the
        band of levels at which the model discriminates absolutely
        (``threshold.absolute_discrimination_levels``); False leaves them out (faster).
    level : float, optional
        The response level of the threshold quantities (output units; default the rule of
        every model, F(tau_c, L_ref): :mod:`antagonism.theory.threshold`).

    Returns
    -------
    RegimeResult

    Examples
    --------
    Adaptive sorting T_{5,3} (tau_c = 3 s): tau* = 3 (3/5)^{1/2} and tau_infl =
    3 (3/10)^{1/2} < tau*, and antagonists lower the response to about a quarter:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> r = classify(AdaptiveProofreading(5, 3, tau_c=3))
    >>> r.verdict, r.method, round(r.tau_star, 4), round(r.tau_inflection, 4)
    ('specialized antagonism', 'symbolic', 2.3238, 1.6432)
    >>> round(r.strength.strength, 2), r.small_tau_exponent
    (0.27, 2.0)
    """
    if method not in ("auto", "symbolic", "numeric"):
        raise InputError(f"method must be auto, symbolic or numeric, got {method!r}")
    if not model.is_numeric():
        raise InputError(f"{model!r} has symbolic parameters: classification needs numbers "
                         "(use antagonism.derivations for symbolic results)")
    try:
        return _classify(model, background, method, tolerance, dose_factor, dose_response,
                         level)
    except ConvergenceError as e:
        # a network on the closed-form path whose shared species' solve fails: the numeric
        # engine instead (the state reached from rest), with the reason
        if getattr(model, "network", None) is None or model.derivation_method() != "symbolic":
            raise
        model.use_numeric_engine(f"the closed-form path failed: {e}")
        return _classify(model, background, method, tolerance, dose_factor, dose_response,
                         level)


def _classify(model, background, method, tolerance, dose_factor, dose_response, level):
    if getattr(model, "network", None) is not None:
        from .evaluation import model_evaluator

        model_evaluator(model)  # a network whose closed form is not from rest: numeric
    result = None
    if method != "numeric" and background is None and (
            getattr(model, "network", None) is None
            or model.derivation_method() == "symbolic"):
        result = _classify_closed_form(model)
        if result is None and method == "symbolic":
            raise InputError(f"{type(model).__name__}: the critical points have no closed "
                             "form; use method='numeric'")
    if result is None:
        result = _classify_numeric(model, background)
    return _finish(model, result, background, tolerance, dose_factor, dose_response, level)


def gradient_regime(model, background=None):
    """The regime of the per-ligand gradient alone (closed forms where the derivations give
    them, numerics otherwise): a dict with regime, tau_star, tau_inflection,
    small_tau_exponent... -- what :func:`classify` returns without the antagonism strength
    and the threshold (cheap: for calibrations that compare regimes only)."""
    result = _classify_closed_form(model) if background is None else None
    return result if result is not None else _classify_numeric(model, background)


def _finish(model, result, background, tolerance, dose_factor, dose_response, level):
    params = model.plain_parameters()  # integers (N, m) stay integers
    # parameters under their own key only: a model parameter named like a result field
    # (regime, method...) never replaces it, and no field repeats a parameter
    head = {"model": model.name, "parameters": params}
    result = RegimeResult({**head, **{k: v for k, v in result.items()
                                      if k not in ("model", "tau_c")}})
    # relative to the model's parameter tau_c, whatever range tau* was sought in
    result.tau_star_over_tau_c = (None if result.tau_star is None
                                  else result.tau_star / float(model.tau_c))
    result.update({k: v for k, v in model.regime_predictions().items() if k not in params})
    _decide(model, result, background, tolerance, dose_factor, dose_response, level)
    from .evaluation import evaluator_method, model_evaluator

    # how the steady states were computed: derived expressions, or the numeric network engine
    result.steady_state_method = evaluator_method(model_evaluator(model))
    if getattr(model, "network", None) is not None:
        _multistable_verdict(model, result)
    result.update(model.metadata())
    if result.get("structure"):
        result.cause = f"{result.structure}.  {result.cause}"
    return result


def _multistable_verdict(model, result):
    """Every steady state at the reference agonists and the strongest antagonist's mixture
    (:func:`~.networks.multistability.multistability`): ``bistable``, ``steady_states``;
    the verdict stands on the states reached from rest, and is "undetermined" where a
    checked point's state is not one reached from rest."""
    from .networks.multistability import multistability

    report = multistability(model, result.strength)
    result.bistable = report["bistable"]
    result.steady_states = report
    if model.__dict__.get("engine_reason"):
        result.engine_reason = model.engine_reason
    if report["bistable"]:
        where = [k for k, v in report["points"].items() if len(v.get("stable_outputs", ())) > 1]
        result.cause = (f"Bistable: several stable steady states at the {' and the '.join(where)}"
                        "; the fold changes are those of the states reached from rest (the "
                        "other branches' under steady_states, other_branch_fold_change).  "
                        + result.cause)
    if report.get("not_from_rest"):
        result.verdict = "undetermined"
        result.cause = (f"Undetermined: at the {', '.join(report['not_from_rest'])} no state "
                        "reached from rest was found, and no verdict is built on a state "
                        "that may be unstable.  " + result.cause)


def _ratio(a, b):
    return None if a is None or b is None else a / b


def _over_range(value, thr):
    """[value / tau_max, value / tau_min]: a ratio to the threshold binding time over the
    doses of the threshold's grid (None when either is missing)."""
    if value is None or thr.tau_min is None:
        return None
    return [value / thr.tau_max, value / thr.tau_min]


def _decide(model, result, background, tolerance, dose_factor, dose_response=True,
            level=None):
    """The verdict: antagonism by its size (strength under a budget), the regime by the
    gradient's critical point, the threshold at the level, and the cause."""
    result.pop("antagonism", None)
    thr = threshold_binding_time(model, level=level, levels=dose_response)
    strength = antagonism_strength(model, background=background, dose_factor=dose_factor,
                                   tolerance=tolerance)
    result.threshold = thr
    result.tau_star_over_tau_threshold = _ratio(result.tau_star, thr.tau)
    result.tau_inflection_over_tau_threshold = _ratio(result.tau_inflection, thr.tau)
    result.tau_star_over_tau_threshold_range = _over_range(result.tau_star, thr)
    result.tau_inflection_over_tau_threshold_range = _over_range(result.tau_inflection, thr)
    result.strength = strength
    if dose_response:
        curve = strength_curve(model, background=background, tolerance=tolerance,
                               headline=strength)
        result.strength_curve = curve.points
        result.potency = {k: curve[k] for k in POTENCY_KEYS}
        result.potency["definition"] = POTENCY_DEFINITION
    result.reference_agonists = agonist_position(strength, thr)
    result.strongest_antagonist = strongest_antagonist_labels(result, strength)
    # one word for every model: ``regime`` is the shape of the per-ligand gradient, whatever
    # the verdict; the verdict adds whether antagonists reach the tolerance
    shape = result.regime
    result.verdict = f"{shape} antagonism" if strength.antagonism else "no antagonism"
    result.cause = _cause(model, result, strength, thr)
    predicted = result.get("effective_m_predicted")
    if predicted is not None and predicted != result.effective_m:
        result.effective_m_note = (
            f"effective_m = {result.effective_m} is p + 1 for the leading small-tau term of "
            f"gamma (p = {result.small_tau_exponent:g}); with shared receptors that term is "
            f"receptor competition, a trace in size.  effective_m_predicted = {predicted:g} "
            "is the exponent of the feedback pathway alone (C_m ~ tau^(m+1) for a weak "
            "ligand, the receptors_in_excess variant), the one that shapes the gradient "
            "above the trace.")


def agonist_position(s, thr):
    """Where the reference agonists sit: their output against the threshold's level
    (position: above, at -- their tau is tau_c and their dose the reference dose -- or
    below), and their dose against the model's absolute-discrimination range at that level
    (a dict with a note)."""
    ad = thr.absolute_discrimination
    out, tau, L = s.reference_agonist["output"], s.reference_agonist["tau"], \
        s.reference_agonist["L"]
    position = ("at" if math.isclose(out, thr.level, rel_tol=1e-9) else
                "above" if out > thr.level else "below")
    inside = ad["reference_dose_inside"] if ad["holds"] else None
    rng = ad["dose_range"] or [math.nan, math.nan]
    where = (f"its dose L = {thr.reference_dose:g} lies inside the model's absolute-"
             f"discrimination range L = {rng[0]:.3g}-{rng[1]:.3g}" if inside else
             f"its dose L = {thr.reference_dose:g} lies outside the model's absolute-"
             f"discrimination range L = {rng[0]:.3g}-{rng[1]:.3g}" if inside is False else
             f"the model has no absolute-discrimination range at this level, at "
             f"{100 * ad['tolerance']:g} % (over at least {ad['min_decades']:g} decade)")
    note = (f"reference agonists tau = {tau} s, L = {L}: output {out:.4g}, "
            f"{position} the level {thr.level:.4g} (crossed at tau = {_fmt(thr.tau)} s at "
            f"L = {thr.reference_dose:g}); {where}")
    # their tau, L and output are strength.reference_agonist's, the level threshold.level
    return {"position": position, "above_level": position == "above",
            "inside_absolute_discrimination": inside, "note": note}


def strongest_antagonist_labels(r, s):
    """The two 'strongest antagonist' numbers of a classification, each with its definition
    (the words of the vocabulary: tau* of a dilute probe; the argmin within a budget)."""
    return {
        "tau_star": {"tau": r.tau_star, "definition": "tau*: the zero of the per-ligand "
                     f"gradient of a dilute probe (L_p -> 0), at {r.tau_star_at}"},
        "argmin_within_budget": {
            "tau": s.tau, "dose": s.dose,
            "definition": "the argmin of the fold change within the budget: the tau_2 (and "
                          f"L_2) of one antagonist type that lowers the response most with "
                          f"L_2 <= {s.budget['max_dose']:.6g}"}}


def _fmt(v):
    return "none" if v is None else f"{v:.4g}"


def _cause(model, r, s, thr):
    """One paragraph naming what makes the verdict, with the numbers it rests on."""
    size = (f"strongest fold change {s.strength:.4g} (the argmin within the budget: tau_2 = "
            f"{s.tau:.4g} s, L_2 = {s.dose:.4g}; budget L_2 <= {s.budget['max_dose']:g}, "
            f"{s.budget['dose_factor']:g}x the agonists' dose, limited by the "
            f"{s.budget['limited_by']}) against agonists tau = {s.reference_agonist['tau']} s, "
            f"L = {s.reference_agonist['L']}")
    parts = [f"{model.label()}: {model.title}.",
             f"Verdict at the {s.budget['dose_factor']:g}x dose budget."]
    receptors = s.budget["receptor_number"] is not None
    competition = (r.small_tau_exponent == 0 and r.effective_m == 1 and receptors)
    if not s.antagonism:
        parts.append(f"No antagonism: {size} >= tolerance {s.tolerance:g}.")
        if competition:
            parts.append("The only antagonistic term of the gradient at small tau is receptor "
                         "competition (gamma ~ tau^0: a dilute probe takes receptors from the "
                         f"agonists); its size is a trace (weakest ligands at the largest "
                         f"dose: FC = {s.weak_ligand_fold_change:.4g}).")
        elif not r.gradient_antagonistic:
            parts.append("No sub-threshold ligand has a negative gradient.")
        parts.append(f"Regime (the shape of the per-ligand gradient): {r.regime}.")
        return " ".join(parts)
    parts.append(f"Antagonism: {size} < tolerance {s.tolerance:g}.")
    if r.gradient_critical_point:
        where = ("" if r.tau_inflection_over_tau_threshold is None else
                 f" ({r.tau_inflection_over_tau_threshold:.3g} of the threshold binding time; "
                 f"tau* at {r.tau_star_over_tau_threshold:.3g} of it)")
        parts.append(f"Specialized: the per-ligand gradient has a critical point at tau_infl = "
                     f"{r.tau_inflection:.4g} s{where}, so weak ligands sit on a flat landscape "
                     f"and the strongest antagonist of a dilute dose is tau* = "
                     f"{r.tau_star:.4g} s (the zero of a dilute probe's gradient).")
        if competition:
            parts.append("Receptor competition adds a tau^0 term to the gradient of the "
                         "weakest ligands, whose size is a trace (weakest ligands at the "
                         f"largest dose: FC = {s.weak_ligand_fold_change:.4g}).")
    elif r.tau_star is None and not r.gradient_antagonistic:
        parts.append("Broad: no sub-threshold ligand has a negative tau-gradient (lowering tau "
                     "always lowers the output), so the gradient has no critical point; the "
                     "weakest ligands are the strongest antagonists (the infimum is at tau -> "
                     "0) and they antagonise by their quantity (dF/dL < 0 below the "
                     "agonists).")
    else:
        parts.append("Broad: the per-ligand gradient has no critical point below tau*; it is "
                     "largest on the weakest ligands (weakest ligands at the largest dose: "
                     f"FC = {s.weak_ligand_fold_change:.4g}).")
    if r.tau_star_over_tau_threshold is not None and r.tau_star_over_tau_threshold >= 1:
        parts.append(f"tau* lies above the threshold binding time at the reference dose "
                     f"({thr.tau:.4g} s at the level {thr.level:.4g}): the gradient's zero "
                     "is among agonists there.")
    _dose_response_parts(parts, r, thr)
    return " ".join(parts)


def _dose_response_parts(parts, r, thr):
    """The strength at every budget, the potency and the threshold over doses."""
    curve = r.get("strength_curve")
    if curve:
        parts.append("Strength by budget: " + ", ".join(
            f"{p['budget']} {p['strength']:.3g}" for p in curve) + "; the dose that halves "
            "the response: "
            + potency_text(r.potency) + ".")
    parts.append(f"Threshold: {thr.reason}.")
    if r.tau_star_over_tau_threshold_range is not None:
        lo, hi = r.tau_star_over_tau_threshold_range
        parts.append(f"tau*/tau_cross ranges over {lo:.3g}-{hi:.3g} across those doses.")


def _classify_closed_form(model):
    star = dv.derive_critical_binding_time(model)
    infl = dv.derive_inflection_binding_time(model)
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
        method="symbolic",
        regime="specialized" if tau_infl is not None else "broad",
        gradient_antagonistic=tau_star is not None,
        gradient_critical_point=tau_infl is not None,
        tau_star=tau_star, tau_inflection=tau_infl, small_tau_exponent=p,
        effective_m=(p + 1) if sign == "negative" else None, escape=escape,
        tau_star_at=f"the decision boundary (output = {at[dv.T]})", reasons=reasons,
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
    out["tau_star_at"] = f"a dilute probe next to tau = {taus} s, L = {Ls}"
    out["reasons"] = [f"gamma(tau) of a dilute probe next to the background tau = {taus}, "
                      f"L = {Ls}"] + list(res.reasons)
    out["derivations"] = {"gamma": gamma}
    return out


def classify_regime(model="adaptive", **parameters):
    """Classify the registered model ``model`` (a name) with ``parameters`` overriding its
    defaults, e.g. ``classify_regime("adaptive", N=5, m=3, tau_c=3)``.  Returns the
    RegimeResult of :func:`classify`.

    >>> r = classify_regime("adaptive", N=5, m=3, tau_c=3)
    >>> r.model, r.parameters, r.verdict
    ('adaptive', {'N': 5, 'm': 3, 'tau_c': 3.0}, 'specialized antagonism')
    """
    return classify(dv.create_model(model, **parameters))


def regime_table(N_values=range(1, 7), tau_c=1.0):
    """Classify T_{N,m} for every N in ``N_values`` and integer m = 0..N-1 (a list of
    RegimeResult, in that order).

    >>> [(r.parameters["m"], r.regime) for r in regime_table(N_values=[2])]
    [(0, 'broad'), (1, 'broad')]
    """
    return [classify(dv.AdaptiveProofreading(N, m, tau_c), dose_response=False)
            for N in N_values for m in range(int(N))]


def regime_table_markdown(N_values=range(1, 7), tau_c=1.0):
    """The regime table as a Markdown table (tau* and tau_infl at T = 1, units of tau_c;
    strength against one agonist type at tau_c, L = 1, antagonists up to L = 100)."""
    head = ("| N | m | verdict | strength (τ₂/τ_c) | gradient critical point | tau*/tau_c | "
            "tau_infl/tau_c | small-tau exponent p | escape |\n"
            "|---|---|---|---|---|---|---|---|---|")
    fmt = (lambda v: "–" if v is None else f"{v / tau_c:.4f}")
    rows = [f"| {r.parameters['N']:g} | {r.parameters['m']:g} | {r.verdict} | "
            f"{r.strength.strength:.4f} "
            f"({r.strength.tau / tau_c:.3g}) | {'yes' if r.gradient_critical_point else 'no'}"
            f" | {fmt(r.tau_star)} | {fmt(r.tau_inflection)} | {r.small_tau_exponent:g} | "
            f"{r.escape} |" for r in regime_table(N_values, tau_c)]
    return "\n".join([head] + rows) + "\n"
