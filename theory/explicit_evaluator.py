"""Steady states and exact gradients of a model that gives only its output.

For a model without a sum form, the output of n explicit ligand types and its derivatives
with respect to the first type's binding time (s) and quantity (molecules) are lambdified
per n; ligand types are exchangeable, so dF/dtau_j is that derivative with type j moved
first (O(n^2) per gradient: fine for hundreds of ligands; give the model a sum form for more).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from antagonism.derivations import symbols as sy

from .evaluator import Evaluator, Gradient, SteadyState
from .validation import check_ligands


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
        out = self.model.output((tp, *_floats(tb)), (Lp, *_floats(Lb)))
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


def _floats(values):
    """sympy Floats of an array's entries (through Python floats: sympy 1.12 cannot read
    numpy 2's scalars)."""
    return [sp.Float(float(v)) for v in values]
