"""Every steady state a network has at a point, with its stability, and the branches a scan
follows up and down.

:func:`all_steady_states` collects steady states at (tau, L) from several starts: the state
reached from rest (:mod:`.attractor`, the evaluator's answer), the branch continuous with the
low-dose state (continuation up in dose), the branches continued down in dose from the
state reached from rest at 1000 times the dose and in binding time from the states reached
from rest at tau/100 and 100 tau, pseudo-transient continuation from the initial amounts,
and Newton from seeded random starts that satisfy the conservation laws.  Each state found
carries ``stable`` (every finite eigenvalue of the reduced Jacobian with a negative real
part, :func:`.attractor.stability`), ``max_real_eigenvalue`` (1/s) and ``from_rest``.

:func:`scan_branches` follows one line of a scan by continuation, up and then down along
it: where the two differ the network is hysteretic, and where one ends (a fold) the state
jumps.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import ConvergenceError
from antagonism._core.result import Result

from .attractor import is_stable, reach_from, stability
from .solve import newton, pseudo_transient


def _same(a, b):
    return bool(np.all(np.abs(a - b) <= 1e-6 * (np.abs(a) + np.abs(b)) + 1e-9))


def all_steady_states(ev, tau, L, starts=8, seed=0):
    """Steady states of the :class:`~.engine.NetworkEvaluator` ``ev`` at (tau, L) (module
    docstring).  Returns a Result: ``count``, ``stable_count``, ``states`` (a list of
    {output, stable, max_real_eigenvalue, from_rest, found_by, species}, the state
    reached from rest first, then by output) and ``starts``."""
    sys = ev.system
    pt, z_rest, info = ev.solve(tau, L)
    found = [(z_rest, "from rest" if info.get("from_rest", True) else info["route"])]

    def add(z, how):
        if z is not None and np.all(np.isfinite(z)) and not any(_same(z, w) for w, _ in found):
            found.append((z, how))

    def attempt(how, fn):
        try:
            res = fn()
        except (ConvergenceError, ArithmeticError, np.linalg.LinAlgError):
            return
        if res is not None:
            add(res[0] if isinstance(res, tuple) else res, how)

    attempt("continuation up in dose", lambda: ev.continued(pt.tau, pt.L)[1])
    for how, tau_s, L_s in (("continuation down in dose", pt.tau, pt.L * 1e3),
                            ("continuation down in binding time", pt.tau * 100, pt.L),
                            ("continuation up in binding time", pt.tau / 100, pt.L)):
        def follow(tau_s=tau_s, L_s=L_s):
            start = ev.point(tau_s, L_s)
            z0, _ = reach_from(sys, start, ev._initial(start), ev.atol(start))
            return ev.continued(pt.tau, pt.L, start=(start, z0))[1]
        attempt(how, follow)
    attempt("pseudo-transient", lambda: pseudo_transient(sys, pt, ev._initial(pt),
                                                         max_iter=300))
    rng = np.random.default_rng(seed)
    for _ in range(int(starts)):
        z0 = ev._random_start(pt, rng)
        attempt("Newton from a random start", lambda z0=z0: newton(sys, pt, z0, max_iter=30))
    # between two states found, a third (a saddle separates two stable states)
    for a in range(len(found)):
        for b in range(a + 1, len(found)):
            for w in (0.5, 0.25, 0.75):
                z0 = w * found[a][0] + (1 - w) * found[b][0]
                attempt("Newton between two states found",
                        lambda z0=z0: newton(sys, pt, z0, max_iter=30))
    states = []
    for k, (z, how) in enumerate(found):
        X, y = sys.split(z, pt.K)
        if np.any(X < 0) or np.any(y < 0):
            continue
        eig = stability(sys, pt, z)
        # an absorbing end state reached from rest: stable on its face, approached without
        # an exponential rate across it (largest real part 0)
        absorbing = info.get("absorbing") if k == 0 else None
        states.append({"output": float(sys.output(z, pt)[0]),
                       "stable": is_stable(eig, bool(absorbing)),
                       **({"absorbing": absorbing} if absorbing else {}),
                       "max_real_eigenvalue": eig, "from_rest": k == 0 and how == "from rest",
                       "found_by": how,
                       "species": {**{s: X[i].tolist() for i, s in enumerate(sys.states)},
                                   **dict(zip(sys.shared, y.tolist()))}})
    states = states[:1] + sorted(states[1:], key=lambda s: s["output"])
    return Result(count=len(states), stable_count=sum(bool(s["stable"]) for s in states),
                  states=states, starts=int(starts) + 6)


def scan_branches(ev, taus, doses):
    """The outputs along one line of a scan followed by continuation, up (in the order
    given) and down (the reverse): (up, down), each a list with None past a fold.  The up
    branch starts from the state reached from rest at the first point, the down branch
    from the one at the last point; a point whose state reached from rest is an absorbing
    end state (:mod:`.absorbing`) is its own start (no branch continues through it)."""
    points = list(zip(taus, doses))

    def follow(order):
        out, start = [None] * len(points), None
        for k in order:
            tau, L = points[k]
            try:
                if start is None:
                    pt, z, info = ev.solve([tau], [L])
                else:
                    pt, z, info = ev.continued([tau], [L], start=start)
            except (ConvergenceError, ArithmeticError, np.linalg.LinAlgError):
                break
            # an absorbing end state: its end forms are set by the transient, and there is
            # no branch to continue through it; the next point starts from rest again
            start = None if info.get("absorbing") else (pt, z)
            out[k] = float(ev.system.output(z, pt)[0])
        return out

    n = len(points)
    return follow(range(n)), follow(range(n - 1, -1, -1))


__all__ = ["all_steady_states", "scan_branches"]
