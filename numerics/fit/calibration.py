"""Simulation-based calibration of the fit: do its intervals cover the truth as often as
they say?

Each replicate k draws parameters theta_k from the prior, simulates one data set of the
:data:`DESIGN` (30 mixtures: one agonist, tau_1 = 10 s, L_1 = 10, against antagonists of
six binding times at five doses) with Gaussian noise of standard deviation
:data:`NOISE_SD` around the model's fold change (the noise the likelihood assumes), fits
it (:func:`~.posterior.fit_antagonism`, its own seed) and records whether theta_k lies in
the 50 % and 95 % central intervals.  For a calibrated fit the coverage is binomial with
those probabilities; its standard error over n replicates is sqrt(p (1 - p) / n), and
the Wilson 95 % interval says whether a miss is beyond chance (Talts et al. 2018;
Cook, Gelman & Rubin 2006).  The gradient shape gets a Brier score: the mean of
(P(specialized) - [the truth is specialized])^2 over replicates.

The simulated fold changes are Gaussian around the model, so near zero some are negative;
the data a user gives are refused when negative (:mod:`.data`), the simulated ones are
kept, since clipping them would change the noise the likelihood assumes.
"""
from __future__ import annotations

import time
from functools import lru_cache

import numpy as np

from antagonism._core.result import Result

from .data import FitData
from .forward import ForwardModel
from .priors import build_priors

AGONIST = (10.0, 10.0)  # tau_1 (s), L_1 (molecules)
TAU_ANTAGONIST = (0.5, 1.0, 2.0, 4.0, 6.0, 8.0)  # s
DOSE_RATIO = (1.0, 10.0, 100.0, 1e3, 1e4)  # L_2 / L_1
DESIGN = "30 mixtures: tau_1 = 10 s, L_1 = 10; tau_2 in {0.5, 1, 2, 4, 6, 8} s x L_2/L_1 in " \
         "{1, 10, 100, 1e3, 1e4}"
NOISE_SD = 0.05
LEVELS = (0.5, 0.95)


def design():
    """(tau_1, L_1, tau_2, L_2) arrays of the 30 mixtures of :data:`DESIGN`."""
    t2, ratio = (a.ravel() for a in np.meshgrid(TAU_ANTAGONIST, DOSE_RATIO))
    n = t2.size
    return np.full(n, AGONIST[0]), np.full(n, AGONIST[1]), t2, ratio * AGONIST[1]


def simulate(forward, theta, rng, sd=NOISE_SD):
    """One data set (:class:`FitData`) of :data:`DESIGN` at parameters ``theta``: the
    model's fold change plus Gaussian noise of standard deviation ``sd``."""
    t1, L1, t2, L2 = design()
    mu = forward.fold_change(np.atleast_2d(theta), t1, L1, t2, L2)[0]
    y = mu + sd * rng.normal(size=mu.size)
    return FitData(tau_agonist=t1, L_agonist=L1, tau_antagonist=t2, L_antagonist=L2,
                   fold_change=y, sd=np.full(mu.size, sd), replicate=None,
                   source="simulated", n=mu.size)


def _wilson(k, n, z=1.959964):
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return [float(centre - half), float(centre + half)]


class CalibrationResult(Result):
    """Coverage of the fit's intervals on data simulated from the prior.

    Keys
    ----
    model : str; design : str; noise_sd : float; replicates : int; seed : int
    sampler : {walkers, steps, burn}
    coverage : {parameter: {level: {coverage, inside, se, wilson_95, within_5_percent}}}
        for the levels "50 %" and "95 %"
    shape_brier : float or None -- Brier score of P(specialized) against the truth's
        gradient shape (None where it has no closed form); ``shape_truth_specialized``:
        the share of replicates whose truth is specialized
    converged : float -- share of the fits that met the convergence criteria
    seconds : {min, median, max} -- wall time per fit
    """

    def to_text(self, units=None):
        lines = [f"simulation-based calibration of {self.model}: {self.replicates} replicates, "
                 f"{self.design}, noise sd {self.noise_sd:g}; emcee {self.sampler['walkers']} "
                 f"walkers x {self.sampler['steps']} steps",
                 "",
                 "| parameter | nominal | coverage | inside | SE | Wilson 95 % interval | "
                 "within ±5 % |",
                 "|---|---|---|---|---|---|---|"]
        for name, levels in self.coverage.items():
            for level, c in levels.items():
                lo, hi = c["wilson_95"]
                lines.append(f"| {name} | {level} | {100 * c['coverage']:.1f} % | "
                             f"{c['inside']}/{self.replicates} | {100 * c['se']:.1f} % | "
                             f"{100 * lo:.1f}-{100 * hi:.1f} % | "
                             f"{'yes' if c['within_5_percent'] else 'no'} |")
        s = self.seconds
        lines += ["", f"converged fits: {100 * self.converged:.1f} %; seconds per fit: "
                      f"min {s['min']:.2f}, median {s['median']:.2f}, max {s['max']:.2f}"]
        if self.shape_brier is not None:
            lines.append(f"gradient shape: Brier score {self.shape_brier:.4f} (truth "
                         f"specialized in {100 * self.shape_truth_specialized:.1f} % of "
                         "replicates)")
        return "\n".join(lines)


@lru_cache(maxsize=4)
def _forward(model):
    return ForwardModel(model)


def calibration_replicate(model, k, seed, walkers, steps, sd):
    """One replicate of the calibration (a task of :func:`~antagonism.numerics.executor.
    run_tasks`): the truth drawn from the prior with ``default_rng([seed, k])``, one data
    set, one fit with seed ``seed * 100003 + k``.  Returns a dict: truth, inside ({name:
    [in the 50 % interval, in the 95 % interval]}), p_specialized and truth_specialized
    (None without a closed-form shape), converged, seconds."""
    import warnings

    from .posterior import ConvergenceWarning, fit_antagonism
    from .quantities import gradient_shapes

    forward = _forward(model)
    prior = build_priors(forward.name, forward.free, forward.values, domain=forward.in_domain)
    rng = np.random.default_rng([seed, k])
    truth = prior.sample(rng, 1)[0]
    data = simulate(forward, truth, rng, sd)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = fit_antagonism(data, forward, seed=seed * 100003 + k, walkers=walkers,
                             steps=steps, draws=0)
    inside = {}
    for name, v in zip(forward.free, truth):
        p = fit.parameters[name]
        inside[name] = [bool(p["interval_50"][0] <= v <= p["interval_50"][1]),
                        bool(p["interval"][0] <= v <= p["interval"][1])]
    shape = gradient_shapes(forward, np.atleast_2d(truth))
    return {"truth": truth.tolist(), "inside": inside,
            "p_specialized": None if shape is None
            else fit.gradient_shape_probability["specialized"],
            "truth_specialized": None if shape is None else shape[0] == "specialized",
            "converged": bool(fit.diagnostics["converged"]),
            "seconds": time.perf_counter() - start}


def simulation_based_calibration(model="adaptive", *, replicates=400, seed=0, walkers=32,
                                 steps=4000, sd=NOISE_SD, executor="local", workers=None,
                                 cache=None, progress=False):
    """Run the calibration (see the module docstring); returns :class:`CalibrationResult`.

    Parameters
    ----------
    model : str -- a registered model with default priors (T_{N,m}: "adaptive")
    replicates : int -- simulated data sets (each fitted once)
    seed : int -- replicate k draws its truth and noise from ``default_rng([seed, k])``
        and fits with seed ``seed * 100003 + k``
    walkers, steps : emcee settings of every fit (burn-in: half the steps; the defaults of
        ``fit_antagonism`` for closed-form fold changes)
    sd : float -- the noise of the simulated fold changes
    executor, workers, cache, progress : as for
        :func:`antagonism.numerics.executor.run_tasks` (the replicates are its tasks; with
        ``cache`` an interrupted calibration resumes where it stopped)
    """
    from antagonism.numerics.executor import run_tasks

    forward = _forward(model)
    args = [dict(model=model, k=k, seed=seed, walkers=walkers, steps=steps, sd=sd)
            for k in range(replicates)]
    runs = run_tasks(calibration_replicate, args, executor=executor, workers=workers,
                     cache=cache, progress=progress, label="calibration").results
    coverage = {}
    for name in forward.free:
        coverage[name] = {}
        for j, lv in enumerate(LEVELS):
            inside = sum(bool(r["inside"][name][j]) for r in runs)
            c = inside / replicates
            coverage[name][f"{100 * lv:g} %"] = {
                "coverage": c, "inside": inside,
                "se": float(np.sqrt(lv * (1 - lv) / replicates)),
                "wilson_95": _wilson(inside, replicates),
                "within_5_percent": bool(abs(c - lv) <= 0.05)}
    shaped = [r for r in runs if r["p_specialized"] is not None]
    seconds = [r["seconds"] for r in runs]
    return CalibrationResult(
        model=forward.name, design=DESIGN, noise_sd=sd, replicates=replicates, seed=seed,
        sampler={"walkers": walkers, "steps": steps, "burn": steps // 2}, coverage=coverage,
        shape_brier=float(np.mean([(r["p_specialized"] - r["truth_specialized"]) ** 2
                                   for r in shaped])) if shaped else None,
        shape_truth_specialized=float(np.mean([r["truth_specialized"] for r in shaped]))
        if shaped else None,
        converged=float(np.mean([r["converged"] for r in runs])),
        seconds={"min": min(seconds), "median": float(np.median(seconds)),
                 "max": max(seconds)})
