"""Convergence diagnostics of an ensemble of walkers.

- **integrated autocorrelation time** tau_k of each parameter, from emcee
  (``emcee.autocorr.integrated_time``, Goodman & Weare 2010; Sokal's adaptive window
  c = 5), and the **effective sample size** ESS_k = (kept steps x walkers) / tau_k, at
  most the number of draws;
- **split R-hat** across walker groups (Gelman et al., *Bayesian Data Analysis*, 3rd ed.,
  sec. 11.4): the walkers are split into :data:`GROUPS` groups and each group's kept
  steps into halves, giving 2 G sequences of n draws each;

      R-hat = sqrt(((n - 1)/n W + B/n) / W),

  W the mean within-sequence variance and B/n the variance of the sequence means.
  Walkers of one ensemble move together (the stretch move), so groups of walkers, not
  single walkers, are the sequences compared.

The chains count as converged when every R-hat < :data:`RHAT_MAX`, every ESS >=
:data:`ESS_MIN` and the kept steps number at least :data:`TAU_MULTIPLE` autocorrelation
times (emcee's rule of thumb); otherwise each failed criterion is a warning.

>>> rng = np.random.default_rng(0)
>>> chain = rng.normal(size=(2000, 16, 1))  # independent draws: R-hat ~ 1
>>> bool(abs(split_rhat(chain)[0] - 1) < 0.01)
True
"""
from __future__ import annotations

import numpy as np

GROUPS = 4
RHAT_MAX = 1.01
ESS_MIN = 400.0
TAU_MULTIPLE = 50.0


def split_rhat(chain, groups=GROUPS):
    """Split R-hat of each parameter of ``chain`` (steps, walkers, parameters)."""
    steps, walkers, dim = chain.shape
    groups = max(1, min(groups, walkers))
    half = steps // 2
    seqs = []
    for g in np.array_split(np.arange(walkers), groups):
        for part in (chain[:half, g], chain[half:2 * half, g]):
            seqs.append(part.reshape(-1, dim))
    seqs = np.stack(seqs)  # (2 G, n, dim)
    n = seqs.shape[1]
    if n < 2:  # too short to split: no estimate
        return np.full(dim, np.nan)
    means = seqs.mean(axis=1)
    W = seqs.var(axis=1, ddof=1).mean(axis=0)
    B_over_n = means.var(axis=0, ddof=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        rhat = np.sqrt(((n - 1) / n * W + B_over_n) / W)
    return np.where(W > 0, rhat, np.nan)


def autocorrelation_time(chain):
    """tau_k of each parameter (steps): emcee's integrated autocorrelation time, averaged
    over the walkers' autocorrelation functions (no tolerance check: see
    :func:`diagnose`)."""
    import emcee

    return np.asarray(emcee.autocorr.integrated_time(chain, c=5, tol=0, quiet=True), float)


def diagnose(chain, names):
    """Diagnostics of the kept part of a chain (steps, walkers, parameters).

    Returns a dict: ``rhat``, ``tau``, ``ess`` ({name: value}), ``kept_steps``,
    ``walkers``, ``converged`` (bool), ``warnings`` (list of str), ``criteria``."""
    steps, walkers, _ = chain.shape
    rhat = split_rhat(chain)
    tau = autocorrelation_time(chain)
    with np.errstate(divide="ignore", invalid="ignore"):  # at most the number of draws
        ess = np.minimum(steps * walkers / tau, steps * walkers)
    warnings = []
    for name, r, e, t in zip(names, rhat, ess, tau):
        if not r < RHAT_MAX:
            warnings.append(f"{name}: split R-hat {r:.3f} >= {RHAT_MAX} (walker groups "
                            "disagree: run longer)")
        if not e >= ESS_MIN:
            warnings.append(f"{name}: effective sample size {e:.0f} < {ESS_MIN:.0f}")
        if not steps >= TAU_MULTIPLE * t:
            warnings.append(f"{name}: {steps} kept steps < {TAU_MULTIPLE:.0f} autocorrelation "
                            f"times ({t:.1f} steps each): the estimate of tau is unreliable")
    return {"rhat": dict(zip(names, rhat.tolist())), "tau": dict(zip(names, tau.tolist())),
            "ess": dict(zip(names, ess.tolist())), "kept_steps": steps, "walkers": walkers,
            "converged": not warnings, "warnings": warnings,
            "criteria": f"split R-hat < {RHAT_MAX} over {GROUPS} walker groups x 2 halves, "
                        f"ESS >= {ESS_MIN:.0f}, kept steps >= {TAU_MULTIPLE:.0f} tau"}
