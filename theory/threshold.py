"""The threshold binding time of a model, derived from its own steady state.

A cell discriminates absolutely when a ligand's response crosses its threshold at one
binding time whatever its quantity.  For one ligand type at dose L the single-type response
is F(tau, L); the *threshold binding time* is the tau at which the reference dose L_ref
crosses the model's response threshold Theta:

- a model that declares a threshold (``model.threshold``; T_{N,m}: T = 1) uses it: tau_thr
  solves F(tau, L_ref) = Theta (root find), and the crossing is recomputed at
  ``dose_ratio * L_ref`` to show that it does not move;
- a model without a declared threshold has a dose-independent one only if some level is
  crossed at the same tau at two doses: tau_thr solves F(tau, L_ref) = F(tau, r L_ref)
  (root find, r = dose_ratio), and Theta = F(tau_thr, L_ref) is the threshold it defines.
  Where no such tau exists (kinetic proofreading: F grows with L at every tau), the model
  has no dose-independent threshold: ``tau`` is None, and the result shows the crossing of
  the level its nominal tau_c sets, F(tau_c, L_ref), moving between the two doses.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from antagonism._core.result import Result

from .validation import check_positive_scalar

DOSE_RATIO = 10.0


class ThresholdResult(Result):
    """Keys: tau (s, or None: no dose-independent threshold), level (Theta, in the model's
    output unit), definition (str), doses (L_ref, r L_ref), crossings (tau at each dose, s,
    None where the level is not crossed), reason (str)."""


def _crossing(f, level, grid):
    """The first tau on ``grid`` where f(tau) - level changes sign, refined by brentq."""
    vals = np.array([f(t) for t in grid]) - level
    idx = np.nonzero((np.sign(vals[:-1]) * np.sign(vals[1:]) < 0) | (vals[:-1] == 0))[0]
    if idx.size == 0:
        return None
    k = idx[0]
    if vals[k] == 0:
        return float(grid[k])
    return float(brentq(lambda t: f(t) - level, grid[k], grid[k + 1], xtol=1e-12 * grid[k],
                        rtol=1e-12))


def threshold_binding_time(model, *, dose=None, dose_ratio=DOSE_RATIO, tau_range=None,
                           points=30):
    """The model's threshold binding time at the reference dose (see the module docstring).

    Parameters
    ----------
    model : CellModel with numeric parameters
    dose : float -- the reference dose L_ref (default: the quantity of the model's
        reference agonists)
    dose_ratio : float > 1 -- the second dose is dose_ratio * L_ref
    tau_range : (lo, hi) -- binding times searched (default 1e-2 to 10 times the reference
        agonists' binding time)

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

    Kinetic proofreading (``create_model("kpr")``) has none: ``tau`` is None there.
    """
    from .evaluation import model_evaluator

    (tau_ref,), (L_ref,) = model.reference_background()
    L_ref = check_positive_scalar(float(L_ref) if dose is None else dose, "dose")
    dose_ratio = check_positive_scalar(dose_ratio, "dose_ratio")
    lo, hi = ((1e-2 * float(tau_ref), 10 * float(tau_ref)) if tau_range is None
              else map(float, tau_range))
    grid = np.geomspace(lo, hi, points)
    ev = model_evaluator(model)
    doses = [L_ref, dose_ratio * L_ref]
    F = [lambda t, q=q: ev.output([t], [q]) for q in doses]
    if model.threshold is not None:
        level = float(model.threshold)
        crossings = [_crossing(f, level, grid) for f in F]
        same = (None not in crossings
                and abs(crossings[1] - crossings[0]) <= 1e-6 * crossings[0])
        return ThresholdResult(
            tau=crossings[0] if same else None, level=level, doses=doses,
            crossings=crossings,
            definition=f"the model's declared threshold: respond iff output > {level:g}",
            reason=(f"the output crosses {level:g} at tau = {crossings[0]:.6g} s at both "
                    f"doses L = {doses[0]:g} and {doses[1]:g}" if same else
                    f"the crossing of {level:g} moves with dose: tau = {crossings} s at "
                    f"L = {doses}"))
    ratio = lambda t: np.log(F[1](t) / F[0](t))  # noqa: E731
    tau = _crossing(ratio, 0.0, grid)
    if tau is not None:
        level = F[0](tau)
        below = ratio(tau * (1 - 1e-3)) > 0
        shape = (f"it rises with dose below {tau:.4g} s and falls above" if below else
                 f"it falls with dose below {tau:.4g} s and rises above")
        return ThresholdResult(
            tau=tau, level=level, doses=doses, crossings=[tau, tau],
            definition=(f"the level crossed at the same binding time by doses {doses[0]:g} "
                        f"and {doses[1]:g}: F(tau, L) = F(tau, {dose_ratio:g} L)"),
            reason=(f"a single ligand type at tau = {tau:.6g} s gives the output "
                    f"{level:.6g} at L = {doses[0]:g} and at L = {doses[1]:g}; {shape}"))
    nominal = float(model.tau_c)
    level = F[0](nominal)
    crossings = [_crossing(f, level, grid) for f in F]
    r = [ratio(t) for t in (grid[0], grid[-1])]
    return ThresholdResult(
        tau=None, level=None, doses=doses, crossings=crossings,
        definition="none: no level is crossed at a dose-independent binding time",
        reason=(f"F(tau, {dose_ratio:g} L)/F(tau, L) stays "
                f"{'above' if r[0] > 0 else 'below'} 1 for tau in [{lo:g}, {hi:g}] s: the "
                f"level F(tau_c = {nominal:g} s, L = {doses[0]:g}) = {level:.4g} is crossed "
                f"at tau = {_fmt(crossings[0])} s at L = {doses[0]:g} but at "
                f"{_fmt(crossings[1])} s at L = {doses[1]:g}"))


def _fmt(v):
    return "none" if v is None else f"{v:.4g}"
