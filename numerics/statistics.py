"""Statistics over seeds (the unit of replication): finite values, the mean with its Student-t
interval, paired seed-level comparisons with t-intervals and exact sign-flip tests.

No percentile bootstrap below ``MIN_BOOTSTRAP_SEEDS`` = 10 seeds: with 5 seeds a percentile
bootstrap interval of the mean covers about 83 % for a nominal 95 % (it ignores the
uncertainty of the spread, which the Student-t interval carries), so summaries and paired
comparisons report it only from 10 seeds up (``bootstrap_interval`` None below, with a
note); the t-interval and the exact sign-flip test are always given."""
from __future__ import annotations

import numpy as np
from scipy import stats

from antagonism._core.errors import InputError

MIN_BOOTSTRAP_SEEDS = 10
BOOTSTRAP_NOTE = (f"no percentile bootstrap below {MIN_BOOTSTRAP_SEEDS} seeds (it undercovers: "
                  "about 83 % for a nominal 95 % with 5 seeds); use the t-interval and the "
                  "exact sign-flip test")


def finite(values):
    """The finite entries of ``values`` as a float array (nan and inf dropped)."""
    v = np.asarray(values, float)
    return v[np.isfinite(v)]


def interval(values, level=0.95, bounds=(-np.inf, np.inf)):
    """(mean, low, high): the mean of per-seed values with a Student-t interval.

    ``bounds`` is the domain of the quantity (accuracies live in [0, 1], ratios in
    [0, inf)); the interval is clipped to it so it never names impossible values."""
    v = finite(values)
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    mean = float(v.mean())
    if v.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, v.size - 1) * v.std(ddof=1) / np.sqrt(v.size))
    return mean, max(mean - half, bounds[0]), min(mean + half, bounds[1])


def sign_flip_p(differences):
    """Exact two-sided p-value of the paired sign-flip (permutation) test of a zero mean
    difference: the fraction of the 2^n sign patterns whose |mean| reaches the observed one.
    With n seeds the smallest possible p is 2 / 2^n (1/16 for 5 seeds): no floors, no
    normal approximation."""
    d = finite(differences)
    n = d.size
    if n == 0:
        return float("nan")
    if n > 20:
        raise InputError("the exact sign-flip test enumerates 2^n patterns: n <= 20")
    signs = 1 - 2 * ((np.arange(2**n)[:, None] >> np.arange(n)) & 1)
    means = np.abs(signs @ d) / n
    observed = abs(d.mean())
    return float(np.mean(means >= observed * (1 - 1e-12)))


def seed_bootstrap(values, level=0.95):
    """The percentile bootstrap interval of the mean as a report gives it: a list [lo, hi]
    from ``MIN_BOOTSTRAP_SEEDS`` finite values up, None below (see the module docstring)."""
    if finite(values).size < MIN_BOOTSTRAP_SEEDS:
        return None
    return list(bootstrap_interval(values, level))


def bootstrap_interval(values, level=0.95, n_boot=10000, seed=0):
    """Percentile bootstrap interval of the mean of per-seed values (seeded resampling).
    Reports use it only from ``MIN_BOOTSTRAP_SEEDS`` values up (:func:`seed_bootstrap`)."""
    v = finite(values)
    if v.size < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = v[rng.integers(0, v.size, (n_boot, v.size))].mean(axis=1)
    lo, hi = np.percentile(means, [50 * (1 - level), 50 * (1 + level)])
    return float(lo), float(hi)


def paired_comparison(values, reference, level=0.95, bounds=(-np.inf, np.inf)):
    """A network against the reference on the same seeds (and the same test images): the
    per-seed differences, their mean with a Student-t interval (and a percentile bootstrap
    interval from ``MIN_BOOTSTRAP_SEEDS`` seeds up; None below, with ``bootstrap_note``), the
    standardised effect size d_z = mean / sd of the differences, and the exact sign-flip
    p-value.  The unit is the seed: nothing here pools inputs."""
    a, b = np.asarray(values, float), np.asarray(reference, float)
    if a.shape != b.shape:
        raise InputError(f"paired values need the same seeds: {a.shape} vs {b.shape}")
    d = a - b
    mean, lo, hi = interval(d, level, bounds)
    f = finite(d)
    sd = float(f.std(ddof=1)) if f.size > 1 else float("nan")
    return {"differences": [float(x) for x in d], "mean_difference": mean,
            "t_interval": [lo, hi], "bootstrap_interval": seed_bootstrap(d, level),
            **({} if f.size >= MIN_BOOTSTRAP_SEEDS else {"bootstrap_note": BOOTSTRAP_NOTE}),
            "effect_size_dz": (mean / sd if sd > 0 else None),
            "p_sign_flip": sign_flip_p(d), "n_seeds": int(f.size),
            "smallest_possible_p": (2.0 / 2**f.size if f.size else None)}
