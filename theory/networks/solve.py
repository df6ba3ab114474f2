"""Steady states of a compiled reaction network: Newton's method, pseudo-transient
continuation and continuation along a path of binding times and doses.

All solvers work on a :class:`~.system.NetworkSystem` at a
:class:`~.system.Point` and judge a residual row by the size of its own terms:
``max_j |F_j| / W_j`` with W_j the larger of the row's fluxes (:meth:`NetworkSystem.residual`)
and sum_u |dF_j/dz_u| |z_u| (the size of the terms inside its rate laws, which a rate such
as alpha (K_T - K) cancels; round-off moves F_j by about 1e-16 of it).  A steady state is
accepted when that relative residual is at most :data:`ACCEPT` and Newton's last step
changed no amount by more than :data:`STEP_TOL` of its size, or when it is at round-off
(:data:`ROUNDOFF`).  Amounts stay non-negative:
a step that would make one negative shrinks it tenfold instead.

- :func:`newton`: damped Newton (backtracking on the relative residual), with the exact
  Jacobian, rows scaled by W; each law in the rate row of a species that holds a
  share of its amounts (:meth:`~.system.NetworkSystem.pivoted_for`), so that no amount
  is fixed by cancellation below its own precision;
- :func:`pseudo_transient`: backward-Euler steps (D/dt - J) dz = F whose time step grows as
  the residual falls (switched evolution relaxation, Mulder & van Leer 1985); D is 1 on the
  rows that are rates and 0 on the algebraic rows (the ligand's sum, the conservation laws).
  It follows the ODE towards a stable steady state from any start;
- :func:`follow_path`: from a solution at one point to another point (binding times
  interpolated geometrically, doses geometrically or linearly), with the tangent
  dz/dlambda = -J^{-1} dF/dlambda as predictor and Newton as corrector, the step halved
  when Newton fails and doubled when it converges fast.
"""
from __future__ import annotations

import contextlib

import numpy as np

from antagonism._core.errors import ConvergenceError

from .system import Point

#: accepted relative residual of a steady state
ACCEPT = 1e-10
#: relative change of every amount in Newton's last step, below which it has converged
#: (Newton's error after a step of size d is of order d^2)
STEP_TOL = 1e-7


class Factor:
    """The arrow-shaped Jacobian :class:`~.system.Blocks`, rows scaled by ``d``,
    solved by block elimination: each type's block first (so a type's amounts keep their
    relative accuracy at any dose), then the Schur complement of the shared species,

        (S - sum_i C_i A_i^{-1} B_i) dy = b_y - sum_i C_i A_i^{-1} b_i,
        dX_i = A_i^{-1} (b_i - B_i dy);

    J^T x = g the same way with the transposed blocks (adjoints).  O(K n_X^3 + n_y^3)."""

    def __init__(self, blocks, d, K, system=None):
        nX = blocks.A.shape[1]
        self.K, self.nX, self.system = K, nX, system
        self.dX = d[:K * nX].reshape(K, nX)
        self.dy = d[K * nX:]
        A = blocks.A * self.dX[:, :, None]
        B = blocks.B * self.dX[:, :, None]
        self.C = blocks.C * self.dy[None, :, None]
        S = blocks.S * self.dy[:, None]
        try:
            with np.errstate(all="ignore"), _one_blas_thread(max(nX, S.shape[0])):
                self.Ainv = np.linalg.inv(A) if K else A
                self.AinvB = self.Ainv @ B
                schur = S - np.matmul(self.C, self.AinvB).sum(axis=0)
                self.Sinv = np.linalg.inv(schur) if schur.size else schur
        except np.linalg.LinAlgError:
            raise ConvergenceError("the Jacobian of the steady-state equations is "
                                   "singular here") from None
        if not (np.all(np.isfinite(self.Ainv)) and np.all(np.isfinite(self.Sinv))):
            raise ConvergenceError("the Jacobian of the steady-state equations is singular "
                                   "here")

    def _split(self, b):
        n = self.K * self.nX
        return b[:n].reshape((self.K, self.nX) + b.shape[1:]), b[n:]

    def solve(self, b):
        """x with J x = b (b of shape (n,) or (n, m))."""
        bX, by = self._split(b)
        bX = bX * self.dX[(...,) + (None,) * (b.ndim - 1)]
        by = by * self.dy[(...,) + (None,) * (b.ndim - 1)]
        u = np.einsum("kij,kj...->ki...", self.Ainv, bX)
        dy = self.Sinv @ (by - np.einsum("kij,kj...->i...", self.C, u))
        dX = u - np.einsum("kij,j...->ki...", self.AinvB, dy)
        return np.concatenate([dX.reshape((-1,) + b.shape[1:]), dy])

    def solve_transposed(self, g):
        """x with J^T x = g (adjoints): the scaled system's transpose, then x = D mu."""
        gX, gy = self._split(g)
        v = np.einsum("kji,kj...->ki...", self.Ainv, gX)
        ly = self.Sinv.T @ (gy - np.einsum("kji,kj...->i...", self.AinvB, gX))
        lX = v - np.einsum("kji,kj...->ki...", self.Ainv,
                           np.einsum("kji,j...->ki...", self.C, ly))
        tail = (None,) * (g.ndim - 1)
        return np.concatenate([(lX * self.dX[(...,) + tail]).reshape((-1,) + g.shape[1:]),
                               ly * self.dy[(...,) + tail]])


_CONTROLLER = []


def _one_blas_thread(size):
    """One BLAS thread for the factorisation of blocks of ``size`` >= 32 (threadpoolctl,
    when installed): OpenBLAS's threads only contend on matrices this small, and on a
    loaded machine they slowed a 200 x 200 inverse twentyfold."""
    if size < 32:
        return contextlib.nullcontext()
    if not _CONTROLLER:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:
            _CONTROLLER.append(None)
        else:
            _CONTROLLER.append(ThreadpoolController())
    controller = _CONTROLLER[0]
    return (contextlib.nullcontext() if controller is None
            else controller.limit(limits=1, user_api="blas"))


def scales(W):
    """1/W_j row scales (1 for rows without terms; at most 1e290)."""
    return 1.0 / np.where(W > 0, np.maximum(W, 1e-290), 1.0)


def relative_residual(F, W):
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(F == 0, 0.0, np.abs(F) / np.where(W > 0, W, 1.0))
    return float(np.max(rel, initial=0.0)) if np.all(np.isfinite(rel)) else np.inf


def _positive(z, trial):
    """A trial point with no negative amount: a component that a step would take below 0
    by at most 1e-6 of its value is 0 (its steady state is 0: the step was -z up to
    round-off); one that it would take further shrinks tenfold instead."""
    return np.where(trial >= 0, trial, np.where(-trial <= 1e-6 * z, 0.0, 0.1 * z))


def term_sizes(system, J, z, pt):
    """sum_u |J_ju| max(|z_u|, atol_u) for each row j (J as Blocks): what an error of
    the amounts' own size, or of their absolute tolerance, moves the row by."""
    X, y = system.split(np.maximum(np.abs(z), tolerances(system, pt)), pt.K)
    tX, ty = J.term_sizes(X, y)
    return system.join(tX, ty)


#: amounts below this fraction of the dose count as zero (double precision ends near it)
TINY = 1e-280


def tolerances(system, pt):
    """Absolute tolerances of the amounts: :data:`TINY` times the type's dose for its
    ligand states, times the total dose (at most the largest conserved total) for the
    shared species.  Every amount above them is converged to its own relative precision,
    however small (the output of a 97-step chain at a short binding time is 1e-200 of the
    receptors); an amount whose steady state is exactly 0 reaches it (:func:`_positive`)."""
    top = float(np.max(np.abs(pt.T), initial=1.0))
    shared = TINY * min(float(np.sum(pt.L)), top)
    return np.maximum(np.concatenate([np.repeat(TINY * pt.L, len(system.states)),
                                      np.full(len(system.shared), shared)]), 1e-300)


def newton(system, pt, z0, max_iter=40, accept=ACCEPT):
    """Damped Newton from z0; once the relative residual is below :data:`CHORD`, the last
    Jacobian's factors are kept (chord steps: each still shrinks the error by the size of
    the previous step).  Returns (z, info) on success (``info``: iterations, residual,
    ``factor``: of a Jacobian near z, for predictors; sensitivities factor J at z itself),
    None when it fails to converge."""
    with np.errstate(all="ignore"):  # overflow shows as a non-finite residual: a failure
        return _newton(system.pivoted_for(np.asarray(z0, float), pt.K), pt, z0, max_iter,
                       accept)


#: relative residual below which Newton keeps its Jacobian (chord steps)
CHORD = 1e-7
#: relative residual of round-off: every row holds to a few ulps of its terms, and an amount
#: that a conservation law fixes by cancellation (7e-7 receptors left of 3e4) moves by
#: 1e-6 of itself from step to step without getting better
ROUNDOFF = 1e-13


def _newton(system, pt, z0, max_iter, accept):
    z = np.maximum(np.asarray(z0, float), 0.0)
    F, W = system.residual(z, pt)
    atol = tolerances(system, pt)
    factor, WJ, r, fresh = None, 0.0, np.inf, True
    for it in range(1, max_iter + 1):
        if factor is None or r > CHORD or not fresh:
            fresh = True
            J = system.jacobian(z, pt)
            WJ = term_sizes(system, J, z, pt)
            W = np.maximum(W, WJ)
            try:
                factor = Factor(J, scales(W), pt.K, system)
            except ConvergenceError:
                return None
        W = np.maximum(W, WJ)
        r = relative_residual(F, W)
        if not np.isfinite(r):
            return None
        dz = factor.solve(-F)
        if not np.all(np.isfinite(dz)):
            return None
        alpha = 1.0
        while True:
            trial = _positive(z, z + alpha * dz)
            F_t, W_t = system.residual(trial, pt)
            r_t = relative_residual(F_t, np.maximum(W_t, WJ))
            if r_t <= max(r, accept) or alpha < 1e-4:
                break
            alpha *= 0.25
        step = float(np.max(np.abs(trial - z) / (np.abs(trial) + atol), initial=0.0))
        # a chord step that did not shrink the residual tenfold: a fresh Jacobian next
        fresh = r_t <= 0.1 * r
        z, F, W, r = trial, F_t, W_t, r_t
        if r <= accept and (step <= STEP_TOL or r <= ROUNDOFF):
            # judged again with the term sizes of this point: those of an earlier iterate
            # (far off, with huge amounts) would let a wrong point pass
            WJ = term_sizes(system, system.jacobian(z, pt), z, pt)
            r = relative_residual(F, np.maximum(W, WJ))
            if r <= accept:
                return z, {"iterations": it, "residual": r, "factor": factor}
            factor = None  # a fresh Jacobian for the next step
        if not np.isfinite(r) or (alpha < 1e-4 and r > 1e3 * accept):
            return None
    return None


def dynamic_rows(system, K):
    """1 on the rows that are rates (the ODE's right-hand side), 0 on algebraic rows."""
    nX = len(system.states)
    D = np.ones(K * nX + len(system.shared))
    D[np.arange(K) * nX + system.ligand] = 0.0
    D[K * nX + system.pivots] = 0.0
    return D


def pseudo_transient(system, pt, z0, max_iter=600, dt0=1e-6):
    """Pseudo-transient continuation from z0 (see the module docstring), then Newton.
    Returns (z, info) or None."""
    with np.errstate(all="ignore"):
        return _pseudo_transient(system, pt, z0, max_iter, dt0)


def _pseudo_transient(system, pt, z0, max_iter, dt0):
    z = np.maximum(np.asarray(z0, float), 0.0)
    D = dynamic_rows(system, pt.K)
    F, W = system.residual(z, pt)
    J = system.jacobian(z, pt)
    WJ = term_sizes(system, J, z, pt)
    r = relative_residual(F, np.maximum(W, WJ))
    dt, steps = dt0, 0
    for steps in range(max_iter):  # noqa: B007 (the count is reported)
        if r <= 1e-8:
            break
        W = np.maximum(W, WJ)
        DX, Dy = system.split(D / dt, pt.K)
        try:
            dz = Factor(J.shifted(DX.T, Dy), scales(W), pt.K).solve(F)
        except ConvergenceError:
            dt *= 0.1
            continue
        trial = _positive(z, z + dz)
        F_t, W_t = system.residual(trial, pt)
        if not np.all(np.isfinite(F_t)) or not np.all(np.isfinite(trial)):
            dt *= 0.1
            if dt < 1e-15:
                return None
            continue
        J = system.jacobian(trial, pt)
        WJ = term_sizes(system, J, trial, pt)
        r_t = relative_residual(F_t, np.maximum(W_t, WJ))
        dt *= float(np.clip(r / max(r_t, 1e-300), 0.3, 10.0))
        z, F, W, r = trial, F_t, W_t, r_t
    found = newton(system, pt, z)
    if found is not None:
        found[1]["iterations"] += steps
    return found


def path_point(a, b, lam):
    """The point at lambda in [0, 1] on the path from ``a`` to ``b`` (same K, p, T): binding
    times geometric, doses geometric where both ends are positive, else linear."""
    tau = a.tau ** (1 - lam) * b.tau ** lam
    both = (a.L > 0) & (b.L > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        L = np.where(both, a.L ** (1 - lam) * b.L ** lam, (1 - lam) * a.L + lam * b.L)
    return Point(tau, L, b.p, b.T)


def _path_rate(a, b, at):
    """(dtau/dlambda, dL/dlambda) at the path point ``at``."""
    dtau = at.tau * np.log(b.tau / a.tau)
    both = (a.L > 0) & (b.L > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.log(np.where(both, b.L, 1.0)) - np.log(np.where(both, a.L, 1.0))
    return dtau, np.where(both, at.L * ratio, b.L - a.L)


def tangent(system, pt, z, factor, dtau, dL):
    """dz/dlambda = -J^{-1} dF/dlambda for binding times and doses moving at dtau, dL
    (the rows of the system whose Jacobian ``factor`` factored: Newton's may have other
    leading species, :meth:`~.system.NetworkSystem.pivoted_for`)."""
    system = factor.system or system
    dvdt, _, _ = system.tau_derivatives(z, pt)
    rhs = system.per_type_rows(dvdt * dtau[None, :], pt.K)
    nX = len(system.states)
    rhs[np.arange(pt.K) * nX + system.ligand] -= dL
    return -factor.solve(rhs)


def follow_path(system, a, b, z_a, factor=None, min_step=1e-4):
    """A steady state at point ``b`` from the steady state ``z_a`` at point ``a`` (and the
    factors of its Jacobian, if known), by predictor-corrector continuation (module
    docstring).  Returns (z, info) or None."""
    z, lam, h, total = np.asarray(z_a, float), 0.0, 1.0, 0
    if factor is None:
        start = newton(system, a, z)
        if start is None:
            return None
        z, info = start
        factor = info["factor"]
    while lam < 1.0:
        h = min(h, 1.0 - lam)
        at = path_point(a, b, lam)
        try:
            slope = tangent(system, at, z, factor, *_path_rate(a, b, at))
        except ConvergenceError:
            return None
        target = path_point(a, b, lam + h)
        found = newton(system, target, _positive(z, z + h * slope), max_iter=12,
                       accept=ACCEPT if lam + h >= 1.0 else 1e-8)
        if found is None:
            h *= 0.25
            if h < min_step:
                return None
            continue
        z, info = found
        factor, lam = info["factor"], lam + h
        total += info["iterations"]
        if info["iterations"] <= 4:
            h *= 2.0
    info["iterations"] = total
    return z, info
