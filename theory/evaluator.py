"""The one numeric interface to a cell model on a ligand set, and what it returns.

An :class:`Evaluator` gives, for ligand types with binding times tau_i (s) and quantities
L_i (molecules), the model's steady state, its output F and the exact gradients dF/dtau_i
(per s) and dF/dL_i (per molecule).  :func:`antagonism.theory.model_evaluator` builds one
from any model's derived expressions; the numerics subclass it (compiled T_{N,m} kernels).
"""
from __future__ import annotations

import math
from functools import cached_property

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

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
    residual : float -- the largest residual of the shared variables' constraints, relative
        to the size of their terms (a total, or the fluxes of a balance); at most 1e-9
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
    """Numeric output and exact gradients of one model with numeric parameters.

    Subclasses implement ``steady_state(tau, L)`` (a :class:`SteadyState`) and
    ``gradient(tau, L)`` (a :class:`Gradient`); every other method follows from those two,
    and a subclass may override any of them with a faster route.

    Parameters
    ----------
    model : CellModel with numeric parameters

    Attributes
    ----------
    model : CellModel
    tau_c : float -- the threshold binding time (s)
    threshold : float or None -- the absolute decision threshold of the output, None when
        the model has none
    """

    def __init__(self, model):
        if not model.is_numeric():
            raise InputError(f"{model!r} has symbolic parameters; numerics need numbers")
        self.model = model

    def __repr__(self):
        return f"{type(self).__name__}({self.model!r})"

    @cached_property
    def tau_c(self):
        return _number(self.model.tau_c, "tau_c")

    @cached_property
    def threshold(self):
        value = self.model.threshold
        return None if value is None else _number(value, "threshold")

    def steady_state(self, tau, L):
        """The :class:`SteadyState` of the ligand types (tau_i in s, L_i molecules)."""
        raise NotImplementedError

    def gradient(self, tau, L):
        """The :class:`Gradient`: dF/dtau_i (per s) and dF/dL_i (per molecule)."""
        raise NotImplementedError

    def probe_gradient(self, tau_background, L_background):
        """gamma(tau): dF/dtau of a dilute probe type per molecule, next to the background
        ligands (a callable of tau, vectorised over arrays), and its sympy expression."""
        raise NotImplementedError

    def output(self, tau, L):
        """The output F of the ligand types."""
        return self.steady_state(tau, L).output

    def grad_output(self, tau, L):
        """dF/dtau_i (output units per s)."""
        return self.gradient(tau, L).tau

    def grad_L(self, tau, L):
        """dF/dL_i (output units per molecule)."""
        return self.gradient(tau, L).L

    def log_output(self, tau, L):
        """log F (F > 0)."""
        return math.log(self.output(tau, L))

    def grad_log_output(self, tau, L):
        """d log F / d tau_i = (dF/dtau_i) / F (1/s)."""
        return self.grad_output(tau, L) / self.output(tau, L)

    def hessian_diagonal(self, tau, L, rel_step=1e-5):
        """d^2 F / d tau_i^2 (output units per s^2), by central differences of the exact
        gradient with steps h_i = rel_step tau_i."""
        tau, L = check_ligands(tau, L)
        out = np.empty_like(tau)
        for i in range(tau.size):
            h = rel_step * tau[i]
            up, down = tau.copy(), tau.copy()
            up[i] += h
            down[i] -= h
            out[i] = (self.grad_output(up, L)[i] - self.grad_output(down, L)[i]) / (2 * h)
        return out


def _number(value, name):
    try:
        return float(value)
    except TypeError:
        raise InputError(f"the model's {name} is {value}, not a number") from None
