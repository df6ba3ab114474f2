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
        receptors), limited_by ("dose factor" or "receptor number")
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
