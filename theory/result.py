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
