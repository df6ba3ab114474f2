"""Absorbing end states: steady states where some species are exactly 0 and approached
without an exponential rate.

Some networks send species to 0 for good: a kinase form that nothing converts back, or a
three-body assembly LAT + GADS + SLP-76 -> ... whose members all run out together.  The
trajectory from rest then tends to a steady state on the face {x_D = 0} of the species D
that vanish, but the approach along D need not be exponential: x' = -k x^3 (three equal
reactants) decays as t^(-1/2), and at t = 1e9 s such a species still holds 1e-2 of its
total.  The Jacobian is singular in those directions (d(k x^3)/dx = 0 at x = 0), so Newton
from the trajectory never meets the acceptance of :mod:`.solve`, and no stable hyperbolic
state is ever found.

The limit is found on the face itself.  D starts as the unknowns the trajectory has
brought to at most :data:`SMALL` of their scale (the type's dose, or the smallest conserved
total), less any that something produces once all of D is at 0.  Newton then solves the
system whose rows for D read x_u = 0 (:class:`FaceSystem`): a law whose leading species is
in D keeps its row, and a row it makes dependent (found by a pivoted QR) holds that
species instead; an unknown the remaining rows leave undetermined (an end form whose row
carries no flux on the face: two end forms of a kinase share their total in proportions
the transient set) is held at the trajectory's value.  The answer is the limit of the
trajectory when

1. the face is invariant there: nothing produces a species in D at the answer (a species
   that is produced leaves D and Newton runs again), and every species is at rest to 1e-8
   of its terms;
2. Newton converged on the face system, whose Jacobian is then regular: the state is
   isolated on the face;
3. no eigenvalue of the full reduced Jacobian has a positive real part (the largest is 0
   where the approach across the face is algebraic); and
4. the trajectory's state is within :data:`~.attractor.CLOSE` of it in every amount outside D.

On the face the rows of D are constant (x_u = 0 for all parameters: the face is invariant
for every value of them), so sensitivities by the implicit-function theorem use the face
system's Jacobian, which is regular, where no end form is held; where one is, the engine
takes derivatives from states reached from rest (:mod:`.engine`).
"""
from __future__ import annotations

import numpy as np

from .solve import dynamic_rows, newton

#: an amount at most this fraction of its scale (the type's dose for ligand states, the
#: smallest conserved total or the total dose for shared species) at the trajectory's end
#: is a candidate for the face
SMALL = 1e-2
#: relative size of a pivot of the QR factorisation below which the face's equations are
#: taken to be dependent
RANK = 1e-10
#: a rate of change of a species on the face, relative to the size of its row's terms,
#: below which nothing produces it
INVARIANT = 1e-12


class FaceSystem:
    """A :class:`~.system.NetworkSystem` whose steady states are those on the face
    {z_u = 0, u in ``fixed``} (a boolean mask over z at K types), near z0.

    On an invariant face the rate rows of the fixed unknowns vanish identically: each is
    replaced by -z_u = 0.  A fixed unknown whose row is algebraic (a conservation law's
    leading species, a type's free ligand) keeps its law; the laws and the remaining rate
    rows then hold as many dependent rows as there are such unknowns (two laws that both
    read SLP76a = 300 once their other members are 0), and -z_u = 0 replaces those, chosen
    by a QR factorisation with column pivoting of the rows at z0.  An unknown the chosen
    rows leave undetermined is held at its value in z0 (value - z_u = 0).  Everything else
    is the wrapped system's."""

    def __init__(self, system, fixed, pt, z0):
        self.base, self.fixed = system, np.asarray(fixed, bool)
        # (rows, the unknown each holds, the value it holds it at)
        self.rows = _rows(system, self.fixed, pt, np.asarray(z0, float))

    def __getattr__(self, name):
        return getattr(self.__dict__["base"], name)

    def pivoted_for(self, z, K):
        """The face's rows as chosen (its laws are already placed: see ``rows``)."""
        return self

    def residual(self, z, pt):
        F, W = self.base.residual(z, pt)
        F, W = F.copy(), W.copy()
        rows, held, value = self.rows
        F[rows] = value - z[held]
        W[rows] = np.maximum(np.abs(z[held]), 1.0)
        return F, W

    def jacobian(self, z, pt):
        J = self.base.jacobian(z, pt)
        K, nX = J.A.shape[0], J.A.shape[1]
        A, B, C, S = J.A.copy(), J.B.copy(), J.C.copy(), J.S.copy()
        for r, u in zip(*self.rows[:2]):
            if r < K * nX:  # type i's row: holds one of its own states or a shared species
                i, s = divmod(r, nX)
                A[i, s, :], B[i, s, :] = 0.0, 0.0
                if u < K * nX:
                    A[i, s, u - i * nX] = -1.0
                else:
                    B[i, s, u - K * nX] = -1.0
            else:  # a shared row: holds a shared species or any type's state
                q = r - K * nX
                C[:, q, :], S[q, :] = 0.0, 0.0
                if u < K * nX:
                    C[u // nX, q, u % nX] = -1.0
                else:
                    S[q, u - K * nX] = -1.0
        return type(J)(A, B, C, S)

    def widened(self, K_from, K_to):
        """This face at K_to >= K_from types, the added types (dilute probes, appended after
        the first K_from) free: the same rows, indices shifted past the added states."""
        nX = len(self.base.states)
        shift = (K_to - K_from) * nX

        def moved(i):
            return np.where(i < K_from * nX, i, i + shift)

        new = object.__new__(FaceSystem)
        new.base = self.base
        new.fixed = np.concatenate([self.fixed[:K_from * nX], np.zeros(shift, bool),
                                    self.fixed[K_from * nX:]])
        rows, held, value = self.rows
        new.rows = (moved(rows), moved(held), value)
        return new


def _rows(system, fixed, pt, z0):
    """(rows, held, value): the row of F that holds z_u = value for each unknown u it fixes
    (see :class:`FaceSystem`); ValueError when the rows cannot hold them."""
    import scipy.linalg as sla

    K, nX = pt.K, len(system.states)
    n = z0.size
    dyn = dynamic_rows(system, K).astype(bool)
    _, W = system.residual(z0, pt)
    # the equations that hold on the face: laws and sums, and the rate rows of species off
    # it that have a flux there (a rate row with none is vacuous on the face)
    avail = np.nonzero(~dyn | (~fixed & (W > 0)))[0]
    free = np.nonzero(~fixed)[0]
    M = system.jacobian(z0, pt).dense()[np.ix_(avail, free)]
    M = M / np.maximum(np.abs(M).max(axis=1, initial=0.0), 1e-300)[:, None]  # rows at 1
    # a type's rows first: a row left for a hold is then a shared one where it can be (the
    # block elimination of :class:`~.solve.Factor` needs each type's block regular)
    M[avail < K * nX] *= 10.0
    _, R, order = sla.qr(M.T, mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    rank = int(np.sum(d > RANK * d.max())) if d.size else 0
    chosen = avail[order[:rank]]
    # the unknowns these equations leave undetermined are frozen at the trajectory's values
    # (two end forms of a kinase that nothing converts back share their total in
    # proportions the transient sets)
    null = sla.null_space(M[order[:rank]]) if rank < free.size else np.zeros((free.size, 0))
    k = null.shape[1]
    # frozen: species whose own rate rows are vacuous first (the end forms themselves)
    vacuous = (dyn & (W == 0))[free]
    prefer = np.argsort(~vacuous, kind="stable")
    frozen = free[prefer[_independent(null[prefer].T, k)]] if k else free[:0]
    holds = [(int(u), 0.0) for u in np.nonzero(fixed)[0]] + [(int(u), float(z0[u]))
                                                           for u in frozen]
    slots = sorted(set(range(n)) - set(chosen.tolist()))
    if len(slots) != len(holds):
        raise ValueError("the face's rows do not match its unknowns")
    rows, held, value = [], [], []
    for u, v in holds:  # a type's state goes to a row of its type, or a shared row
        fits = [r for r in slots if r >= K * nX or u >= K * nX or r // nX == u // nX]
        if not fits:
            raise ValueError("a type's row cannot hold another type's state")
        same = [r for r in fits if (r < K * nX) == (u < K * nX)] or fits
        slots.remove(same[0])
        rows.append(same[0]), held.append(u), value.append(v)
    return np.array(rows, int), np.array(held, int), np.array(value, float)


def _independent(A, k):
    """The first k columns of A, in order, that are linearly independent (greedy)."""
    picked, tol = [], RANK * max(np.abs(A).max(initial=0.0), 1e-300)
    for j in range(A.shape[1]):
        trial = picked + [j]
        if np.linalg.matrix_rank(A[:, trial], tol=tol) == len(trial):
            picked = trial
        if len(picked) == k:
            break
    return np.array(picked, int)


def face_state(system, pt, z, atol, close, stability, t_max):
    """(z, info) of the absorbing end state the trajectory at z tends to (module
    docstring), or None.  ``atol``: absolute tolerances of the amounts; ``close``: the
    relative closeness required outside the face; ``stability``: the largest real part of a
    state's reduced Jacobian (:func:`.attractor.stability`); ``t_max``: the longest time
    integrated (s).  ``info`` carries ``face`` (the
    :class:`FaceSystem`, for sensitivities),
    ``absorbing`` (the names of the species at 0, "name[i]" for type i's ligand states)
    and ``max_real_eigenvalue`` (of the full reduced Jacobian, at most 0)."""
    with np.errstate(all="ignore"):
        scale = np.maximum(atol, 1e-300) * 1e9  # atol is 1e-9 of the scale
        # a rate that moves an amount by less than its tolerance over the longest time
        # integrated is none
        drift = np.maximum(atol, 1e-300) / t_max
        fixed = z <= SMALL * scale

        def unproduced(fixed, zz):
            """fixed less the species something produces at zz (an invariant face has none)."""
            F0, W0 = system.rates_with_sizes(zz, pt)
            return fixed & ~(np.abs(F0) > INVARIANT * W0 + drift)

        # with every candidate at 0, none may be produced (a small free ligand at a
        # hyperbolic state is, and leaves the candidates)
        while fixed.any():
            kept = unproduced(fixed, np.where(fixed, 0.0, z))
            if np.array_equal(kept, fixed):
                break
            fixed = kept
        for _ in range(4):  # Newton on the face; a species produced there leaves it
            if not fixed.any():
                return None
            try:
                face = FaceSystem(system, fixed, pt, np.where(fixed, 0.0, z))
            except (ValueError, np.linalg.LinAlgError):
                return None
            found = newton(face, pt, np.where(fixed, 0.0, z))
            if found is None:
                return None
            zs, info = found
            kept = unproduced(fixed, zs)
            if np.array_equal(kept, fixed):
                break
            fixed = kept
        else:
            return None
        F0, W0 = system.rates_with_sizes(zs, pt)
        if np.any(np.abs(F0) > 1e-8 * W0 + drift):  # every species at rest, to 1e-8
            return None
        near = np.abs(zs - z) <= close * np.abs(zs) + np.maximum(atol, 1e-300)
        if not np.all(near[~fixed]):
            return None
        eig = stability(system, pt, zs)
        if not eig <= 0:
            return None
        return zs, {**info, "face": face, "absorbing": _names(system, pt.K, fixed),
                    "max_real_eigenvalue": eig}


def _names(system, K, fixed):
    nX = len(system.states)
    out = [f"{system.states[u % nX]}[{u // nX}]" for u in np.nonzero(fixed[:K * nX])[0]]
    return out + [system.shared[q] for q in np.nonzero(fixed[K * nX:])[0]]


__all__ = ["FaceSystem", "face_state"]
