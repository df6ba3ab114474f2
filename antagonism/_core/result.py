"""Result objects in the style of :class:`scipy.optimize.OptimizeResult`, and strict JSON.

Every function of the package that returns several numbers returns a :class:`Result`: a
dict with attribute access whose subclasses document their keys.  ``to_json`` writes strict
JSON (never ``NaN`` or ``Infinity``; a non-finite number becomes null with its reason).

>>> r = Result(x=1.5, nit=3)
>>> r.x, r["nit"]
(1.5, 3)
>>> to_json({"a": float("inf")})
'{"a": null, "null_reasons": {"a": "+inf"}}'
"""
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


__all__ = ["NULL_REASONS", "Result", "to_json"]
