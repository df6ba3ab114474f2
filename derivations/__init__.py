"""Pure-sympy derivations for proofreading models of T-cell ligand discrimination.

Models are symbolic objects implementing :class:`CellModel` (see :mod:`.model`); every
closed form used elsewhere in the package is *derived* here from a model's output and
recorded step by step in a :class:`Derivation` with named parts.  No numerics live here.

Main entry points
-----------------
- :class:`CellModel`, :class:`SumForm`, :class:`SharedVariable` -- the model protocol.
- :class:`AdaptiveProofreading` (T_{N,m}), :class:`KineticProofreading`, :class:`SHP1`,
  :class:`AdaptiveSorting` -- the built-in models; :mod:`.registry` knows them by name.
- :mod:`.gradients` -- ligand gradients and Hessians for any number of ligands.
- :mod:`.critical_points` -- tau*, tau_infl and the condition for the latter
  (:func:`derive_critical_binding_time`, :func:`derive_inflection_binding_time`).
- :mod:`.boundary` -- linear-classifier weight w(tau), boundary L_2*, fold change.
- :mod:`.escape` -- the small-tau exponent of the gradient and the escape class.
- :func:`derive` -- any of these by name.
"""
from antagonism._core.errors import InputError

from .adaptive import AdaptiveProofreading
from .adaptive_sorting import AdaptiveSorting
from .boundary import derive_decision_boundary, derive_fold_change, derive_linear_weight
from .critical_points import derive_critical_binding_time, derive_inflection_binding_time
from .derivation import Derivation, Step
from .escape import ESCAPE_CLASSES, escape_class, small_tau_exponent
from .gradients import (
    gradient_L,
    gradient_tau,
    hessian_explicit,
    hessian_structural,
    intensive_gradient,
)
from .kinetic import KineticProofreading
from .model import CellModel, Parameter, SharedVariable, SumForm
from .registry import (
    create_model,
    model_names,
    model_spec,
    register_model,
    unregister_model,
)
from .shp1 import SHP1
from .symbols import L, N, T, ligand_symbols, m, tau, tau_c

QUANTITIES = {
    "gradient": gradient_tau, "gradient-L": gradient_L, "hessian": hessian_structural,
    "intensive-gradient": intensive_gradient, "tau-star": derive_critical_binding_time,
    "tau-inflection": derive_inflection_binding_time, "boundary": derive_decision_boundary,
    "fold-change": derive_fold_change, "weight": derive_linear_weight,
    "exponent": small_tau_exponent,
}


def derive(model, quantity):
    """Derive ``quantity`` (a key of ``QUANTITIES``) for ``model``; returns a
    :class:`Derivation` (a Result) that also records the quantity, the model's name and its
    parameters (integers kept integers, symbols as their names)."""
    if quantity not in QUANTITIES:
        raise InputError(f"unknown quantity {quantity!r}; choose one of "
                         f"{', '.join(QUANTITIES)}")
    return QUANTITIES[quantity](model).with_context(
        quantity=quantity, model=model.name, parameters=model.plain_parameters())


__all__ = [
    "AdaptiveProofreading", "AdaptiveSorting", "CellModel", "Derivation", "ESCAPE_CLASSES",
    "KineticProofreading", "L", "N", "Parameter", "QUANTITIES", "SHP1", "SharedVariable",
    "Step", "SumForm", "T", "create_model", "derive", "derive_critical_binding_time",
    "derive_decision_boundary", "derive_fold_change", "derive_inflection_binding_time",
    "derive_linear_weight", "escape_class", "gradient_L", "gradient_tau", "hessian_explicit",
    "hessian_structural", "intensive_gradient", "ligand_symbols", "m", "model_names",
    "model_spec", "register_model", "small_tau_exponent", "tau", "tau_c", "unregister_model",
]
