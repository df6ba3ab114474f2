"""``draw_antagonism_potential.py``: T_{N,m}(tau_2) of R = 10^4 ligands, L1 = 4000 agonists
at tau_1 = tau_c = 3 s and L2 = 6000 at tau_2 on the grid arange(0.01, 3, 0.01) (299
points), N = 1..5, m = 0..N-1; the minimum and the inflection marked on each curve.

The script marks the first strict local minimum of T on the grid and, as the inflection,
the first strict local minimum of the analytic gradient dT/dtau_2 on the grid (its second
derivative ``grad2_TN`` is defined but never used).  ``root_finding`` (L39-44) counts the end
points and returns nothing when the first grid point is a minimum.
"""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from .common import difference, f4, reproduction

SCRIPT = "draw_antagonism_potential.py"
R, TAU_C, TAU_1 = int(1e4), 3, 3
L1 = int(0.4 * R)
L2 = R - L1
PAIRS = tuple((N, m) for N in range(1, 6) for m in range(5) if m < N)


def grid():
    """t2 = np.arange(0.01, tc, 0.01): 299 points, 0.01 ... 2.99 s."""
    return np.arange(0.01, TAU_C, 0.01)


def curve(t2, N, m):
    """TN (L11-14): (t1^N L1 + t2^N L2) / (t1^m L1 + t2^m L2) / tc^(N-m)."""
    return (TAU_1**N * L1 + t2**N * L2) / (TAU_1**m * L1 + t2**m * L2) / TAU_C ** (N - m)


def gradient(t2, N, m):
    """grad_TN (L18-23): dT/dtau_2 = L2 (N t2^(N-1) S_m - m t2^(m-1) S_N) / S_m^2 / tc^(N-m)
    (per second)."""
    s_m = TAU_1**m * L1 + t2**m * L2
    s_n = TAU_1**N * L1 + t2**N * L2
    return (N * t2 ** (N - 1) * L2 * s_m - m * t2 ** (m - 1) * L2 * s_n) / s_m**2 / TAU_C ** (
        N - m)


def first_minimum(a):
    """root_finding: the index of the first strict local minimum (end points count), or
    None when there is none or when the first point is one."""
    a = np.asarray(a)
    is_min = np.concatenate(([True], a[1:] < a[:-1])) & np.concatenate((a[:-1] < a[1:], [True]))
    hits = np.flatnonzero(is_min)
    return None if hits.size == 0 or hits[0] == 0 else int(hits[0])


def authors_markers():
    """{(N, m): {t2_min, T_min, t2_in, T_in}} as the script marks them (None: no marker)."""
    t2, out = grid(), {}
    for N, m in PAIRS:
        i, j = first_minimum(curve(t2, N, m)), first_minimum(gradient(t2, N, m))
        out[(N, m)] = {"t2_min": None if i is None else float(t2[i]),
                       "T_min": None if i is None else float(curve(t2[i], N, m)),
                       "t2_in": None if j is None else float(t2[j]),
                       "T_in": None if j is None else float(curve(t2[j], N, m))}
    return out


def antagonism_potential(quick=False, seed=0, pairs=None, note=None):
    """The script's markers against the package's antagonism_potential (solved minimum and
    inflection); ``pairs``: a subset of the 15 (N, m)."""
    from ..potential import antagonism_potential as solve

    marks = authors_markers()
    authors, package, table = {}, {}, []
    for N, m in pairs or PAIRS:
        if note:
            note(f"({N},{m})")
        a = marks[(N, m)]
        e = solve(AdaptiveProofreading(N, m, float(TAU_C)), R=float(R),
                  n_points=100 if quick else 400)
        case = f"({N},{m})"
        authors[case] = a
        package[case] = {"tau_min": e.tau_min, "T_min": e.T_min,
                         "tau_inflection": e.tau_inflection}
        table.append([case, f"min {f4(a['t2_min'])} s, inflection {f4(a['t2_in'])} s",
                      f"min {f4(e.tau_min)} s, inflection {f4(e.tau_inflection)} s"])
    return reproduction(
        "antagonism_potential", SCRIPT, "T(tau_2) curves, minimum and inflection markers "
        "(L39-114)", f"R = {R}, {L1} agonists at tau_1 = tau_c = 3 s, {L2} at tau_2 on "
        "arange(0.01, 3, 0.01) (299 points); package: bracketed solvers on a grid of "
        f"{100 if quick else 400} points", authors, package, [
            difference("the minimum", "read off the 0.01 s grid: within one grid step of the "
                       "solved minimum", "test_antagonism_potential"),
            difference("the inflection", "the first local minimum of the analytic gradient on "
                       "the grid, within one grid step of the solved root of d2T/dtau_2^2",
                       "test_antagonism_potential"),
            difference("m = 0 and m = 1", "m = 0: T rises from the first grid point, so "
                       "root_finding marks nothing (there is no interior minimum); m = 1: the "
                       "gradient rises from the first point, no inflection marker (none exists)",
                       "test_antagonism_potential")],
        ["(N,m)", "authors' grid markers", "package, solved"], table)
