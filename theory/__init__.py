"""User-facing analytic results, computed from the closed forms that `derivations` derives.

Every function takes a cell model (:class:`antagonism.derivations.CellModel` with numeric
parameters), e.g. ``AdaptiveProofreading(5, 3, tau_c=3)`` or ``create_model("shp1", m=2)``.

- :func:`classify` -- the regime of any model (closed form where derived, numeric otherwise),
  with reasons; :func:`classify_regime` -- the same for a registered model by name.
- :func:`classify_output`, :func:`classify_gradient` -- for a user's sympy output or a
  numeric gradient.
- :func:`critical_binding_time`, :func:`inflection_binding_time` -- tau* and tau_infl at T.
- :func:`linear_weight`, :func:`decision_boundary`, :func:`fold_change`,
  :func:`two_type_output` -- numeric versions of the derived formulas (arrays in and out).
- :func:`model_evaluator` -- steady states and exact gradients of any model on a ligand set.
- :func:`gamma` -- the per-molecule gradient gamma(tau) of a dilute probe next to a
  background of ligands.
- :func:`antagonism_strength` -- the smallest fold change antagonists of one binding time
  reach within a dose budget (antagonism measured by its size).
- :func:`threshold_binding_time` -- the threshold over doses at a response level (default
  F(tau_c, L_ref) for every model), derived from the model's steady state, and the band of
  levels at which it discriminates absolutely.
"""
import importlib

_EXPORTS = {
    "Result": "result", "RegimeResult": "result",
    "critical_binding_time": "closed_forms", "inflection_binding_time": "closed_forms",
    "linear_weight": "closed_forms", "decision_boundary": "closed_forms",
    "fold_change": "closed_forms", "two_type_output": "closed_forms",
    "classify": "regimes", "classify_regime": "regimes", "regime_table": "regimes",
    "classify_output": "general", "classify_gradient": "general", "classify_gamma": "general",
    "model_evaluator": "evaluation", "SteadyState": "evaluation", "Gradient": "evaluation",
    "gamma": "per_molecule", "GammaResult": "per_molecule",
    "antagonism_strength": "strength", "StrengthResult": "strength",
    "threshold_binding_time": "threshold", "ThresholdResult": "threshold",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):  # lazy: importing a light submodule does not pull in sympy
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
