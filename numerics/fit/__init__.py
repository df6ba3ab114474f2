"""Fitting the models to measured antagonism, with posterior uncertainty.

- :func:`fit_antagonism` -- the posterior of a model's parameters given measured fold
  changes (emcee), with each draw's regime, tau* and antagonism strength, WAIC and
  convergence diagnostics: a :class:`FitResult`;
- :func:`compare_models` -- several models on the same data, ranked by WAIC;
- :func:`read_fit_data`, :func:`fit_data` -- the data, validated strictly (:mod:`.data`);
- :class:`ForwardModel` -- the fold change as a function of the free parameters;
- :func:`simulation_based_calibration` -- coverage of the intervals on data simulated from
  the prior (:mod:`.calibration`).

emcee is the optional ``fit`` extra: ``pip install 'antagonism[fit]'``.
"""
import importlib

_EXPORTS = {
    "fit_antagonism": "posterior", "compare_models": "posterior",
    "ConvergenceWarning": "posterior", "FitResult": "report",
    "ComparisonResult": "comparison", "read_fit_data": "data", "fit_data": "data",
    "parse_fit_data": "data", "write_fit_data": "data", "FitData": "data",
    "ForwardModel": "forward", "parse_prior": "priors", "Prior": "priors",
    "simulation_based_calibration": "calibration", "CalibrationResult": "calibration",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name):
    if name in _EXPORTS:
        return getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return __all__
