"""Statistics over seeds: finite values, and the mean with its Student-t interval."""
from __future__ import annotations

import numpy as np
from scipy import stats


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
