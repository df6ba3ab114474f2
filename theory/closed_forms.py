"""Numeric values of the closed forms derived in `antagonism.derivations`, for any model.

Each function derives its expression once per model (cached by the derivations) and
evaluates it with numpy through ``sympy.lambdify``; nothing here is typed in by hand.  Where
a model has no closed form (SHP-1, user models without a sum form) the functions fall back
to the model's numeric evaluator (:mod:`.evaluation`) and say so in their docstrings.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
import sympy as sp

from antagonism import derivations as dv
from antagonism._core.errors import InputError
from antagonism.derivations import symbols as sy

from .validation import check_array, check_positive_scalar


def _check_model(model):
    if not isinstance(model, dv.CellModel):
        raise TypeError(f"expected a CellModel (e.g. AdaptiveProofreading(5, 3, tau_c=3)), "
                        f"got {model!r}")
    if not model.is_numeric():
        raise InputError(f"{model!r} has symbolic parameters; numbers are needed here")
    return model


@lru_cache(maxsize=256)
def _at_T(model, quantity):
    d = dv.derive(model, quantity)
    if d.expr is None:
        return None, d
    free = d.expr.free_symbols - {sy.T}
    if free:
        return None, d
    return sp.lambdify(sy.T, d.expr, "numpy"), d


def _critical(model, quantity, T):
    model = _check_model(model)
    f, d = _at_T(model, quantity)
    if f is None:
        if d.closed_form:
            return None  # derived not to exist
        raise InputError(f"{type(model).__name__}: {d.reason}; use "
                         "antagonism.theory.classify(model) for numeric critical points")
    T = 1.0 if T is None else check_positive_scalar(T, "T")
    return float(f(T))


def critical_binding_time(model, T=None):
    """Strongest antagonist tau* (s): the root of dF/dtau_j for a ligand in a mixture whose
    output is T (default 1: on the decision boundary).

    For T_{N,m}: tau* = tau_c (m T / N)^{1/(N-m)}; None for m = 0, where there is no interior
    critical point.  Models without a closed form raise ValueError (see ``classify``).

    Examples
    --------
    >>> from antagonism.derivations import AdaptiveProofreading
    >>> model = AdaptiveProofreading(5, 3, tau_c=3)
    >>> round(critical_binding_time(model), 4), round(3 * (3 / 5) ** (1 / 2), 4)
    (2.3238, 2.3238)
    >>> round(critical_binding_time(model, T=2), 4), round(3 * (6 / 5) ** (1 / 2), 4)
    (3.2863, 3.2863)
    """
    return _critical(model, "tau-star", T)


def inflection_binding_time(model, T=None):
    """Extremum of the gradient tau_infl (s) at output T (default 1).

    For T_{N,m}: tau_c [m(m-1)T/(N(N-1))]^{1/(N-m)}; exists (in (0, tau*)) iff m > 1, None
    otherwise.

    Examples
    --------
    For T_{5,3} with tau_c = 3 s: 3 (6/20)^{1/2} = 1.6432 s, below tau* = 2.3238 s:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> round(inflection_binding_time(AdaptiveProofreading(5, 3, tau_c=3)), 4)
    1.6432
    """
    return _critical(model, "tau-inflection", T)


@lru_cache(maxsize=256)
def _two_type(model):
    expr, (t1, t2), (L1, L2) = model.mixture_output(2)
    return sp.lambdify((t1, L1, t2, L2), expr, "numpy")


def _two_type_args(tau_1, L_1, tau_2, L_2):
    return (check_array(tau_1, "tau_1", positive=True),
            check_array(L_1, "L_1", nonnegative=True),
            check_array(tau_2, "tau_2", positive=True),
            check_array(L_2, "L_2", nonnegative=True))


def two_type_output(model, tau_1, L_1, tau_2, L_2):
    """The output of a two-type mixture, vectorised over numpy arrays (the model's own
    expression, lambdified).  Models with an implicit steady state (shared variables) are
    evaluated type by type with their numeric evaluator.

    Binding times tau_1, tau_2 in s (> 0), quantities L_1, L_2 in molecules (>= 0).

    Examples
    --------
    T_{5,3} = S_5 / (tau_c^2 S_3) of one ligand at tau_c = 3 s and one at 1 s, L = 1 each:
    (3^5 + 1) / (9 (3^3 + 1)) = 244/252:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> model = AdaptiveProofreading(5, 3, tau_c=3)
    >>> two_type_output(model, 3.0, 1.0, 1.0, [0.0, 1.0]).round(4)
    array([1.    , 0.9683])
    """
    model = _check_model(model)
    args = _two_type_args(tau_1, L_1, tau_2, L_2)
    form = model.sum_form()
    if form is None or not form.implicit:
        return np.asarray(_two_type(model)(*args), dtype=float)
    from .evaluation import model_evaluator

    ev = model_evaluator(model)
    b = np.broadcast_arrays(*args)
    out = [ev.output([t1, t2], [l1, l2]) for t1, l1, t2, l2 in zip(*(x.ravel() for x in b))]
    return np.array(out).reshape(b[0].shape)


def fold_change(model, tau_1, L_1, tau_2, L_2):
    """FC = F(agonist + antagonist) / F(agonist alone) for two ligand types (dimensionless).

    For T_{N,m}: FC = 1 - [L_2 tau_2^m / (L_1 tau_1^m + L_2 tau_2^m)] [1 - (tau_2/tau_1)^{N-m}].

    Examples
    --------
    One agonist at tau_c = 3 s with 0, 1 and 10 antagonists at 1 s (T_{5,3}); for L_2 = 10,
    FC = 1 - (10/37)(8/9) = 253/333:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> model = AdaptiveProofreading(5, 3, tau_c=3)
    >>> fold_change(model, 3.0, 1.0, 1.0, [0.0, 1.0, 10.0]).round(4)
    array([1.    , 0.9683, 0.7598])
    """
    tau_1, L_1, tau_2, L_2 = _two_type_args(tau_1, L_1, tau_2, L_2)
    if np.any(L_1 <= 0):
        raise InputError("L_1 must be positive (the agonist alone must give an output)")
    mix = two_type_output(model, tau_1, L_1, tau_2, L_2)
    alone = two_type_output(model, tau_1, L_1, tau_2, np.zeros_like(L_2))
    return mix / alone


@lru_cache(maxsize=256)
def _boundary_lambdas(model):
    (t1, t2), (L1, _) = sy.ligand_symbols(2)
    w = dv.derive_linear_weight(model).expr
    Lstar = dv.derive_decision_boundary(model).expr
    return (None if w is None else sp.lambdify(sy.tau, w, "numpy"),
            None if Lstar is None else sp.lambdify((t1, L1, t2), Lstar, "numpy"))


def linear_weight(model, tau):
    """w(tau): F > threshold iff sum_i L_i w(tau_i) > 0 (for T_{N,m},
    w = tau^N - tau_c^{N-m} tau^m, in s^N).

    Examples
    --------
    For T_{5,3} with tau_c = 3 s, w = tau^5 - 9 tau^3: negative below tau_c, zero at it:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> linear_weight(AdaptiveProofreading(5, 3, tau_c=3), [1.0, 3.0, 6.0])
    array([  -8.,    0., 5832.])
    """
    model = _check_model(model)
    f = _boundary_lambdas(model)[0]
    if f is None:
        raise InputError(f"{type(model).__name__}: the decision is not linear in the "
                         "quantities, so there is no weight w(tau)")
    return np.asarray(f(check_array(tau, "tau", positive=True)), dtype=float)


def decision_boundary(model, tau_1, L_1, tau_2):
    """Antagonist quantity on the boundary, L_2*(tau_1, L_1, tau_2) (molecules): for
    T_{N,m}, L_1 w(tau_1)/(-w(tau_2)), meaningful for tau_1 > tau_c > tau_2.

    Examples
    --------
    For T_{5,3} (tau_c = 3 s), one agonist at 6 s is silenced by 5832/8 = 729 antagonists
    at 1 s:

    >>> from antagonism.derivations import AdaptiveProofreading
    >>> float(decision_boundary(AdaptiveProofreading(5, 3, tau_c=3), 6.0, 1.0, 1.0))
    729.0
    """
    model = _check_model(model)
    f = _boundary_lambdas(model)[1]
    if f is None:
        raise InputError(f"{type(model).__name__}: no closed-form boundary L_2*")
    return np.asarray(f(check_array(tau_1, "tau_1", positive=True),
                        check_array(L_1, "L_1", nonnegative=True),
                        check_array(tau_2, "tau_2", positive=True)), dtype=float)
