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
            raise ValueError(f"{model!r} has symbolic parameters; numerics need numbers")
        self.model = model

    def output(self, tau, L):
        return self.steady_state(tau, L).output

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau): dF/dtau of a dilute probe type per molecule, next to the background
        ligands (a callable of tau, vectorised over arrays)."""
        raise NotImplementedError


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
            raise ValueError(f"{type(model).__name__} has no sum form")
        self.form = form
        self.names = [str(A) for A in form.aggregates]
        self.shared_names = [str(y) for y in form.shared_symbols]
        y = form.shared_symbols
        # aggregates the output or a constraint uses; the others are only reported
        used = form.output.free_symbols.union(*(v.constraint.free_symbols
                                                for v in form.shared))
        self.active = [A for A in form.aggregates if A in used]
        per_ligand = {}
        for A, f in form.terms.items():
            per_ligand[f"f_{A}"] = f
            if A not in used:
                continue
            per_ligand[f"dtau_{A}"] = sp.diff(f, sy.tau)
            per_ligand[f"dL_{A}"] = sp.diff(f, sy.L)
            for s in y:
                per_ligand[f"dy_{A}_{s}"] = sp.diff(f, s)
        self._per = _numpy_lambdify((sy.tau, sy.L, *y), per_ligand)
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
        # which aggregates and later shared variables each constraint depends on
        self._needs = []
        for j, v in enumerate(form.shared):
            aggs = [i for i, a in enumerate(A) if v.constraint.has(a)]
            later = {k for k in range(j + 1, len(y)) if v.constraint.has(y[k])
                     or any(form.terms[A[i]].has(y[k]) for i in aggs)}
            self._needs.append((aggs, bool(later)))

    # -- building blocks ---------------------------------------------------------------------
    def _sum(self, i, tau, L, y):
        return float(np.sum(self._per[f"f_{self.form.aggregates[i]}"](tau, L, *y) * np.ones_like(
            tau)))

    def _aggregates(self, tau, L, y):
        return [self._sum(i, tau, L, y) for i in range(len(self.names))]

    def _residual(self, j, tau, L, y):
        aggs, _ = self._needs[j]
        A = [self._sum(i, tau, L, y) if i in aggs else 0.0 for i in range(len(self.names))]
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
                raise ValueError(
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
        terms = {name: np.asarray(self._per[f"f_{A}"](tau, L, *y) * np.ones_like(tau), float)
                 for name, A in zip(self.names, self.form.aggregates)}
        A = [float(t.sum()) for t in terms.values()]
        return SteadyState(tau=tau, L=L, output=float(self._agg["F"](*A, *y)),
                           aggregates=dict(zip(self.names, A)),
                           shared=dict(zip(self.shared_names, map(float, y))), terms=terms,
                           aliases={k: str(v) for k, v in self.form.aliases.items()})

    def coefficients(self, state):
        """Total coefficients c_k = dF/dA_k through the shared variables at a steady state
        (zero for aggregates that neither the output nor a constraint uses)."""
        A = list(state.aggregates.values())
        y = list(state.shared.values())
        nA, ny = len(A), len(y)
        F_A = np.array([self._agg[f"F_A{i}"](*A, *y) for i in range(nA)], float)
        if ny == 0:
            return F_A
        tau, L = state.tau, state.L
        ones = np.ones_like(tau)
        D = np.array([[float(np.sum(self._per[f"dy_{Ak}_{s}"](tau, L, *y) * ones))
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
        c = self.coefficients(state)
        y = list(state.shared.values())
        tau, L = state.tau, state.L
        pairs = [(ck, A) for ck, A in zip(c, self.form.aggregates) if A in self.active]
        dtau = sum(ck * self._per[f"dtau_{A}"](tau, L, *y) for ck, A in pairs) * np.ones_like(tau)
        dL = sum(ck * self._per[f"dL_{A}"](tau, L, *y) for ck, A in pairs) * np.ones_like(tau)
        return Gradient(tau=np.asarray(dtau, float), L=np.asarray(dL, float),
                        steady_state=state, coefficients=dict(zip(self.names, c)))

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau) = sum_k c_k d phi_k/dtau at the background's steady state."""
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
        tau, L = check_ligands(tau, L, require_positive_L=False)
        f, d_tau, d_L = _explicit_functions(self.model, tau.size)
        g_tau, g_L = np.empty_like(tau), np.empty_like(tau)
        for j in range(tau.size):
            order = np.r_[j, np.delete(np.arange(tau.size), j)]
            args = (*tau[order], *L[order])
            g_tau[j], g_L[j] = d_tau(*args), d_L(*args)
        state = SteadyState(tau=tau, L=L, output=float(f(*tau, *L)), aggregates={}, shared={},
                            terms={})
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
