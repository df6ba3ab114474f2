"""The steady-state equations of a reaction network for K ligand types, compiled to numpy.

For a :class:`~antagonism.derivations.network_model.NetworkModel` with ligand states X (the
species that hold the ligand, :func:`~antagonism.derivations.ligand_states.ligand_states`)
and shared species y, a mixture of K ligand types has the unknowns

    z = (X_1, ..., X_K, y),   X_i in R^{n_X} (type i's own copy of the ligand states),

and the steady-state equations F(z; tau, L, p, T) = 0 of the *reduced* system:

- type i, each ligand state s but the free ligand:  sum_r N_sr v_r(X_i, y; tau_i, p) = 0,
  over the *per-type* reactions r (those whose reactants, products or rate law hold a
  ligand state), each applied once per type with that type's copy;
- type i, the free ligand's row:  sum_s X_is - L_i = 0 (the ligand is conserved);
- shared species q:  sum_r N_qr sum_i v_r(X_i, y; tau_i, p) + sum_r' N_qr' v_r'(y; p) = 0,
  except the leading species of each conserved moiety
  (:func:`~antagonism.derivations.conservation.conserved_moieties`), whose row is its law
  sum_q c_q y_q + sum_i sum_s c_s X_is - T = 0: the law replaces the dependent row, which
  eliminates one species per moiety.

Rates are in molecules/s, tau in s (the binding-time parameter, or 1/tau for an off rate),
L and the totals T in molecules.  The rate laws, their first derivatives (by each variable,
by tau and by each parameter) and the mixed derivatives d^2 v/(dtau dz) are built without
any simplification (``sympy.diff`` of each rate law on its own) and lambdified to numpy with
common subexpressions eliminated, one function per group, vectorised over the types.  The
Jacobian dF/dz is an arrow: a block per type (dF_X/dX_i, dF_X/dy, dF_y/dX_i) and the
shared block dF_y/dy (:class:`Blocks`), each assembled from the derivative values with one
``bincount`` on a pattern that is the same for every type.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy as sp

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.ligand_states import ligand_states
from antagonism.derivations.reactions import read_expression

#: the amount at which a rate law's value or derivative that is 0/0 at an amount of 0 is
#: taken instead (its limit from positive amounts, to double precision)
LIFT = 1e-100
#: up to this many ligand types, rate laws and derivatives are evaluated on Python floats,
#: one type at a time (:meth:`NetworkSystem._scalar`)
SCALAR_TYPES = 8
#: a law's leading species that holds less than this fraction of the law's amounts is
#: replaced by the species that carry it (:meth:`NetworkSystem.pivoted_for`)
PIVOT_SHARE = 1e-3


@dataclass(frozen=True)
class Point:
    """Where the equations are evaluated: K ligand types with binding times ``tau`` (s) and
    quantities ``L`` (molecules), parameter values ``p`` (in :attr:`NetworkSystem.parameters`
    order) and conserved totals ``T`` (molecules, in :attr:`NetworkSystem.moieties` order)."""

    tau: np.ndarray
    L: np.ndarray
    p: np.ndarray
    T: np.ndarray

    @property
    def K(self):
        return self.tau.size


class NetworkSystem:
    """The compiled steady-state equations of a reaction network (see the module docstring).

    Parameters
    ----------
    network : ReactionNetwork -- the model's network (zero-rate reactions already dropped)
    laws : sequence of (moiety name, {species: coefficient}, leading species) -- the
        conservation laws (:meth:`NetworkModel.moieties`)

    Attributes
    ----------
    states, shared : tuple of str -- ligand states (the free ligand included) and shared
        species, in the network's species order
    parameters : tuple of str -- the parameters the rate laws and the output use (the
        binding time excluded)
    moieties : tuple of str -- the conserved moieties' names, in law order
    """

    def __init__(self, network, laws):
        self.network = network
        states = ligand_states(network)
        self.states = tuple(states)
        self.shared = tuple(s for s in network.species if s not in states)
        self.ligand = self.states.index(network.ligand)
        self.off_rate = network.off_rate is not None
        self.time = network.off_rate or network.binding_time
        self.moieties = tuple(name for name, _, _ in laws)
        nX, ny = len(self.states), len(self.shared)
        per_type = [r for r in network.reactions
                    if any(s in states for s in (*r.reactants, *r.products))
                    or any(str(x) in states for x in r.rate.free_symbols)]
        own = [r for r in network.reactions if r not in per_type]
        species = set(network.species)
        output = read_expression(network.output, "output")
        names = [str(x) for r in network.reactions for x in sorted(r.rate.free_symbols, key=str)]
        names += [str(x) for x in sorted(output.free_symbols, key=str)]
        self.parameters = tuple(dict.fromkeys(n for n in names
                                              if n not in species and n != self.time))
        # stoichiometry: per-type reactions on ligand states and on shared species, own
        # (shared-only) reactions on shared species
        self.N_X = np.array([[float(r.net(s)) for r in per_type] for s in self.states])
        self.N_Xy = np.array([[float(r.net(q)) for r in per_type] for q in self.shared])
        self.N_y = np.array([[float(r.net(q)) for r in own] for q in self.shared])
        self.N_X = self.N_X.reshape(nX, len(per_type))
        self.N_Xy = self.N_Xy.reshape(ny, len(per_type))
        self.N_y = self.N_y.reshape(ny, len(own))
        # conservation laws: coefficients on shared species and on ligand states, pivots
        self.C_y = np.zeros((len(laws), ny))
        self.C_X = np.zeros((len(laws), nX))
        self.pivots = np.array([self.shared.index(lead) for _, _, lead in laws], int)
        for k, (_, law, _) in enumerate(laws):
            for s, c in law.items():
                if s in self.shared:
                    self.C_y[k, self.shared.index(s)] = float(c)
                else:
                    self.C_X[k, self.states.index(s)] = float(c)
        self.dynamic_y = np.setdiff1d(np.arange(ny), self.pivots)
        self.dynamic_X = np.setdiff1d(np.arange(nX), [self.ligand])
        self._compile(per_type, own, output)
        self._patterns = {}
        self._variants = {tuple(self.pivots.tolist()): self}

    # -- the species the laws determine ----------------------------------------------------------
    def pivoted_for(self, z, K):
        """This system, or the same equations with other leading species, for Newton near z.

        A law determines its leading species by cancellation, sum_q c_q y_q = T - ...,
        to round-off of its terms, eps sum |c_q y_q|: when the leading species holds less
        than :data:`PIVOT_SHARE` of its law's amounts at z (free TCR at 1e-29 of 100 when
        every ITAM is phosphorylated and holds ZAP-70), the rate rows that involve it
        cannot hold to their own relative precision and Newton cannot converge.  Then the
        laws replace the rate rows of the species that carry them instead: the columns
        of C_y diag(|y|) (each law's row in fractions of its amounts) chosen by QR with
        column pivoting (the largest shares, with C_y restricted to them nonsingular, so
        that the equations keep the same roots).
        The variant shares everything compiled; only ``pivots`` and ``dynamic_y`` differ."""
        if not self.pivots.size:
            return self
        X, y = self.split(z, K)
        a = np.abs(y)
        share = np.abs(self.C_y) * a
        W = share.sum(axis=1) + np.abs(self.C_X) @ np.abs(X).sum(axis=1)
        lead = share[np.arange(self.pivots.size), self.pivots]
        if np.all(lead >= PIVOT_SHARE * W) or not np.all(np.isfinite(share)):
            return self
        import scipy.linalg as sla

        with np.errstate(all="ignore"):  # each law's row in fractions of its amounts
            scaled = np.where(W[:, None] > 0, share * np.sign(self.C_y) / W[:, None], 0.0)
        R, perm = sla.qr(scaled, mode="r", pivoting=True)
        chosen = perm[:self.pivots.size]
        if np.any(np.abs(np.diag(R)[:self.pivots.size]) <= 1e-12 * np.abs(R).max()):
            return self  # the amounts leave the laws rank-deficient: keep the file's choice
        # each law to one chosen species (any assignment gives the same equations, up to
        # the order of rows): the largest share first
        free, pivots = set(chosen.tolist()), np.empty_like(self.pivots)
        for m in np.argsort(-lead):
            q = max(free, key=lambda j: (share[m, j], -j))
            pivots[m] = q
            free.discard(q)
        return self.with_pivots(pivots)

    def with_pivots(self, pivots):
        """The system with the laws in the rate rows of ``pivots`` (shared-species indices,
        one per law, C_y[:, pivots] nonsingular): cached, sharing the compiled functions."""
        key = tuple(int(q) for q in pivots)
        if key not in self._variants:
            import copy

            other = copy.copy(self)
            other.pivots = np.array(key, int)
            other.dynamic_y = np.setdiff1d(np.arange(len(self.shared)), other.pivots)
            other._patterns = {}
            self._variants[key] = other
        return self._variants[key]

    # -- compilation -----------------------------------------------------------------------------
    def _compile(self, per_type, own, output):
        nX, ny = len(self.states), len(self.shared)
        xs = [sp.Symbol(f"x{i}") for i in range(nX)]
        ys = [sp.Symbol(f"y{j}") for j in range(ny)]
        ps = [sp.Symbol(f"p{k}") for k in range(len(self.parameters))]
        t = sp.Symbol("t")
        sub = {sp.Symbol(s): xs[i] for i, s in enumerate(self.states)}
        sub.update({sp.Symbol(q): ys[j] for j, q in enumerate(self.shared)})
        sub.update({sp.Symbol(n): ps[k] for k, n in enumerate(self.parameters)})
        sub[sp.Symbol(self.time)] = 1 / t if self.off_rate else t
        variables = {v: k for k, v in enumerate(xs + ys)}
        pindex = {v: k for k, v in enumerate(ps)}
        v_t = [r.rate.xreplace(sub) for r in per_type]
        v_y = [r.rate.xreplace(sub) for r in own]
        for r, v in zip(own, v_y):
            if t in v.free_symbols:
                raise NetworkFileError(
                    f"reaction {r.describe()} holds no ligand state but its rate law uses the "
                    f"binding time {self.time}: the binding time belongs to each ligand type")
        out = output.xreplace(sub)
        if t in out.free_symbols:
            raise NetworkFileError(f"the output {self.network.output} uses the binding time "
                                   f"{self.time}, which belongs to each ligand type")

        def entries(rates, wrt):
            """(reaction, index, d rate / d symbol) for every symbol of ``wrt`` in a rate."""
            found = []
            for r, v in enumerate(rates):
                for s in sorted(v.free_symbols & set(wrt), key=lambda s: wrt[s]):
                    found.append((r, wrt[s], sp.diff(v, s)))
            return found

        jac_t, jac_y = entries(v_t, variables), entries(v_y, variables)
        dtau = [(r, sp.diff(v, t)) for r, v in enumerate(v_t) if t in v.free_symbols]
        d2 = [(k, variables[s], sp.diff(d, s)) for k, (_, d) in enumerate(dtau)
              for s in sorted(d.free_symbols & set(variables), key=lambda s: variables[s])]
        dp_t, dp_y = entries(v_t, pindex), entries(v_y, pindex)
        args = [xs, ys, t, ps]

        def compiled(exprs):
            return sp.lambdify(args, list(exprs) or [sp.S.Zero], "numpy", cse=True)

        self.n_rt, self.n_ry = len(v_t), len(v_y)
        self._rates = compiled(v_t + v_y)
        self._jac = compiled([e for _, _, e in jac_t] + [e for _, _, e in jac_y])
        self._sens = compiled([e for _, e in dtau] + [e for _, _, e in dp_t + dp_y])
        self._d2 = compiled([e for _, _, e in d2])
        self.jac_t = np.array([(r, u) for r, u, _ in jac_t], int).reshape(-1, 2)
        self.jac_y = np.array([(r, u - nX) for r, u, _ in jac_y], int).reshape(-1, 2)
        self.dtau = np.array([r for r, _ in dtau], int)
        self.d2 = np.array([(k, u) for k, u, _ in d2], int).reshape(-1, 2)
        self.dp_t = np.array([(r, k) for r, k, _ in dp_t], int).reshape(-1, 2)
        self.dp_y = np.array([(r, k) for r, k, _ in dp_y], int).reshape(-1, 2)
        # the output in the aggregates A_s = sum_i X_is and the shared species
        grad = [sp.diff(out, v) for v in xs + ys] + [sp.diff(out, v) for v in ps]
        self._out = sp.lambdify([xs, ys, ps], [out, *grad], "numpy", cse=True)

    # -- evaluation --------------------------------------------------------------------------------
    def split(self, z, K):
        """(X, y): X of shape (n_X, K) (column i is type i), y of shape (n_y,)."""
        nX = len(self.states)
        return z[:K * nX].reshape(K, nX).T, z[K * nX:]

    def join(self, X, y):
        return np.concatenate([np.asarray(X, float).T.ravel(), np.asarray(y, float)])

    def _args(self, z, pt):
        X, y = self.split(z, pt.K)
        return X, y, pt.tau, pt.p

    def _finite(self, raw, z, pt):
        """``raw(z, pt)`` (a tuple of arrays), its entries that are not finite where an
        amount is 0 taken as their limit from positive amounts (each amount at 0 replaced
        by :data:`LIFT`): a rate law such as (I/I_th)^k_I, whose derivative
        k_I (I/I_th)^k_I / I is 0/0 at I = 0, or a term x y/(x + y) at x = y = 0."""
        with np.errstate(all="ignore"):
            values = raw(z, pt)
            if all(np.isfinite(v).all() for v in values) or not np.any(z <= 0):
                return values
            lifted = raw(np.where(z > 0, z, LIFT), pt)
        return tuple(np.where(np.isfinite(v), v, w) for v, w in zip(values, lifted))

    @staticmethod
    def _stack(values, K, n):
        out = np.empty((n, K))
        for k in range(n):
            out[k] = values[k]
        return out

    def rates(self, z, pt):
        """(v_t, v_y): per-type rates (n_rt, K) and shared-only rates (n_ry,)."""
        return self._finite(self._raw_rates, z, pt)

    def _scalar(self, fn, z, pt, n_t, n_y):
        """``fn`` (per-type entries first, then ``n_y`` entries that hold no ligand state)
        evaluated on Python floats, once per ligand type: (per-type values (n_t, K),
        others (n_y,)).  numpy's cost per operation on arrays of a few elements is ten
        times the arithmetic, and a type's entries depend only on its own ligand states,
        the shared species and its binding time.  None where the floats raise (a division
        by 0, an overflow of a power, a complex power), K = 0 or K > :data:`SCALAR_TYPES`: the
        caller evaluates on arrays instead, where these give inf or nan as numpy defines."""
        K = pt.K
        if not 0 < K <= SCALAR_TYPES:
            return None
        nX = len(self.states)
        y, p = z[K * nX:].tolist(), pt.p.tolist()
        out = np.empty((max(n_t + n_y, 1), K))
        try:
            for i in range(K):
                out[:, i] = fn(z[i * nX:(i + 1) * nX].tolist(), y, float(pt.tau[i]), p)
        except (ArithmeticError, TypeError, ValueError):
            return None
        return out[:n_t], out[n_t:n_t + n_y, 0].copy()

    def _raw_rates(self, z, pt):
        fast = self._scalar(self._rates, z, pt, self.n_rt, self.n_ry)
        if fast is not None:
            return fast
        values = self._rates(*self._args(z, pt))
        v_t = self._stack(values, pt.K, self.n_rt)
        v_y = np.array([float(values[self.n_rt + k]) for k in range(self.n_ry)])
        return v_t, v_y

    def residual(self, z, pt):
        """(F, W): the equations F(z) and the size of each row's terms W (fluxes, or the
        total and the amounts of a law), against which its residual is judged."""
        K = pt.K
        X, y = self.split(z, K)
        FX, WX, Fy, Wy = self._rate_rows(z, pt)
        FX[self.ligand] = X.sum(axis=0) - pt.L
        WX[self.ligand] = pt.L + np.abs(X).sum(axis=0)
        if self.pivots.size:
            Fy[self.pivots] = self.C_y @ y + self.C_X @ X.sum(axis=1) - pt.T
            Wy[self.pivots] = (np.abs(pt.T) + np.abs(self.C_y) @ np.abs(y)
                               + np.abs(self.C_X) @ np.abs(X).sum(axis=1))
        return self.join(FX, Fy), self.join(WX, Wy)

    def _rate_rows(self, z, pt):
        """(F_X, W_X, F_y, W_y): every unknown's rate of change by the reactions alone and
        the size of its terms (the larger of its fluxes), per type (n_X, K) and shared."""
        v_t, v_y = self.rates(z, pt)
        FX = self.N_X @ v_t
        WX = np.abs(self.N_X) @ np.abs(v_t)
        Fy = self.N_Xy @ v_t.sum(axis=1) + self.N_y @ v_y
        Wy = np.abs(self.N_Xy) @ np.abs(v_t).sum(axis=1) + np.abs(self.N_y) @ np.abs(v_y)
        return FX, WX, Fy, Wy

    def rates_with_sizes(self, z, pt):
        """(dx/dt, the size of each row's terms) of every unknown's species by the
        reactions alone, laws and sums left out (an absorbing face's checks)."""
        FX, WX, Fy, Wy = self._rate_rows(z, pt)
        return self.join(FX, Fy), self.join(WX, Wy)

    def rates_of_change(self, z, pt):
        """dx/dt of every unknown's species by the reactions alone (no sums, no laws): the
        rows of F that are rates, without the sizes of their terms."""
        v_t, v_y = self.rates(z, pt)
        return self.join(self.N_X @ v_t, self.N_Xy @ v_t.sum(axis=1) + self.N_y @ v_y)

    def _pattern(self):
        """Where each derivative entry goes in the Jacobian's blocks (the same for every
        type): (entry, flat slot, coefficient) per block, and the constant entries."""
        if self._patterns:
            return self._patterns
        nX, ny = len(self.states), len(self.shared)
        dyn = np.zeros(ny, bool)
        dyn[self.dynamic_y] = True
        parts = {k: [] for k in ("A", "B", "C", "S", "Sy")}
        for e, (r, u) in enumerate(self.jac_t):
            for s in np.nonzero(self.N_X[:, r])[0]:
                if s != self.ligand:
                    block, slot = ("A", s * nX + u) if u < nX else ("B", s * ny + u - nX)
                    parts[block].append((e, slot, self.N_X[s, r]))
            for q in np.nonzero(self.N_Xy[:, r])[0]:
                if dyn[q]:
                    block, slot = ("C", q * nX + u) if u < nX else ("S", q * ny + u - nX)
                    parts[block].append((e, slot, self.N_Xy[q, r]))
        for e, (r, u) in enumerate(self.jac_y):
            for q in np.nonzero(self.N_y[:, r])[0]:
                if dyn[q]:
                    parts["Sy"].append((e, q * ny + u, self.N_y[q, r]))
        pattern = {}
        for k, rows in parts.items():
            a = np.array(rows, float).reshape(-1, 3)
            pattern[k] = (a[:, 0].astype(int), a[:, 1].astype(int), a[:, 2])
        A0 = np.zeros((nX, nX))
        A0[self.ligand] = 1.0  # the ligand's sum row
        C0 = np.zeros((ny, nX))
        S0 = np.zeros((ny, ny))
        C0[self.pivots] = self.C_X  # the conservation laws' rows
        S0[self.pivots] = self.C_y
        pattern["const"] = (A0, C0, S0)
        self._patterns.update(pattern)
        return self._patterns

    def jacobian(self, z, pt):
        """dF/dz at z, as :class:`Blocks`."""
        K = pt.K
        nX, ny = len(self.states), len(self.shared)
        pat = self._pattern()
        d_t, d_y = self._finite(self._raw_jacobian, z, pt)  # (entries, K), (entries,)

        def per_type(block, size):
            e, slot, coef = pat[block]
            flat = (np.arange(K)[:, None] * size + slot[None, :]).ravel()
            return np.bincount(flat, weights=(d_t[e].T * coef).ravel(), minlength=K * size)

        A0, C0, S0 = pat["const"]
        A = per_type("A", nX * nX).reshape(K, nX, nX) + A0
        B = per_type("B", nX * ny).reshape(K, nX, ny)
        C = per_type("C", ny * nX).reshape(K, ny, nX) + C0
        e, slot, coef = pat["S"]
        S = np.bincount(slot, weights=d_t[e].sum(axis=1) * coef, minlength=ny * ny)
        e, slot, coef = pat["Sy"]
        S = S + np.bincount(slot, weights=d_y[e] * coef, minlength=ny * ny)
        return Blocks(A, B, C, S.reshape(ny, ny) + S0)

    def _raw_jacobian(self, z, pt):
        n_t = len(self.jac_t)
        fast = self._scalar(self._jac, z, pt, n_t, len(self.jac_y))
        if fast is not None:
            return fast
        values = self._jac(*self._args(z, pt))
        return (self._stack(values, pt.K, n_t),
                np.array([float(values[n_t + k]) for k in range(len(self.jac_y))]))

    def tau_derivatives(self, z, pt):
        """(dv/dtau of the per-type rates (n_rt, K), dv/dp of the per-type rates
        (n_rt, n_p, K), dv/dp of the shared-only rates (n_ry, n_p))."""
        return self._finite(self._raw_tau_derivatives, z, pt)

    def _raw_tau_derivatives(self, z, pt):
        K = pt.K
        values = self._sens(*self._args(z, pt))
        n_tau = self.dtau.size
        dvdt = np.zeros((self.n_rt, K))
        for k, r in enumerate(self.dtau):
            dvdt[r] += values[k]
        n_p = len(self.parameters)
        dvdp_t = np.zeros((self.n_rt, n_p, K))
        for k, (r, j) in enumerate(self.dp_t):
            dvdp_t[r, j] += values[n_tau + k]
        dvdp_y = np.zeros((self.n_ry, n_p))
        base = n_tau + len(self.dp_t)
        for k, (r, j) in enumerate(self.dp_y):
            dvdp_y[r, j] += float(values[base + k])
        return dvdt, dvdp_t, dvdp_y

    def mixed_derivatives(self, z, pt):
        """d^2 v_r/(dtau dz_u) of the per-type rates: (reactions, template variables (n_X
        ligand states then n_y shared), values (entries, K))."""
        n = len(self.d2)
        values, = self._finite(lambda z, pt: (self._stack(self._d2(*self._args(z, pt)),
                                                          pt.K, n),), z, pt)
        return self.dtau[self.d2[:, 0]], self.d2[:, 1], values

    def output(self, z, pt):
        """(G, dG/dz, dG/dp): the output sum_i-aggregated, its gradient in the unknowns and
        in the parameters."""
        K = pt.K
        X, y = self.split(z, K)
        nX, ny = len(self.states), len(self.shared)
        values = self._out(X.sum(axis=1), y, pt.p)
        G = float(values[0])
        dA = np.array([float(v) for v in values[1:1 + nX]])
        dy = np.array([float(v) for v in values[1 + nX:1 + nX + ny]])
        dp = np.array([float(v) for v in values[1 + nX + ny:]])
        return G, self.join(np.repeat(dA[:, None], K, axis=1), dy), dp

    def per_type_rows(self, v, K):
        """sum_r N_sr v_r for a per-type quantity v (n_rt, K): its contribution to the
        residual (the free ligand's and the laws' rows are zero)."""
        FX = self.N_X @ v
        FX[self.ligand] = 0.0
        Fy = self.N_Xy @ v.sum(axis=1)
        Fy[self.pivots] = 0.0
        return self.join(FX, Fy)

    def shared_rows(self, v):
        """sum_r N_qr v_r for a shared-only quantity v (n_ry,) (laws' rows zero)."""
        Fy = self.N_y @ v
        Fy[self.pivots] = 0.0
        return Fy


class Blocks:
    """dF/dz of K ligand types in arrow form: ``A`` (K, n_X, n_X) = dF_Xi/dX_i, ``B``
    (K, n_X, n_y) = dF_Xi/dy, ``C`` (K, n_y, n_X) = dF_y/dX_i and ``S`` (n_y, n_y) =
    dF_y/dy (the types meet only through the shared species)."""

    def __init__(self, A, B, C, S):
        self.A, self.B, self.C, self.S = A, B, C, S

    def shifted(self, dX, dy):
        """diag(dX, dy) - J (the matrix of a backward-Euler step with rates of 1/dt)."""
        eye = np.eye(self.A.shape[1])
        return Blocks(dX[:, :, None] * eye - self.A, -self.B, -self.C, np.diag(dy) - self.S)

    def term_sizes(self, X, y):
        """sum_u |J_ju| |z_u| for each row, as (n_X, K) and (n_y,)."""
        aX, ay = np.abs(X), np.abs(y)
        tX = np.einsum("kij,jk->ik", np.abs(self.A), aX) + (np.abs(self.B) @ ay).T
        ty = np.einsum("kij,jk->i", np.abs(self.C), aX) + np.abs(self.S) @ ay
        return tX, ty

    def dense(self):
        """The full matrix (for eigenvalues), unknowns ordered as z = (X_1, ..., X_K, y)."""
        K, nX, ny = self.A.shape[0], self.A.shape[1], self.S.shape[0]
        J = np.zeros((K * nX + ny, K * nX + ny))
        for i in range(K):
            J[i * nX:(i + 1) * nX, i * nX:(i + 1) * nX] = self.A[i]
            J[i * nX:(i + 1) * nX, K * nX:] = self.B[i]
            J[K * nX:, i * nX:(i + 1) * nX] = self.C[i]
        J[K * nX:, K * nX:] = self.S
        return J
