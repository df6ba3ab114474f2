"""Gradient descent on ligand binding times to the decision boundary (SCIENCE.md section 4).

Only sub-threshold ligands (tau < tau_c) move, by tau <- tau - eps g, until T < 1 (the attack
crossed the boundary), a fixed point (T stops changing: the cell is robust to these ligands),
or the iteration cap.  Two variants:

- ``"exact"``: per-ligand intensive gradient g_j = (sum L / L_j) dT/dtau_j, the same for
  every ligand at the same tau whatever the ensemble size (compiled, fused kernel);
- ``"binned"``: the paper's reference procedure -- histogram (width 0.2 on [0, 3.5]), each
  ligand takes the raw gradient of its bin with L = the bin's count (crowded bins move
  faster), re-bin and re-sort each iteration.  Quirk kept on purpose: ligands above the last
  edge (3.5) fall out of the histogram and no longer count in T.
"""
from __future__ import annotations

import numpy as np

from antagonism.theory import critical_binding_time
from antagonism.theory.result import Result
from antagonism.theory.validation import check_positive_scalar

from .kernels import adaptive_kernels, check_ligands

STATUS = {0: "crossed", 1: "fixed-point", 2: "max-iter"}


class DescentResult(Result):
    """Outcome of a descent to the boundary.

    Keys
    ----
    tau, tau_initial, L : ndarray -- final and initial binding times, quantities
    movable : ndarray of bool -- ligands allowed to move (initially sub-threshold)
    status : {"crossed", "fixed-point", "max-iter"} -- for "binned", judged on the binned T
    T_binned : float -- ("binned" only) the histogram's T, without ligands above the last edge
    converged : bool -- stopped by a criterion (crossed or fixed point), not by the cap
    crossed : bool -- T_final < 1
    iterations : int
    T_final : float -- exact T of the final ligands (for "binned", also ``T_binned``)
    T_history : ndarray
    tau_star_predicted : float or None -- theory's tau*(T_final)
    moved_tau_median, moved_tau_iqr : float -- over ligands ending in (tau_c/2, tau_c)
    fraction_near_tau_star : float -- moved ligands within 5 % of tau*(T_final)
    variant : {"exact", "binned"}
    N, m, tau_c, eps : float
    """

    SUMMARY = ("variant", "N", "m", "tau_c", "eps", "status", "converged", "crossed",
               "iterations", "T_initial", "T_final", "tau_star_predicted", "moved_tau_median",
               "moved_tau_iqr", "fraction_near_tau_star", "n_ligands", "n_moved", "T_binned")

    def summary(self):
        """The JSON-friendly scalar summary (no arrays)."""
        return self.to_dict(keys=[k for k in self.SUMMARY if k in self])


def _summarise(res, kernels, tau_c, near=0.05):
    tau, tau0, movable = res.tau, res.tau_initial, res.movable
    res.T_final = kernels.output(tau, res.L, tau_c)
    res.crossed = bool(res.T_final < 1)
    star = (critical_binding_time(kernels.N, kernels.m, tau_c, res.T_final)
            if kernels.m > 0 else None)
    res.tau_star_predicted = star
    moved = movable & (tau != tau0)
    res.n_moved = int(moved.sum())
    window = tau[moved & (tau > tau_c / 2) & (tau < tau_c)]
    if window.size:
        q1, med, q3 = np.percentile(window, [25, 50, 75])
        res.moved_tau_median, res.moved_tau_iqr = float(med), float(q3 - q1)
    else:
        res.moved_tau_median, res.moved_tau_iqr = None, None
    res.fraction_near_tau_star = (
        float(np.mean(np.abs(tau[moved] - star) <= near * star)) if star and moved.any()
        else 0.0)
    res.n_ligands = int(tau.size)
    return res


def descend_to_boundary(tau, L, N, m, tau_c=3.0, *, eps=0.2, max_iter=5000, ftol=1e-10,
                        variant="exact", bin_width=0.2, bin_max=3.5, backend="auto"):
    """Descend the sub-threshold ligands of T_{N,m} to the decision boundary.

    Parameters
    ----------
    tau, L : array_like -- binding times (s, > 0) and quantities (>= 0); not modified
    N, m : float -- 0 <= m < N
    tau_c : float -- threshold (s)
    eps : float -- step size; max_iter : int -- iteration cap
    ftol : float -- fixed point when |T_k - T_{k-1}| <= ftol T_k
    variant : {"exact", "binned"}

    Returns
    -------
    DescentResult
    """
    tau, L = check_ligands(tau, L)
    tau_c = check_positive_scalar(tau_c, "tau_c")
    eps = check_positive_scalar(eps, "eps")
    if int(max_iter) != max_iter or max_iter < 1:
        raise ValueError(f"max_iter must be a positive integer, got {max_iter!r}")
    kernels = adaptive_kernels(float(N), float(m), backend)
    res = DescentResult(variant=variant, N=float(N), m=float(m), tau_c=tau_c, eps=eps,
                        tau_initial=tau.copy(), L=L, movable=tau < tau_c)
    res.T_initial = kernels.output(tau, L, tau_c)
    if variant == "exact":
        work = tau.copy()
        it, status, T_hist, move_hist = kernels.descend(work, L, tau_c, eps=eps,
                                                        max_iter=int(max_iter), ftol=ftol)
        res.update(tau=work, iterations=it, status=STATUS[status], T_history=T_hist,
                   rms_move_history=move_hist)
    elif variant == "binned":
        res.update(_binned(tau.copy(), kernels, tau_c, eps, int(max_iter), ftol, bin_width,
                           bin_max))
    else:
        raise ValueError(f"variant must be 'exact' or 'binned', got {variant!r}")
    res.converged = res.status != "max-iter"
    return _summarise(res, kernels, tau_c)


def bin_edges(bin_width=0.2, bin_max=3.5):
    """Histogram edges 0, w, 2w, ... with bin_max as the last edge."""
    edges = np.arange(0.0, bin_max, bin_width)
    return np.append(edges, bin_max)


def _binned(tau, kernels, tau_c, eps, max_iter, ftol, bin_width, bin_max):
    """The paper's binned procedure (see module docstring); ligands have L = 1."""
    edges = bin_edges(bin_width, bin_max)
    centres = 0.5 * (edges[:-1] + edges[1:])
    T_hist, status, it = [], 2, max_iter
    for it in range(max_iter + 1):
        counts, _ = np.histogram(tau, edges)
        filled = counts > 0
        T = kernels.output(centres[filled], counts[filled].astype(float), tau_c)
        T_hist.append(T)
        if T < 1:
            status = 0
            break
        if it > 0 and abs(T - T_hist[-2]) <= ftol * T:
            status = 1
            break
        if it == max_iter:
            break
        grad = np.zeros_like(centres)
        grad[filled] = kernels.grad_output(centres[filled], counts[filled].astype(float), tau_c)
        idx = np.clip(np.searchsorted(edges, tau, side="right") - 1, 0, centres.size - 1)
        inside = (tau >= 0) & (tau < bin_max)
        step = np.where(inside & (tau < tau_c), eps * grad[idx], 0.0)
        tau = np.sort(np.clip(tau - step, 1e-9 * tau_c, np.where(tau < tau_c, tau_c, np.inf)))
    return {"tau": tau, "iterations": it, "status": STATUS[status], "T_history":
            np.array(T_hist), "T_binned": T_hist[-1]}
