"""The threshold of a model as a dose-response property, derived from its own steady state.

A cell discriminates absolutely when a ligand's response crosses a threshold at one binding
time whatever its quantity.  For one ligand type at dose L the single-type response is
F(tau, L); for a stated level Theta,

    tau_cross(L) solves F(tau, L) = Theta        (s; root find in tau at each dose)

on a log grid of doses from 10 molecules to the model's receptor number (or, without finite
receptors, to ``DOSE_CAP`` = 10^6), the reference dose L_ref and 10 L_ref included.  The
result gives tau_cross over the grid, its range [tau_min, tau_max] and spread_ratio =
tau_max / tau_min, and **absolute discrimination**: the widest contiguous range of grid
doses over which tau_cross varies by less than ``tolerance`` (default 10 %:
tau_max/tau_min - 1 < 0.1 on that range); it *holds* when that range spans at least
``min_decades`` (default one decade).  No exact equality is demanded anywhere.

The level Theta, always reported with its definition:

- a model that declares a threshold (``model.threshold``; T_{N,m}: T = 1) uses it;
- otherwise, the level that the reference dose and 10 L_ref cross at the same binding time,
  F(tau, L_ref) = F(tau, 10 L_ref), when such a tau exists (a root of the log ratio: the
  model's own dose-independent level between those two doses, e.g. SHP-1);
- otherwise (kinetic proofreading: F grows with L at every tau) the reference dose's
  response at the nominal tau_c, F(tau_c, L_ref);
- or any level the caller states (``level=``).

The *threshold binding time* ``tau`` is tau_cross at the reference dose.  It is None when
the level is only the nominal F(tau_c, L_ref) (or a stated one) and the reference dose lies
outside an absolute-discrimination range: then tau_cross(L_ref) = tau_c holds by
construction and says nothing about the model.
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from .strength import receptor_number
from .validation import check_positive_scalar

DOSE_RATIO = 10.0
DOSE_MIN = 10.0         # molecules: the lowest dose of the grid
DOSE_CAP = 1e6          # molecules: the highest dose for models without finite receptors
POINTS_PER_DECADE = 4
TOLERANCE = 0.1         # absolute discrimination: tau_cross varies by less than 10 %
MIN_DECADES = 1.0       # ... over at least one decade of dose


class ThresholdResult(Result):
    """The threshold of a model over doses (see the module docstring).

    Keys
    ----
    tau : float or None -- the threshold binding time: tau_cross at the reference dose (s)
    level : float -- Theta, in the model's output unit; definition : str -- how it was set
    level_kind : {"declared", "two doses", "nominal tau_c", "stated"}
    reference_dose : float -- L_ref (molecules)
    doses, crossings : list -- L_ref and 10 L_ref, and tau_cross at each (s; None: the level
        is not crossed there)
    dose_grid : list -- the log grid of doses (molecules); tau_cross : list -- tau_cross at
        each (s, or None)
    tau_min, tau_max : float or None -- the range of tau_cross over the grid (s)
    spread_ratio : float or None -- tau_max / tau_min
    not_crossed : list -- doses at which the level is not crossed in ``tau_range``
    absolute_discrimination : dict -- holds (bool), dose_range ([lo, hi] molecules, or
        None), decades (log10 hi/lo), tolerance, min_decades, reference_dose_inside (bool)
    tau_range : [lo, hi] -- the binding times searched (s)
    reason : str -- the finding in words, with its numbers
    """


def _first_crossing(f, level, grid):
    """The first tau on ``grid`` where f(tau) - level changes sign, refined by brentq."""
    vals = np.array([f(t) for t in grid]) - level
    idx = np.nonzero((np.sign(vals[:-1]) * np.sign(vals[1:]) < 0) | (vals[:-1] == 0))[0]
    if idx.size == 0:
        return None
    k = idx[0]
    if vals[k] == 0:
        return float(grid[k])
    return _refine(f, level, grid[k], grid[k + 1])


def _log_ratio(a, b):
    """log(a/b), NaN (no crossing there) when an output underflows to 0 (a long
    proofreading chain at short binding times)."""
    return float(np.log(a / b)) if a > 0 and b > 0 else float("nan")


def _refine(f, level, a, b):
    return float(brentq(lambda t: f(t) - level, a, b, xtol=1e-12 * a, rtol=1e-12))


def _nearest_crossing(f, level, start, lo, hi, factor=2.0):
    """The crossing of ``level`` nearest ``start`` (in log tau): steps of ``factor`` up and
    down from it, alternately, until f - level changes sign (a continuation along the dose
    grid: a few evaluations per dose); None when none in [lo, hi]."""
    g0 = f(start) - level
    if g0 == 0:
        return float(start)
    ends = {+1: (start, g0), -1: (start, g0)}
    while ends:
        for d in list(ends):
            t, g = ends[d]
            nxt = min(t * factor, hi) if d > 0 else max(t / factor, lo)
            if nxt == t:
                del ends[d]
                continue
            g_next = f(nxt) - level
            if g_next == 0:
                return float(nxt)
            if np.sign(g_next) != np.sign(g):
                return _refine(f, level, *sorted((t, nxt)))
            ends[d] = (nxt, g_next)
    return None


def dose_grid(model, reference_dose, dose_ratio=DOSE_RATIO,
              points_per_decade=POINTS_PER_DECADE, dose_cap=None):
    """(grid, top, limited_by): log-spaced doses from ``DOSE_MIN`` to the receptor number
    (or ``dose_cap``, default ``DOSE_CAP``, without finite receptors), ``points_per_decade``
    per decade, with the reference dose and dose_ratio times it added."""
    R = receptor_number(model)
    top = float(dose_cap) if dose_cap is not None else (DOSE_CAP if R is None else R)
    top = max(top, DOSE_MIN * 10)
    steps = np.arange(int(math.floor(math.log10(top / DOSE_MIN) * points_per_decade + 1e-9))
                      + 1)
    grid = DOSE_MIN * 10.0 ** (steps / points_per_decade)  # 10, 17.8, 31.6, 56.2, 100, ...
    extra = [top, reference_dose, dose_ratio * reference_dose]
    grid = np.unique(np.round(np.r_[grid, extra], 9))
    limited_by = ("stated cap" if dose_cap is not None else
                  "receptor number" if R is not None else f"cap {DOSE_CAP:g} (no receptors)")
    return grid, top, limited_by


def discrimination_range(doses, taus, tolerance=TOLERANCE, min_decades=MIN_DECADES,
                         reference_dose=None):
    """The widest contiguous run of ``doses`` (all crossed) over which max/min - 1 of the
    crossings ``taus`` stays below ``tolerance``: a dict with holds (the run spans at least
    ``min_decades`` decades), dose_range, decades, tolerance, min_decades and
    reference_dose_inside.

    >>> discrimination_range([10, 100, 1000, 1e4], [9.0, 3.0, 3.1, 3.2])["dose_range"]
    [100.0, 10000.0]
    """
    best = None
    n = len(doses)
    for i in range(n):
        lo = hi = None
        for j in range(i, n):
            t = taus[j]
            if t is None:
                break
            lo, hi = (t, t) if lo is None else (min(lo, t), max(hi, t))
            if hi / lo - 1 >= tolerance:
                break
            span = math.log10(doses[j] / doses[i])
            if j > i and (best is None or span > best[2]):
                best = (float(doses[i]), float(doses[j]), span)
    rng = None if best is None else [best[0], best[1]]
    inside = (rng is not None and reference_dose is not None
              and rng[0] * (1 - 1e-9) <= reference_dose <= rng[1] * (1 + 1e-9))
    return {"holds": bool(best is not None and best[2] >= min_decades - 1e-9),
            "dose_range": rng, "decades": None if best is None else best[2],
            "tolerance": float(tolerance), "min_decades": float(min_decades),
            "reference_dose_inside": bool(inside)}


def _level(model, F_ref, F_high, nominal, L_ref, dose_ratio, grid, level):
    """(level, kind, definition, tau of a two-dose crossing or None)."""
    if level is not None:
        return float(level), "stated", f"a stated level {float(level):.6g}", None
    if model.threshold is not None:
        theta = float(model.threshold)
        return theta, "declared", f"the model's declared threshold: respond iff output > " \
                                  f"{theta:g}", None
    tau = _first_crossing(lambda t: _log_ratio(F_high(t), F_ref(t)), 0.0, grid)
    if tau is not None:
        return (F_ref(tau), "two doses",
                f"the level crossed at the same binding time by doses {L_ref:g} and "
                f"{dose_ratio * L_ref:g}: F(tau, L) = F(tau, {dose_ratio:g} L) at "
                f"tau = {tau:.6g} s", tau)
    return (F_ref(nominal), "nominal tau_c",
            f"the reference dose's response at the nominal tau_c: F(tau_c = {nominal:g} s, "
            f"L = {L_ref:g}) (no two doses {dose_ratio:g} x apart cross a level at the same "
            "binding time)", None)


def threshold_binding_time(model, *, dose=None, level=None, dose_ratio=DOSE_RATIO,
                           tau_range=None, points=30, tolerance=TOLERANCE,
                           min_decades=MIN_DECADES, points_per_decade=POINTS_PER_DECADE,
                           dose_cap=None):
    """The model's threshold over doses and its threshold binding time at the reference
    dose (see the module docstring).

    Parameters
    ----------
    model : CellModel with numeric parameters
    dose : float -- the reference dose L_ref (default: the quantity of the model's
        reference agonists)
    level : float, optional -- the level Theta (default: see the module docstring)
    dose_ratio : float > 1 -- the second dose of the two-dose level is dose_ratio * L_ref
    tau_range : (lo, hi) -- binding times searched (s; default 1e-3 to 1e3 times the
        reference agonists' binding time; the two-dose level is sought in 1e-2 to 10 times
        it, on ``points`` log-spaced points)
    tolerance, min_decades : absolute discrimination holds when tau_cross varies by less
        than ``tolerance`` (relative) over at least ``min_decades`` decades of dose
    points_per_decade, dose_cap : the dose grid (see :func:`dose_grid`)

    Returns
    -------
    ThresholdResult

    Examples
    --------
    T_{N,m} declares the threshold T = 1, crossed at tau_c whatever the dose:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> r = threshold_binding_time(AdaptiveProofreading(5, 3, tau_c=3))
    >>> round(r.tau, 6), r.level, r.doses, [round(t, 6) for t in r.crossings]
    (3.0, 1.0, [1.0, 10.0], [3.0, 3.0])
    >>> r.absolute_discrimination["holds"], r.absolute_discrimination["dose_range"]
    (True, [1.0, 1000000.0])

    Kinetic proofreading (``create_model("kpr")``) has none: ``tau`` is None there.
    """
    from .evaluation import model_evaluator

    (tau_ref,), (L_ref,) = model.reference_background()
    L_ref = check_positive_scalar(float(L_ref) if dose is None else dose, "dose")
    dose_ratio = check_positive_scalar(dose_ratio, "dose_ratio")
    tolerance = check_positive_scalar(tolerance, "tolerance")
    tau_ref = float(tau_ref)
    lo, hi = ((1e-3 * tau_ref, 1e3 * tau_ref) if tau_range is None
              else (float(tau_range[0]), float(tau_range[1])))
    if not 0 < lo < hi:
        raise InputError(f"tau_range must satisfy 0 < lo < hi, got ({lo}, {hi})")
    pair_grid = (np.geomspace(max(lo, 1e-2 * tau_ref), min(hi, 10 * tau_ref), points)
                 if tau_range is None else np.geomspace(lo, hi, points))
    ev = model_evaluator(model)

    def F(q):
        return lambda t: ev.output([t], [q])

    nominal = float(model.tau_c)
    theta, kind, definition, pair_tau = _level(model, F(L_ref), F(dose_ratio * L_ref),
                                               nominal, L_ref, dose_ratio, pair_grid, level)
    doses, top, limited_by = dose_grid(model, L_ref, dose_ratio, points_per_decade, dose_cap)
    taus = _crossings_over_doses(F, theta, doses, L_ref, lo, hi)
    if pair_tau is not None:  # both doses cross the two-dose level there, by construction
        for q in (L_ref, dose_ratio * L_ref):
            taus[_index(doses, q)] = pair_tau
    crossed = [t for t in taus if t is not None]
    ad = discrimination_range(doses, taus, tolerance, min_decades, L_ref)
    at_ref = taus[_index(doses, L_ref)]
    own = kind in ("declared", "two doses")
    tau = at_ref if (own or (ad["holds"] and ad["reference_dose_inside"])) else None
    result = ThresholdResult(
        tau=tau, level=theta, level_kind=kind, definition=definition, reference_dose=L_ref,
        doses=[L_ref, dose_ratio * L_ref],
        crossings=[at_ref, taus[_index(doses, dose_ratio * L_ref)]],
        dose_grid=doses.tolist(), tau_cross=taus,
        tau_min=min(crossed) if crossed else None, tau_max=max(crossed) if crossed else None,
        spread_ratio=max(crossed) / min(crossed) if crossed else None,
        not_crossed=[float(q) for q, t in zip(doses, taus) if t is None],
        absolute_discrimination=ad, tau_range=[lo, hi],
        dose_limit={"top": top, "limited_by": limited_by})
    result.reason = _reason(result)
    return result


def _index(doses, q):
    return int(np.argmin(np.abs(np.log(doses / q))))


def _crossings_over_doses(F, theta, doses, L_ref, lo, hi):
    """tau_cross at every dose: a scan at the reference dose, then a continuation outwards
    along the grid from the previous crossing (a scan again after a dose with none)."""
    scan = np.geomspace(lo, hi, int(round(3 * math.log10(hi / lo))) + 1)
    taus = [None] * len(doses)
    k0 = _index(doses, L_ref)
    taus[k0] = _first_crossing(F(doses[k0]), theta, scan)
    for order in (range(k0 + 1, len(doses)), range(k0 - 1, -1, -1)):
        prev = taus[k0]
        for k in order:
            f = F(doses[k])
            taus[k] = (_first_crossing(f, theta, scan) if prev is None
                       else _nearest_crossing(f, theta, prev, lo, hi))
            prev = taus[k]
    return taus


def _fmt(v):
    return "none" if v is None else f"{v:.4g}"


def _reason(r):
    ad = r.absolute_discrimination
    where = (f"the level {r.level:.4g} ({r.definition}) is crossed at tau = "
             f"{_fmt(r.tau_min)}-{_fmt(r.tau_max)} s over doses {r.dose_grid[0]:g}-"
             f"{r.dose_grid[-1]:g} (up to the {r.dose_limit['limited_by']}; spread "
             f"{_fmt(r.spread_ratio)}x)")
    if r.not_crossed:
        where += f", not at all at {len(r.not_crossed)} of {len(r.dose_grid)} doses"
    if ad["holds"]:
        verdict = (f"absolute discrimination within {100 * ad['tolerance']:g} % from "
                   f"L = {ad['dose_range'][0]:.3g} to {ad['dose_range'][1]:.3g} "
                   f"({ad['decades']:.2g} decades)")
    elif ad["dose_range"] is not None:
        verdict = (f"no absolute discrimination at {100 * ad['tolerance']:g} %: the widest "
                   f"range where tau_cross varies less spans {ad['decades']:.2g} decades "
                   f"(L = {ad['dose_range'][0]:.3g}-{ad['dose_range'][1]:.3g}) < "
                   f"{ad['min_decades']:g}")
    else:
        verdict = (f"no absolute discrimination at {100 * ad['tolerance']:g} %: tau_cross "
                   "moves by more between every two neighbouring doses")
    ref = (f"the reference dose L = {r.reference_dose:g} crosses it at "
           f"{_fmt(r.crossings[0])} s" + (" (inside that range)"
                                          if ad["reference_dose_inside"] and ad["holds"]
                                          else ""))
    return f"{where}; {verdict}; {ref}"
