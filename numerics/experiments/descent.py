"""Gradient descent on ligand binding times to the decision boundary (SCIENCE.md section 4).

Only sub-threshold ligands (tau < tau_c) move, by tau <- tau - eps g, until the output falls
below the threshold (the attack crossed the boundary), a fixed point (the output stops
changing: the cell is robust to these ligands), or the iteration cap.  Two variants, run by
the same loop (:func:`run_descent`):

- ``"exact"``: per-ligand intensive gradient g_j = (sum L / L_j) dF/dtau_j / threshold, the
  same for every ligand at the same tau whatever the ensemble size (for T_{N,m}: a fused,
  compiled pass);
- ``"binned"``: the paper's reference procedure -- histogram (width 0.2 on [0, 3.5]), each
  ligand takes the raw gradient of its bin with L = the bin's count (crowded bins move
  faster), re-bin and re-sort each iteration.  Quirk kept on purpose: ligands above the last
  edge (3.5) fall out of the histogram and no longer count in the output.
"""
from __future__ import annotations

import enum
import sys

import numpy as np

from antagonism.derivations.errors import InputError
from antagonism.theory.result import Result
from antagonism.theory.validation import (
    check_ligands,
    check_positive_int,
    check_positive_scalar,
)

from ..cells.evaluator import cell_evaluator, relative_threshold


class DescentStatus(str, enum.Enum):
    """Why a descent stopped.  Compares equal to its string value ("crossed", ...)."""

    CROSSED = "crossed"
    FIXED_POINT = "fixed-point"
    MAX_ITER = "max-iter"

    @property
    def message(self):
        return {
            "crossed": "the output fell below the threshold: the attack switched the cell off",
            "fixed-point": "the moving ligands reached a fixed point above the threshold: the "
                           "cell is robust to these ligands",
            "max-iter": "the iteration cap was reached before a crossing or a fixed point",
        }[self.value]

    def __str__(self):
        return self.value


class DescentResult(Result):
    """Outcome of a descent to the boundary.

    Keys
    ----
    tau, tau_initial, L : ndarray -- final and initial binding times, quantities
    movable : ndarray of bool -- ligands allowed to move (initially sub-threshold)
    status : DescentStatus -- for "binned", judged on the binned output
    message : str -- what the status means
    T_binned : float -- ("binned" only) the histogram's output, without ligands above the
        last edge
    converged : bool -- stopped by a criterion (crossed or fixed point), not by the cap
    crossed : bool -- the exact output of the final ligands is below the threshold
    iterations : int
    T_initial, T_final : float -- exact output before and after (T for T_{N,m})
    threshold : float
    T_history, rms_move_history : ndarray
    tau_star_predicted : float or None -- theory's tau*(T_final) (closed-form models)
    moved_tau_median, moved_tau_iqr : float -- over ligands ending in (tau_c/2, tau_c)
    fraction_near_tau_star : float -- moved ligands within 5 % of tau*(T_final)
    variant : {"exact", "binned"}; model : str; parameters : dict; tau_c, eps : float
    """

    SUMMARY = ("variant", "model", "parameters", "tau_c", "eps", "status", "message",
               "converged", "crossed", "iterations", "T_initial", "T_final", "threshold",
               "tau_star_predicted", "moved_tau_median", "moved_tau_iqr",
               "fraction_near_tau_star", "n_ligands", "n_moved", "T_binned")

    def summary(self):
        """The JSON-friendly scalar summary (no arrays)."""
        return self.to_dict(keys=[k for k in self.SUMMARY if k in self])


def run_descent(stepper, threshold, max_iter, ftol, progress=False):
    """The descent loop, shared by every variant and model.

    ``stepper`` has ``output`` (the current output) and ``step()`` (move once, update
    ``output``, return the rms displacement).  Stops when the output is below ``threshold``
    (crossed), when it changes by at most ``ftol`` relative (fixed point), or after
    ``max_iter`` steps.  Returns (iterations, DescentStatus, output history, move history).
    """
    T = stepper.output
    T_hist, moves = [T], []
    report = max(1, max_iter // 10)
    for it in range(max_iter):
        if T < threshold:
            return it, DescentStatus.CROSSED, np.array(T_hist), np.array(moves)
        moves.append(stepper.step())
        T_new = stepper.output
        T_hist.append(T_new)
        if progress and (it + 1) % report == 0:
            print(f"[descent] iteration {it + 1}/{max_iter}: output {T_new:.6g}",
                  file=sys.stderr, flush=True)
        if abs(T_new - T) <= ftol * T_new:
            status = DescentStatus.CROSSED if T_new < threshold else DescentStatus.FIXED_POINT
            return it + 1, status, np.array(T_hist), np.array(moves)
        T = T_new
    status = DescentStatus.CROSSED if T < threshold else DescentStatus.MAX_ITER
    return max_iter, status, np.array(T_hist), np.array(moves)


def descend_to_boundary(model, tau, L, *, eps=0.2, max_iter=5000, ftol=1e-10,
                        variant="exact", bin_width=0.2, bin_max=3.5, backend="auto",
                        progress=False):
    """Descend the sub-threshold ligands of ``model`` to its decision boundary.

    Parameters
    ----------
    model : CellModel with numeric parameters (its tau_c sets which ligands move)
    tau, L : array_like -- binding times (s, > 0) and quantities (>= 0); not modified
    eps : float -- step size; max_iter : int -- iteration cap
    ftol : float -- fixed point when |F_k - F_{k-1}| <= ftol F_k
    variant : {"exact", "binned"}
    progress : bool -- report every tenth of the cap on standard error

    Returns
    -------
    DescentResult
    """
    tau, L = check_ligands(tau, L)
    eps = check_positive_scalar(eps, "eps")
    max_iter = check_positive_int(max_iter, "max_iter")
    if variant not in ("exact", "binned"):
        raise InputError(f"variant must be 'exact' or 'binned', got {variant!r}")
    ev = cell_evaluator(model, backend)
    tau_c = ev.tau_c
    movable = tau < tau_c
    threshold = relative_threshold(ev, tau, L, movable)
    params = {k: float(v) for k, v in model.parameters().items()}
    # parameters under their own key only (a model parameter may be named eps)
    res = DescentResult(variant=variant, model=model.name, parameters=params,
                        tau_c=float(tau_c), eps=eps, tau_initial=tau.copy(), L=L,
                        movable=movable, threshold=threshold, T_initial=ev.output(tau, L))
    work = tau.copy()
    lower, upper = 1e-9 * tau_c, tau_c * (1 - 1e-12)
    if variant == "exact":
        stepper = ev.descent_stepper(work, L, eps, lower, upper)
    else:
        stepper = BinnedStepper(ev, work, eps, bin_width, bin_max, lower)
    it, status, T_hist, moves = run_descent(stepper, threshold, max_iter, ftol, progress)
    res.update(tau=stepper.tau, iterations=it, status=status, message=status.message,
               T_history=T_hist, rms_move_history=moves,
               converged=status is not DescentStatus.MAX_ITER)
    if variant == "binned":
        res.T_binned = float(T_hist[-1])
    return _summarise(res, ev, model)


def _summarise(res, ev, model, near=0.05):
    from antagonism.theory import critical_binding_time

    tau, tau0, movable, tau_c = res.tau, res.tau_initial, res.movable, ev.tau_c
    res.T_final = ev.output(tau, res.L)
    res.crossed = bool(res.T_final < res.threshold)
    try:
        star = critical_binding_time(model, res.T_final)
    except ValueError:  # no closed form for this model
        star = None
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


def bin_edges(bin_width=0.2, bin_max=3.5):
    """Histogram edges 0, w, 2w, ... with bin_max as the last edge."""
    edges = np.arange(0.0, bin_max, bin_width)
    return np.append(edges, bin_max)


class BinnedStepper:
    """The paper's binned procedure (see the module docstring); ligands have L = 1.
    ``output`` is the binned output (ligands above the last edge dropped)."""

    def __init__(self, evaluator, tau, eps, bin_width, bin_max, lower):
        self.ev, self.eps, self.lower = evaluator, eps, lower
        self.edges = bin_edges(bin_width, bin_max)
        self.centres = 0.5 * (self.edges[:-1] + self.edges[1:])
        self.tau = tau
        self.output = self._measure()

    def _measure(self):
        counts, _ = np.histogram(self.tau, self.edges)
        self.filled = counts > 0
        self.counts = counts[self.filled].astype(float)
        return self.ev.output(self.centres[self.filled], self.counts)

    def step(self):
        tau_c, edges = self.ev.tau_c, self.edges
        grad = np.zeros_like(self.centres)
        grad[self.filled] = self.ev.grad_output(self.centres[self.filled], self.counts)
        idx = np.clip(np.searchsorted(edges, self.tau, side="right") - 1, 0,
                      self.centres.size - 1)
        inside = (self.tau >= 0) & (self.tau < edges[-1])
        step = np.where(inside & (self.tau < tau_c), self.eps * grad[idx], 0.0)
        new = np.sort(np.clip(self.tau - step, self.lower,
                              np.where(self.tau < tau_c, tau_c, np.inf)))
        moved = float(np.sqrt(np.mean((np.sort(self.tau) - new) ** 2)))
        self.tau[:] = new
        self.output = self._measure()
        return moved
