"""``draw_immune_boundary.py``: the boundary T = 1 as the surfaces log10 L2(tau_1, log10 L1)
for tau_2 in {0.1, 3} s and (N, m) in {(1, 0), (5, 3)} at tau_c = 4 s, and the points marked
on them.

The script evaluates the closed form Z = log10(-L1 (t1^N - t1^m tc^(N-m)) / (t2^N - t2^m
tc^(N-m))) on tau_1 = linspace(4, 6, 30) (columns) x log10 L1 = linspace(0, 4, 30) (rows);
no root-finding.  Then Z < 0 -> 0 (with -inf at tau_1 = tau_c), and for N > 1, in each row
after the last column with Z <= 5 (NaN counts), one column (tau_2 < 1) or 14 columns set to
5 and the rest to NaN ("to enhance prettiness").  Marked points at tau_1 = 6 s: log10 L1 =
1 (tau_2 = 0.1 s) or log10 500 (tau_2 = 3 s), log10 L2 in {log10 50, 4}.
"""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from .common import difference, reproduction

SCRIPT = "draw_immune_boundary.py"
TAU_C, TAU_1_MAX, MESH = 4.0, 6.0, 30
PANELS = tuple((t2, N, m) for t2 in (0.1, 3.0) for N, m in ((1, 0), (5, 3)))
#: markers per panel (L96): X = the cell does not respond, o = it responds
MARKERS = (("X", "X"), ("o", "o"), ("o", "X"), ("o", "o"))
LOG_L1, LOG_L2 = (1.0, float(np.log10(500))), (float(np.log10(50)), 4.0)


def mesh():
    """X = tau_1 (s), Y = log10 L1, each 30 x 30 (rows: L1, columns: tau_1)."""
    return np.meshgrid(np.linspace(4, TAU_1_MAX, MESH), np.linspace(0, 4, MESH))


def authors_Z(t2, N, m):
    """compute_Z (L16-34) on the mesh."""
    X, Y = mesh()
    with np.errstate(divide="ignore", invalid="ignore"):
        Z = np.log10(-10**Y * (X**N - X**m * TAU_C ** (N - m)) / (t2**N - t2**m * TAU_C ** (N - m)))
    Z[Z < 0] = 0
    if N > 1:
        width = 1 if t2 < 1 else 14
        for r in range(Z.shape[0]):
            k = np.flatnonzero(~(Z[r] > 5))[-1]
            Z[r, k + 1:k + 1 + width] = 5
            Z[r, k + 1 + width:] = np.nan
    return Z


def immune_boundary(quick=False, seed=0, note=None):
    """The script's surfaces against the package's decision_boundary on the same mesh."""
    from antagonism.theory import decision_boundary

    X, Y = mesh()
    authors, package, table, arrays = {}, {}, [], {}
    for t2, N, m in PANELS:
        Z = authors_Z(t2, N, m)
        with np.errstate(divide="ignore"):  # L2* = 0 at tau_1 = tau_c: -inf
            exact = np.log10(decision_boundary(AdaptiveProofreading(N, m, TAU_C), X, 10**Y, t2))
        fin = np.isfinite(exact)
        plain = np.isfinite(Z) & np.isfinite(exact) & (Z > 0) & (Z < 5)
        case = f"tau_2 = {t2:g} s, ({N},{m})"
        authors[case] = {"Z_min": float(np.nanmin(Z)), "Z_max": float(np.nanmax(Z)),
                         "cells_zero": int(np.sum(Z == 0)), "cells_five": int(np.sum(Z == 5)),
                         "cells_nan": int(np.sum(np.isnan(Z)))}
        package[case] = {"log10_L2_min": float(np.min(exact[fin])),
                         "log10_L2_max": float(np.max(exact[fin])),
                         "cells_minus_inf": int(np.sum(~fin)),
                         "max_abs_difference_elsewhere": float(np.max(np.abs(Z - exact)[plain]))}
        arrays[case] = {"authors": Z, "package": exact}
        table.append([case, "Z in [{Z_min:.3f}, {Z_max:.3f}]; {cells_zero} cells at 0, "
                      "{cells_five} at 5, {cells_nan} NaN".format(**authors[case]),
                      f"log10 L2* in [{np.min(exact[fin]):.3f}, {np.max(exact[fin]):.3f}] (-inf "
                      f"at tau_1 = tau_c); elsewhere "
                      f"|dZ| <= {package[case]['max_abs_difference_elsewhere']:.1e}"])
    return reproduction(
        "immune_boundary", SCRIPT, "compute_Z on the 30 x 30 mesh (L16-34, L89-130)",
        "tau_1 in linspace(4, 6, 30) s x log10 L1 in linspace(0, 4, 30), tau_c = 4 s; "
        "the package's theory.decision_boundary on the same mesh", authors, package, [
            difference("the values", "both evaluate the closed form L2* = L1 w(tau_1) / "
                       "(-w(tau_2)); they agree to rounding where the script keeps Z",
                       "test_immune_boundary"),
            difference("clipping", "Z < 0 (fewer than one antagonist, and -inf at tau_1 = "
                       "tau_c) is drawn as 0", "test_immune_boundary"),
            difference("capping", "for N > 1 each row stops at 5 after its last Z <= 5 (one "
                       "column at tau_2 = 0.1 s, 14 at 3 s) and is NaN beyond, for the plot",
                       "test_immune_boundary")],
        ["panel", "authors' Z = log10 L2", "package's log10 L2*"], table, arrays)


def marked_points(quick=False, seed=0, note=None):
    """The four points marked on the panels (each drawn in both (N, m) panels of its tau_2)
    with the script's marker, against T from the package's model and the side of the
    package's boundary."""
    from antagonism.theory import decision_boundary, model_evaluator

    authors, package, table = {}, {}, []
    for idx, (t2, N, m) in enumerate(PANELS):
        model = AdaptiveProofreading(N, m, TAU_C)
        ev = model_evaluator(model)
        l1 = LOG_L1[0 if t2 < 1 else 1]
        for k, l2 in enumerate(LOG_L2):
            case = f"tau_2 = {t2:g} s, ({N},{m}), log10 L1 = {l1:.3f}, log10 L2 = {l2:.3f}"
            T = float(ev.output(np.array([TAU_1_MAX, t2]), np.array([10**l1, 10**l2])))
            star = float(decision_boundary(model, TAU_1_MAX, 10**l1, t2))
            authors[case] = {"marker": MARKERS[idx][k]}
            package[case] = {"T": T, "L2_boundary": star,
                             "responds": bool(T > 1), "above_boundary": bool(10**l2 > star)}
            table.append([case, MARKERS[idx][k], f"T = {T:.4f} ({'on' if T > 1 else 'off'})"
                          f", L2* = {star:.4g}"])
    return reproduction(
        "immune_boundary_points", SCRIPT, "the marked points (L50-57, L96-104)",
        "tau_1 = 6 s, tau_c = 4 s", authors, package, [
            difference("none", "every marker agrees with T at its point: 'o' where T > 1 "
                       "(the cell responds), 'X' where T < 1", "test_immune_boundary_points")],
        ["point", "authors' marker", "package's T"], table)
