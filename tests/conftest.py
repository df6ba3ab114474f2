"""Shared, independent reference implementations for the tests.

Nothing here imports the package: these are the plain formulas of SCIENCE.md written
directly in numpy/mpmath, so that derived results are checked against an independent source.
"""
import mpmath as mp
import numpy as np
import pytest


def T_numpy(taus, Ls, N, m, tau_c):
    """T_{N,m} of a mixture, straight from its definition (SCIENCE.md section 2.2)."""
    taus, Ls = np.asarray(taus, float), np.asarray(Ls, float)
    return np.sum(Ls * taus**N) / (tau_c ** (N - m) * np.sum(Ls * taus**m))


def T_mpmath(taus, Ls, N, m, tau_c):
    N, m, tau_c = mp.mpf(N), mp.mpf(m), mp.mpf(tau_c)
    num = mp.fsum(mp.mpf(L) * mp.mpf(t) ** N for t, L in zip(taus, Ls))
    den = mp.fsum(mp.mpf(L) * mp.mpf(t) ** m for t, L in zip(taus, Ls))
    return num / (tau_c ** (N - m) * den)


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


# (N, m) pairs across both regimes, integer and not
EXPONENTS = [(1, 0), (3, 1), (4, 2), (5, 3), (5, 4), (2.5, 0.5), (3.5, 1.5), (4.5, 2.5),
             (2.2, 1.7)]
