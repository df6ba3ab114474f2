"""Input checks with clear messages naming the bad value."""
from __future__ import annotations

import math

import numpy as np

from antagonism._core.errors import InputError


def check_positive_scalar(value, name):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InputError(f"{name} must be a real number, got {value!r}")
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be positive and finite, got {name}={value}")
    return float(value)


def check_positive_int(value, name):
    """A positive integer (ints and integral floats accepted), else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or int(value) != value or value < 1:
        raise InputError(f"{name} must be a positive integer, got {name}={value!r}")
    return int(value)


def as_generator(seed):
    """A numpy Generator from a non-negative int seed or a Generator; None draws fresh
    entropy (recorded nowhere: pass an int to be reproducible)."""
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer))
                             or seed < 0):
        raise InputError(f"seed must be a non-negative integer or a numpy Generator, "
                         f"got {seed!r}")
    return np.random.default_rng(seed)


def check_array(values, name, *, positive=False, nonnegative=False, allow_empty=False):
    """Convert to a float array, rejecting NaN/inf, empty input and bad signs."""
    arr = np.asarray(values, dtype=float)
    if arr.size == 0 and not allow_empty:
        raise InputError(f"{name} must not be empty")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"{name} contains NaN or infinite values")
    if positive and np.any(arr <= 0):
        raise InputError(f"{name} must be positive, got min {name}={arr.min()}")
    if nonnegative and np.any(arr < 0):
        raise InputError(f"{name} must be non-negative, got min {name}={arr.min()}")
    return arr


def check_ligands(tau, L, *, require_positive_L=True):
    """Validate a ligand set: positive finite tau, non-negative finite L, same length, and
    (by default) at least one ligand present.  Returns contiguous float arrays."""
    tau = check_array(tau, "tau", positive=True)
    L = check_array(L, "L", nonnegative=True)
    if tau.shape != L.shape or tau.ndim != 1:
        raise InputError(f"tau and L must be 1-D arrays of equal length, got {tau.shape} "
                         f"and {L.shape}")
    if require_positive_L and not np.any(L > 0):
        raise InputError("L must have at least one positive entry")
    return np.ascontiguousarray(tau), np.ascontiguousarray(L)
