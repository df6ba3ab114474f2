"""Gradient descent on ligand binding times to the decision boundary (Rademaker, Bengio &
Francois, PRX 9, 031012, 2019, section on adversarial examples in ligand space).

Only sub-threshold ligands (tau < tau_c) move, by tau <- tau - eps g, until the output falls
below the threshold (the attack crossed the boundary), a fixed point (the output stops
changing: the cell is robust to these ligands), or the iteration cap.  Two variants, run by
the same loop (:func:`run_descent`):

- ``"exact"``: per-ligand intensive gradient g_j = (sum L / L_j) dF/dtau_j / threshold, the
  same for every ligand at the same tau whatever the ensemble size (for T_{N,m}: a fused,
  compiled pass);
- ``"binned"``: the authors' procedure, reproduced exactly -- 17 bins of width 3.5/17 on
  [0, 3.5], gradients evaluated at the centres linspace(0.1, 3.4, 17) (not the bins'
  midpoints) with L = the bin's count (crowded bins move faster), each sub-threshold ligand
  moves by its bin's raw gradient, tau < 0 is reset to 0.1, re-bin and re-sort each
  iteration, and the loop stops one step after the binned output first falls below the
  threshold.  Quirk kept on purpose: ligands above the last edge (3.5) fall out of the
  histogram and no longer count in the output.  It is a procedure, not an optimiser: it has
  no output-based fixed point (while no ligand changes bin the binned output stays the same
  although the ligands move), so it stops only on a crossing, when no ligand moves at all,
  or at the cap.  ``bin_width=w`` replaces the geometry by bins of width w with their
  midpoints as centres.
"""
from __future__ import annotations

import enum
import sys
import time

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result
from antagonism.theory.validation import (
    check_ligands,
    check_positive_int,
    check_positive_scalar,
)

from ..cells.evaluator import cell_evaluator, descent_stepper, relative_threshold


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


def run_descent(stepper, threshold, max_iter, ftol, progress=False, late_steps=0):
    """The descent loop, shared by every variant and model.

    ``stepper`` has ``output`` (the current output) and ``step()`` (move once, update
    ``output``, return the rms displacement).  Stops when the output is below ``threshold``
    (crossed; then ``late_steps`` more steps are taken, as the authors' loop does, unless
    it started below: then none), when it
    changes by at most ``ftol`` relative (fixed point; ``ftol=None``: only when no ligand
    moves at all), or after ``max_iter`` steps.  Returns (iterations, DescentStatus, output
    history, move history).
    """
    T = stepper.output
    T_hist, moves = [T], []
    report = max(1, max_iter // 10)
    started = time.perf_counter()

    def crossed(it):
        late = late_steps if it else 0  # below the threshold from the start: no step at all
        for _ in range(late):
            moves.append(stepper.step())
            T_hist.append(stepper.output)
        return it + late, DescentStatus.CROSSED, np.array(T_hist), np.array(moves)

    for it in range(max_iter):
        if T < threshold:
            return crossed(it)
        moves.append(stepper.step())
        T_new = stepper.output
        T_hist.append(T_new)
        if progress and (it + 1) % report == 0:
            elapsed = time.perf_counter() - started
            print(f"[descent] iteration {it + 1}/{max_iter}: output {T_new:.6g} (elapsed "
                  f"{elapsed:.0f} s, ETA at most {elapsed / (it + 1) * (max_iter - it - 1):.0f}"
                  " s, to the iteration cap)", file=sys.stderr, flush=True)
        still = moves[-1] == 0.0 if ftol is None else abs(T_new - T) <= ftol * T_new
        if still:
            if T_new < threshold:
                return crossed(it + 1)
            return it + 1, DescentStatus.FIXED_POINT, np.array(T_hist), np.array(moves)
        T = T_new
    status = DescentStatus.CROSSED if T < threshold else DescentStatus.MAX_ITER
    return max_iter, status, np.array(T_hist), np.array(moves)


def descend_to_boundary(model, tau, L, *, eps=0.2, max_iter=5000, ftol=1e-10,
                        variant="exact", bin_width=None, bin_max=3.5, backend="auto",
                        progress=False):
    """Descend the sub-threshold ligands of ``model`` to its decision boundary.

    Parameters
    ----------
    model : CellModel with numeric parameters (its tau_c sets which ligands move)
    tau, L : array_like -- binding times (s, > 0) and quantities (>= 0); not modified
    eps : float -- step size; max_iter : int -- iteration cap
    ftol : float -- ("exact") fixed point when |F_k - F_{k-1}| <= ftol F_k; the binned
        procedure ignores it (it stops only on a crossing, no move at all, or the cap)
    variant : {"exact", "binned"}
    bin_width, bin_max : ("binned") None: the authors' 17 bins on [0, 3.5] with centres
        linspace(0.1, 3.4, 17); a width w: bins of width w on [0, bin_max], midpoints
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
    params = model.plain_parameters()
    # parameters under their own key only (a model parameter may be named eps)
    res = DescentResult(variant=variant, model=model.name, parameters=params,
                        tau_c=float(tau_c), eps=eps, tau_initial=tau.copy(), L=L,
                        movable=movable, threshold=threshold, T_initial=ev.output(tau, L))
    work = tau.copy()
    lower, upper = 1e-9 * tau_c, tau_c * (1 - 1e-12)
    if variant == "exact":
        stepper = descent_stepper(ev, work, L, eps, lower, upper)
        it, status, T_hist, moves = run_descent(stepper, threshold, max_iter, ftol, progress)
    else:
        edges, centres = bin_geometry(bin_width, bin_max)
        stepper = BinnedStepper(ev, work, eps, edges, centres, upper)
        it, status, T_hist, moves = run_descent(stepper, threshold, max_iter, None, progress,
                                                late_steps=1)
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


#: The authors' bins: 17 on [0, 3.5] (width 3.5/17), gradients at linspace(0.1, 3.4, 17).
AUTHORS_BINS = {"n_bins": 17, "bin_max": 3.5, "centres": (0.1, 3.4), "reset_tau": 0.1}


def bin_geometry(bin_width=None, bin_max=3.5):
    """(edges, centres) of the binned procedure: the authors' geometry for ``bin_width=None``
    (edges linspace(0, 3.5, 18), centres linspace(0.1, 3.4, 17)); otherwise bins of width
    ``bin_width`` on [0, bin_max] and their midpoints."""
    if bin_width is None:
        n = AUTHORS_BINS["n_bins"]
        return (np.linspace(0.0, AUTHORS_BINS["bin_max"], n + 1),
                np.linspace(*AUTHORS_BINS["centres"], n))
    bin_width = check_positive_scalar(bin_width, "bin_width")
    edges = bin_edges(bin_width, check_positive_scalar(bin_max, "bin_max"))
    return edges, 0.5 * (edges[:-1] + edges[1:])


class BinnedStepper:
    """The authors' binned procedure (see the module docstring); ligands have L = 1.
    ``output`` is the binned output (ligands above the last edge dropped); a ligand pushed
    below 0 is reset to ``reset_tau`` = 0.1 s; none passes ``upper`` (just below tau_c)."""

    def __init__(self, evaluator, tau, eps, edges, centres, upper,
                 reset_tau=AUTHORS_BINS["reset_tau"]):
        self.ev, self.eps, self.upper, self.reset_tau = evaluator, eps, upper, reset_tau
        self.edges, self.centres = np.asarray(edges, float), np.asarray(centres, float)
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
        new = self.tau - step
        new = np.where(new < 0, self.reset_tau, new)
        new = np.sort(np.where(self.tau < tau_c, np.minimum(new, self.upper), new))
        moved = float(np.sqrt(np.mean((np.sort(self.tau) - new) ** 2)))
        self.tau[:] = new
        self.output = self._measure()
        return moved
