"""The levels at which a model discriminates absolutely: tau_cross over levels and doses.

Absolute discrimination depends on the level Theta a threshold is taken at (see
:mod:`antagonism.theory.threshold`): one ligand type at dose L crosses Theta at
tau_cross(L; Theta), and the model discriminates absolutely *at Theta* when tau_cross varies
by less than ``tolerance`` (10 %) over at least ``min_decades`` (one) decade of dose.  This
module scans Theta:

    tau_cross(L; Theta) solves F(tau, L) = Theta      for Theta on a log grid, L on the
                                                      threshold's dose grid

and returns the widest window at each level and the **band** [Theta_lo, Theta_hi] of levels
at which absolute discrimination holds (None when it holds at none).

F is evaluated exactly (the model's own steady state) on a log grid of binding times at
every dose, ``TAU_POINTS_PER_DECADE`` per decade over ``tau_range``; between grid points
ln F is a cubic spline in ln tau (relative error of tau_cross below 2e-4 for the shipped
models, far below the 10 % criterion), and the crossing is the first one from short binding
times.  The band's edges are refined by bisection in ln Theta on the same splines.  A band
edge that is an end of the scanned levels is flagged open (T_{N,m}: F does not depend on L,
so every level discriminates absolutely).
"""
from __future__ import annotations

import math

import numpy as np
from scipy.interpolate import CubicSpline
from scipy.optimize import brentq

from antagonism._core.result import Result

TOLERANCE = 0.1  # absolute discrimination: tau_cross varies by less than 10 %
MIN_DECADES = 1.0  # ... over at least one decade of dose
TAU_POINTS_PER_DECADE = 3  # exact evaluations of F per decade of tau, at every dose
LEVELS_PER_DECADE = 6  # scanned levels per decade of output
MAX_LEVELS = 60  # at most this many scanned levels
FINE_PER_DECADE = 40  # the spline's first sign change is sought on this grid
BISECTIONS = 12  # refinements of each band edge (in ln Theta)


class LevelScan(Result):
    """tau_cross over levels and doses (see the module docstring).

    Keys
    ----
    levels : list -- the scanned levels Theta (output units), increasing
    dose_grid : list -- the doses (molecules)
    tau_cross : list of lists -- tau_cross[i][j] at levels[i] and dose_grid[j] (s; None: not
        crossed in ``tau_range``)
    decades : list -- the widest window (decades of dose) in which tau_cross varies by less
        than ``tolerance``, at each level (0 when no two neighbouring doses do)
    dose_ranges : list -- that window's [lo, hi] doses at each level (None: no window)
    holds : list of bool -- decades >= min_decades
    band : [lo, hi] or None -- the levels at which absolute discrimination holds (the widest
        contiguous run of them, its edges refined)
    band_open : dict -- low, high: True when that edge is an end of the scanned levels
    tau_range : [lo, hi] -- the binding times searched (s)
    tolerance, min_decades : float -- the criterion
    """

    def band_text(self):
        """The band in words, with its open edges."""
        if self.band is None:
            return (f"at none of the levels {self.levels[0]:.3g}-{self.levels[-1]:.3g}"
                    if self.levels else "at no level (F is not crossed)")
        lo, hi = self.band
        return (f"at levels {lo:.3g}-{hi:.3g}"
                + (" (the scan's lowest level: open below)" if self.band_open["low"] else "")
                + (" (the scan's highest level: open above)" if self.band_open["high"]
                   else ""))


class _Crossings:
    """tau_cross(L; Theta) at every dose of a grid from cubic splines of ln F in ln tau."""

    def __init__(self, F, doses, tau_range):
        lo, hi = tau_range
        n = max(int(round(TAU_POINTS_PER_DECADE * math.log10(hi / lo))), 3) + 1
        self.lt = np.linspace(math.log(lo), math.log(hi), n)
        fine = max(int(round(FINE_PER_DECADE * math.log10(hi / lo))), 8) + 1
        self.fine = np.linspace(self.lt[0], self.lt[-1], fine)
        values = np.array([[F(math.exp(a), q) for a in self.lt] for q in doses], dtype=float)
        self.values = values
        logs = np.log(np.maximum(values, 1e-300))
        self.splines = [CubicSpline(self.lt, row) for row in logs]
        self.on_fine = np.array([s(self.fine) for s in self.splines])

    def level_range(self, k):
        """(min, max) of F over the binding times at dose index ``k``."""
        row = self.values[k]
        positive = row[row > 0]
        return (float(positive.min()) if positive.size else 0.0, float(row.max()))

    def at(self, theta):
        """[tau_cross at each dose, or None] for the level ``theta``."""
        target = math.log(theta)
        out = []
        for spline, row in zip(self.splines, self.on_fine):
            v = row - target
            idx = np.nonzero(np.sign(v[:-1]) * np.sign(v[1:]) <= 0)[0]
            if idx.size == 0:
                out.append(None)
                continue
            k = idx[0]
            a, b = self.fine[k], self.fine[k + 1]
            if v[k] == 0:
                out.append(float(math.exp(a)))
                continue
            root = brentq(lambda x: float(spline(x)) - target, a, b, xtol=1e-12)
            out.append(float(math.exp(root)))
        return out


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



def level_scan(F, doses, reference_index, *, tau_range, tolerance, min_decades,
               levels=None):
    """The widest absolute-discrimination window at each level, and the band of levels at
    which it spans at least ``min_decades`` (a :class:`LevelScan`).

    Parameters
    ----------
    F : callable (tau, L) -> float -- the single-type response
    doses : array -- the dose grid (molecules); ``reference_index``: the reference dose's
        index in it (the default levels span the range of F there)
    tau_range : (lo, hi) -- binding times searched (s)
    tolerance, min_decades : the absolute-discrimination criterion
    levels : array, optional -- the levels to scan (default: ``LEVELS_PER_DECADE`` per
        decade over the range of F at the reference dose, at most ``MAX_LEVELS``)

    >>> F = lambda tau, L: (tau / 3.0) ** 2          # T_{N,m}: no dependence on L
    >>> s = level_scan(F, np.array([1.0, 10, 100]), 0, tau_range=(0.3, 30),
    ...                tolerance=0.1, min_decades=1.0)
    >>> [float(f"{v:.4g}") for v in s.band], s.band_open
    ([0.01, 100.0], {'low': True, 'high': True})
    """
    doses = np.asarray(doses, dtype=float)
    cross = _Crossings(F, doses, tau_range)
    if levels is None:
        lo, hi = cross.level_range(reference_index)
        if not 0 < lo < hi:
            levels = np.array([])
        else:
            n = int(min(MAX_LEVELS, max(2, round(LEVELS_PER_DECADE * math.log10(hi / lo)))))
            # just inside the range: the extreme levels are crossed at the grid's ends
            levels = np.geomspace(lo * (hi / lo) ** 1e-6, hi * (lo / hi) ** 1e-6, n)
    levels = np.asarray(levels, dtype=float)

    def window(theta, taus=None):
        r = discrimination_range(doses, cross.at(theta) if taus is None else taus, tolerance,
                                 min_decades)
        return r["decades"] or 0.0, r["holds"], r["dose_range"]

    maps = [cross.at(theta) for theta in levels]
    found = [window(theta, taus) for theta, taus in zip(levels, maps)]
    holds = [h for _, h, _ in found]
    band, band_open = _band(levels, holds, window)
    return LevelScan(levels=levels.tolist(), dose_grid=doses.tolist(), tau_cross=maps,
                     decades=[d for d, _, _ in found], dose_ranges=[r for _, _, r in found],
                     holds=holds, band=band,
                     band_open=band_open, tau_range=[float(v) for v in tau_range],
                     tolerance=float(tolerance), min_decades=float(min_decades))


def _band(levels, holds, window):
    """The widest contiguous run of holding levels, its edges refined by bisection."""
    runs, start = [], None
    for i, h in enumerate([*holds, False]):
        if h and start is None:
            start = i
        elif not h and start is not None:
            runs.append((start, i - 1))
            start = None
    if not runs:
        return None, {"low": False, "high": False}
    i, j = max(runs, key=lambda r: math.log(levels[r[1]] / levels[r[0]]) + 1e-9 * r[0])
    lo = levels[i] if i == 0 else _edge(levels[i], levels[i - 1], window)
    hi = levels[j] if j == len(levels) - 1 else _edge(levels[j], levels[j + 1], window)
    return [float(lo), float(hi)], {"low": i == 0, "high": j == len(levels) - 1}


def _edge(inside, outside, window):
    """The last level that holds between ``inside`` (holds) and ``outside`` (does not)."""
    a, b = math.log(inside), math.log(outside)
    for _ in range(BISECTIONS):
        mid = 0.5 * (a + b)
        if window(math.exp(mid))[1]:
            a = mid
        else:
            b = mid
    return math.exp(a)
