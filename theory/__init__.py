"""User-facing analytic results, computed from the closed forms that `derivations` derives.

- :func:`classify_regime` -- the regime of T_{N,m} or kinetic proofreading, with reasons.
- :func:`classify_output` -- the same classification for any user-supplied output.
- :func:`critical_binding_time`, :func:`inflection_binding_time` -- tau* and tau_infl at T.
- :func:`linear_weight`, :func:`decision_boundary`, :func:`fold_change` -- numeric versions
  of the derived boundary and fold-change formulas (numpy arrays in, arrays out).
"""
from .result import Result
from .closed_forms import (
    critical_binding_time,
    inflection_binding_time,
    linear_weight,
    decision_boundary,
    fold_change,
    adaptive_output,
)
from .regimes import classify_regime, regime_table, RegimeResult
from .general import classify_output

__all__ = [
    "Result", "RegimeResult",
    "critical_binding_time", "inflection_binding_time",
    "linear_weight", "decision_boundary", "fold_change", "adaptive_output",
    "classify_regime", "regime_table", "classify_output",
]
