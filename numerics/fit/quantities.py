"""What each posterior draw says about antagonism: its regime, tau* and its strength.

For a draw theta (the model at those parameters):

- **gradient shape**, derived as :func:`antagonism.theory.classify` derives it: specialized
  when the per-ligand gradient has a critical point tau_infl in (0, tau*), broad otherwise.
  Where the derivations give closed forms in the free parameters (T_{N,m}), the two
  derived parts that decide it are evaluated for every draw at once: tau* exists iff
  q(theta) > 0 (:func:`~antagonism.derivations.derive_critical_binding_time`, part ``q``,
  at the model's threshold) and tau_infl lies in (0, tau*) iff 0 < rho(theta) < 1
  (:func:`~antagonism.derivations.derive_inflection_binding_time`, part ``ratio``; for
  T_{N,m} rho = (m - 1)/(N - 1), so specialized iff m > 1).  Other models are classified
  draw by draw (:func:`antagonism.theory.regimes.gradient_regime`).
- **tau\\*** of a dilute antagonist next to the data's reference agonist (s): the closed
  form at T = the agonist's own output (T_{N,m}: tau_1 (m/N)^{1/(N-m)}, whatever tau_c),
  or numerically from the probe gradient; None where there is none.
- **antagonism strength** at the data's budget: :func:`antagonism.theory.antagonism_strength`
  with the reference agonist as background and the data's dose factor (the largest
  antagonist dose measured against it over its own dose).
- **regime**, as ``classify`` words it: the gradient shape when the draw antagonises at that
  budget (strength < tolerance), else "none" (no antagonism).
"""
from __future__ import annotations

import numpy as np
import sympy as sp

from antagonism import derivations as dv
from antagonism.derivations import symbols as sy

from .forward import _FAILURES


class ClosedFormRegime:
    """The gradient shape and tau* of T_{N,m}-like models, vectorised over draws (see the
    module docstring).  ``ClosedFormRegime.of(forward)`` returns None when the closed forms
    do not exist (implicit models, the evaluator route)."""

    def __init__(self, forward, star, ratio):
        self.forward = forward
        symbols = forward.symbols
        values = forward.template.values
        threshold = forward.template.threshold
        self.level = 1.0 if threshold is None else float(threshold)
        self.never = star.exists is False  # no tau* for any theta: broad everywhere
        self._q = self._ratio = self._star = None
        if not self.never:
            self._q = sp.lambdify((*symbols, sy.T), star.q.subs(values), "numpy")
            self._ratio = sp.lambdify(symbols, ratio.subs(values), "numpy")
            self._star = sp.lambdify((*symbols, sy.T), star.expr, "numpy")
        single = forward.template.output((sy.tau,), (sy.L,))
        self._output = sp.lambdify((sy.tau, sy.L, *symbols), single, "numpy")

    @classmethod
    def of(cls, forward):
        if forward.route != "derived":
            return None
        template = forward.template
        try:
            star = dv.derive_critical_binding_time(template)
            infl = dv.derive_inflection_binding_time(template)
        except _FAILURES:
            return None
        if not star.closed_form:
            return None
        if star.exists is not False and (star.parts.get("q") is None or not infl.closed_form
                                         or infl.parts.get("ratio") is None):
            return None
        return cls(forward, star, infl.parts.get("ratio"))

    def specialized(self, theta):
        """Bool per draw: the gradient has a critical point in (0, tau*)."""
        theta = np.atleast_2d(theta)
        if self.never:
            return np.zeros(len(theta), bool)
        cols = tuple(theta.T)
        with np.errstate(all="ignore"):
            q = np.broadcast_to(np.asarray(self._q(*cols, self.level), float), len(theta))
            r = np.broadcast_to(np.asarray(self._ratio(*cols), float), len(theta))
        return (q > 0) & (r > 0) & (r < 1)

    def tau_star(self, theta, tau, L):
        """tau* (s) of a dilute antagonist next to one agonist (tau, L): NaN where none."""
        theta = np.atleast_2d(theta)
        if self.never:
            return np.full(len(theta), np.nan)
        cols = tuple(theta.T)
        with np.errstate(all="ignore"):
            T = np.asarray(self._output(tau, L, *cols), float)
            q = np.asarray(self._q(*cols, T), float)
            star = np.asarray(self._star(*cols, T), float)
        return np.broadcast_to(np.where(q > 0, star, np.nan), len(theta)).astype(float)


def gradient_shapes(forward, theta):
    """"specialized"/"broad" of every row of ``theta`` from the closed forms, or None when
    the model has none (then :func:`draw_quantities` classifies draw by draw)."""
    closed = ClosedFormRegime.of(forward)
    if closed is None:
        return None
    return np.where(closed.specialized(theta), "specialized", "broad").tolist()


def tau_stars(forward, theta, background):
    """tau* (s; None where a draw has none) of every row of ``theta`` next to the agonist
    ``background`` = (tau, L), from the closed forms; None when the model has none."""
    closed = ClosedFormRegime.of(forward)
    if closed is None:
        return None
    return [None if not np.isfinite(v) else float(v)
            for v in closed.tau_star(theta, *background)]


def draw_quantities(forward, theta, background, dose_factor, tolerance=0.9, progress=None):
    """Gradient shape, tau*, strength and regime of each draw (rows of ``theta``).

    Parameters
    ----------
    forward : ForwardModel
    theta : ndarray (draws, parameters)
    background : (tau, L) -- the data's reference agonist (s, molecules)
    dose_factor : float or None -- the data's dose budget (None: no strength, and the
        regime is the gradient shape)
    tolerance : float -- antagonism iff strength < tolerance
    progress : callable(done, total) or None

    Returns
    -------
    dict of lists: ``shape`` ("specialized"/"broad"), ``tau_star`` (float or None),
    ``strength`` (float or None), ``regime`` ("specialized"/"broad"/"none"), and
    ``method`` ("closed form" or "numeric", how the shape was derived).
    """
    from antagonism.theory.regimes import gradient_regime
    from antagonism.theory.strength import antagonism_strength

    theta = np.atleast_2d(theta)
    tau, L = background
    closed = ClosedFormRegime.of(forward)
    if closed is not None:
        shape = np.where(closed.specialized(theta), "specialized", "broad").tolist()
        stars = [None if not np.isfinite(v) else float(v)
                 for v in closed.tau_star(theta, tau, L)]
    else:
        shape, stars = [], []
    strengths = []
    every = max(1, len(theta) // 10)
    for k, row in enumerate(theta, 1):
        try:
            model = forward.model_at(row)
            if closed is None:
                shape.append(gradient_regime(model)["regime"])
                stars.append(gradient_regime(model, background=((tau,), (L,)))["tau_star"])
            strengths.append(None if dose_factor is None else antagonism_strength(
                model, background=((tau,), (L,)), dose_factor=dose_factor,
                tolerance=tolerance).strength)
        except _FAILURES:
            if closed is None:
                shape.append(None)
                stars.append(None)
            strengths.append(None)
        if progress is not None and (k % every == 0 or k == len(theta)):
            progress(k, len(theta))
    regime = [s if (f is None and dose_factor is None) or (f is not None and f < tolerance)
              else "none" for s, f in zip(shape, strengths)]
    return {"shape": shape, "tau_star": stars, "strength": strengths, "regime": regime,
            "method": "closed form" if closed is not None else "numeric"}
