"""Result objects in the style of :class:`scipy.optimize.OptimizeResult`."""
from __future__ import annotations

import math

import numpy as np


def _jsonable(value):
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) else value
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


class Result(dict):
    """A dictionary with attribute access, like scipy's ``OptimizeResult``.

    Subclasses document their keys.  ``to_dict()`` returns a JSON-serialisable copy
    (numpy values become Python numbers, NaN becomes None, sympy objects become strings).
    """

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError as exc:
            raise AttributeError(name) from exc

    def __setattr__(self, name, value):
        self[name] = value

    __delattr__ = dict.__delitem__

    def __dir__(self):
        return list(self.keys())

    def __repr__(self):
        if not self:
            return f"{type(self).__name__}()"
        width = max(map(len, self.keys())) + 1
        lines = []
        for key, value in self.items():
            text = repr(value)
            if len(text) > 200:
                text = text[:197] + "..."
            lines.append(f"{key.rjust(width)}: {text}")
        return "\n".join(lines)

    def to_dict(self, keys=None):
        """JSON-serialisable copy, optionally restricted to ``keys``."""
        items = self.items() if keys is None else ((k, self[k]) for k in keys)
        return {k: _jsonable(v) for k, v in items}


class RegimeResult(Result):
    """Regime of a model.

    Keys
    ----
    model : str -- the model's registry name
    parameters : dict -- its parameters, under this key only (never flattened: a model
        parameter may be named like a field); tau_c : float -- its threshold binding time
    method : {"symbolic", "numeric"} -- how the critical points were found
    regime : {"broad", "specialized"}
    antagonism : bool -- whether some sub-threshold ligand lowers the output
    gradient_critical_point : bool -- interior extremum of the antagonistic gradient
    tau_star : float or None -- strongest antagonist (s; at T = 1 for T_{N,m})
    tau_star_over_tau_c : float or None -- tau* / tau_c (tau_c the model's threshold binding
        time; tau* is sought up to the model's reference agonists)
    tau_inflection : float or None -- gradient extremum
    small_tau_exponent : float -- p in gamma(tau) ~ tau^p as tau -> 0
    effective_m : float or None -- p + 1 when the leading term is antagonistic
    escape : {"finite-time", "exponential", "frozen", "pushed-to-zero"}
    reasons : list of str
    derivations : dict of name -> Derivation (not serialised by ``to_dict``)
    """

    def to_dict(self, keys=None):
        keys = keys or [k for k in self.keys() if k != "derivations"]
        return super().to_dict(keys)
