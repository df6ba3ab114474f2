"""Pure-sympy derivations for proofreading models of T-cell ligand discrimination.

Models are symbolic objects; every closed form used elsewhere in the package is
*derived* here from a model's output and recorded step by step in a
:class:`~antagonism.derivations.derivation.Derivation`.  No numerics live here.

Main entry points
-----------------
- :class:`AdaptiveProofreading` -- T_{N,m} = S_N / (tau_c^{N-m} S_m), S_k = sum_i L_i tau_i^k.
- :class:`KineticProofreading` -- McKeithan's chain, steady state C_N and R_b.
- :mod:`.gradients` -- ligand gradients and Hessians for any number of ligands.
- :mod:`.critical_points` -- tau*, tau_infl and the condition for the latter.
- :mod:`.boundary` -- linear-classifier weight w(tau), boundary L_2*, fold change.
- :mod:`.escape` -- the small-tau exponent of the gradient and the escape class.
"""
from .adaptive import AdaptiveProofreading
from .boundary import decision_boundary, fold_change, linear_weight
from .critical_points import critical_binding_time, inflection_binding_time
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
from .symbols import L, N, T, ligand_symbols, m, tau, tau_c

__all__ = [
    "ESCAPE_CLASSES",
    "AdaptiveProofreading",
    "Derivation",
    "KineticProofreading",
    "L",
    "N",
    "Step",
    "T",
    "critical_binding_time",
    "decision_boundary",
    "escape_class",
    "fold_change",
    "gradient_L",
    "gradient_tau",
    "hessian_explicit",
    "hessian_structural",
    "inflection_binding_time",
    "intensive_gradient",
    "ligand_symbols",
    "linear_weight",
    "m",
    "small_tau_exponent",
    "tau",
    "tau_c",
]
