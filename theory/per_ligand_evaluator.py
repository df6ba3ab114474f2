"""The per-ligand terms of a sum form, evaluated for every ligand type at once.

A sum form writes the output through aggregates A_k = sum_i f_k(tau_i, L_i, y[, X_i]) of
per-ligand terms f_k, with shared variables y (s, molecules or dimensionless, as the model
defines them) and, when one type's steady state has no closed form, per-type unknowns X_i
solving E(X_i; tau_i, L_i, y) = 0.  :class:`PerLigandTerms` lambdifies the f_k, E and their
partial derivatives once and returns values and total derivatives, vectorised over types.
"""
from __future__ import annotations

from functools import lru_cache
from types import SimpleNamespace

import numpy as np
import sympy as sp

from antagonism._core.errors import ConvergenceError
from antagonism.derivations import symbols as sy


class PerLigandTerms:
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
        self.fn = numpy_lambdify((sy.tau, sy.L, *self.y, *self.X), exprs)

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


@lru_cache(maxsize=32)
def per_ligand_terms(terms, shared, type_states, type_equations, type_guess, used):
    """The lambdified per-ligand terms of a sum form (cached: models that differ only in
    their constraints, such as a network's conserved totals, share them)."""
    form = SimpleNamespace(terms=dict(terms), shared_symbols=shared, type_states=type_states,
                           type_equations=type_equations, type_guess=type_guess)
    return PerLigandTerms(form, used)



def numpy_lambdify(args, expressions):
    """{name: numpy function of ``args``} for {name: sympy expression} (common
    subexpressions eliminated)."""
    return {name: sp.lambdify(args, e, "numpy", cse=True) for name, e in expressions.items()}
