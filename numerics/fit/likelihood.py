"""The likelihood of measured fold changes, and the posterior a sampler explores.

Each row i is one measurement y_i of the fold change with standard error s_i (the data's
``sd``), independent and Gaussian around the model's fold change mu_i(theta)
(:class:`~.forward.ForwardModel`):

    log p(y_i | theta) = -(y_i - mu_i)^2 / (2 s_i^2) - log s_i - log(2 pi) / 2.

A parameter vector at which the model has no steady state (mu_i NaN) has likelihood 0.
The posterior is prior x likelihood (:class:`~.priors.Priors`).

>>> import numpy as np
>>> pointwise_log_likelihood(np.array([[1.0, 0.5]]), np.array([1.0, 0.6]),
...                          np.array([0.1, 0.1])).round(4)
array([[1.3836, 0.8836]])
"""
from __future__ import annotations

import math

import numpy as np

_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def pointwise_log_likelihood(mu, y, sd):
    """log p(y_i | mu_i) for each parameter vector (rows of ``mu``) and data row."""
    mu = np.atleast_2d(mu)
    with np.errstate(invalid="ignore"):
        z = (y[None, :] - mu) / sd[None, :]
        out = -0.5 * z * z - np.log(sd)[None, :] - _HALF_LOG_2PI
    return np.where(np.isfinite(out), out, -np.inf)


class LogPosterior:
    """log prior + log likelihood of a parameter array (k, d) -> (k,), vectorised, for
    emcee (``vectorize=True``).

    Parameters
    ----------
    forward : ForwardModel
    priors : Priors
    data : FitData

    Attributes
    ----------
    calls : int -- parameter vectors evaluated so far
    """

    def __init__(self, forward, priors, data):
        self.forward, self.priors, self.data = forward, priors, data
        self.calls = 0

    def predict(self, theta):
        """The model's fold change at every data row (k, n); NaN outside the domain."""
        d = self.data
        return self.forward.fold_change(theta, d.tau_agonist, d.L_agonist, d.tau_antagonist,
                                        d.L_antagonist)

    def pointwise(self, theta):
        """log p(y_i | theta) (k, n)."""
        return pointwise_log_likelihood(self.predict(theta), self.data.fold_change,
                                        self.data.sd)

    def __call__(self, theta):
        theta = np.atleast_2d(theta)
        self.calls += len(theta)
        out = self.priors.log_prob(theta)
        ok = np.isfinite(out)
        if ok.any():
            out[ok] += self.pointwise(theta[ok]).sum(axis=1)
        return np.where(np.isfinite(out), out, -np.inf)
