"""What the authors' procedures share: the result row, the binned output and gradient, and
their descent loop ``find_boundary`` (draw_ligand_boundary.py L37-89 = MTL_to_ML.py L43-95).

The loop, step for step, on binding times kept sorted:

1. L = histogram of tau on the edges; the row array holds T_0 = T(centres, L) everywhere;
2. while the value checked is above 1 (and the row index below the cap): store T of the
   current L (before the step), give every ligand of the first int(tau_c / binsize) bins
   its bin's gradient (the gradient with respect to the bin's tau, i.e. L_bin times the
   one-ligand gradient, taken at the bin's centre), tau <- tau - eps dtau, reset tau < 0 to
   the first centre, sort, re-bin;
3. the value checked next is the T stored before that step, so the loop takes one step
   after T first falls to 1 or below, prints ``Num_iter`` = steps + 1 and prints the T from
   before the extra step.  When T_0 <= 1 it takes no step and prints 1.

Quirks kept: ligands above the last edge leave the histogram; the ``dtau`` array is not reset
(a position past the current count keeps its old value); sorted positions, not ligands, carry
the gradient.  Here the loop can also follow each ligand through the sorts (``track``),
which the script cannot; that changes none of its numbers.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result

REPOSITORY = "tjrademaker/advxs-antagonism-figs"
COMMIT = "71e093d7bf73863b8cbef8b9c6c9ca4c60b017ac"
#: where each target's differences are checked
TESTS = "tests/test_authors.py"
#: the script's row array: TN = T0 * ones((1e6, 1)); the loop runs while i < 1e6 - 1
ROWS = 10**6


class Reproduction(Result):
    """One procedure of the authors' scripts next to the package's method.

    Keys
    ----
    target : str -- the name ``antagonism reproduce`` knows it by
    script : str -- the authors' file (repository tjrademaker/advxs-antagonism-figs)
    procedure : str -- what the script does, step by step
    setup : str -- what was run here (sizes, caps, seed, data)
    authors : dict -- the transcription's numbers: what the script prints and its final state
    package : dict -- the package's method on the same input
    differences : list of dict -- {"what", "why", "test"}: each difference, its explanation
        and the test that checks it
    table : dict -- {"columns", "rows"}: the text rendering (case, authors', package's)
    arrays : dict -- large arrays (pictures, scatter points); Python API only, not in JSON
    """

    def _serialised_keys(self):
        return [k for k in self.keys() if k != "arrays"]

    def to_text(self, units=None):
        rows = [self.table["columns"], *[[str(c) for c in r] for r in self.table["rows"]]]
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        lines = [f"== {self.target} ({self.script}): {self.procedure}", f"set-up: {self.setup}"]
        for k, row in enumerate(rows):
            lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
            if k == 0:
                lines.append("  ".join("-" * w for w in widths))
        lines.append("why they differ (each checked by a test):")
        lines += [f"  - {d['what']}: {d['why']} [{d['test']}]" for d in self.differences]
        return "\n".join(lines)


def difference(what, why, test):
    """One entry of ``Reproduction.differences``; ``test`` is a test of tests/test_authors.py."""
    return {"what": what, "why": why, "test": f"{TESTS}::{test}"}


def reproduction(target, script, procedure, setup, authors, package, differences, columns,
                 rows, arrays=None):
    return Reproduction(target=target, script=script, procedure=procedure, setup=setup,
                        authors=authors, package=package, differences=differences,
                        table={"columns": list(columns), "rows": rows}, arrays=arrays or {})


def binned_T(centres, counts, N, m, tau_c):
    """TN_dist (L10-11): T = sum_k L_k t_k^N / (tau_c^(N-m) sum_k L_k t_k^m) over bin
    centres t_k (s) with the counts L_k as weights."""
    return float(np.dot(centres**N, counts) / np.dot(centres**m, counts) / tau_c ** (N - m))


def binned_gradient(centres, counts, N, m, tau_c):
    """grad_TN (L15-16): dT/dt_k = L_k (N t_k^(N-1) S_m - m t_k^(m-1) S_N) /
    (tau_c^(N-m) S_m^2) with S_j = sum_k L_k t_k^j: the derivative with respect to the
    common tau of a whole bin (per second), L_k times that of one ligand.  The operations
    are those of the script, in its order, so that every number is the same to the bit."""
    s_m, s_n = np.dot(centres**m, counts), np.dot(centres**N, counts)
    return ((s_m * N * centres ** (N - 1) * counts - s_n * m * centres ** (m - 1) * counts)
            / s_m**2 / tau_c ** (N - m))


def sorted_counts(tau_sorted, edges):
    """np.histogram(tau, edges)[0] of sorted tau: [e_k, e_k+1) per bin, the last one closed,
    values outside [e_0, e_n] dropped."""
    lo = np.searchsorted(tau_sorted, edges[:-1], side="left")
    hi = np.append(lo[1:], np.searchsorted(tau_sorted, edges[-1], side="right"))
    return hi - lo


def find_boundary(tau, edges, centres, tau_c, N, m, *, eps=0.2, binsize=0.2, rows=ROWS,
                  track=False):
    """The authors' loop (see the module docstring) on a copy of ``tau`` (sorted here).

    Parameters
    ----------
    tau : array (s); edges, centres : the bins (edges (n+1,), centres (n,))
    tau_c : float (s); N, m : numbers; eps : step; binsize : sets the moving bins
        int(tau_c / binsize)
    rows : the script's row array length (1e6): at most rows - 2 steps
    track : also return ``ids`` (the index in ``np.sort(tau)`` of the ligand now at each
        sorted position)

    Returns
    -------
    Result with T0, T_printed (what the script prints), num_iter (printed: steps + 1),
    steps, T_final (binned T of the final state), capped (stopped by the row cap),
    counts (final L), tau (final, sorted), ids (or None), T_before_last (T before the last
    step: T_printed when steps > 0)
    """
    tau = np.sort(np.asarray(tau, dtype=np.float64))
    ids = np.arange(tau.size) if track else None
    n_moving = int(tau_c / binsize)
    counts = sorted_counts(tau, edges)
    T0 = binned_T(centres, counts, N, m, tau_c)
    dtau = np.zeros(tau.size)
    checked, steps, i = T0, 0, 1
    while checked > 1 and i < rows - 1:
        before = binned_T(centres, counts, N, m, tau_c)
        moving = counts[:n_moving]
        dtau[:moving.sum()] = np.repeat(binned_gradient(centres, counts, N, m, tau_c)[:n_moving],
                                        moving)
        tau = tau - eps * dtau
        tau[tau < 0] = centres[0]
        order = np.argsort(tau, kind="stable")
        tau = tau[order]
        if track:
            ids = ids[order]
        counts = sorted_counts(tau, edges)
        checked, steps, i = before, steps + 1, i + 1
    return Result(T0=T0, T_printed=checked, num_iter=i, steps=steps,
                  T_final=binned_T(centres, counts, N, m, tau_c), capped=bool(checked > 1),
                  counts=counts, tau=tau, ids=ids, T_before_last=checked)


def exact_T(tau, N, m, tau_c):
    """T_{N,m} of ligands with L = 1 each (no bins)."""
    tau = np.asarray(tau, dtype=np.float64)
    return float(np.sum(tau**N) / np.sum(tau**m) / tau_c ** (N - m))


def slice_stats(tau_sorted, sizes):
    """min, mean, max of the top ``sizes[0]``, the next ``sizes[1]``, ... of sorted tau (the
    script's printed groups, by rank; None for an empty group, where the script fails)."""
    out, end = [], len(tau_sorted)
    for n in sizes:
        part = tau_sorted[end - n:end]
        out.append({"min": float(part.min()), "mean": float(part.mean()),
                    "max": float(part.max())} if n else None)
        end -= n
    return out


_MEMO = {}


def memo(key, make):
    """Compute ``make()`` once per ``key`` in this process (targets that share one run)."""
    if key not in _MEMO:
        _MEMO[key] = make()
    return _MEMO[key]


def f4(x):
    return "none" if x is None else f"{x:.4f}"
