"""Fit a model to measured antagonism: data + model + priors -> posterior -> report.

:func:`fit_antagonism` reads the data (:mod:`.data`), builds the forward model
(:mod:`.forward`) and the priors (:mod:`.priors`), samples the posterior with emcee
(:mod:`.sampler`), checks convergence (:mod:`.diagnostics`), derives each draw's regime,
tau* and antagonism strength (:mod:`.quantities`) and the WAIC (:mod:`.comparison`), and
returns a :class:`~.report.FitResult`.  :func:`compare_models` fits several models to the
same data and ranks them by WAIC.
"""
from __future__ import annotations

import time
import warnings

import numpy as np

from antagonism._core.errors import InputError
from antagonism.theory.validation import check_positive_int

from .comparison import compare_fits, waic
from .data import FitData, read_fit_data
from .diagnostics import diagnose
from .forward import ForwardModel
from .likelihood import LogPosterior
from .priors import Prior, build_priors, parse_prior
from .quantities import draw_quantities, gradient_shapes, tau_stars
from .report import INTERVAL, FitResult, shares, summarize
from .sampler import require_emcee, run_ensemble

#: sampler settings by route: (walkers, steps, derived-quantity draws)
DEFAULTS = {"derived": (32, 4000, 200), "evaluator": (8, 300, 40)}
#: posterior draws used for WAIC and the posterior-predictive check
WAIC_DRAWS = 4000


class ConvergenceWarning(RuntimeWarning):
    """The chains of a fit have not converged (see ``FitResult.warnings``)."""


def _priors(items):
    return [p if isinstance(p, Prior) else parse_prior(p) for p in items]


def _say(progress, text):
    if progress:
        from antagonism.numerics.progress import say

        say(text)


def _predictive_checks(log_post, flat, rng):
    """WAIC (without its pointwise elpd_i, returned apart) and the number of data rows
    inside their 95 % posterior-predictive interval, from WAIC_DRAWS draws."""
    data = log_post.data
    pick = rng.choice(len(flat), size=min(WAIC_DRAWS, len(flat)), replace=False)
    mu = log_post.predict(flat[pick])
    w = waic(log_post.pointwise(flat[pick]))
    elpd_i = w.pop("elpd_i")
    noisy = mu + data.sd[None, :] * rng.normal(size=mu.shape)
    lo, hi = np.nanquantile(noisy, [0.025, 0.975], axis=0)
    return w, elpd_i, int(np.sum((data.fold_change >= lo) & (data.fold_change <= hi)))


def fit_antagonism(data, model="adaptive", *, free=None, fixed=None, priors=(), seed=0,
                   walkers=None, steps=None, burn=None, draws=None, route="auto",
                   tolerance=0.9, progress=False):
    """Sample the posterior of a model's parameters given measured fold changes.

    Parameters
    ----------
    data : FitData or path -- see :mod:`antagonism.numerics.fit.data`
    model : str or NetworkModel -- a registered model ("adaptive" is T_{N,m}, "kpr",
        "shp1", "adaptive-sorting") or a model file read by ``antagonism.io.load_model_file``
    free : sequence of str, optional -- parameters to fit (default: the model's defaults in
        :data:`~.priors.DEFAULT_PRIORS`; required for a model file)
    fixed : {name: number}, optional -- other parameters' values
    priors : sequence of Prior or "name=kind:lo:hi" -- overrides of the default priors
    seed : int >= 0 -- the same seed gives the same draws
    walkers, steps, burn : int, optional -- emcee settings (default 32 walkers x 4000 steps
        for closed-form fold changes, 8 x 300 for numeric steady states; burn = steps / 2)
    draws : int, optional -- posterior draws whose regime, tau* and strength are derived
        (default 200, or 40 for numeric steady states; 0 skips them)
    route : "auto", "derived" or "evaluator" -- how the fold change is computed
    tolerance : float -- a draw antagonises iff its strength at the data's budget is below
    progress : bool -- progress lines on stderr

    Returns
    -------
    FitResult

    Examples
    --------
    >>> from antagonism.numerics.fit import fit_data
    >>> d = fit_data([10] * 4, [1] * 4, [1, 3, 1, 3], [10, 10, 100, 100],
    ...              [0.83, 0.5, 0.62, 0.26], [0.05] * 4)
    >>> r = fit_antagonism(d, "adaptive", seed=1, steps=400, draws=0)
    >>> sorted(r.parameters), r.not_in_fold_change
    (['N', 'm'], ['tau_c'])
    """
    require_emcee()
    start = time.perf_counter()
    data = data if isinstance(data, FitData) else read_fit_data(data)
    seed = int(seed)
    if seed < 0:
        raise InputError(f"seed must be a non-negative integer, got {seed}")
    if isinstance(model, ForwardModel):
        if free or fixed or route != "auto":
            raise InputError("free, fixed and route belong to the ForwardModel given")
        forward = model
    else:
        forward = ForwardModel(model, free=free, fixed=fixed, route=route)
    prior = build_priors(forward.name if forward.registered else None, forward.free,
                         forward.values, _priors(priors), domain=forward.in_domain)
    rng = np.random.default_rng(seed)
    forward.check_domain(prior.sample(rng, 64))
    w0, s0, d0 = DEFAULTS[forward.route]
    w0 = max(w0, 2 * (len(forward.free) + 1))  # emcee needs >= 2 per parameter
    walkers = check_positive_int(w0 if walkers is None else walkers, "walkers")
    steps = check_positive_int(s0 if steps is None else steps, "steps")
    draws = d0 if draws is None else int(draws)
    log_post = LogPosterior(forward, prior, data)
    label = f"[fit {forward.name}]"
    _say(progress, f"{label} {walkers} walkers x {steps} steps, fold change: {forward.route}")
    chains = run_ensemble(log_post, prior, walkers=walkers, steps=steps, burn=burn, seed=seed,
                          progress=(lambda k, n: _say(True, f"{label} step {k}/{n} "
                                    f"({time.perf_counter() - start:.0f} s)"))
                          if progress else None)
    diag = diagnose(chains.chain, forward.free)
    diag.update(walkers=walkers, steps=steps, burn=chains.burn, seed=seed,
                acceptance=chains.acceptance, emcee=require_emcee().__version__,
                likelihood_calls=chains.likelihood_calls)
    flat = chains.flat()
    params = {k: summarize(flat[:, j]) for j, k in enumerate(forward.free)}
    w, elpd_i, inside = _predictive_checks(log_post, flat, rng)
    background = data.reference_agonist()
    dose_factor = data.dose_factor()
    q = {"shape": [], "tau_star": [], "strength": [], "regime": [], "method": None}
    if draws > 0:
        sub = flat[rng.choice(len(flat), size=min(draws, len(flat)), replace=False)]
        _say(progress, f"{label} regime, tau* and strength of {len(sub)} draws")
        q = draw_quantities(forward, sub, background, dose_factor, tolerance)
    regime, n_regime, regime_se = shares(q["regime"], ("specialized", "broad", "none"))
    every_shape = gradient_shapes(forward, flat)
    shape, n_shape, _ = shares(q["shape"] if every_shape is None else every_shape,
                               ("specialized", "broad"))
    every_star = tau_stars(forward, flat, background)
    all_stars = q["tau_star"] if every_star is None else every_star
    stars = [s for s in all_stars if s is not None]
    warn = list(diag["warnings"])
    if not diag["converged"]:
        warn.insert(0, "the chains have not converged: run longer (steps) before trusting "
                       "the intervals")
    if dose_factor is None:
        warn.append("no row adds an antagonist to the reference agonist: the regime is the "
                    "gradient shape, and there is no strength at the data's budget")
    result = FitResult(
        model=forward.name, label=forward.label, route=forward.route, free=list(forward.free),
        fixed={k: v for k, v in forward.values.items() if k not in forward.free},
        priors=prior.describe(), parameters=params, interval_level=INTERVAL,
        regime_probability=regime, regime_draws=n_regime, regime_se=regime_se,
        gradient_shape_probability=shape, gradient_shape_draws=n_shape,
        regime_method="closed form" if every_shape is not None else "numeric",
        tau_star=summarize(stars), tau_star_share=(len(stars) / len(all_stars)
                                                   if all_stars else None),
        strength=summarize(q["strength"]),
        budget={"reference_agonist": {"tau": background[0], "L": background[1]},
                "dose_factor": dose_factor, "tolerance": tolerance},
        not_in_fold_change=forward.not_in_fold_change, waic=w,
        posterior_predictive={"rows_inside_95": inside, "rows": data.n,
                              "share": inside / data.n},
        diagnostics=diag, data={"source": data.source, "rows": data.n}, warnings=warn,
        seconds=time.perf_counter() - start,
        _samples=flat, _forward=forward, _data=data, _elpd_i=elpd_i, _quantities=q)
    for text in warn:
        warnings.warn(f"{label} {text}", ConvergenceWarning, stacklevel=2)
    return result


def compare_models(data, models, *, seed=0, progress=False, **options):
    """Fit each model of ``models`` (names, or ForwardModels) to ``data`` with the same seed
    and compare them by WAIC; returns
    :class:`~antagonism.numerics.fit.comparison.ComparisonResult`.  ``options`` go to
    :func:`fit_antagonism` (``free``, ``fixed`` and ``priors`` apply to every model, so
    they are refused here: fit the models one by one to set them)."""
    data = data if isinstance(data, FitData) else read_fit_data(data)
    models = list(models)
    if len(models) < 2 or len(set(map(str, models))) != len(models):
        raise InputError(f"model comparison needs at least two different models, got {models}")
    for key in ("free", "fixed", "priors"):
        if options.get(key):
            raise InputError(f"{key} cannot be given when comparing models: each model "
                             "takes its defaults")
    fits = {}
    for m in models:
        fit = fit_antagonism(data, m, seed=seed, progress=progress, **options)
        fits[fit.model] = fit
    return compare_fits(fits)
