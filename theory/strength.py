"""Antagonism measured by its size: the strongest fold change one antagonist type can reach.

For reference agonists (tau_1, L_1) (a model's ``reference_background()``, or any background
of ligand types) the *antagonism strength* is

    S = min_{tau_2, L_2} F(background + (tau_2, L_2)) / F(background)

over antagonists of ONE binding time tau_2 in [tau_lo, tau_1] and one quantity L_2 in
(0, L_max], the *dose budget*: L_max = dose_factor * sum(L_background) (default 100x), and
never more than the model's receptor number where receptors are finite.  A model
antagonises when S < tolerance (default 0.9: the response can be lowered by at least 10 %).

The minimum is found on a grid in (log tau_2, log L_2) with the model's own evaluator
(``model_evaluator``: exact steady states), then refined by a bounded Nelder-Mead search in
log coordinates.  When the minimum sits on an edge of the budget (tau_2 -> tau_lo: the
weakest ligands; L_2 = L_max) the result says so: the infimum lies on that edge.  When no
antagonist lowers the response at all (every added ligand raises it), the strength is 1,
approached as L_2 -> 0, and the reported dose is the smallest on the grid (L_max / 10^4).

One strength is one budget.  :func:`strength_curve` gives S and its (tau_2, L_2) at the
budgets 1x, 10x, 100x and 1000x the reference agonists' dose and at the receptor number
(where receptors are finite), and the potency: the antagonist dose L_2 that halves the
response, F(background + (tau_2, L_2)) = F(background) / 2, in two senses (None when no
dose up to the largest budget does):

- ``ic50_dose_at_strongest``: at the headline budget's best tau_2 (the argmin within the
  100x budget);
- ``min_ic50_dose``: the smallest over tau_2, min_{tau_2} IC50(tau_2) = the smallest L_2 at
  which some antagonist halves the response, L_2 solving
  g(L_2) = min_{tau_2} F(background + (tau_2, L_2)) / F(background) = 1/2 (bracketed
  between the budgets whose strengths straddle 1/2), with the tau_2 that reaches it.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from .validation import check_ligands, check_positive_scalar

DOSE_FACTOR = 100.0
TOLERANCE = 0.9
TAU_LOW_FRACTION = 1e-3
BUDGETS = (1.0, 10.0, 100.0, 1000.0)  # dose factors of the strength curve


class StrengthResult(Result):
    """Antagonism strength of a model (see the module docstring).

    Keys
    ----
    strength : float -- the smallest fold change F(mix)/F(background) reached (<= 1)
    antagonism : bool -- strength < tolerance
    tolerance : float
    tau, dose : float -- binding time (s) and quantity (molecules) of the antagonists that
        reach it
    at_budget_edge : list of str -- "weakest ligands" (tau at tau_lo), "largest dose" (dose at
        L_max): the infimum lies on that edge of the budget
    weak_ligand_fold_change : float -- FC of the weakest ligands (tau_lo) at the largest dose
    budget : dict -- tau_range (s), max_dose, dose_factor, receptor_number (None: no finite
        receptors), limited_by ("dose factor" or "receptor number"), label (the budget in
        words)
    reference_agonist : dict -- tau (list, s), L (list), output F(background)
    """


def receptor_number(model):
    """The model's total receptor number, or None when receptors are not finite.

    Read from a parameter ``R`` or, failing that, from the finite upper bound of a shared
    variable that is the free receptor pool (named R or R_f, or described as receptors)."""
    value = _finite_number(model.parameters().get("R"))
    if value is not None:
        return value
    form = model.sum_form()
    for v in (form.shared if form is not None else ()):
        upper = _finite_number(v.upper)
        if (str(v.symbol) in ("R", "R_f") or "receptor" in v.description.lower()) \
                and upper is not None:
            return upper
    return None


def _finite_number(value):
    """``float(value)`` for a finite real number (Python or sympy), else None (symbols,
    infinities, text: nothing is parsed)."""
    if value is None or isinstance(value, str):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _background(model, background):
    taus, Ls = background if background is not None else model.reference_background()
    tau, L = check_ligands([float(t) for t in taus], [float(x) for x in Ls])
    return tau, L


def dose_budget(model, background=None, dose_factor=DOSE_FACTOR):
    """(max_dose, budget dict): dose_factor times the background's total quantity, capped
    by the model's receptor number."""
    dose_factor = check_positive_scalar(dose_factor, "dose_factor")
    _, L = _background(model, background)
    by_factor = dose_factor * float(L.sum())
    R = receptor_number(model)
    max_dose = by_factor if R is None else min(by_factor, R)
    return max_dose, dict(max_dose=max_dose, dose_factor=dose_factor, receptor_number=R,
                          limited_by="receptor number" if max_dose < by_factor
                          else "dose factor")


def antagonism_strength(model, *, background=None, dose_factor=DOSE_FACTOR,
                        tolerance=TOLERANCE, tau_range=None, grid=(12, 6)):
    """The smallest fold change of the background's response that antagonists of one
    binding time reach within the dose budget (see the module docstring).

    Parameters
    ----------
    model : CellModel with numeric parameters
    background : (taus, Ls), optional -- the reference agonists (default the model's
        ``reference_background()``)
    dose_factor : float -- the budget: L_2 <= dose_factor * sum(L_background) (and <= the
        receptor number)
    tolerance : float in (0, 1] -- antagonism iff strength < tolerance
    tau_range : (lo, hi), optional -- antagonist binding times (s); default
        (1e-3 tau_1, tau_1), tau_1 the largest background binding time
    grid : (n_tau, n_dose) -- the search grid before refinement

    Returns
    -------
    StrengthResult

    Examples
    --------
    Against one agonist at tau_c = 3 s, L = 1, antagonists of T_{5,3} up to 100 molecules
    lower the response to about a quarter (the most at the largest dose):

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> s = antagonism_strength(AdaptiveProofreading(5, 3, tau_c=3))
    >>> round(s.strength, 2), s.antagonism, s.at_budget_edge, s.budget["max_dose"]
    (0.27, True, ['largest dose'], 100.0)
    >>> 0.003 < s.tau < 3.0
    True
    """
    from .evaluation import model_evaluator

    tolerance = check_positive_scalar(tolerance, "tolerance")
    if tolerance > 1:
        raise InputError(f"tolerance must lie in (0, 1], got {tolerance}")
    tau_b, L_b = _background(model, background)
    max_dose, budget = dose_budget(model, (tau_b, L_b), dose_factor)
    top = float(tau_b.max())
    lo, hi = (TAU_LOW_FRACTION * top, top) if tau_range is None else map(float, tau_range)
    if not 0 < lo < hi:
        raise InputError(f"tau_range must satisfy 0 < lo < hi, got ({lo}, {hi})")
    budget["tau_range"] = [lo, hi]
    budget["label"] = budget_label(budget)
    ev = model_evaluator(model)
    alone = ev.output(tau_b, L_b)
    if not alone > 0:
        raise InputError(f"the reference agonists give no response (F = {alone}); choose "
                         "another background")

    def fc(log_tau, log_dose):
        return ev.output(np.r_[tau_b, np.exp(log_tau)], np.r_[L_b, np.exp(log_dose)]) / alone

    n_tau, n_dose = grid
    lt = np.linspace(np.log(lo), np.log(hi), int(n_tau))
    ld = np.linspace(np.log(max_dose) - np.log(1e4), np.log(max_dose), int(n_dose))
    values = np.array([[fc(a, b) for b in ld] for a in lt])
    i, j = np.unravel_index(np.argmin(values), values.shape)
    bounds = [(lt[0], lt[-1]), (ld[0], ld[-1])]
    start = np.array([lt[i], ld[j]])
    best = (float(values[i, j]), start)
    if 0 < i < len(lt) - 1 or 0 < j < len(ld) - 1:  # refine unless it sits in a corner
        res = minimize(lambda x: fc(*x), start, method="Nelder-Mead", bounds=bounds,
                       options={"xatol": 1e-6, "fatol": 1e-12, "maxfev": 80})
        if res.fun < best[0]:
            best = (float(res.fun), res.x)
    strength, (a, b) = best
    edge = []
    if a <= lt[0] + 1e-3:
        edge.append("weakest ligands")
    if b >= ld[-1] - 1e-3:
        edge.append("largest dose")
    return StrengthResult(
        strength=strength, antagonism=bool(strength < tolerance), tolerance=tolerance,
        tau=float(np.exp(a)), dose=float(np.exp(b)), at_budget_edge=edge,
        weak_ligand_fold_change=float(values[0, -1]), budget=budget,
        reference_agonist=dict(tau=tau_b.tolist(), L=L_b.tolist(), output=float(alone)))


def budget_label(budget):
    """'100x the reference dose (L_2 <= 10000, limited by the dose factor)'."""
    return (f"{budget['dose_factor']:g}x the reference agonists' dose (L_2 <= "
            f"{budget['max_dose']:.6g}, limited by the {budget['limited_by']})")


class StrengthCurve(Result):
    """Antagonism strength against the dose budget (see the module docstring).

    Keys
    ----
    points : list of dict -- one per budget: budget ("1x", ..., "receptor number"),
        dose_factor, max_dose (molecules), limited_by, strength (the smallest fold change),
        tau (s) and dose (molecules) that reach it, at_budget_edge
    ic50_dose_at_strongest : float or None -- the antagonist dose that halves the response
        at ``tau_at_strongest``, the headline budget's best tau_2 (s)
    min_ic50_dose : float or None -- the smallest such dose over tau_2, reached at
        ``tau_at_min_ic50`` (s; None when no dose up to the largest budget halves it)
    headline : dict -- the budget of the headline strength (dose_factor, max_dose, label)
    """

    DEPRECATED_KEYS = {"ic50_dose": ("ic50_dose_at_strongest",),
                       "ic50_tau": ("tau_at_strongest",)}

    def to_text(self, units=None):
        """One line per budget, then the potency."""
        lines = [f"{p['budget']:>16}: strength {p['strength']:.4g} at tau_2 = {p['tau']:.4g} "
                 f"s, L_2 = {p['dose']:.4g}" for p in self.points]
        lines.append("ic50: " + potency_text(self))
        return "\n".join(lines)


def strength_curve(model, *, background=None, budgets=BUDGETS, tolerance=TOLERANCE,
                   headline=None, tau_range=None, grid=(10, 5)):
    """The antagonism strength at each dose budget in ``budgets`` (dose factors) and at the
    receptor number, and the potency (``ic50_dose_at_strongest``, ``min_ic50_dose``:
    see the module docstring).

    Parameters
    ----------
    model, background, tolerance, tau_range : as for :func:`antagonism_strength`
    budgets : dose factors (the budget L_2 <= factor * sum(L_background), capped by the
        receptor number)
    headline : StrengthResult, optional -- an already computed strength (reused at its
        budget; its tau_2 is where ``ic50_dose_at_strongest`` is sought); default the
        100x budget
    grid : the search grid at each budget

    Returns
    -------
    StrengthCurve

    Examples
    --------
    >>> from antagonism.derivations import AdaptiveProofreading
    >>> c = strength_curve(AdaptiveProofreading(5, 3, tau_c=3))
    >>> [p["budget"] for p in c.points]
    ['1x', '10x', '100x', '1000x']
    >>> [round(p["strength"], 3) for p in c.points]
    [0.869, 0.561, 0.273, 0.118]
    """
    from .evaluation import model_evaluator

    tau_b, L_b = _background(model, background)
    if headline is None:
        headline = antagonism_strength(model, background=background, tolerance=tolerance,
                                       tau_range=tau_range)
    R = receptor_number(model)
    factors = [float(f) for f in budgets]
    if R is not None:
        factors.append(R / float(L_b.sum()))
    ev = model_evaluator(model)
    alone = ev.output(tau_b, L_b)

    def fc(log_tau, log_dose):
        return ev.output(np.r_[tau_b, np.exp(log_tau)], np.r_[L_b, np.exp(log_dose)]) / alone

    done = {round(headline.budget["max_dose"], 6): {
        k: headline[k] for k in ("strength", "tau", "dose", "at_budget_edge")}}
    points = []
    for k, f in enumerate(factors):
        max_dose, _ = dose_budget(model, (tau_b, L_b), f)
        key = round(max_dose, 6)
        if key not in done:
            done[key] = _budget_minimum(fc, headline.budget["tau_range"], max_dose, grid)
        s = done[key]
        limited = "receptor number" if R is not None and max_dose < f * float(L_b.sum()) \
            else "dose factor"
        points.append({"budget": "receptor number" if k == len(budgets) else f"{f:g}x",
                       "dose_factor": f, "max_dose": max_dose, "limited_by": limited,
                       "strength": s["strength"], "tau": s["tau"], "dose": s["dose"],
                       "at_budget_edge": s["at_budget_edge"]})
    top = max(p["max_dose"] for p in points)
    ic50 = _half_dose(lambda q: fc(np.log(headline.tau), np.log(q)), top)
    least, least_tau = _min_half_dose(fc, headline.budget["tau_range"], points, grid[0])
    return StrengthCurve(points=points, ic50_dose_at_strongest=ic50,
                         tau_at_strongest=headline.tau, min_ic50_dose=least,
                         tau_at_min_ic50=least_tau,
                         headline={"dose_factor": headline.budget["dose_factor"],
                                   "max_dose": headline.budget["max_dose"],
                                   "label": budget_label(headline.budget)})


def potency_text(p):
    """'22.4 at the strongest tau_2 = 1.22 s; smallest 15.2 (tau_2 = 1.5 s)' for a dict
    with the four potency keys."""
    def dose(v):
        return "none" if v is None else f"{v:.4g}"

    text = (f"{dose(p['ic50_dose_at_strongest'])} at the strongest tau_2 = "
            f"{p['tau_at_strongest']:.4g} s; smallest {dose(p['min_ic50_dose'])}")
    return text + ("" if p["tau_at_min_ic50"] is None
                   else f" (tau_2 = {p['tau_at_min_ic50']:.4g} s)")


def _best_tau(fc, lt, log_dose):
    """(min over log tau_2 of fc(., log_dose), its log tau_2): the grid ``lt``, then a
    bounded Brent search next to the grid's minimum."""
    from scipy.optimize import minimize_scalar

    values = [fc(a, log_dose) for a in lt]
    i = int(np.argmin(values))
    best = (float(values[i]), float(lt[i]))
    res = minimize_scalar(lambda a: fc(a, log_dose), method="bounded",
                          bounds=(lt[max(i - 1, 0)], lt[min(i + 1, len(lt) - 1)]),
                          options={"xatol": 1e-7})
    return (float(res.fun), float(res.x)) if res.fun < best[0] else best


def _min_half_dose(fc, tau_range, points, n_tau):
    """(L_2, tau_2): the smallest dose at which some antagonist halves the response, the root
    of g(L_2) = min_tau2 fc - 1/2, bracketed by the budgets (sorted by dose) whose strengths
    straddle 1/2: g > 1/2 at every dose of the budget below, g <= 1/2 at the dose that
    reaches the strength of the budget above.  (None, None) when no budget reaches 1/2."""
    from scipy.optimize import brentq

    lt = np.linspace(np.log(tau_range[0]), np.log(tau_range[1]), int(n_tau))
    ordered = sorted(points, key=lambda p: p["max_dose"])
    above = next((p for p in ordered if p["strength"] <= 0.5), None)
    if above is None:
        return None, None
    below = [p for p in ordered if p["max_dose"] < above["max_dose"]]
    low = np.log(below[-1]["max_dose"]) if below else np.log(above["dose"]) - 8 * np.log(10)
    high = np.log(above["dose"])

    def g(log_dose):
        return _best_tau(fc, lt, log_dose)[0] - 0.5

    if g(low) <= 0:  # the strength search missed it: half at the bracket's low end already
        return float(np.exp(low)), float(np.exp(_best_tau(fc, lt, low)[1]))
    if g(high) > 0:
        high = np.log(above["max_dose"])
        if g(high) > 0:
            return None, None
    root = brentq(g, low, high, xtol=1e-9)
    return float(np.exp(root)), float(np.exp(_best_tau(fc, lt, root)[1]))


def _budget_minimum(fc, tau_range, max_dose, grid):
    """min of fc(log tau_2, log L_2) over tau_2 in ``tau_range`` and L_2 <= max_dose: a grid
    (n_tau binding times, n_dose doses down to max_dose / 10^4), then, when the grid's
    minimum sits at the largest dose (the usual case), a bounded Brent search along that edge
    in log tau_2, else a bounded Nelder-Mead search in (log tau_2, log L_2)."""
    from scipy.optimize import minimize_scalar

    n_tau, n_dose = grid
    lt = np.linspace(np.log(tau_range[0]), np.log(tau_range[1]), int(n_tau))
    ld = np.linspace(np.log(max_dose) - np.log(1e4), np.log(max_dose), int(n_dose))
    values = np.array([[fc(a, b) for b in ld] for a in lt])
    i, j = np.unravel_index(np.argmin(values), values.shape)
    best = (float(values[i, j]), lt[i], ld[j])
    if j == len(ld) - 1:
        lo, hi = lt[max(i - 1, 0)], lt[min(i + 1, len(lt) - 1)]
        res = minimize_scalar(lambda a: fc(a, ld[-1]), bounds=(lo, hi), method="bounded",
                              options={"xatol": 1e-7})
        if res.fun < best[0]:
            best = (float(res.fun), float(res.x), ld[-1])
    else:
        res = minimize(lambda x: fc(*x), [lt[i], ld[j]], method="Nelder-Mead",
                       bounds=[(lt[0], lt[-1]), (ld[0], ld[-1])],
                       options={"xatol": 1e-6, "fatol": 1e-12, "maxfev": 80})
        if res.fun < best[0]:
            best = (float(res.fun), *res.x)
    strength, a, b = best
    edge = (["weakest ligands"] if a <= lt[0] + 1e-3 else []) + (
        ["largest dose"] if b >= ld[-1] - 1e-3 else [])
    return {"strength": strength, "tau": float(np.exp(a)), "dose": float(np.exp(b)),
            "at_budget_edge": edge}


def _half_dose(fc, top, per_decade=3, decades=8):
    """The smallest L_2 on a log grid up to ``top`` where fc(L_2) falls to 1/2, refined by
    brentq in log L_2; None when it never does."""
    from scipy.optimize import brentq

    logs = np.linspace(np.log(top) - decades * np.log(10), np.log(top),
                       decades * per_decade + 1)
    prev = None
    for a in logs:
        v = fc(np.exp(a)) - 0.5
        if v <= 0:
            if prev is None:
                return float(np.exp(a))
            return float(np.exp(brentq(lambda x: fc(np.exp(x)) - 0.5, prev, a, xtol=1e-10)))
        prev = a
    return None
