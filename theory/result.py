"""Result objects in the style of :class:`scipy.optimize.OptimizeResult`."""
from __future__ import annotations

import json
import math

import numpy as np

NULL_REASONS = "null_reasons"


def _jsonable(value, reasons=None, path=""):
    """A JSON-serialisable copy of ``value``: numpy values become Python numbers, sympy
    objects strings, and a non-finite float becomes None.  Each dict that holds such a None
    says why in its ``null_reasons`` entry ({"key": "+inf" | "-inf" | "nan"}), so the JSON is
    strict (no ``NaN``/``Infinity`` tokens) and nothing is lost silently."""
    if isinstance(value, Result):
        value = {k: value[k] for k in value._serialised_keys()}
    if isinstance(value, dict):
        local = {}
        out = {str(k): _jsonable(v, local, str(k)) for k, v in value.items()}
        if local:
            out[NULL_REASONS] = {**out.get(NULL_REASONS, {}), **local}
        return out
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, reasons, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist(), reasons, path)
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        if math.isfinite(value):
            return value
        if reasons is not None:
            reasons[path or "value"] = "nan" if math.isnan(value) else (
                "+inf" if value > 0 else "-inf")
        return None
    if value is None or isinstance(value, (int, str)):
        return value
    return str(value)


def to_json(payload, **kwargs) -> str:
    """Strict JSON text of ``payload`` (see :func:`_jsonable`): never ``NaN`` or
    ``Infinity``, which are not JSON; a non-finite number is null with its reason."""
    return json.dumps(_jsonable(payload), allow_nan=False, **kwargs)


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

    def _serialised_keys(self):
        """The keys ``to_dict`` writes (all by default)."""
        return list(self.keys())

    def to_dict(self, keys=None):
        """JSON-serialisable copy, optionally restricted to ``keys``; a non-finite number
        becomes None and is explained in ``null_reasons``."""
        keys = self._serialised_keys() if keys is None else keys
        return _jsonable({k: self[k] for k in keys})


class RegimeResult(Result):
    """Regime of a model.

    Keys
    ----
    model : str -- the model's registry name
    parameters : dict -- its parameters, under this key only (never flattened: a model
        parameter may be named like a field); tau_c : float -- its threshold binding time
    method : {"symbolic", "numeric"} -- how the critical points were found
    regime : {"broad", "specialized"} -- the shape of the per-ligand gradient gamma(tau):
        specialized iff it has a critical point (tau_infl) below tau*
    verdict : {"no antagonism", "broad antagonism", "specialized antagonism"} -- the regime
        when antagonism is true, "no antagonism" otherwise
    antagonism : bool -- antagonism_strength < tolerance
    antagonism_strength : float -- the smallest fold change of the reference agonists'
        response that antagonists of one binding time reach within the dose budget
    strength : StrengthResult -- its tau, dose, budget, reference agonists
        (:mod:`antagonism.theory.strength`)
    tolerance : float
    gradient_antagonistic : bool -- whether some probe has a negative tau-gradient (its sign
        only: not a verdict)
    threshold_binding_time : float or None -- tau at which the reference dose crosses the
        model's response threshold, from its steady state; None when the model has no
        dose-independent threshold
    threshold : ThresholdResult -- the level, its definition and the crossings at two doses
        (:mod:`antagonism.theory.threshold`)
    tau_star_over_tau_threshold, tau_inflection_over_tau_threshold : float or None
    cause : str -- what makes the verdict, with its numbers
    gradient_critical_point : bool -- interior extremum of the antagonistic gradient
    tau_star : float or None -- zero of the per-ligand tau-gradient (s), computed at
        ``tau_star_at``
    tau_star_at : str -- the background tau* and tau_infl were computed at: the decision
        boundary (closed forms) or a dilute probe next to the reference agonists
    tau_star_over_tau_c : float or None -- tau* / tau_c, tau_c the model's nominal
        (declared) threshold binding time
    tau_inflection : float or None -- gradient extremum
    small_tau_exponent : float -- p in gamma(tau) ~ tau^p as tau -> 0
    effective_m : float or None -- p + 1 when the leading term is antagonistic
    effective_m_note : str -- present when a model predicts another effective m (SHP-1)
    escape : {"finite-time", "exponential", "frozen", "pushed-to-zero"}
    reasons : list of str
    derivations : dict of name -> Derivation (not serialised by ``to_dict``)
    """

    def _serialised_keys(self):
        return [k for k in self.keys() if k != "derivations"]
