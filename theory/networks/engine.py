"""Numeric steady states and exact sensitivities of any reaction network, any size.

:class:`NetworkEvaluator` is the :class:`~.evaluator.Evaluator` of a
:class:`~antagonism.derivations.network_model.NetworkModel` whose sum form would take too
long to derive symbolically (:func:`~antagonism.theory.model_evaluator` chooses it; see
``NetworkModel.derivation_method``).  It solves the reduced steady-state equations
F(z; tau, L, p, T) = 0 of K ligand types (:mod:`.system`) numerically and
differentiates them exactly with the implicit-function theorem:

    dz/dtheta = -J^{-1} dF/dtheta,    dOut/dtheta = dG/dtheta - lambda^T dF/dtheta,
    J^T lambda = dG/dz                (one adjoint solve for every theta),

for theta = the binding times tau_i (s), the doses L_i (molecules), every parameter of the
rate laws and every conserved total; no finite differences.  The dilute-probe gradient
gamma(tau) = lim_{L_p -> 0} (dF/dtau_p)/L_p is the exact mixed derivative
-lambda^T (d^2F/dtau_p dz) J^{-1} e_p at L_p = 0 (e_p: the probe's sum row).

Steady states: the state a resting cell reaches when the ligand is added
(:mod:`.attractor`): the reduced ODE integrated by scipy's BDF from the file's initial
amounts with each type's free ligand at its dose, then polished by Newton.  A point's answer
never depends on what was solved before it (the same point again is served from memory, bit
for bit).  Where the integration fails, the branch continuous with the nearest state solved
before or with the low-dose state (every ligand type at a millionth of the smallest
conserved total) by continuation (:mod:`.solve`), accepted only when it is not unstable and
reported with ``from_rest`` false.  :meth:`NetworkEvaluator.continued` follows a branch on
demand, and :meth:`NetworkEvaluator.steady_states` lists every steady state found from
several starts with its stability (:mod:`.branches`).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from antagonism._core.errors import ConvergenceError, ModelError
from antagonism._core.result import Result

from ..evaluator import Evaluator, Gradient, SteadyState
from ..validation import check_array, check_ligands
from .attractor import reach_from, stability
from .solve import Factor, follow_path, newton, pseudo_transient, scales
from .system import NetworkSystem, Point

#: the low-dose state: each ligand type at this fraction of the smallest conserved total
LOW_DOSE = 1e-6
#: solutions kept per number of ligand types (the same point again is served from them,
#: the nearest is the start of a new one); the latest FACTORS keep their Jacobian's factors
MEMORY, FACTORS = 4096, 32


@lru_cache(maxsize=32)
def compiled_system(network, laws):
    """The :class:`NetworkSystem` of a network's structure (cached: models that differ only
    in parameter values, initial amounts or totals share it)."""
    return NetworkSystem(network, [(name, dict(law), lead) for name, law, lead in laws])


def model_laws(model):
    """The conservation laws of a NetworkModel as a hashable tuple
    ((name, ((species, coefficient), ...), leading species), ...)."""
    return tuple((m.name, tuple((s, float(c)) for s, c in m.coefficients.items()), m.species)
                 for m in model.moieties())


class NetworkEvaluator(Evaluator):
    """The numeric evaluator of a reaction-network model (see the module docstring).

    Parameters
    ----------
    model : NetworkModel with numeric parameters
    """

    method = "numeric"

    def __init__(self, model):
        super().__init__(model)
        self.system = compiled_system(_NetworkKey(model.network), model_laws(model))
        values = model.values_by_name
        self.p = np.array([float(values[n]) for n in self.system.parameters], float)
        self.T = np.array([m.total for m in model.moieties()], float)
        positive = self.T[self.T > 0]
        self.scale = float(positive.min()) if positive.size else 1.0
        self._memory = {}
        self._gammas = {}
        self._low_y = None

    # -- solving ---------------------------------------------------------------------------
    def point(self, tau, L):
        return Point(np.asarray(tau, float), np.asarray(L, float), self.p, self.T)

    def _initial(self, pt):
        """Initial amounts of the shared species with each law's leading species set by the
        law, and the free ligand of each type at its dose."""
        sys, net = self.system, self.model.network
        amounts = {**net.initial, **self.model.initial}
        y = np.array([float(amounts.get(q, 0.0)) for q in sys.shared])
        for m, q in enumerate(sys.pivots):
            rest = sys.C_y[m] @ y - sys.C_y[m, q] * y[q]
            y[q] = max((self.T[m] - rest) / sys.C_y[m, q], 0.0)
        X = np.zeros((len(sys.states), pt.K))
        X[sys.ligand] = pt.L
        return sys.join(X, y)

    def _low_dose(self, pt):
        """(point, solution) at the low-dose point with pt's binding times."""
        total = float(pt.L.sum())
        s0 = min(1.0, LOW_DOSE * self.scale / total) if total > 0 else 1.0
        low = Point(pt.tau, pt.L * s0, pt.p, pt.T)
        z0 = self._initial(low)
        if self._low_y is not None:
            X, _ = self.system.split(z0, pt.K)
            z0 = self.system.join(X, self._low_y)
        found = newton(self.system, low, z0) or pseudo_transient(self.system, low, z0)
        if found is None:
            raise ConvergenceError("no steady state found at the low-dose point (each "
                                   "ligand type at a millionth of the smallest conserved "
                                   "total), even by pseudo-transient continuation")
        self._low_y = self.system.split(found[0], pt.K)[1].copy()
        return low, found[0]

    def _nearest(self, pt):
        """(distance, point, z, info) of the solution kept for pt.K types nearest to pt
        (summed |log tau ratio| and |log(1 + L)| differences), or None."""
        kept = self._memory.get(pt.K)
        if kept is None or not kept.size:
            return None
        d = (np.abs(np.log(kept.tau[:kept.size] / pt.tau)).sum(axis=1)
             + np.abs(np.log1p(kept.L[:kept.size]) - np.log1p(pt.L)).sum(axis=1))
        k = int(np.argmin(d))
        z, info = kept.entries[k]
        return float(d[k]), Point(kept.tau[k], kept.L[k], pt.p, pt.T), z, info

    def solve(self, tau, L):
        """(point, the steady state z at (tau, L), how it was found: ``route``,
        ``iterations``, ``residual``, ``factor``).  Types at dose 0 hold nothing: their
        ligand states are exactly 0 and the others are solved without them."""
        pt = self.point(tau, L)
        live = pt.L > 0
        if live.all():
            return self._solve(pt)
        sub = Point(pt.tau[live], pt.L[live], pt.p, pt.T)
        try:
            _, z_sub, info = self._solve(sub)
        except ConvergenceError:
            if live.any():
                raise
            # no ligand at all and shared species that only ligand states set: their limit
            # as the doses go to 0 (each type at a 1e-12 of the smallest total)
            _, z_sub, info = self._solve(Point(pt.tau, np.full(pt.K, 1e-12 * self.scale),
                                               pt.p, pt.T))
            sub, info["route"] = Point(pt.tau, pt.L, pt.p, pt.T), "zero-dose limit"
        nX = len(self.system.states)
        Xs, y = self.system.split(z_sub, sub.K)
        X = np.zeros((nX, pt.K))
        if sub.K == pt.K:
            X[:] = 0.0
        else:
            X[:, live] = Xs
        return pt, self.system.join(X, y), {**info, "factor": None}

    def _solve(self, pt):
        """The steady state at pt: the state reached from rest (:mod:`.attractor`), the same
        whatever was solved before; the same point again is served from memory.  When the
        integration from rest fails, the branch continuous with the nearest state solved
        before or the low-dose state (:meth:`_continued`), refused when unstable and
        reported with ``from_rest`` false."""
        near = self._nearest(pt)
        if near is not None and near[0] == 0:  # the same point again: bit for bit
            return pt, near[2], {**near[3], "memory": True}
        try:
            z, info = reach_from(self.system, pt, self._initial(pt), self.atol(pt))
        except ConvergenceError as e:
            z, info = self._continued(pt, near)
            eig = stability(self.system, pt, z)
            if eig > 0:
                raise ConvergenceError(f"{e}; the steady state found by continuation is "
                                       f"unstable (largest real part of the Jacobian's "
                                       f"eigenvalues {eig:.3g} /s), so no state is "
                                       "reached") from None
            info = {**info, "max_real_eigenvalue": eig, "from_rest": False, "integration": str(e),
                    "route": f"{info['route']} (integration from rest failed)"}
        else:
            info["from_rest"] = True
        self._memory.setdefault(pt.K, _Memory(pt.K)).add(pt.tau, pt.L, z, info)
        return pt, z, info

    def atol(self, pt):
        """Absolute tolerances of the integration from rest (molecules): 1e-9 of the type's
        dose for its ligand states, 1e-9 of the smallest conserved total (or of the total
        dose) for the shared species."""
        shared = 1e-9 * (self.scale if self.T.size else max(float(pt.L.sum()), 1.0))
        return np.concatenate([np.repeat(1e-9 * pt.L, len(self.system.states)),
                               np.full(len(self.system.shared), shared)])

    def continued(self, tau, L, start=None):
        """(point, z, info): the steady state at (tau, L) on the branch through ``start``
        (a (point, z) returned before), or through the low-dose state, by continuation: the
        branch a scan follows, stable or not, until its fold (then ConvergenceError)."""
        pt = self.point(*check_ligands(tau, L, require_positive_L=False))
        near = None if start is None else (None, start[0], start[1], {"factor": None})
        z, info = self._continued(pt, near)
        return pt, z, info

    def _continued(self, pt, near):
        found, route = None, None
        if near is not None:
            found = follow_path(self.system, near[1], pt, near[2], near[3]["factor"])
            route = "path"
            if found is None and near[0] is None:  # a branch asked for: it ends here
                raise ConvergenceError(
                    f"the branch ends before tau = {pt.tau.tolist()} s, L = "
                    f"{pt.L.tolist()} (a fold: continuation found no steady state on it)")
        if found is None:
            low, z_low = self._low_dose(pt)
            found, route = follow_path(self.system, low, pt, z_low), "dose continuation"
            if found is None:
                found, route = pseudo_transient(self.system, pt, z_low), "pseudo-transient"
        if found is None:
            raise ConvergenceError(f"no steady state found at tau = {pt.tau.tolist()} s, "
                                   f"L = {pt.L.tolist()} (integration from rest, Newton, "
                                   "continuation in dose from the low-dose state and "
                                   "pseudo-transient continuation failed)")
        z, info = found
        info["route"] = route
        return z, info

    # -- the Evaluator interface ------------------------------------------------------------
    def steady_state(self, tau, L):
        tau, L = check_ligands(tau, L, require_positive_L=False)
        pt, z, info = self.solve(tau, L)
        return self._state(pt, z, info)

    def _state(self, pt, z, info):
        sys = self.system
        X, y = sys.split(z, pt.K)
        if np.any(X < 0) or np.any(y < 0):
            raise ConvergenceError("the steady state found has a negative amount")
        G, _, _ = sys.output(z, pt)
        if not np.isfinite(G) and not np.all(np.isfinite(z)):
            raise ConvergenceError(f"the output is not finite ({G}) at this steady state")
        if not np.isfinite(G):  # finite amounts: the output expression itself overflows
            raise ModelError(f"the output is not finite ({G}) at this steady state: the "
                             "output expression, as given, is beyond double precision there")
        terms = {s: X[k].copy() for k, s in enumerate(sys.states)}
        return SteadyState(tau=pt.tau, L=pt.L, output=G,
                           aggregates={s: float(v.sum()) for s, v in terms.items()},
                           shared=dict(zip(sys.shared, map(float, y))), terms=terms,
                           aliases={}, residual=info["residual"], method="numeric",
                           route=info["route"], iterations=info["iterations"],
                           from_rest=bool(info.get("from_rest", False)),
                           max_real_eigenvalue=info.get("max_real_eigenvalue"),
                           absorbing=list(info.get("absorbing", ())))

    def _adjoint(self, pt, z, info):
        """(G, lambda, dG/dp, factor): the adjoint from the Jacobian at the solution itself
        (Newton's last factors belong to a point one step away)."""
        G, g, dGdp = self.system.output(z, pt)
        sys = info.get("face") or self.system  # an absorbing end state: on its face
        if info.get("face") is not None and np.any(sys.rows[2] != 0):
            raise ConvergenceError(
                f"no sensitivities at tau = {pt.tau.tolist()} s, L = {pt.L.tolist()}: the "
                f"state is an absorbing end state whose end forms share their total in "
                f"proportions the transient sets, which the steady state alone does not give")
        W = sys.residual(z, pt)[1]
        factor = Factor(sys.jacobian(z, pt), scales(W), pt.K)
        return G, factor.solve_transposed(g), dGdp, factor

    @staticmethod
    def _off_face(v, info):
        """v (the adjoint lambda, or a right-hand side dF/dtheta, over the rows of F) with
        the rows an absorbing end state's face replaces set to 0: their equations (x_u = 0,
        or a value the transient set) hold for every tau and parameter."""
        face = info.get("face")
        if face is None:
            return v
        v = v.copy()
        v[face.rows[0]] = 0.0
        return v

    def _lambda_weights(self, lam, K):
        """w_r,i = sum_s N_sr lam_is + sum_q N_qr lam_q: the adjoint seen by each per-type
        rate (laws' and sums' rows excluded)."""
        sys = self.system
        lX, ly = sys.split(lam, K)
        lX = lX.copy()
        lX[sys.ligand] = 0.0
        ly = ly.copy()
        ly[sys.pivots] = 0.0
        return sys.N_X.T @ lX + (sys.N_Xy.T @ ly)[:, None]

    @staticmethod
    def _transient_set(info):
        """Whether the state is an absorbing end state whose end forms share their total in
        proportions the transient sets (:mod:`.absorbing`): its derivatives are not the
        steady state's alone, and are taken by finite differences of states from rest."""
        face = info.get("face")
        return face is not None and bool(np.any(face.rows[2] != 0))

    #: relative step of the finite differences of states from rest (central)
    FD_STEP = 1e-4

    def _gradient_from_rest(self, pt, z, info):
        """dF/dtau_i and dF/dL_i by central differences of states reached from rest (each
        a fresh integration: the transient sets the end forms); error O(FD_STEP^2)."""
        h = self.FD_STEP

        def moved(arr, i, factor):
            out = arr.copy()
            out[i] *= factor
            return out

        d_tau = np.array([(self.output(moved(pt.tau, i, 1 + h), pt.L)
                           - self.output(moved(pt.tau, i, 1 - h), pt.L)) / (2 * h * pt.tau[i])
                          for i in range(pt.K)])
        d_L = np.array([(self.output(pt.tau, moved(pt.L, i, 1 + h))
                         - self.output(pt.tau, moved(pt.L, i, 1 - h))) / (2 * h * pt.L[i])
                        for i in range(pt.K)])
        return Gradient(tau=d_tau, L=d_L, steady_state=self._state(pt, z, info),
                        coefficients={})

    def gradient(self, tau, L):
        tau, L = check_ligands(tau, L, require_positive_L=False)
        pt, z, info = self.solve(tau, L)
        if self._transient_set(info):
            return self._gradient_from_rest(pt, z, info)
        _, lam, _, _ = self._adjoint(pt, z, info)
        dvdt, _, _ = self.system.tau_derivatives(z, pt)
        w = self._lambda_weights(self._off_face(lam, info), pt.K)
        lX, _ = self.system.split(lam, pt.K)
        return Gradient(tau=-(dvdt * w).sum(axis=0), L=lX[self.system.ligand].copy(),
                        steady_state=self._state(pt, z, info), coefficients={})

    def sensitivities(self, tau, L, states=False):
        """Exact derivatives of the output (and, with ``states``, of every amount) by the
        implicit-function theorem.

        Returns a :class:`Result` with ``tau`` (dF/dtau_i, per s), ``L`` (dF/dL_i, per
        molecule), ``off_rate`` (dF/dk_i = -tau_i^2 dF/dtau_i for k_i = 1/tau_i),
        ``parameters`` (name -> dF/dp), ``totals`` (moiety -> dF/dT) and, with ``states``,
        ``d_state`` (name -> {"tau": array, "L": array, parameter: value...}), names of
        ligand states "X[i]"."""
        tau, L = check_ligands(tau, L, require_positive_L=False)
        sys = self.system
        pt, z, info = self.solve(tau, L)
        G, lam, dGdp, factor = self._adjoint(pt, z, info)
        K = pt.K
        dvdt, dvdp_t, dvdp_y = sys.tau_derivatives(z, pt)
        w = self._lambda_weights(self._off_face(lam, info), K)
        _, ly = sys.split(lam, K)
        lX, _ = sys.split(lam, K)
        ly_dyn = sys.split(self._off_face(lam, info), K)[1].copy()
        ly_dyn[sys.pivots] = 0.0
        d_tau = -(dvdt * w).sum(axis=0)
        d_p = dGdp - np.einsum("rpk,rk->p", dvdp_t, w) - (sys.N_y.T @ ly_dyn) @ dvdp_y
        out = Result(output=G, tau=d_tau, L=lX[sys.ligand].copy(), off_rate=-pt.tau**2 * d_tau,
                     parameters=dict(zip(sys.parameters, map(float, d_p))),
                     totals=dict(zip(sys.moieties, map(float, ly[sys.pivots]))))
        if states:
            cols = {}
            nX = len(sys.states)
            for i in range(K):
                v = np.zeros_like(dvdt)
                v[:, i] = dvdt[:, i]
                cols[f"tau[{i}]"] = -factor.solve(self._off_face(sys.per_type_rows(v, K), info))
                e = np.zeros_like(z)
                e[i * nX + sys.ligand] = 1.0
                cols[f"L[{i}]"] = factor.solve(e)
            for j, name in enumerate(sys.parameters):
                rhs = sys.per_type_rows(dvdp_t[:, j, :], K)
                rhs[K * nX:] += sys.shared_rows(dvdp_y[:, j])
                cols[name] = -factor.solve(self._off_face(rhs, info))
            for m, name in enumerate(sys.moieties):
                e = np.zeros_like(z)
                e[K * nX + sys.pivots[m]] = 1.0
                cols[name] = factor.solve(e)
            names = [f"{s}[{i}]" for i in range(K) for s in sys.states] + list(sys.shared)
            out["d_state"] = {n: {k: float(c[j]) for k, c in cols.items()}
                              for j, n in enumerate(names)}
        return out

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau): the exact dilute-probe gradient (module docstring), vectorised over
        an array of probe binding times; no expression (None).  At an absorbing end state
        whose end forms the transient sets, a one-sided difference of states from rest
        with a probe of FD_STEP times the smallest conserved total."""
        tb, Lb = check_ligands(tau_background, L_background)
        pt, z, info = self.solve(tb, Lb)
        face = info.get("face")
        known = self._gammas.setdefault((tuple(tb), tuple(Lb)), {})

        transient = self._transient_set(info)
        G0 = self.system.output(z, pt)[0]
        dose = self.FD_STEP * self.scale  # a probe of 1e-4 of the smallest conserved total

        def from_rest(t):  # (F(background + probe) - F(background)) / dose
            return (self.output(np.r_[tb, t], np.r_[Lb, dose]) - G0) / dose

        def gamma(tau):
            t = check_array(np.atleast_1d(tau), "tau", positive=True).ravel()
            new = np.array(sorted({float(x) for x in t} - set(known)))
            for k in range(0, new.size, 32):
                chunk = new[k:k + 32]
                known.update(zip(chunk.tolist(), [from_rest(x) for x in chunk] if transient
                                 else self._gamma(pt, z, chunk, face)))
            out = np.array([known[float(x)] for x in t])
            return out.reshape(np.shape(tau)) if np.ndim(tau) else float(out[0])

        return gamma, None

    def _gamma(self, bg, zb, taus, face=None):
        sys = self.system
        nX, Kb, M = len(sys.states), bg.K, taus.size
        K = Kb + M
        Xb, y = sys.split(zb, Kb)
        z = sys.join(np.hstack([Xb, np.zeros((nX, M))]), y)
        pt = Point(np.r_[bg.tau, taus], np.r_[bg.L, np.zeros(M)], bg.p, bg.T)
        on = sys if face is None else face.widened(Kb, K)
        W = on.residual(z, pt)[1]
        factor = Factor(on.jacobian(z, pt), scales(W), K)
        _, g, _ = sys.output(z, pt)
        lam = factor.solve_transposed(g)
        if face is not None:
            lam[on.rows[0]] = 0.0
        E = np.zeros((z.size, M))
        E[(Kb + np.arange(M)) * nX + sys.ligand, np.arange(M)] = 1.0
        dz_dL = factor.solve(E)  # dz/dL_p = J^{-1} e_p (dF/dL_p = -e_p)
        reactions, var, vals = sys.mixed_derivatives(z, pt)
        q = np.zeros((sys.n_rt, M))
        for m in range(M):
            k = Kb + m
            rows = np.where(var < nX, k * nX + var, K * nX + var - nX)
            np.add.at(q[:, m], reactions, vals[:, k] * dz_dL[rows, m])
        w = self._lambda_weights(lam, K)[:, Kb:]
        return -(q * w).sum(axis=0)

    # -- several steady states --------------------------------------------------------------
    def steady_states(self, tau, L, starts=8, seed=0):
        """Every steady state found at (tau, L), with its stability: see
        :func:`.branches.all_steady_states` (the state reached from rest first)."""
        from .branches import all_steady_states

        tau, L = check_ligands(tau, L, require_positive_L=False)
        return all_steady_states(self, tau, L, starts=starts, seed=seed)

    def _random_start(self, pt, rng):
        sys = self.system
        X = rng.dirichlet(np.ones(len(sys.states)), size=pt.K).T * pt.L
        y = self.scale * 10 ** rng.uniform(-3, 0, len(sys.shared))
        for m in range(len(sys.pivots)):
            y[sys.C_y[m] > 0] *= rng.uniform(0, 1)
        return np.maximum(sys.join(X, y), 0.0)


class _Memory:
    """Solutions for one number K of types: binding times and doses as arrays (the nearest
    is found in one pass), (z, info) per entry; the oldest go first beyond MEMORY, and
    only the latest FACTORS keep their Jacobian's factors."""

    def __init__(self, K):
        self.tau, self.L = np.empty((MEMORY, K)), np.empty((MEMORY, K))
        self.entries, self.size, self.next = [None] * MEMORY, 0, 0

    def add(self, tau, L, z, info):
        k = self.next
        self.tau[k], self.L[k], self.entries[k] = tau, L, (z, info)
        old = (k - FACTORS) % MEMORY
        if self.entries[old] is not None and self.size >= FACTORS:
            z_old, info_old = self.entries[old]
            self.entries[old] = (z_old, {**info_old, "factor": None})
        self.next, self.size = (k + 1) % MEMORY, min(self.size + 1, MEMORY)


class _NetworkKey:
    """A network as a cache key: its structure (reactions, designations, species), not its
    parameter values."""

    def __init__(self, network):
        self.network = network
        self._key = (repr(network.reactions), network.ligand, network.output,
                     network.off_rate, network.binding_time, network.species)

    def __eq__(self, other):
        return isinstance(other, _NetworkKey) and self._key == other._key

    def __hash__(self):
        return hash(self._key)

    def __getattr__(self, name):
        return getattr(self.__dict__["network"], name)


__all__ = ["NetworkEvaluator", "compiled_system", "model_laws"]
