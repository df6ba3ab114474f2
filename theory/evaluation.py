"""Numeric evaluation of any cell model on a ligand set, from its derived expressions.

``model_evaluator(model)`` returns

- a :class:`SumFormEvaluator` when the model gives a sum form: per-ligand terms, their
  partial derivatives, the output and the constraints on shared variables are lambdified
  once; shared variables are solved by bracketed roots (nested where a constraint depends on
  a later variable), and gradients follow from the implicit-function theorem,

      dF/dx_j = sum_k c_k df_k(tau_j, L_j, y)/dx_j,    c = F_A - Phi H_y^{-1} G_A,

  with D_kl = sum_i df_k/dy_l, Phi = F_A D + F_y and H_y = G_A D + G_y (exact, O(n));
- an :class:`ExplicitEvaluator` otherwise: the output of n explicit ligand types and its
  derivative with respect to one type, lambdified per n (O(n^2) per gradient: fine for
  hundreds of ligands; give the model a sum form for more).

Binding times are in s, quantities in molecules; gradients are per s and per molecule.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from antagonism.derivations import symbols as sy
from antagonism.derivations.errors import ConvergenceError, InputError

from .result import Result
from .validation import check_ligands


class SteadyState(Result):
    """Steady state of a ligand mixture.

    Keys
    ----
    tau, L : ndarray -- the ligand types
    output : float -- the model's output F
    aggregates : dict name -> float -- the sums A_k (sum-form models)
    shared : dict name -> float -- shared variables at steady state
    terms : dict name -> ndarray -- per-ligand terms f_k(tau_i, L_i, y)
    aliases : dict alias -> name -- other names of some quantities (the sum form's aliases)
    """

    def _resolve(self, name):
        return self.get("aliases", {}).get(name, name)

    def value(self, name):
        """A shared variable's value or an aggregate's total, by name or alias."""
        name = self._resolve(name)
        for group in (self.shared, self.aggregates):
            if name in group:
                return group[name]
        raise KeyError(f"no quantity {name!r}; have {sorted({**self.shared, **self.aggregates})}")

    def scalars(self, ligand=0):
        """{name: float}: the output, the shared variables and every term of one ligand
        type, also under their aliases."""
        out = {"output": self.output, **self.shared,
               **{k: float(v[ligand]) for k, v in self.terms.items()}}
        for alias, name in self.get("aliases", {}).items():
            out[alias] = out[name]
        return out

    def per_ligand(self, name):
        """The per-ligand values f_k(tau_i, L_i, y) of an aggregate, by name or alias."""
        return self.terms[self._resolve(name)]


class Gradient(Result):
    """Keys: tau (dF/dtau_i, per s), L (dF/dL_i, per molecule), steady_state, coefficients
    (aggregate name -> total coefficient dF/dA_k, sum-form models)."""


class Evaluator:
    """Common interface: ``steady_state``, ``output``, ``gradient`` (exact dF/dtau and
    dF/dL for every ligand type), ``probe_gradient`` (gamma(tau) of a dilute type)."""

    def __init__(self, model):
        if not model.is_numeric():
            raise InputError(f"{model!r} has symbolic parameters; numerics need numbers")
        self.model = model

    def output(self, tau, L):
        return self.steady_state(tau, L).output

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau): dF/dtau of a dilute probe type per molecule, next to the background
        ligands (a callable of tau, vectorised over arrays)."""
        raise NotImplementedError


class _PerLigand:
    """The per-ligand terms f_k(tau, L, y[, X]) of a sum form and their total derivatives
    with respect to tau, L and each shared variable.  When one type's steady state has no
    closed form, its unknowns X solve E(X; tau, L, y) = 0 by Newton's method, vectorised
    over the ligand types, and dX/d(.) = -E_X^{-1} E_(.) (implicit-function theorem)."""

    def __init__(self, form, used):
        self.form, self.y = form, form.shared_symbols
        self.X = form.type_states
        self.wrt = {"tau": sy.tau, "L": sy.L, **{str(s): s for s in self.y}}
        exprs = {}
        for A, f in form.terms.items():
            exprs[f"f_{A}"] = f
            if A in used:
                for name, v in self.wrt.items():
                    exprs[f"d{name}_{A}"] = sp.diff(f, v)
                for k, x in enumerate(self.X):
                    exprs[f"dX{k}_{A}"] = sp.diff(f, x)
        for i, E in enumerate(form.type_equations):
            exprs[f"E{i}"] = E
            for k, x in enumerate(self.X):
                exprs[f"E{i}_X{k}"] = sp.diff(E, x)
            for name, v in self.wrt.items():
                exprs[f"E{i}_{name}"] = sp.diff(E, v)
        for k, g in enumerate(form.type_guess):
            exprs[f"guess{k}"] = g
        self.fn = _numpy_lambdify((sy.tau, sy.L, *self.y, *self.X), exprs)

    def _call(self, key, tau, L, y, X):
        cols = () if X is None else tuple(X.T)
        return np.asarray(self.fn[key](tau, L, *y, *cols), float) * np.ones_like(tau)

    def _jacobian(self, tau, L, y, X):
        """dE_i/dX_k of every type (types x equations x unknowns)."""
        n = len(self.X)
        return np.stack([np.stack([self._call(f"E{i}_X{k}", tau, L, y, X) for k in range(n)],
                                  axis=1) for i in range(n)], axis=1)

    def solve_states(self, tau, L, y, tol=1e-12, max_iter=100):
        """X (types x unknowns) of every ligand type, or None without type states.

        Newton's method from the guess, damped to keep X non-negative and the residual from
        growing; converged when every type's step is below ``tol`` of its state or its
        residual has fallen by 1e-12 from the start."""
        n = len(self.X)
        if not n:
            return None
        zero = np.zeros((len(tau), n))
        X = np.stack([self._call(f"guess{k}", tau, L, y, zero) for k in range(n)], axis=1)

        def residual(X):
            return np.stack([self._call(f"E{i}", tau, L, y, X) for i in range(n)], axis=1)

        E = residual(X)
        start = np.abs(E).max(axis=1) + 1e-300
        scale = np.abs(X).max(axis=1, keepdims=True) + 1e-300
        for _ in range(max_iter):
            dX = np.linalg.solve(self._jacobian(tau, L, y, X), -E[..., None])[..., 0]
            norm = np.abs(E).max(axis=1)
            step = np.ones((len(tau), 1))
            for _ in range(27):  # damped per type: stay non-negative, residual must not grow
                trial = X + step * dX
                E_trial = residual(trial)
                bad = ((trial < -tol * scale).any(axis=1)
                       | (np.abs(E_trial).max(axis=1) > norm * (1 + 1e-6) + 1e-300))
                if not bad.any():
                    break
                step[bad] /= 2
            X, E = trial, E_trial
            small_step = np.abs(step * dX).max(axis=1) <= tol * (np.abs(X).max(axis=1) + 1e-300)
            small_residual = np.abs(E).max(axis=1) <= 1e-12 * start
            if np.all(small_step | small_residual):
                return X
        if np.all(np.abs(E).max(axis=1) <= 1e-9 * start):
            return X
        raise ConvergenceError("no steady state found for the ligand states of a type: Newton's "
                         "method did not converge")

    def value(self, A, tau, L, y, X):
        return self._call(f"f_{A}", tau, L, y, X)

    def state_derivatives(self, tau, L, y, X):
        """{name: dX/d(name)} for tau, L and each shared variable (types x unknowns)."""
        n = len(self.X)
        if not n:
            return {}
        J = self._jacobian(tau, L, y, X)
        out = {}
        for name in self.wrt:
            rhs = np.stack([self._call(f"E{i}_{name}", tau, L, y, X) for i in range(n)],
                           axis=1)
            out[name] = -np.linalg.solve(J, rhs[..., None])[..., 0]
        return out

    def derivative(self, A, name, tau, L, y, X, dX):
        """The total derivative of f_A of every ligand type with respect to ``name``."""
        d = self._call(f"d{name}_{A}", tau, L, y, X)
        for k in range(len(self.X)):
            d = d + self._call(f"dX{k}_{A}", tau, L, y, X) * dX[name][:, k]
        return d


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
        self._per = _PerLigand(form, used)
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
        self._agg = _numpy_lambdify((*A, *y), aggregate_level)
        self._bounds = [(float(v.lower), float(v.upper)) for v in form.shared]
        # which aggregates and later shared variables each constraint depends on (terms
        # through type states depend on every shared variable)
        self._needs = []
        for j, v in enumerate(form.shared):
            aggs = [i for i, a in enumerate(A) if v.constraint.has(a)]
            later = {k for k in range(j + 1, len(y)) if v.constraint.has(y[k])
                     or any(form.terms[A[i]].has(y[k]) or form.type_states for i in aggs)}
            self._needs.append((aggs, bool(later)))

    # -- building blocks ---------------------------------------------------------------------
    def _sum(self, i, tau, L, y, X):
        return float(np.sum(self._per.value(self.form.aggregates[i], tau, L, y, X)))

    def _residual(self, j, tau, L, y):
        aggs, _ = self._needs[j]
        X = self._per.solve_states(tau, L, y)
        A = [self._sum(i, tau, L, y, X) if i in aggs else 0.0 for i in range(len(self.names))]
        return float(self._agg[f"G{j}"](*A, *y))

    def _solve_shared(self, tau, L, fixed=()):
        """Solve the shared variables in order, each by a bracketed root with the earlier
        ones fixed (and the later ones re-solved inside when its constraint needs them)."""
        y = list(fixed)
        n = len(self.shared_names)
        while len(y) < n:
            j = len(y)
            lo, hi = self._bounds[j]
            _, nested = self._needs[j]

            def g(v, j=j):
                trial = y + [v]
                if nested:
                    trial = self._solve_shared(tau, L, trial)
                else:
                    trial = trial + [lo_ for lo_, _ in self._bounds[j + 1:]]
                return self._residual(j, tau, L, trial)

            g_lo = g(lo)
            hi, g_hi = self._upper_bracket(g, lo, hi, g_lo)
            if g_lo == 0:
                root = lo
            elif g_hi == 0:
                root = hi
            elif np.sign(g_lo) == np.sign(g_hi) or not np.isfinite(g_lo * g_hi):
                raise ConvergenceError(
                    f"no steady state found for {self.shared_names[j]} in [{lo:g}, {hi:g}]: "
                    f"its constraint is {g_lo:.3g} and {g_hi:.3g} at the ends")
            else:
                root = brentq(g, lo, hi, xtol=1e-13 * max(abs(hi), 1.0),
                              rtol=4 * np.finfo(float).eps)
            y.append(root)
        return y

    @staticmethod
    def _upper_bracket(g, lo, hi, g_lo, factor=10.0, largest=1e18):
        """The upper end of the bracket: ``hi`` if finite, else the first of lo + 1, 10,
        100, ... where g changes sign (shared species without a conservation law)."""
        if np.isfinite(hi):
            return hi, g(hi)
        hi = max(abs(lo), 1.0)
        while True:
            g_hi = g(hi)
            if not np.isfinite(g_hi) or np.sign(g_hi) != np.sign(g_lo) or hi >= largest:
                return hi, g_hi
            hi *= factor

    # -- public --------------------------------------------------------------------------------
    def steady_state(self, tau, L):
        tau, L = check_ligands(tau, L, require_positive_L=False)
        y = self._solve_shared(tau, L)
        X = self._per.solve_states(tau, L, y)
        terms = {name: self._per.value(A, tau, L, y, X)
                 for name, A in zip(self.names, self.form.aggregates)}
        A = [float(t.sum()) for t in terms.values()]
        return SteadyState(tau=tau, L=L, output=float(self._agg["F"](*A, *y)),
                           aggregates=dict(zip(self.names, A)),
                           shared=dict(zip(self.shared_names, map(float, y))), terms=terms,
                           aliases={k: str(v) for k, v in self.form.aliases.items()})

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


class ExplicitEvaluator(Evaluator):
    """Evaluator for models that give only ``output(taus, Ls)`` (see the module docstring).
    Ligand types are taken as exchangeable: dF/dtau_j is the derivative with respect to the
    first type, evaluated with type j moved first."""

    def steady_state(self, tau, L):
        tau, L = check_ligands(tau, L, require_positive_L=False)
        f, _, _ = _explicit_functions(self.model, tau.size)
        return SteadyState(tau=tau, L=L, output=float(f(*tau, *L)), aggregates={}, shared={},
                           terms={})

    def gradient(self, tau, L):
        state = self.steady_state(tau, L)
        tau, L = state.tau, state.L
        _, d_tau, d_L = _explicit_functions(self.model, tau.size)
        g_tau, g_L = np.empty_like(tau), np.empty_like(tau)
        for j in range(tau.size):
            order = np.r_[j, np.delete(np.arange(tau.size), j)]
            args = (*tau[order], *L[order])
            g_tau[j], g_L[j] = d_tau(*args), d_L(*args)
        return Gradient(tau=g_tau, L=g_L, steady_state=state, coefficients={})

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau) = lim_{L_p -> 0} dF/dtau_p / L_p next to the background types."""
        tb, Lb = check_ligands(tau_background, L_background, require_positive_L=False)
        (tp,), (Lp,) = sy.ligand_symbols(1, "tau_p", "L_p")
        out = self.model.output((tp, *map(sp.Float, tb)), (Lp, *map(sp.Float, Lb)))
        slope = sp.diff(out, tp)
        gamma = sp.limit(slope / Lp, Lp, 0, "+") if slope.has(Lp) else slope
        gamma = gamma.subs(tp, sy.tau)
        return sp.lambdify(sy.tau, gamma, "numpy"), gamma


@lru_cache(maxsize=32)
def _explicit_functions(model, n):
    taus, Ls = sy.ligand_symbols(n)
    out = model.output(taus, Ls)
    args = (*taus, *Ls)
    return (sp.lambdify(args, out, "numpy"),
            sp.lambdify(args, sp.diff(out, taus[0]), "numpy", cse=True),
            sp.lambdify(args, sp.diff(out, Ls[0]), "numpy", cse=True))


def _numpy_lambdify(args, expressions):
    return {name: sp.lambdify(args, e, "numpy", cse=True) for name, e in expressions.items()}


@lru_cache(maxsize=64)
def model_evaluator(model):
    """The numpy evaluator of ``model`` (cached per model): sum form when it has one."""
    if model.sum_form() is not None:
        return SumFormEvaluator(model)
    return ExplicitEvaluator(model)
