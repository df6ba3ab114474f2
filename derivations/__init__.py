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
from .symbols import tau, L, tau_c, T, N, m, ligand_symbols
from .derivation import Derivation, Step
from .adaptive import AdaptiveProofreading
from .kinetic import KineticProofreading
from .gradients import (
    gradient_tau,
    gradient_L,
    hessian_structural,
    hessian_explicit,
    intensive_gradient,
)
from .critical_points import critical_binding_time, inflection_binding_time
from .boundary import linear_weight, decision_boundary, fold_change
from .escape import small_tau_exponent, escape_class, ESCAPE_CLASSES

__all__ = [
    "tau", "L", "tau_c", "T", "N", "m", "ligand_symbols",
    "Derivation", "Step",
    "AdaptiveProofreading", "KineticProofreading",
    "gradient_tau", "gradient_L", "hessian_structural", "hessian_explicit",
    "intensive_gradient",
    "critical_binding_time", "inflection_binding_time",
    "linear_weight", "decision_boundary", "fold_change",
    "small_tau_exponent", "escape_class", "ESCAPE_CLASSES",
]
