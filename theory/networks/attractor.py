"""The state a cell reaches: the reduced ODE integrated in time from rest, polished by Newton,
and the stability of a steady state.

A cell at rest holds the model file's initial amounts; the experiment adds the ligand (each
type's free ligand at its dose L_i, its other states empty).  The state it reaches is the
attractor of the ODE dx/dt = N v(x) from there.  On the reduced unknowns z of
:mod:`.system` the ODE is a differential-algebraic system D dz/dt = F(z) (D: 1 on the rows
that are rates, 0 on the ligand's sums and the conservation laws, :func:`.solve.dynamic_rows`).
Its algebraic rows are linear, A_a z = c, so the algebraic unknowns (each type's free ligand,
each moiety's leading species) follow from the dynamic ones w:

    z_a = A_aa^{-1} (c - A_ad w),    dw/dt = F_d(z(w)),
    d(dw/dt)/dw = J_dd + J_da P,     P = -A_aa^{-1} A_ad.

:func:`reach_from` integrates this ODE with scipy's BDF and the compiled Jacobian (its LU
factors and solves by LAPACK directly), the rates at the amounts as the integration holds
them, as CVODE integrates the ODE: an amount whose steady state is near 0 may dip below 0
by its tolerance, and its own rates bring it back (clipped at 0, the rates stop conserving
the moieties and the trajectory drifts: 945 bound ZAP-70 of 300 sites in the 53-species
ITAM network at tau = 0.01 s, L = 1e5).  A rate law not finite at such an amount (a
fractional power) takes its value at 0 (:meth:`~.system.NetworkSystem.rates`).  Whenever
the residual has fallen a hundredfold since the last try, and at every tenfold time, it
tries Newton from the current state (when Newton's first step from it moves no amount by
more than 10 %: a filter on when to try, not
on what is accepted), and accepts Newton's steady state when it is stable
(every eigenvalue of the reduced Jacobian has a negative real part) and within 1 % of the
trajectory's state in every amount: there the trajectory is in the steady state's linear
basin and converges to it.  The answer is Newton's (relative residual 1e-10), so
sensitivities by the implicit-function theorem stay exact.

:func:`stability` is the largest real part of the finite eigenvalues mu of J v = mu D v,
which are those of the reduced Jacobian J_dd + J_da P (the dynamics on the manifold the
conservation laws define).
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import ConvergenceError

from .absorbing import face_state
from .solve import Factor, dynamic_rows, newton, relative_residual, scales, term_sizes

#: the longest time integrated from rest (s); a trajectory that has not settled by then
#: (an oscillation, or a state beyond it) is a ConvergenceError
T_MAX = 1e9
#: the most integration steps from rest: a trajectory that needs more (rates of 1e30 /s at
#: absurd doses make BDF crawl) is a ConvergenceError, and the engine falls back to
#: continuation, reported with ``from_rest`` false
MAX_STEPS = 20_000
#: a real part of an eigenvalue below this fraction of the Jacobian's largest entry is
#: round-off, read as 0 (neither stable nor unstable)
ROUNDOFF = 1e-12
#: relative closeness of the trajectory's state to a stable steady state that Newton found
#: from it, at which the trajectory is taken to converge to that state
CLOSE = 1e-2


class ReducedODE:
    """dw/dt on the dynamic unknowns of a :class:`~.system.NetworkSystem` at a point (module
    docstring).  ``expand(w)`` gives z; ``rhs(t, w)`` and ``jac(t, w)`` the ODE."""

    def __init__(self, system, pt, z0):
        self.system, self.pt = system, pt
        D = dynamic_rows(system, pt.K).astype(bool)
        self.dyn, self.alg = np.nonzero(D)[0], np.nonzero(~D)[0]
        z0 = np.asarray(z0, float)
        J = system.jacobian(z0, pt).dense()
        A = J[self.alg]  # the algebraic rows are linear: constant coefficients
        F = system.residual(z0, pt)[0][self.alg]
        c = A @ z0 - F
        Aaa, Aad = A[:, self.alg], A[:, self.dyn]
        self.P = -np.linalg.solve(Aaa, Aad) if self.alg.size else np.zeros((0, self.dyn.size))
        self.q = np.linalg.solve(Aaa, c) if self.alg.size else np.zeros(0)
        self.w0 = z0[self.dyn]
        self.evaluations = 0
        # dw/dt = M (v_1, ..., v_K, v_y): the stoichiometry of the dynamic rows, the
        # per-type reactions once per type (one product per evaluation)
        nX, K, sys_ = len(system.states), pt.K, system
        M = np.zeros((K * nX + len(sys_.shared), K * sys_.n_rt + sys_.n_ry))
        for i in range(K):
            M[i * nX:(i + 1) * nX, i * sys_.n_rt:(i + 1) * sys_.n_rt] = sys_.N_X
            M[K * nX:, i * sys_.n_rt:(i + 1) * sys_.n_rt] = sys_.N_Xy
        M[K * nX:, K * sys_.n_rt:] = sys_.N_y
        self.M = np.ascontiguousarray(M[self.dyn])

    def state(self, w):
        """z at w, as the integration holds it (an amount may be a little below 0)."""
        z = np.empty(self.dyn.size + self.alg.size)
        z[self.dyn] = w
        z[self.alg] = self.q + self.P @ w
        return z

    def expand(self, w):
        """z at w with no amount below 0 (the start of Newton)."""
        return np.maximum(self.state(w), 0.0)

    def rhs(self, t, w):
        self.evaluations += 1
        v_t, v_y = self.system.rates(self.state(w), self.pt)
        return self.M @ np.concatenate([v_t.T.ravel(), v_y])

    def jac(self, t, w):
        J = self.system.jacobian(self.state(w), self.pt).dense()
        return J[np.ix_(self.dyn, self.dyn)] + J[np.ix_(self.dyn, self.alg)] @ self.P


def stability(system, pt, z):
    """The largest real part (1/s) of the eigenvalues of the reduced Jacobian at z: negative
    for a stable steady state (module docstring); nan when it has none."""
    import scipy.linalg as sla

    J = system.jacobian(z, pt).dense()
    if not np.all(np.isfinite(J)):
        return float("nan")
    D = dynamic_rows(system, pt.K).astype(bool)
    dyn, alg = np.nonzero(D)[0], np.nonzero(~D)[0]
    with np.errstate(all="ignore"):
        try:  # the reduced Jacobian J_dd + J_da P, P = -J_aa^{-1} J_ad: one standard problem
            P = -np.linalg.solve(J[np.ix_(alg, alg)], J[np.ix_(alg, dyn)])
            R = J[np.ix_(dyn, dyn)] + J[np.ix_(dyn, alg)] @ P
            mu = np.linalg.eigvals(R) if np.all(np.isfinite(R)) else None
        except np.linalg.LinAlgError:
            mu = None
        if mu is None:  # J_aa singular: the pencil (J, D) itself
            mu = sla.eigvals(J, np.diag(D.astype(float)))
    mu = mu[np.isfinite(mu)]
    # a real part within round-off of the Jacobian's largest entry is 0 at this precision
    # (at a dose of 1e30 the entries reach 1e26 /s and the slow modes cannot be resolved)
    re = np.where(np.abs(mu.real) <= ROUNDOFF * np.abs(J).max(), 0.0, mu.real)
    return float(re.max()) if mu.size else float("nan")


def is_stable(max_real_eigenvalue, absorbing=False):
    """The one reading of a steady state's stability: True for a largest real part below 0
    (or an absorbing end state reached from rest: stable on its face, approached without an
    exponential rate across it, :mod:`.absorbing`), False above 0, None where it is 0 to
    round-off or not finite (undetermined at this precision).

    >>> is_stable(-0.1), is_stable(0.2), is_stable(0.0), is_stable(0.0, absorbing=True)
    (True, False, None, True)
    """
    if absorbing:
        return True
    eig = max_real_eigenvalue
    if eig is None or not np.isfinite(eig) or eig == 0:
        return None
    return bool(eig < 0)


#: Newton is run from the trajectory's state only when its first step moves no amount by
#: more than this fraction of itself (beyond the absolute tolerance): the answer must lie
#: within CLOSE of the state, and Newton's first step is the distance to the root up to
#: terms of second order in it
FIRST_STEP = 10 * CLOSE


def _near_by_one_step(system, pt, z, atol):
    """Whether Newton's first step from z, dz = -J(z)^{-1} F(z), is within
    :data:`FIRST_STEP` of z in every amount: a cheap filter (one factorisation) that
    spares the full Newton solve where its answer could not pass :data:`CLOSE` anyway.
    It only decides when Newton is tried, never what is accepted."""
    system = system.pivoted_for(z, pt.K)  # the rows Newton would use
    F, W = system.residual(z, pt)
    J = system.jacobian(z, pt)
    W = np.maximum(W, term_sizes(system, J, z, pt))
    try:
        dz = Factor(J, scales(W), pt.K).solve(-F)
    except ConvergenceError:
        return True  # singular here: let Newton judge
    return bool(np.all(np.abs(dz) <= FIRST_STEP * np.abs(z) + np.maximum(atol, 1e-300)))


def _lapack_lu(solver):
    """The BDF solver's LU factorisation and solves by LAPACK's dgetrf and dgetrs directly:
    scipy.linalg's lu_factor and lu_solve check their arguments on every call, which cost
    more than the solves of these small systems (the same arithmetic)."""
    from scipy.linalg.lapack import dgetrf, dgetrs

    def lu(A):
        solver.nlu += 1
        factors, piv, _ = dgetrf(A, overwrite_a=True)
        return factors, piv

    def solve_lu(LU, b):
        return dgetrs(LU[0], LU[1], b)[0]

    solver.lu, solver.solve_lu = lu, solve_lu


def reach_from(system, pt, z0, atol, t_max=T_MAX, rtol=1e-3, max_steps=MAX_STEPS):
    """The steady state the ODE reaches from z0 (module docstring).  ``atol``: the absolute
    tolerance of the amounts (molecules).  Returns (z, info) with ``route`` "from rest",
    ``iterations`` (integration steps plus Newton's), ``residual``, ``factor``,
    ``time`` (s, where the trajectory was caught) and ``max_real_eigenvalue``; raises
    ConvergenceError when the trajectory settles nowhere by ``t_max``."""
    from scipy.integrate import BDF

    ode = ReducedODE(system, pt, z0)
    if ode.dyn.size == 0:
        found = newton(system, pt, ode.expand(ode.w0))
        if found is None:
            raise ConvergenceError("no steady state from rest: Newton failed")
        z, info = found
        return z, {**info, "route": "from rest", "time": 0.0,
                   "max_real_eigenvalue": float("nan")}
    with np.errstate(all="ignore"):
        solver = BDF(ode.rhs, 0.0, ode.w0, t_max, jac=ode.jac, rtol=rtol,
                     atol=np.maximum(atol[ode.dyn], 1e-300), first_step=None)
        _lapack_lu(solver)
        last_try, next_time, steps, r = np.inf, 0.0, 0, np.inf
        while True:
            due = solver.t >= next_time or solver.status != "running"
            if steps % 5 == 0 or due:
                z = ode.expand(solver.y)
                r = relative_residual(*system.residual(z, pt))
            if r <= 1e-2 * last_try or due:
                last_try, next_time = r, 10.0 * max(solver.t, 1e-3)
                found = (newton(system, pt, z, max_iter=10)
                         if _near_by_one_step(system, pt, z, atol) else None)
                if found is not None:
                    zs, info = found
                    near = np.abs(zs - z) <= CLOSE * np.abs(zs) + np.maximum(atol, 1e-300)
                    eig = stability(system, pt, zs) if np.all(near) else np.nan
                    if eig < 0:
                        return zs, {**info, "iterations": info["iterations"] + steps,
                                    "route": "from rest", "time": float(solver.t),
                                    "max_real_eigenvalue": eig}
            if solver.status != "running":
                break
            if steps >= max_steps:
                solver.status = f"stopped after {max_steps} steps"
                break
            try:
                solver.step()
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as e:
                solver.status = f"failed ({e})"
                break
            steps += 1
    if solver.status == "finished":  # settled nowhere by t_max: an absorbing end state?
        found = face_state(system, pt, ode.expand(solver.y), atol, CLOSE, stability, t_max)
        if found is not None:
            zs, info = found
            return zs, {**info, "iterations": info["iterations"] + steps,
                        "route": "from rest (absorbing end state)", "time": float(solver.t)}
    why = ("the integration " + solver.status
           if solver.status.startswith(("failed", "stopped")) else
           "an oscillation, or a state too slow to reach")
    raise ConvergenceError(
        f"no steady state reached from rest at tau = {pt.tau.tolist()} s, L = "
        f"{pt.L.tolist()}: the trajectory had not settled after {solver.t:.3g} s "
        f"({steps} steps; {why})")


__all__ = ["ReducedODE", "is_stable", "reach_from", "stability"]
