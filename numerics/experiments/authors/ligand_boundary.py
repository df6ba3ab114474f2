"""``draw_ligand_boundary.py``: the binned descent over 15 (N, m) pairs, the binding times at
the boundary, the histograms, the 101 x 101 immune pictures and the starting distribution.

The script's set-up (main, L148-230): R = int(sqrt(1e4) + 1)^2 = 10201 ligands, Ag =
int(0.3 R) = 3060 agonists tau = 3.5 + N(0, 0.1^2) s, R - Ag = 7141 self tau = |N(0,
(1/3)^2)| s, sorted; 17 bins of width 3.5/17 on [0, 3.5] with the centres linspace(0.1, 3.4,
17) (not the bins' midpoints); tau_c = 3 s, eps = 0.2.  Random draws in the script's order
on ``np.random.RandomState(seed)`` (the script sets no seed): the pixel permutation, the
starting distribution, then one draw for each of the 30 off-diagonal cells of a 6 x 6 grid
(column axX outer); the cells with axY > axX descend with (N, m) = (axY, axX).
"""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from .common import (
    ROWS,
    binned_T,
    difference,
    exact_T,
    find_boundary,
    memo,
    reproduction,
    slice_stats,
    sorted_counts,
)

SCRIPT = "draw_ligand_boundary.py"
R = int(np.sqrt(1e4) + 1) ** 2
AG = int(0.3 * R)
TAU_C, EPS, BINSIZE = 3.0, 0.2, 0.2
#: the 15 pairs (N, m) in the order the script runs them
PAIRS = tuple((y, x) for x in range(6) for y in range(6) if y > x)
QUICK_PAIRS = ((2, 1), (4, 1), (3, 2), (5, 3))


def geometry(t1=3.5, binsize=BINSIZE):
    """setup_distribution L30-31: edges linspace(0, t1, int(t1/binsize) + 1), centres
    linspace(binsize/2, t1 - binsize/2, int(t1/binsize))."""
    n = int(t1 / binsize)
    return np.linspace(0, t1, n + 1), np.linspace(binsize / 2, t1 - binsize / 2, n)


def draws(seed=0):
    """The script's random numbers: (tau_order, starting tau, {(N, m): tau}), tau sorted."""
    rs = np.random.RandomState(seed)

    def one():
        ag = rs.normal(0, 0.1, size=AG)
        slf = np.abs(rs.normal(0, 1 / 3, size=R - AG))
        return np.sort(np.concatenate((3.5 + ag, 0.0 + slf)))

    tau_order = rs.permutation(R)
    start = one()
    cells = {}
    for x in range(6):
        for y in range(6):
            if x != y:
                cells[(y, x)] = one()
    return tau_order, start, {p: cells[p] for p in PAIRS}


def settings(quick, pairs=None, rows=None, exact_cap=None):
    """(pairs, rows, exact_cap): all 15 pairs, the script's 1e6 rows and 20 000 exact
    iterations; quick: 1000 steps (1002 rows) and 300 exact iterations."""
    pairs = tuple(pairs or PAIRS)
    rows = rows or (1002 if quick else ROWS)
    return pairs, rows, exact_cap or (300 if quick else 20000)


def run(seed=0, pairs=PAIRS, rows=ROWS, exact_cap=20000, note=None):
    """Every pair: the authors' loop (tracking ligands) and the package's exact descent,
    from the script's draw of that pair's cell.  Memoised."""
    return memo(("ligand", seed, tuple(pairs), rows, exact_cap),
                lambda: _run(seed, pairs, rows, exact_cap, note))


def _run(seed, pairs, rows, exact_cap, note):
    from ..descent import descend_to_boundary

    tau_order, start, cells = draws(seed)
    edges, centres = geometry()
    out = {"tau_order": tau_order, "start": start, "edges": edges, "centres": centres,
           "pairs": {}}
    for k, (N, m) in enumerate(pairs):
        if note:
            note(f"({N},{m}), pair {k + 1} of {len(pairs)}")
        tau = cells[(N, m)]
        a = find_boundary(tau, edges, centres, TAU_C, N, m, eps=EPS, binsize=BINSIZE,
                          rows=rows, track=True)
        e = descend_to_boundary(AdaptiveProofreading(N, m, TAU_C), tau, np.ones(tau.size),
                                eps=EPS, max_iter=exact_cap)
        out["pairs"][(N, m)] = {"authors": a, "exact": e, "start": tau}
    return out


def _case(p):
    return f"({p[0]},{p[1]})"


def _setup(seed, rows, exact_cap):
    return (f"{R} ligands ({AG} agonists 3.5 + N(0, 0.1^2) s, {R - AG} self |N(0, (1/3)^2)| s), "
            f"17 bins of 3.5/17 s on [0, 3.5] s, centres linspace(0.1, 3.4, 17), tau_c = 3 s, "
            f"eps = 0.2, seed {seed} (np.random.RandomState, the script's order of draws), "
            f"row cap {rows} (at most {rows - 2} steps), exact descent at most {exact_cap} "
            "iterations")


def ligand_descent(quick=False, seed=0, pairs=None, rows=None, exact_cap=None, note=None):
    """The binned descent of each (N, m) pair: what the script prints and its final state,
    against the package's exact per-ligand descent."""
    pairs, rows, exact_cap = settings(quick, pairs, rows, exact_cap)
    res = run(seed, pairs, rows, exact_cap, note)
    authors, package, table = {}, {}, []
    for p, d in res["pairs"].items():
        a, e = d["authors"], d["exact"]
        authors[_case(p)] = {
            "T0": a.T0, "T_printed": a.T_printed, "Num_iter_printed": a.num_iter,
            "steps": a.steps, "T_final": a.T_final, "capped": a.capped,
            "T_exact_of_final_state": exact_T(a.tau, *p, TAU_C),
            "agonists_above_last_edge": int(np.sum(a.tau > res["edges"][-1]))}
        package[_case(p)] = {"status": str(e.status), "iterations": e.iterations,
                             "T_initial": e.T_initial, "T_final": e.T_final}
        every = authors[_case(p)]["T_exact_of_final_state"]
        table.append([_case(p), f"T0 {a.T0:.4f}; prints T_N = {a.T_printed:.10f}, Num_iter = "
                      f"{a.num_iter}{' (cap)' if a.capped else ''}; {a.steps} steps, final "
                      f"T {a.T_final:.4f} (all ligands {every:.3f})",
                      f"{e.status} in {e.iterations} it., T {e.T_initial:.3f} -> "
                      f"{e.T_final:.4f}"])
    share = float(np.mean(res["start"][-AG:] > 3.5))
    held = [c for c in authors if authors[c]["T_printed"] <= 1 < package[c]["T_final"]
            and package[c]["status"] != "max-iter"]
    return reproduction(
        "ligand_descent", SCRIPT, "find_boundary for the 15 (N, m) pairs (L37-89, L183-201)",
        _setup(seed, rows, exact_cap), authors, package, [
            difference("Num_iter and T_N", "the loop checks the T stored before its last step, "
                       "so it takes one step after T first falls to 1 or below: it prints "
                       "Num_iter = steps + 1 and the T from before that step (the final T can be "
                       "above 1 again); with T0 <= 1 it takes no step and prints 1",
                       "test_ligand_descent_prints_steps_plus_one"),
            difference("the binned T", f"about half of the agonists ({share:.0%} here) lie "
                       "above the last edge, 3.5 s, leave the histogram and never count: "
                       "the binned T starts below the T of all ligands (below 1 for m = 0, "
                       "(2,1) and (3,1), which take no step)",
                       "test_ligand_descent_drops_agonists"),
            difference("the package's binned stepper", "descend_to_boundary(variant='binned') "
                       "is the same loop: same steps, same binding times (not run here: "
                       "checked by the test)",
                       "test_package_binned_stepper_is_the_authors_loop"),
            difference("the exact descent", "each ligand moves by its own gradient "
                       "(sum L / L_j) dT/dtau_j with every agonist counted; the self ligands "
                       "reach a fixed point above 1 (the cell is robust to them) for "
                       f"{', '.join(held) or 'none of these pairs'}, where the binned loop "
                       "reports a crossing that only its dropped agonists allow",
                       "test_exact_descent_stays_above_one_where_m_is_large")],
        ["(N,m)", "authors' loop (printed, then final state)", "package's exact descent"],
        table)


def boundary_tau(quick=False, seed=0, pairs=None, rows=None, exact_cap=None, note=None):
    """The printed min/mean/max of tau1 (top Ag of the sorted tau) and tau2 (bottom R - Ag)
    against the package's agonists and self ligands, ligand by ligand."""
    pairs, rows, exact_cap = settings(quick, pairs, rows, exact_cap)
    res = run(seed, pairs, rows, exact_cap, note)
    authors, package, table = {}, {}, []
    for p, d in res["pairs"].items():
        a, e = d["authors"], d["exact"]
        by_rank = slice_stats(a.tau, (AG, R - AG))
        moved_group = int(np.sum(a.ids[-AG:] < R - AG))
        agonist = d["start"] >= TAU_C
        by_id = [{k: float(f(e.tau[sel])) for k, f in
                  (("min", np.min), ("mean", np.mean), ("max", np.max))}
                 for sel in (agonist, ~agonist)]
        printed = [round(g[s], 2) for s in ("min", "mean", "max") for g in by_rank]
        authors[_case(p)] = {"tau1": by_rank[0], "tau2": by_rank[1], "printed": printed,
                             "ligands_changing_group": moved_group}
        package[_case(p)] = {"agonists": by_id[0], "self": by_id[1]}
        table.append([_case(p), "min/mean/max tau1 {:.2f}/{:.2f}/{:.2f}, tau2 {:.2f}/{:.2f}/"
                      "{:.2f}".format(*printed[0::2], *printed[1::2]),
                      "agonists {min:.2f}/{mean:.2f}/{max:.2f}".format(**by_id[0])
                      + ", self {min:.2f}/{mean:.2f}/{max:.2f}".format(**by_id[1])])
    changed = sum(v["ligands_changing_group"] for v in authors.values())
    return reproduction(
        "ligand_boundary_tau", SCRIPT, "min/mean/max of tau at the boundary (L74-87)",
        _setup(seed, rows, exact_cap), authors, package, [
            difference("groups by rank", "the script prints the top Ag and bottom R - Ag of the "
                       "sorted tau, not the agonists and self ligands; a self ligand that "
                       "overtakes an agonist changes group (ligands_changing_group: "
                       f"{changed} over these pairs)",
                       "test_boundary_tau_by_rank"),
            difference("printed values", "to 2 decimals (%.2f), in the order min tau1, min tau2, "
                       "mean tau1, mean tau2, max tau1, max tau2",
                       "test_boundary_tau_by_rank"),
            difference("the package's values", "those of the exact descent's final ligands, by "
                       "identity: agonists do not move in either; self ligands stop at "
                       "different places", "test_boundary_tau_by_rank")],
        ["(N,m)", "authors' printed (by rank)", "package's exact descent (by ligand)"], table)


def histograms(quick=False, seed=0, pairs=None, rows=None, exact_cap=None, note=None):
    """The final histograms L (bars at the centres) and the x-label Num_iter."""
    pairs, rows, exact_cap = settings(quick, pairs, rows, exact_cap)
    res = run(seed, pairs, rows, exact_cap, note)
    edges, centres = res["edges"], res["centres"]
    authors, package, table = {}, {}, []
    for p, d in res["pairs"].items():
        a, e = d["authors"], d["exact"]
        exact_sorted = np.sort(e.tau)
        counts = sorted_counts(exact_sorted, edges)
        authors[_case(p)] = {"L": a.counts.tolist(), "sum": int(a.counts.sum()),
                             "xlabel": str(a.num_iter), "ylim": [0, R - AG]}
        package[_case(p)] = {"L": counts.tolist(), "sum": int(counts.sum()),
                             "above_last_edge": int(np.sum(exact_sorted > edges[-1])),
                             "T_binned": binned_T(centres, counts, *p, TAU_C)}
        table.append([_case(p), f"L = {a.counts.tolist()} (sum {a.counts.sum()}), x label "
                      f"{a.num_iter}", f"L = {counts.tolist()} (+{R - counts.sum()} above)"])
    offset = float(np.max(np.abs(centres - 0.5 * (edges[:-1] + edges[1:]))))
    return reproduction(
        "ligand_histograms", SCRIPT, "plot_distribution of the final L (L93-112)",
        _setup(seed, rows, exact_cap), authors, package, [
            difference("the counts", "L sums to less than R: the agonists above 3.5 s are not "
                       "in any bin", "test_histograms"),
            difference("the x label", "Num_iter = steps + 1, so a pair that takes no step "
                       "shows 1", "test_histograms"),
            difference("bar positions", f"bars at linspace(0.1, 3.4, 17), up to {offset:.4f} s "
                       "from the bins' midpoints", "test_histograms")],
        ["(N,m)", "authors' final histogram", "package's exact descent, same bins"], table)


def immune_picture(quick=False, seed=0, pairs=None, rows=None, exact_cap=None, note=None):
    """The 101 x 101 pictures tau[tau_order] of the final state against the exact descent's
    final ligands at the same pixels (each pixel compared with its own starting value)."""
    pairs, rows, exact_cap = settings(quick, pairs, rows, exact_cap)
    res = run(seed, pairs, rows, exact_cap, note)
    order, side = res["tau_order"], int(np.sqrt(R))
    authors, package, table, arrays = {}, {}, [], {}
    for p, d in res["pairs"].items():
        a, e = d["authors"], d["exact"]
        first = d["start"][order].reshape(side, side)
        pic = a.tau[order].reshape(side, side)
        by_ligand = np.empty(R)
        by_ligand[a.ids] = a.tau
        pkg = e.tau[order].reshape(side, side)
        other = int(np.sum(a.ids[order] != order))
        ch_a, ch_e = np.abs(pic - first), np.abs(pkg - first)
        authors[_case(p)] = {"pixels_changed": int(np.sum(ch_a > 0)),
                             "mean_abs_change": float(ch_a.mean()),
                             "max_abs_change": float(ch_a.max()),
                             "pixels_showing_another_ligand": other}
        package[_case(p)] = {"pixels_changed": int(np.sum(ch_e > 0)),
                             "mean_abs_change": float(ch_e.mean()),
                             "max_abs_change": float(ch_e.max())}
        arrays[_case(p)] = {"authors": pic, "authors_by_ligand": by_ligand[order].reshape(
            side, side), "package": pkg, "start": first}
        table.append([_case(p), f"{authors[_case(p)]['pixels_changed']} pixels changed, mean "
                      f"|dtau| {ch_a.mean():.3f} s, {other} show another ligand",
                      f"{package[_case(p)]['pixels_changed']} changed, mean |dtau| "
                      f"{ch_e.mean():.3f} s"])
    return reproduction(
        "ligand_immune_picture", SCRIPT, "make_immune_picture: tau[tau_order] as 101 x 101 "
        "(L116-121)", _setup(seed, rows, exact_cap), authors, package, [
            difference("pixels by rank", "pixel k shows the ligand of rank tau_order[k] in the "
                       "re-sorted tau, so a pixel can show another ligand than at the start "
                       "(pixels_showing_another_ligand)", "test_immune_picture_by_rank"),
            difference("the changes", "binned moves (a bin's gradient times its count) against "
                       "per-ligand moves of the exact descent", "test_immune_picture_by_rank")],
        ["(N,m)", "authors' picture vs its start", "package's picture vs the same start"],
        table, arrays)


def initial_distribution(quick=False, seed=0, note=None):
    """visualize_initial_distribution (L128-142): the first draw's histogram and picture,
    against the package's own set-up of the same ligands (cells.ligands.paper_ligands)."""
    from ...cells.ligands import paper_ligands

    tau_order, start, _ = draws(seed)
    edges, centres = geometry()
    counts = sorted_counts(start, edges)
    lig = paper_ligands(R, AG / R, TAU_C, seed)
    pk = sorted_counts(np.sort(lig.tau), edges)
    side = int(np.sqrt(R))
    authors = {"L": counts.tolist(), "sum": int(counts.sum()),
               "above_last_edge": int(np.sum(start > edges[-1])),
               "agonists_below_tau_c": int(np.sum(start[-AG:] < TAU_C)),
               "T_binned_N5_m3": binned_T(centres, counts, 5, 3, TAU_C)}
    package = {"L": pk.tolist(), "sum": int(pk.sum()), "above_last_edge": int(R - pk.sum()),
               "agonists": int(lig.agonist.sum()),
               "agonists_below_tau_c": int(np.sum(lig.tau[lig.agonist] < TAU_C))}
    return reproduction(
        "ligand_initial_distribution", SCRIPT, "the starting distribution and its picture",
        f"{R} ligands, seed {seed}", authors, package, [
            difference("random numbers", "the script draws with the global np.random (legacy "
                       "Mersenne Twister, no seed); the package draws with "
                       "numpy.random.default_rng(seed): same distributions, other numbers",
                       "test_initial_distribution"),
            difference("agonists", "the package redraws any agonist below tau_c; the script "
                       "keeps it (it then moves with the self ligands)",
                       "test_initial_distribution"),
            difference("the counts", "agonists above 3.5 s are outside every bin in both "
                       "histograms", "test_initial_distribution")],
        ["quantity", "authors' draw", "package's paper_ligands"],
        [["L (17 bins)", str(counts.tolist()), str(pk.tolist())],
         ["in the bins", str(counts.sum()), str(pk.sum())]],
        {"picture": start[tau_order].reshape(side, side)})
