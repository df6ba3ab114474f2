"""User-facing analytic results, computed from the closed forms that `derivations` derives.

- :func:`classify_regime` -- the regime of T_{N,m} or kinetic proofreading, with reasons.
- :func:`classify_output` -- the same classification for any user-supplied output.
- :func:`critical_binding_time`, :func:`inflection_binding_time` -- tau* and tau_infl at T.
- :func:`linear_weight`, :func:`decision_boundary`, :func:`fold_change` -- numeric versions
  of the derived boundary and fold-change formulas (numpy arrays in, arrays out).
"""
import importlib

_EXPORTS = {
    "Result": "result", "RegimeResult": "regimes",
    "critical_binding_time": "closed_forms", "inflection_binding_time": "closed_forms",
    "linear_weight": "closed_forms", "decision_boundary": "closed_forms",
    "fold_change": "closed_forms", "adaptive_output": "closed_forms",
    "classify_regime": "regimes", "regime_table": "regimes", "classify_output": "general",
    "classify_gradient": "general",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):  # lazy: importing a light submodule does not pull in sympy
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
