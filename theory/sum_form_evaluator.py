"""Steady states and exact gradients of a model with a sum form.

The per-ligand terms, their partial derivatives, the output and the constraints on the
shared variables are lambdified once; shared variables are solved by bracketed roots
(nested where a constraint depends on a later variable) or Newton's method, and gradients
follow from the implicit-function theorem,

    dF/dx_j = sum_k c_k df_k(tau_j, L_j, y)/dx_j,    c = F_A - Phi H_y^{-1} G_A,

with D_kl = sum_i df_k/dy_l, Phi = F_A D + F_y and H_y = G_A D + G_y (exact, O(n) in the
number n of ligand types).  Binding times are in s, quantities in molecules.
"""
from __future__ import annotations

import numpy as np
import sympy as sp
from scipy.optimize import brentq, root

from antagonism._core.errors import ConvergenceError, InputError, PrecisionError
from antagonism.derivations import symbols as sy

from .evaluator import Evaluator, Gradient, SteadyState
from .per_ligand_evaluator import numpy_lambdify, per_ligand_terms
from .validation import check_ligands

_RTOL = 1e-9            # accepted residual of a steady-state constraint, relative to its terms
_TINY, _HUGE = 1e-305, 1e300  # shared variables y range over [lower + _TINY, _HUGE]


class SumFormEvaluator(Evaluator):
    """Evaluator for models with a sum form (see the module docstring).

    Parameters
    ----------
    model : CellModel with numeric parameters and a sum form
    """

    def __init__(self, model):
        super().__init__(model)
        form = model.sum_form()
        if form is None:
            raise InputError(f"{type(model).__name__} has no sum form")
        self.form = form
        self.names = [str(A) for A in form.aggregates]
        self.shared_names = [str(y) for y in form.shared_symbols]
        y = form.shared_symbols
        # aggregates the output or a constraint uses; the others are only reported
        used = form.output.free_symbols.union(*(v.constraint.free_symbols
                                                for v in form.shared))
        self.active = [A for A in form.aggregates if A in used]
        # block-triangular constraints (none depends on a later variable, as for receptors
        # then SHP-1): one sweep of one-dimensional bracketed roots solves them exactly
        def depends(j, k):
            G_j = form.shared[j].constraint
            return G_j.has(y[k]) or bool(form.type_states) or any(
                form.terms[a].has(y[k]) for a in form.aggregates if G_j.has(a))

        self._triangular = not any(depends(j, k) for j in range(len(y))
                                   for k in range(j + 1, len(y)))
        self._per = per_ligand_terms(tuple(form.terms.items()), form.shared_symbols,
                                     form.type_states, form.type_equations,
                                     form.type_guess, frozenset(used))
        # the aggregates the constraints use: all that solving for the shared variables needs
        self._constrained = set().union(*(v.constraint.free_symbols for v in form.shared))
        A = form.aggregates
        G = [v.constraint for v in form.shared]
        aggregate_level = {"F": form.output}
        for i, a in enumerate(A):
            aggregate_level[f"F_A{i}"] = sp.diff(form.output, a)
        for j, s in enumerate(y):
            aggregate_level[f"F_y{j}"] = sp.diff(form.output, s)
            aggregate_level[f"G{j}"] = G[j]
            for i, a in enumerate(A):
                aggregate_level[f"G{j}_A{i}"] = sp.diff(G[j], a)
            for k, s2 in enumerate(y):
                aggregate_level[f"G{j}_y{k}"] = sp.diff(G[j], s2)
        for j in range(len(y)):  # the size of each constraint's terms: its residual's scale
            aggregate_level[f"W{j}"] = _term_size(G[j])
        self._agg = numpy_lambdify((*A, *y), aggregate_level)
        self._lower = np.array([float(v.lower) for v in form.shared], float)
        self._upper = np.array([float(v.upper) for v in form.shared], float)
        if not np.all(np.isfinite(self._lower)):
            raise InputError("shared variables need a finite lower bound")
        self._scale = np.where(np.isfinite(self._upper), self._upper - self._lower, 1.0)
        self._scale = np.where(self._scale > 0, self._scale, 1.0)
        # scaled variables u = log((y - lower)/scale) span [u_min, u_max]
        self._u_min = np.log(_TINY / self._scale)
        self._u_max = np.where(np.isfinite(self._upper), 0.0, np.log(_HUGE / self._scale))

    # -- the shared variables' steady state ------------------------------------------------------
    def _aggregates(self, tau, L, y, derivatives=False, only=None):
        """The sums A_k at shared values y and, with ``derivatives``, D_kl = sum_i df_k/dy_l
        (zero rows for aggregates that neither the output nor a constraint uses, and for
        those not in ``only`` when given)."""
        X = self._per.solve_states(tau, L, y)
        A = np.zeros(len(self.names))
        for i, Ak in enumerate(self.form.aggregates):
            if Ak in self.active and (only is None or Ak in only):
                A[i] = np.sum(self._per.value(Ak, tau, L, y, X))
        if not derivatives:
            return A, None
        dX = self._per.state_derivatives(tau, L, y, X)
        D = np.zeros((len(self.names), len(y)))
        for i, Ak in enumerate(self.form.aggregates):
            if Ak in self.active and (only is None or Ak in only):
                for k, s in enumerate(self.shared_names):
                    D[i, k] = np.sum(self._per.derivative(Ak, s, tau, L, y, X, dX))
        return A, D

    def _constraints(self, A, y):
        """G_j(A, y) and W_j, the sum of the magnitudes of G_j's terms (the scale against
        which its residual is judged: a total for a conservation law, the fluxes for a
        balance)."""
        G = np.array([self._agg[f"G{j}"](*A, *y) for j in range(len(y))], float)
        W = np.array([self._agg[f"W{j}"](*A, *y) for j in range(len(y))], float)
        return G, W

    def _constraint_jacobian(self, A, D, y):
        """dG/dy = G_A D + G_y (the total derivative through the aggregates)."""
        nA, ny = len(A), len(y)
        G_A = np.array([[self._agg[f"G{j}_A{i}"](*A, *y) for i in range(nA)]
                        for j in range(ny)], float).reshape(ny, nA)
        G_y = np.array([[self._agg[f"G{j}_y{k}"](*A, *y) for k in range(ny)]
                        for j in range(ny)], float)
        return G_A @ D + G_y

    def _to_y(self, u):
        """Scaled variables u -> y = lower + scale e^u (every shared variable lies above its
        lower bound; its scale is its range, or 1 when unbounded): y spans hundreds of
        orders of magnitude (free receptors ~ R/(kappa tau L) at large L) at full relative
        precision."""
        return self._lower + self._scale * np.exp(np.minimum(u, 700.0))

    def _to_u(self, y):
        gap = np.maximum(np.asarray(y, float) - self._lower, _TINY)
        return np.log(gap / self._scale)

    def _relative_residual(self, tau, L, y):
        """max_j |G_j| / W_j at y (0 where every term vanishes), and the vector."""
        try:
            A, _ = self._aggregates(tau, L, list(y), only=self._constrained)
        except ConvergenceError:
            return np.inf, np.full(len(y), np.inf)
        G, W = self._constraints(A, y)
        with np.errstate(invalid="ignore", divide="ignore"):
            rel = np.where(np.abs(G) <= 0, 0.0, np.abs(G) / W)
        rel = np.where(np.isfinite(rel), rel, np.inf)
        return float(rel.max()), rel

    def _sweep(self, tau, L, y, sweeps=3, xtol=1e-4):
        """Starting values: Gauss-Seidel sweeps, each variable's own constraint solved in
        one dimension (a bracketed root in u) with the others fixed, clamped to the end of
        its range where its constraint does not change sign there."""
        y = np.array(y, float)
        for _ in range(sweeps):
            for j in range(len(y)):
                only = self.form.shared[j].constraint.free_symbols

                def g(u, j=j, only=only):
                    trial = y.copy()
                    trial[j] = self._to_y(np.full(len(y), u))[j]
                    try:
                        A, _ = self._aggregates(tau, L, list(trial), only=only)
                    except ConvergenceError:
                        return np.nan
                    G, W = self._constraints(A, trial)
                    return G[j] / W[j] if W[j] > 0 else 0.0

                u = _bracketed_root(g, self._u_min[j], self._u_max[j], xtol)
                if u is None:
                    continue
                y[j] = self._to_y(np.full(len(y), u))[j]
        return y

    def _newton(self, tau, L, y0):
        """scipy.optimize.root (Powell's hybrid method) on G(y(u)) / W(y0) = 0 in the scaled
        variables u, with the analytic Jacobian (G_A D + G_y) dy/du."""
        only = self._constrained
        W0 = self._constraints(self._aggregates(tau, L, list(y0), only=only)[0], y0)[1]
        W0 = np.where(W0 > 0, W0, 1.0)

        def F(u):
            y = self._to_y(u)
            try:
                A, _ = self._aggregates(tau, L, list(y), only=only)
            except ConvergenceError:
                return np.full(len(u), np.nan)
            return self._constraints(A, y)[0] / W0

        def J(u):
            y = self._to_y(u)
            try:
                A, D = self._aggregates(tau, L, list(y), derivatives=True, only=only)
            except ConvergenceError:
                return np.eye(len(u))
            return self._constraint_jacobian(A, D, y) * ((y - self._lower) / W0[:, None])

        with np.errstate(all="ignore"):
            sol = root(F, self._to_u(y0), jac=J, method="hybr", options={"xtol": 1e-13})
        y = self._to_y(sol.x)
        # a variable driven towards its lower bound may sit on it (no ligand: no active
        # SHP-1), which u -> -inf never reaches: keep that point if its residual is smaller
        low = y - self._lower <= 1e-9 * self._scale
        if low.any():
            snapped = np.where(low, self._lower, y)
            if (self._relative_residual(tau, L, snapped)[0]
                    < self._relative_residual(tau, L, y)[0]):
                return snapped
        return y

    def _accept(self, tau, L, y):
        """The largest relative residual at y if y is a steady state (inside the ranges,
        residuals at most _RTOL), else None."""
        inside = np.all(np.isfinite(y)) and np.all(
            (y >= self._lower) & (y <= self._upper * (1 + 1e-9) + 1e-300))
        residual = self._relative_residual(tau, L, y)[0] if inside else np.inf
        return residual if residual <= _RTOL else None

    def _solve_shared(self, tau, L):
        """The shared variables at steady state: Newton (scipy's ``root`` with the analytic
        Jacobian) in scaled variables from Gauss-Seidel starting values; failing that,
        continuation in the dose, from one of the size of the conserved totals to the
        ligands' quantities.  Block-triangular constraints are first solved one
        variable at a time, each by its bracketed root.  A solution is accepted only inside
        the variables' ranges with every constraint's residual below 1e-9 of the size of
        its terms.  Returns (y, the largest relative residual)."""
        n = len(self.shared_names)
        if not n:
            return [], 0.0
        start = np.where(np.isfinite(self._upper), (self._lower + self._upper) / 2,
                         self._lower + 1.0)
        if self._triangular:  # one variable at a time: bracketed roots are the solution
            y = self._sweep(tau, L, start, sweeps=1, xtol=1e-13)
            if (residual := self._accept(tau, L, y)) is not None:
                return list(y), residual
        # Newton straight from the middle of the ranges when every range is finite
        for sweeps in ((0, 1, 3) if np.all(np.isfinite(self._upper)) else (1, 3)):
            y = self._newton(tau, L, self._sweep(tau, L, start, sweeps))
            if (residual := self._accept(tau, L, y)) is not None:
                return list(y), residual
        # continuation: from a dose of the size of the totals to the target, a factor of
        # at most 100 per step, each Newton solve starting from the previous solution
        total = float(np.sum(L))
        if total > 0:
            finite = self._upper[np.isfinite(self._upper) & (self._upper > 0)]
            reference = float(np.median(finite)) if finite.size else 1.0
            steps = int(min(160, np.ceil(abs(np.log10(total / reference)) / 2) + 1))
            doses = np.geomspace(reference / total, 1.0, steps + 1)
            y = self._newton(tau, doses[0] * L, self._sweep(tau, doses[0] * L, start))
            for dose in doses[1:]:
                y = self._newton(tau, dose * L, y)
            if (residual := self._accept(tau, L, y)) is not None:
                return list(y), residual
        worst, rel = self._relative_residual(tau, L, y)
        j = int(np.argmax(rel))
        why = (f"the best point found leaves its constraint {self.form.shared[j].constraint}"
               f" = 0 with a relative residual of {worst:.3g}" if np.isfinite(worst) else
               "the model's expressions overflow double precision at these binding times "
               "and quantities")
        raise ConvergenceError(f"no steady state found for {self.shared_names[j]} in "
                               f"[{self._lower[j]:g}, {self._upper[j]:g}]: {why}")

    def _check_state(self, state):
        """A steady state is finite and its amounts are non-negative, or an error that names
        the quantity (never a number printed as if it were a result)."""
        for name, v in state.shared.items():
            if not np.isfinite(v):
                raise ConvergenceError(f"the steady state of {name} is not finite ({v})")
        amounts = {str(A) for A in self.form.amounts}
        names = {str(v): k for k, v in self.form.aliases.items()}
        tol = 1e-9 * np.maximum(state.L, 1e-300)
        for key, values in state.terms.items():
            bad = ~np.isfinite(values)
            if key in amounts:
                bad |= values < -tol
            if bad.any():
                i = int(np.argmax(bad))
                overflow = not np.isfinite(values[i])
                why = ("not finite: its expression overflows double precision there"
                       if overflow else
                       f"negative ({values[i]:.6g}): the model has no physical steady state "
                       "there (a rate law that can go negative?)")
                raise (PrecisionError if overflow else ConvergenceError)(
                    f"the steady state of {names.get(key, key)} for ligand type {i} "
                    f"(tau = {state.tau[i]:g}, L = {state.L[i]:g}) is {why}")
        if not np.isfinite(state.output):
            raise ConvergenceError(f"the output is not finite ({state.output}) at this steady "
                                   "state")
        return state

    # -- public --------------------------------------------------------------------------------
    def steady_state(self, tau, L):
        tau, L = check_ligands(tau, L, require_positive_L=False)
        with np.errstate(all="ignore"):  # overflow is caught below, by name
            y, residual = self._solve_shared(tau, L)
            X = self._per.solve_states(tau, L, y)
            terms = {name: self._per.value(A, tau, L, y, X)
                     for name, A in zip(self.names, self.form.aggregates)}
            A = [float(t.sum()) for t in terms.values()]
            output = float(self._agg["F"](*A, *y))
        state = SteadyState(tau=tau, L=L, output=output,
                            aggregates=dict(zip(self.names, A)),
                            shared=dict(zip(self.shared_names, map(float, y))), terms=terms,
                            aliases={k: str(v) for k, v in self.form.aliases.items()},
                            residual=residual)
        return self._check_state(state)

    def _derivatives(self, state):
        y = list(state.shared.values())
        X = self._per.solve_states(state.tau, state.L, y)
        return y, X, self._per.state_derivatives(state.tau, state.L, y, X)

    def coefficients(self, state, derivatives=None):
        """Total coefficients c_k = dF/dA_k through the shared variables at a steady state
        (zero for aggregates that neither the output nor a constraint uses)."""
        A = list(state.aggregates.values())
        y, X, dX = derivatives or self._derivatives(state)
        nA, ny = len(A), len(y)
        F_A = np.array([self._agg[f"F_A{i}"](*A, *y) for i in range(nA)], float)
        if ny == 0:
            return F_A
        tau, L = state.tau, state.L
        D = np.array([[float(np.sum(self._per.derivative(Ak, str(s), tau, L, y, X, dX)))
                       if Ak in self.active else 0.0
                       for s in self.form.shared_symbols] for Ak in self.form.aggregates])
        F_y = np.array([self._agg[f"F_y{j}"](*A, *y) for j in range(ny)], float)
        G_A = np.array([[self._agg[f"G{j}_A{i}"](*A, *y) for i in range(nA)]
                        for j in range(ny)], float)
        G_y = np.array([[self._agg[f"G{j}_y{k}"](*A, *y) for k in range(ny)]
                        for j in range(ny)], float)
        Phi = F_A @ D + F_y
        H_y = G_A @ D + G_y
        return F_A - Phi @ np.linalg.solve(H_y, G_A)

    def gradient(self, tau, L):
        state = self.steady_state(tau, L)
        derivatives = self._derivatives(state)
        c = self.coefficients(state, derivatives)
        y, X, dX = derivatives
        tau, L = state.tau, state.L
        pairs = [(ck, A) for ck, A in zip(c, self.form.aggregates) if A in self.active]
        dtau = sum(ck * self._per.derivative(A, "tau", tau, L, y, X, dX) for ck, A in pairs)
        dL = sum(ck * self._per.derivative(A, "L", tau, L, y, X, dX) for ck, A in pairs)
        return Gradient(tau=np.asarray(dtau, float) * np.ones_like(tau),
                        L=np.asarray(dL, float) * np.ones_like(tau), steady_state=state,
                        coefficients=dict(zip(self.names, c)))

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau) = sum_k c_k d phi_k/dtau at the background's steady state; returns
        (function, sympy expression).  Without closed-form per-type states the expression is
        None and gamma is the exact gradient of a probe per molecule, extrapolated to a
        vanishing probe from 1e-9 and 5e-10 of the background's quantity."""
        if self.form.type_states:
            tb, Lb = check_ligands(tau_background, L_background)
            Lp = 1e-9 * float(Lb.sum())

            def per_molecule(t, q):
                return float(self.gradient(np.r_[tb, t], np.r_[Lb, q]).tau[-1] / q)

            def gamma(t):  # the dilute limit, by Richardson extrapolation in L_p
                return 2 * per_molecule(t, Lp / 2) - per_molecule(t, Lp)

            return np.vectorize(gamma), None
        state = self.steady_state(tau_background, L_background)
        c = self.coefficients(state)
        y = list(state.shared.values())
        at = dict(zip(self.form.shared_symbols, y))
        phis = self.form.per_molecule()
        gamma = sum(float(ck) * sp.diff(phis[A], sy.tau) for ck, A in
                    zip(c, self.form.aggregates)).subs(at)
        return sp.lambdify(sy.tau, gamma, "numpy"), gamma


def _term_size(G):
    """sum_t |t| over the terms t of G (of its expanded numerator, over |denominator|, when G
    is a single product or quotient): the scale against which G's residual is judged."""
    if G.is_Add:
        return sp.Add(*[sp.Abs(t) for t in G.args])
    num, den = sp.fraction(sp.together(G))
    return sp.Add(*[sp.Abs(t) for t in sp.Add.make_args(sp.expand(num))]) / sp.Abs(den)


def _bracketed_root(g, u_min, u_max, xtol):
    """A root of g(u) in [u_min, u_max] (u_max >= 0), bracketed from u = 0
    outwards in steps that double (1, 2, 4... decades: a root near the top of a range costs
    a few evaluations, one 250 decades down about ten more) and refined by brentq; where g
    keeps its sign, the point with the smallest |g|; None when g(0) is not finite."""
    g0 = g(0.0)
    if not np.isfinite(g0):
        return None
    if g0 == 0:
        return 0.0
    best = (abs(g0), 0.0)
    sides = [(-1.0, 0.0, g0)] + ([(1.0, 0.0, g0)] if u_max > 0 else [])
    step = np.log(10.0)
    while sides:
        left = []
        for direction, u_prev, g_prev in sides:
            u1 = float(np.clip(direction * step, u_min, u_max))
            g1 = g(u1)
            if np.isfinite(g1):
                best = min(best, (abs(g1), u1))
                if g1 == 0:
                    return u1
                if np.sign(g1) != np.sign(g_prev):
                    return brentq(g, min(u_prev, u1), max(u_prev, u1), xtol=xtol)
                u_prev, g_prev = u1, g1
            if u_min < u1 < u_max:
                left.append((direction, u_prev, g_prev))
        sides = left
        step *= 2
    return best[1]
