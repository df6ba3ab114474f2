"""The threshold of a model as a dose-response property, derived from its own steady state.

A cell discriminates absolutely when a ligand's response crosses a threshold at one binding
time whatever its quantity.  For one ligand type at dose L the single-type response is
F(tau, L); for a stated level Theta,

    tau_cross(L) solves F(tau, L) = Theta        (s; root find in tau at each dose)

on a log grid of doses from 10 molecules to the model's receptor number (or, without finite
receptors, to ``DOSE_CAP`` = 10^6), the reference dose L_ref included.  The
result gives tau_cross over the grid, its range [tau_min, tau_max] and spread_ratio =
tau_max / tau_min, and **absolute discrimination**: the widest contiguous range of grid
doses over which tau_cross varies by less than ``tolerance`` (default 10 %:
tau_max/tau_min - 1 < 0.1 on that range); it *holds* when that range spans at least
``min_decades`` (default one decade).  No exact equality is demanded anywhere.

The level Theta, always reported with its definition, follows one rule for every model:

    Theta = F(tau_c, L_ref)      (the default level)

the response of one ligand type at the model's tau_c and the reference dose, so that
tau_cross(L_ref) = tau_c by definition: tau_c is the threshold binding time at the reference
dose, in every model.  For T_{N,m} this is its declared threshold T = 1 (F(tau_c, L) = 1 at
every L).  Whether the threshold holds at other doses is then a finding, absolute
discrimination, not part of the rule.  The caller may state any other level (``level=``,
``--level``).  Absolute discrimination depends on the level: ``absolute_discrimination_levels``
is the band of levels at which it holds (:mod:`antagonism.theory.threshold_levels`).

The *threshold binding time* ``tau`` is tau_cross at the reference dose (tau_c itself at the
default level).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.optimize import brentq

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from .strength import receptor_number
from .threshold_levels import MIN_DECADES, TOLERANCE, discrimination_range, level_scan
from .validation import check_positive_scalar

DOSE_MIN = 10.0         # molecules: the lowest dose of the grid
DOSE_CAP = 1e6          # molecules: the highest dose for models without finite receptors
POINTS_PER_DECADE = 4


class ThresholdResult(Result):
    """The threshold of a model over doses (see the module docstring).

    Keys
    ----
    tau : float or None -- the threshold binding time: tau_cross at the reference dose (s;
        tau_c at the default level; None: the level is not crossed there)
    level : float -- Theta, in the model's output unit; definition : str -- how it was set
    level_kind : {"default", "stated"} -- the default rule F(tau_c, L_ref), or a stated level
    tau_c : float -- the model's tau_c (s), the binding time of the default level
    reference_dose : float -- L_ref (molecules)
    dose_grid : list -- the log grid of doses (molecules); tau_cross : list -- tau_cross at
        each (s, or None)
    tau_min, tau_max : float or None -- the range of tau_cross over the grid (s)
    spread_ratio : float or None -- tau_max / tau_min
    not_crossed : list -- doses at which the level is not crossed in ``tau_range``
    absolute_discrimination : dict -- holds (bool), dose_range ([lo, hi] molecules, or
        None), decades (log10 hi/lo), tolerance, min_decades, reference_dose_inside (bool)
    tau_range : [lo, hi] -- the binding times searched (s)
    absolute_discrimination_levels : [lo, hi] or None -- the band of levels at which
        absolute discrimination holds (absent with ``levels=False``)
    level_scan : dict -- levels, decades (the widest window at each level), band_open
        (low, high: an edge of the scanned levels), tau_range
        (:mod:`antagonism.theory.threshold_levels`; absent with ``levels=False``)
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


def dose_grid(model, reference_dose, points_per_decade=POINTS_PER_DECADE, dose_cap=None):
    """(grid, top, limited_by): log-spaced doses from ``DOSE_MIN`` to the receptor number
    (or ``dose_cap``, default ``DOSE_CAP``, without finite receptors), ``points_per_decade``
    per decade, with the reference dose added."""
    R = receptor_number(model)
    top = float(dose_cap) if dose_cap is not None else (DOSE_CAP if R is None else R)
    top = max(top, DOSE_MIN * 10)
    steps = np.arange(int(math.floor(math.log10(top / DOSE_MIN) * points_per_decade + 1e-9))
                      + 1)
    grid = DOSE_MIN * 10.0 ** (steps / points_per_decade)  # 10, 17.8, 31.6, 56.2, 100, ...
    extra = [top, reference_dose]
    grid = np.unique(np.round(np.r_[grid, extra], 9))
    limited_by = ("stated cap" if dose_cap is not None else
                  "receptor number" if R is not None else f"cap {DOSE_CAP:g} (no receptors)")
    return grid, top, limited_by


def default_level(F_ref, tau_c):
    """Theta = F(tau_c, L_ref): the default level of every model (``F_ref`` the response at
    the reference dose as a function of tau)."""
    return float(F_ref(tau_c))


def _level(model, F_ref, tau_c, L_ref, level):
    """(level, kind, definition)."""
    if level is not None:
        return float(level), "stated", f"a stated level {float(level):.6g}"
    theta = default_level(F_ref, tau_c)
    definition = (f"the default level: the reference dose's response at tau_c, "
                  f"F(tau_c = {tau_c:g} s, L = {L_ref:g})")
    declared = model.threshold
    if declared is not None and math.isclose(float(declared), theta, rel_tol=1e-9):
        definition += f", the model's declared threshold {float(declared):g}"
    return theta, "default", definition


def threshold_binding_time(model, *, dose=None, level=None, tau_range=None,
                           tolerance=TOLERANCE, min_decades=MIN_DECADES,
                           points_per_decade=POINTS_PER_DECADE, dose_cap=None, levels=True):
    """The model's threshold over doses and its threshold binding time at the reference
    dose (see the module docstring).

    Parameters
    ----------
    model : CellModel with numeric parameters
    dose : float -- the reference dose L_ref (default: the quantity of the model's
        reference agonists)
    level : float, optional -- the level Theta (output units; default F(tau_c, L_ref))
    tau_range : (lo, hi) -- binding times searched (s; default 1e-3 to 1e3 times the
        reference agonists' binding time)
    tolerance, min_decades : absolute discrimination holds when tau_cross varies by less
        than ``tolerance`` (relative) over at least ``min_decades`` decades of dose
    points_per_decade, dose_cap : the dose grid (see :func:`dose_grid`)
    levels : bool -- also the band of levels at which absolute discrimination holds
        (``absolute_discrimination_levels``, from a scan of levels with crossings in
        ``tau_range``: :func:`~antagonism.theory.threshold_levels.level_scan`)

    Returns
    -------
    ThresholdResult

    Examples
    --------
    T_{N,m}: the default level F(tau_c, L_ref) is its declared threshold T = 1, crossed at
    tau_c whatever the dose:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> r = threshold_binding_time(AdaptiveProofreading(5, 3, tau_c=3))
    >>> round(r.tau, 6), round(r.level, 12), r.level_kind
    (3.0, 1.0, 'default')
    >>> r.absolute_discrimination["holds"], r.absolute_discrimination["dose_range"]
    (True, [1.0, 1000000.0])

    Kinetic proofreading (``create_model("kpr")``) discriminates absolutely at no level:
    its ``absolute_discrimination_levels`` is None.
    """
    from .evaluation import model_evaluator

    (tau_ref,), (L_ref,) = model.reference_background()
    L_ref = check_positive_scalar(float(L_ref) if dose is None else dose, "dose")
    tolerance = check_positive_scalar(tolerance, "tolerance")
    if level is not None:
        level = check_positive_scalar(level, "level")
    tau_ref = float(tau_ref)
    lo, hi = ((1e-3 * tau_ref, 1e3 * tau_ref) if tau_range is None
              else (float(tau_range[0]), float(tau_range[1])))
    if not 0 < lo < hi:
        raise InputError(f"tau_range must satisfy 0 < lo < hi, got ({lo}, {hi})")
    ev = model_evaluator(model)

    def F(q):
        return lambda t: ev.output([t], [q])

    tau_c = float(model.tau_c)
    theta, kind, definition = _level(model, F(L_ref), tau_c, L_ref, level)
    doses, top, limited_by = dose_grid(model, L_ref, points_per_decade, dose_cap)
    # the default level is crossed at tau_c at the reference dose: the continuation starts
    # there (a stated level: at its first crossing from short binding times)
    taus = _crossings_over_doses(F, theta, doses, L_ref, lo, hi,
                                 start=tau_c if kind == "default" else None)
    crossed = [t for t in taus if t is not None]
    ad = discrimination_range(doses, taus, tolerance, min_decades, L_ref)
    result = ThresholdResult(
        tau=taus[_index(doses, L_ref)], level=theta, level_kind=kind, definition=definition,
        tau_c=tau_c, reference_dose=L_ref, dose_grid=doses.tolist(), tau_cross=taus,
        tau_min=min(crossed) if crossed else None, tau_max=max(crossed) if crossed else None,
        spread_ratio=max(crossed) / min(crossed) if crossed else None,
        not_crossed=[float(q) for q, t in zip(doses, taus) if t is None],
        absolute_discrimination=ad, tau_range=[lo, hi],
        dose_limit={"top": top, "limited_by": limited_by})
    if levels:
        scan = _level_scan(ev, doses, L_ref, (lo, hi), tolerance, min_decades)
        result.absolute_discrimination_levels = scan.band
        result.level_scan = {"levels": scan.levels, "decades": scan.decades,
                             "band_open": scan.band_open, "tau_range": scan.tau_range,
                             "band": scan.band_text()}
    result.reason = _reason(result)
    return result


def _level_scan(ev, doses, L_ref, tau_range, tolerance, min_decades, levels=None):
    return level_scan(lambda t, q: ev.output([t], [q]), doses, _index(doses, L_ref),
                      tau_range=tau_range, tolerance=tolerance, min_decades=min_decades,
                      levels=levels)


def threshold_level_map(model, levels=None, *, dose=None, tolerance=TOLERANCE,
                        min_decades=MIN_DECADES, points_per_decade=POINTS_PER_DECADE,
                        dose_cap=None):
    """tau_cross over levels and the threshold's doses, the widest absolute-discrimination
    window at each level and the band of levels at which it holds: the
    :class:`~antagonism.theory.threshold_levels.LevelScan` behind
    ``absolute_discrimination_levels``, with the whole map (``levels``: the levels to scan,
    default the range of F at the reference dose).

    >>> from antagonism.derivations import create_model
    >>> s = threshold_level_map(create_model("kpr", N=3), levels=[1e-3, 1e-2])
    >>> s.band, len(s.tau_cross), len(s.tau_cross[0]) == len(s.dose_grid)
    (None, 2, True)
    """
    from .evaluation import model_evaluator

    (tau_ref,), (L_ref,) = model.reference_background()
    L_ref = check_positive_scalar(float(L_ref) if dose is None else dose, "dose")
    tau_ref = float(tau_ref)
    doses, _, _ = dose_grid(model, L_ref, points_per_decade, dose_cap)
    return _level_scan(model_evaluator(model), doses, L_ref, (1e-3 * tau_ref, 1e3 * tau_ref),
                       tolerance, min_decades, levels)


def _index(doses, q):
    return int(np.argmin(np.abs(np.log(doses / q))))


def _crossings_over_doses(F, theta, doses, L_ref, lo, hi, start=None):
    """tau_cross at every dose: at the reference dose the crossing nearest ``start`` (or the
    first from short binding times), then a continuation outwards along the grid from the
    previous crossing (a scan again after a dose with none)."""
    scan = np.geomspace(lo, hi, int(round(3 * math.log10(hi / lo))) + 1)
    taus = [None] * len(doses)
    k0 = _index(doses, L_ref)
    taus[k0] = (_first_crossing(F(doses[k0]), theta, scan) if start is None
                else _nearest_crossing(F(doses[k0]), theta, start, lo, hi))
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
           f"{_fmt(r.tau)} s" + (" (inside that range)"
                                 if ad["reference_dose_inside"] and ad["holds"] else ""))
    text = f"{where}; {verdict}; {ref}"
    if "level_scan" in r:
        text += (f"; absolute discrimination holds {r.level_scan['band']} (tau_cross within "
                 f"{100 * ad['tolerance']:g} % over at least {ad['min_decades']:g} decade)")
    return text
