"""User-facing analytic results, computed from the closed forms that `derivations` derives.

- :func:`classify_regime` -- the regime of T_{N,m} or kinetic proofreading, with reasons.
- :func:`classify_output` -- the same classification for any user-supplied output.
- :func:`critical_binding_time`, :func:`inflection_binding_time` -- tau* and tau_infl at T.
- :func:`linear_weight`, :func:`decision_boundary`, :func:`fold_change` -- numeric versions
  of the derived boundary and fold-change formulas (numpy arrays in, arrays out).
"""
from .closed_forms import (
    adaptive_output,
    critical_binding_time,
    decision_boundary,
    fold_change,
    inflection_binding_time,
    linear_weight,
)
from .general import classify_output
from .regimes import RegimeResult, classify_regime, regime_table
from .result import Result

__all__ = [
    "RegimeResult",
    "Result",
    "adaptive_output",
    "classify_output",
    "classify_regime",
    "critical_binding_time",
    "decision_boundary",
    "fold_change",
    "inflection_binding_time",
    "linear_weight",
    "regime_table",
]
