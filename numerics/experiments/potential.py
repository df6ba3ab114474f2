"""Antagonism curves: F(tau_2) and FC(tau_2) of an agonist + antagonist mixture, any model.

The set-up of the paper's antagonism-potential figure (Rademaker et al. 2019): R ligands,
agonists L_1 = 0.4 R at tau_1 = tau_c, and L_2 = 0.6 R at tau_2 in (0, tau_c).  The minimum
of F(tau_2) is the strongest antagonist;
the inflection below it (root of d^2F/dtau_2^2 in (0, tau_min)) is the critical point of
the gradient.  Both are located with bracketed solvers on the model's evaluator.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from antagonism._core.errors import InputError
from antagonism._core.result import Result
from antagonism.theory.validation import check_positive_int, check_positive_scalar

from ..cells.evaluator import cell_evaluator


class PotentialResult(Result):
    """An antagonism curve.

    Keys
    ----
    tau2, T, fc : ndarray -- grid of antagonist binding times, output and fold change
    tau_min, T_min : float or None -- minimum of F(tau_2) in (0, tau_c)
    tau_inflection : float or None -- root of d^2F/dtau_2^2 in (0, tau_min) where dF/dtau_2
        has its minimum
    model : str; parameters : dict; tau_c, L1, L2, tau1 : float
    """

    #: the keys of :meth:`summary` (the curve's arrays left out)
    SUMMARY = ("model", "parameters", "tau_c", "tau1", "L1", "L2", "tau_min", "T_min",
               "tau_inflection")

    def summary(self):
        """The located points without the curve, what they are, and a note on how they
        differ from classify's tau* and tau_infl (what ``antagonism potential`` prints)."""
        out = Result(self.to_dict(keys=self.SUMMARY))
        out["tau_min_at"] = (f"finite dose L2 = {self.L2:g} next to agonists tau1 = "
                             f"{self.tau1:g} s, L1 = {self.L1:g}")
        out["note"] = ("tau_min is the argmin of the output at this finite dose and "
                       "tau_inflection the critical point of dF/dtau_2 there; classify's "
                       "tau* and tau_infl are those of a dilute probe "
                       "(docs/regimes.md#vocabulary)")
        return out


class FoldChangeScan(Result):
    """The fold change FC(tau_2) of agonists (tau1, L1) and L2 antagonists over a grid, and
    its argmin (:func:`fold_change_scan`).

    Keys
    ----
    tau2, fc : list -- antagonist binding times (s) and fold changes F(mixture)/F(agonists)
    tau2_argmin, fc_min : float -- the strongest antagonist at this dose and its fold change
    tau2_argmin_at : str -- the set-up; note : str -- how tau2_argmin differs from tau*
    model : str; parameters : dict
    """

    def to_text(self, units=None):
        return (f"argmin of the fold change at {self.tau2_argmin_at}: tau2 = "
                f"{self.tau2_argmin:.4g} s, FC = {self.fc_min:.4g}")


def fold_change_scan(model, tau1, L1, L2, tau2):
    """FC(tau_2) on the grid ``tau2`` (s) and the argmin of FC over [min, max] of the grid
    (:func:`strongest_antagonist`), as a :class:`FoldChangeScan`.

    FC(tau_2) = F(tau1, L1; tau2, L2) / F(tau1, L1), dimensionless; FC < 1 is antagonism.

    >>> from antagonism.derivations import create_model
    >>> scan = fold_change_scan(create_model("adaptive"), 10.0, 100.0, 1000.0, [0.5, 10.0])
    >>> scan.parameters, round(scan.fc[1], 6)
    ({'N': 5, 'm': 3, 'tau_c': 3.0}, 1.0)
    """
    from antagonism.theory import fold_change

    grid = np.asarray(tau2, float)
    fc = fold_change(model, tau1, L1, grid, L2)
    t_min, fc_min = strongest_antagonist(model, tau1, L1, L2,
                                         bounds=(float(grid.min()), float(grid.max())))
    return FoldChangeScan(
        tau2=grid.tolist(), fc=np.asarray(fc, float).tolist(), tau2_argmin=t_min,
        fc_min=fc_min,
        tau2_argmin_at=f"finite dose L2 = {L2:g} next to agonists tau1 = {tau1:g} s, "
                       f"L1 = {L1:g}",
        note="tau2_argmin is the argmin of the fold change at this finite dose, not tau* "
             "(the zero of a dilute probe's gradient, from classify); see "
             "docs/regimes.md#vocabulary",
        model=model.name, parameters=model.plain_parameters())


def antagonism_potential(model, *, R=1e4, agonist_fraction=0.4, tau1=None, n_points=400,
                         backend="auto"):
    """F(tau_2) and FC(tau_2) with located minimum and inflection.

    Parameters
    ----------
    model : CellModel with numeric parameters
    R : float -- total ligands; agonists L_1 = agonist_fraction R, antagonists the rest
    tau1 : float -- agonist binding time (default the model's tau_c)
    n_points : int -- grid over (0, tau_c)
    """
    R = check_positive_scalar(R, "R")
    n_points = check_positive_int(n_points, "n_points")
    if not 0 < agonist_fraction < 1:
        raise InputError(f"agonist_fraction must be in (0, 1), got {agonist_fraction}")
    ev = cell_evaluator(model, backend)
    tau_c = ev.tau_c
    tau1 = tau_c if tau1 is None else check_positive_scalar(tau1, "tau1")
    L = np.array([agonist_fraction * R, (1 - agonist_fraction) * R])
    T_of = lambda t2: ev.output(np.array([tau1, t2]), L)  # noqa: E731
    dT = lambda t2: ev.grad_output(np.array([tau1, t2]), L)[1]  # noqa: E731
    d2T = lambda t2: _second_derivative(ev, dT, tau1, t2, L)  # noqa: E731
    lo, hi = 1e-6 * tau_c, tau_c * (1 - 1e-9)
    tau2 = np.linspace(lo, hi, n_points)
    T = np.array([T_of(t) for t in tau2])
    T_agonist = ev.output(np.array([tau1]), L[:1])
    res = PotentialResult(model=model.name,
                          parameters=model.plain_parameters(),
                          tau_c=tau_c, tau1=tau1, L1=L[0], L2=L[1], tau2=tau2, T=T,
                          fc=T / T_agonist, tau_min=None, T_min=None, tau_inflection=None)
    i = int(np.argmin(T))
    if 0 < i < n_points - 1:  # interior minimum: refine on the bracketing grid cells
        g = np.array([dT(t) for t in tau2[i - 1:i + 2]])
        if g[0] < 0 < g[-1]:
            res.tau_min = brentq(dT, tau2[i - 1], tau2[i + 1], xtol=1e-14, rtol=1e-14)
        else:
            res.tau_min = minimize_scalar(T_of, bounds=(tau2[i - 1], tau2[i + 1]),
                                          method="bounded", options={"xatol": 1e-12}).x
        res.T_min = T_of(res.tau_min)
        inner = tau2[tau2 < res.tau_min]
        h = np.array([d2T(t) for t in inner])
        # critical point of the gradient: d2F changes sign from - to + (dF/dtau_2 is minimal)
        idx = np.nonzero((h[:-1] < 0) & (h[1:] > 0))[0]
        if idx.size:
            j = idx[-1]
            res.tau_inflection = brentq(d2T, inner[j], inner[j + 1], xtol=1e-14, rtol=1e-14)
    return res


def _second_derivative(ev, dT, tau1, t2, L):
    """d^2F/dtau_2^2 from the evaluator's Hessian; where that is not finite (terms such as
    L_i^2 overflow for quantities near the float limit, although F and dF/dtau_2 stay
    finite) a central difference of the exact gradient dF/dtau_2, step 1e-5 tau_2."""
    with np.errstate(over="ignore", invalid="ignore"):
        h = float(ev.hessian_diagonal(np.array([tau1, t2]), L)[1])
    if np.isfinite(h):
        return h
    step = 1e-5 * t2
    return (dT(t2 + step) - dT(t2 - step)) / (2 * step)


def strongest_antagonist(model, tau1, L1, L2, bounds=(0.05, 10.0)):
    """argmin over tau_2 of FC(tau_2) for agonists (tau1, L1) and L2 antagonists, located by
    a geometric grid and then a bounded minimiser (1 % or better in tau_2).

    Returns ``(tau2_argmin, fc_min)``."""
    from antagonism.theory import fold_change

    grid = np.geomspace(bounds[0], bounds[1], 60)
    fc = fold_change(model, tau1, L1, grid, L2)
    i = int(np.argmin(fc))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    f = lambda t: float(fold_change(model, tau1, L1, t, L2))  # noqa: E731
    res = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4 * lo})
    return float(res.x), float(res.fun)
