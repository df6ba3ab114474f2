"""Sampling the posterior with emcee's affine-invariant ensemble sampler.

emcee (Foreman-Mackey et al., PASP 125, 306, 2013; the optional ``fit`` extra,
``pip install antagonism[fit]``) moves an ensemble of walkers with the stretch move of
Goodman & Weare (2010); it uses no gradients.  A run is reproducible from its seed:

- the initial walkers come from a ``numpy.random.Generator`` seeded with ``seed``: the
  ``walkers`` draws of highest posterior density among ``INIT_FACTOR x walkers`` draws from
  the prior (so the ensemble starts spread over the region the data allow);
- emcee's own moves draw from its ``numpy.random.RandomState``, which is set from
  ``RandomState(seed)`` before the first step (and checked: emcee ignores a state it
  cannot set).

The first ``burn`` steps (default half of them) are discarded.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import ConvergenceError, InputError
from antagonism._core.result import Result

INIT_FACTOR = 8


def require_emcee():
    """The emcee module, or an InputError saying how to install it."""
    try:
        import emcee
    except ImportError:
        raise InputError("fitting needs emcee: pip install 'antagonism[fit]' (or "
                         "pip install 'emcee>=3.1')") from None
    return emcee


class Chains(Result):
    """The walkers' path.

    Keys
    ----
    chain : ndarray (kept steps, walkers, parameters) -- after burn-in
    log_prob : ndarray (kept steps, walkers)
    acceptance : float -- mean acceptance fraction of the walkers
    burn, steps, walkers : int
    likelihood_calls : int -- parameter vectors evaluated
    """

    def flat(self):
        """The kept draws as one array (draws, parameters)."""
        return self.chain.reshape(-1, self.chain.shape[-1])


def initial_walkers(log_posterior, priors, walkers, rng):
    """``walkers`` distinct prior draws of highest posterior density (see the module
    docstring)."""
    draws = priors.sample(rng, INIT_FACTOR * walkers)
    lp = log_posterior(draws)
    finite = np.isfinite(lp)
    if finite.sum() < walkers:
        raise ConvergenceError(f"only {int(finite.sum())} of {len(draws)} prior draws give the "
                               "data a non-zero likelihood (the model has no steady state "
                               "there, or the prior misses the data): widen or move the prior")
    order = np.argsort(np.where(finite, -lp, np.inf), kind="stable")
    return draws[order[:walkers]]


def run_ensemble(log_posterior, priors, *, walkers, steps, burn=None, seed=0,
                 progress=None):
    """Run emcee (see the module docstring); returns :class:`Chains`.

    Parameters
    ----------
    log_posterior : callable (k, d) -> (k,) -- vectorised
    priors : Priors
    walkers, steps : int -- walkers >= 2 x parameters (emcee's requirement), even
    burn : int, optional -- discarded steps (default steps // 2)
    seed : int >= 0
    progress : callable(done, total) or None -- called about ten times
    """
    emcee = require_emcee()
    dim = len(priors)
    if walkers < 2 * dim or walkers % 2:
        raise InputError(f"walkers must be even and at least twice the number of parameters "
                         f"({2 * dim}), got {walkers}")
    burn = steps // 2 if burn is None else int(burn)
    if not 0 <= burn < steps:
        raise InputError(f"burn must lie in [0, steps), got burn={burn}, steps={steps}")
    rng = np.random.default_rng(seed)
    start = initial_walkers(log_posterior, priors, walkers, rng)
    sampler = emcee.EnsembleSampler(walkers, dim, log_posterior, vectorize=True)
    state = np.random.RandomState(seed).get_state()
    sampler.random_state = state
    if not np.array_equal(sampler.random_state[1], state[1]):
        raise RuntimeError("emcee did not take the random state: the run would not be "
                           "reproducible")
    every = max(1, steps // 10)
    for k, _ in enumerate(sampler.sample(start, iterations=steps), 1):
        if progress is not None and (k % every == 0 or k == steps):
            progress(k, steps)
    return Chains(chain=sampler.get_chain(discard=burn),
                  log_prob=sampler.get_log_prob(discard=burn),
                  acceptance=float(np.mean(sampler.acceptance_fraction)), burn=burn,
                  steps=steps, walkers=walkers, likelihood_calls=log_posterior.calls
                  if hasattr(log_posterior, "calls") else None)
