"""The result of a fit: posterior summaries, regime probabilities, diagnostics, as text
and strict JSON.

Intervals are **central** (equal-tailed): the 95 % interval runs from the 2.5 % to the
97.5 % quantile of the posterior draws, the 50 % interval from the 25 % to the 75 %.

>>> summarize([1.0, 2.0, 3.0, 4.0, 5.0])["median"]
3.0
"""
from __future__ import annotations

import math

import numpy as np

from antagonism._core.result import Result

LEVEL = 0.95
INTERVAL = "95 % central (the 2.5 % and 97.5 % quantiles of the posterior draws)"


def summarize(values):
    """{median, interval: [lo, hi] (95 % central), interval_50: [lo, hi], mean, sd, draws}
    of the finite values (None entries are dropped); None when there are none."""
    x = np.array([v for v in values if v is not None], float)
    x = x[np.isfinite(x)]
    if x.size == 0:
        return None
    q = np.quantile(x, [0.025, 0.25, 0.5, 0.75, 0.975])
    return {"median": float(q[2]), "interval": [float(q[0]), float(q[4])],
            "interval_50": [float(q[1]), float(q[3])], "mean": float(x.mean()),
            "sd": float(x.std(ddof=1)) if x.size > 1 else 0.0, "draws": int(x.size)}


def shares(labels, keys):
    """({key: share of labels equal to it}, n, se) over the n labels that are not None;
    se = 0.5 / sqrt(n) bounds the Monte Carlo standard error sqrt(p (1 - p) / n) of every
    share (None when n = 0)."""
    known = [v for v in labels if v is not None]
    n = len(known)
    out = {k: (sum(v == k for v in known) / n if n else None) for k in keys}
    return out, n, (0.5 / math.sqrt(n) if n else None)


def _fmt(v, digits=4):
    return "none" if v is None else f"{v:.{digits}g}"


def _interval(s, unit=""):
    if s is None:
        return "none"
    lo, hi = s["interval"]
    return f"{_fmt(s['median'])}{unit} [{_fmt(lo)}, {_fmt(hi)}]"


class FitResult(Result):
    """A fitted model (see :func:`antagonism.numerics.fit.fit_antagonism`).

    Keys
    ----
    model : str -- the registered name or the model file's network name
    label : str -- the model's display name (T_{N,m}...)
    route : str -- how the fold change was computed ("derived" closed form or "evaluator")
    free : list of str; fixed : {name: value} -- the other parameters' values
    priors : {name: "kind:lo:hi"}
    parameters : {name: {median, interval: [lo, hi], interval_50, mean, sd, draws}}
    interval_level : str -- what ``interval`` is (95 % central)
    regime_probability : {specialized, broad, none} -- shares of the posterior draws in
        each regime as ``classify`` words it (the gradient shape when the draw antagonises
        at the data's budget, "none" otherwise); ``regime_draws`` draws, Monte Carlo SE
        ``regime_se``
    gradient_shape_probability : {specialized, broad} -- shares by gradient shape alone,
        over ``gradient_shape_draws`` draws (every kept draw where the shape has a closed
        form)
    regime_method : "closed form" or "numeric" -- how each draw's shape was derived
    tau_star : summary (s) of tau* next to the reference agonist (None: no draw has one),
        over every kept draw where it has a closed form (else the ``regime_draws``);
        ``tau_star_share``: the share of those draws that have one
    strength : summary of the antagonism strength at the data's budget
    budget : {reference_agonist: {tau, L}, dose_factor, tolerance}
    not_in_fold_change : list of str -- parameters the derived fold change does not contain
    waic : {elpd_waic, se, waic, waic_se, p_waic, n, p_waic_over_0.4}
    posterior_predictive : {rows_inside_95, rows, share} -- data rows inside their 95 %
        posterior-predictive interval (model + the row's sd)
    diagnostics : split R-hat, autocorrelation times, ESS, converged, criteria, sampler
        settings (walkers, steps, burn, seed, acceptance, emcee version)
    data : {source, rows}
    warnings : list of str -- convergence and other warnings (also on stderr in the CLI)
    seconds : float -- wall time of the fit

    ``samples()`` returns the kept posterior draws (draws, parameters); ``predict(...)``
    the model's fold change at given mixtures for posterior draws.
    """

    def _serialised_keys(self):
        return [k for k in self.keys() if not k.startswith("_")]

    def samples(self):
        """The kept posterior draws (draws, parameters), in the order of ``free``."""
        return self["_samples"]

    def predict(self, tau_1, L_1, tau_2, L_2, draws=400, seed=0):
        """The model's fold change at the mixtures (arrays of equal length) for ``draws``
        posterior draws (chosen with ``seed``): an array (draws, mixtures)."""
        theta = self.samples()
        pick = np.random.default_rng(seed).choice(len(theta), size=min(draws, len(theta)),
                                                  replace=False)
        return self["_forward"].fold_change(theta[pick], tau_1, L_1, tau_2, L_2)

    def to_text(self, units=None):
        d = self.diagnostics
        name = self.label if self.label == self.model else f"{self.label} ({self.model})"
        lines = [f"fit of {name} to {self.data['rows']} rows of "
                 f"{self.data['source']}; fold change: {self.route}",
                 f"{'parameter':<10} {'prior':<24} {'median':>10} {'95 % interval':>24} "
                 f"{'R-hat':>6} {'ESS':>6}"]
        for name in self.free:
            s = self.parameters[name]
            lo, hi = s["interval"]
            lines.append(f"{name:<10} {self.priors[name]:<24} {s['median']:>10.4g} "
                         f"{f'[{lo:.4g}, {hi:.4g}]':>24} {d['rhat'][name]:>6.3f} "
                         f"{d['ess'][name]:>6.0f}")
        b = self.budget
        ag = b["reference_agonist"]
        p = self.regime_probability
        budget = "no antagonist in the data" if b["dose_factor"] is None else \
            f"{b['dose_factor']:g}x"
        regime = (f"regime at the data's budget ({budget}; {self.regime_draws} draws, MC SE "
                  f"<= {_fmt(self.regime_se, 2)}): P(specialized) = "
                  f"{_fmt(p['specialized'], 3)}, P(broad) = {_fmt(p['broad'], 3)}, P(none) = "
                  f"{_fmt(p['none'], 3)}" if self.regime_draws else
                  "regime at the data's budget: not derived (no draws; see --draws)")
        lines += [
            f"interval: {self.interval_level}", regime,
            f"gradient shape ({self.regime_method}, {self.gradient_shape_draws} draws): "
            f"P(specialized) = {_fmt(self.gradient_shape_probability['specialized'], 3)}",
            f"tau* next to the agonist (tau = {ag['tau']:g} s, L = {ag['L']:g}): "
            f"{_interval(self.tau_star, ' s')} (share of draws with one: "
            f"{_fmt(self.tau_star_share, 3)})",
            f"antagonism strength at the data's budget: {_interval(self.strength)}"]
        if self.not_in_fold_change:
            lines.append(f"not in the fold change (derived): {', '.join(self.not_in_fold_change)}"
                         " -- fold-change data cannot inform it")
        w = self.waic
        pp = self.posterior_predictive
        lines += [f"WAIC: elpd {w['elpd_waic']:.2f} (SE {w['se']:.2f}), p_waic "
                  f"{w['p_waic']:.2f}",
                  f"posterior predictive: {pp['rows_inside_95']}/{pp['rows']} rows inside "
                  "their 95 % interval",
                  f"sampler: emcee {d['emcee']}, {d['walkers']} walkers x {d['steps']} steps "
                  f"({d['burn']} burn-in), seed {d['seed']}, acceptance "
                  f"{d['acceptance']:.2f}; {'converged' if d['converged'] else 'NOT converged'}"
                  f" ({d['criteria']}); {self.seconds:.1f} s"]
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)
