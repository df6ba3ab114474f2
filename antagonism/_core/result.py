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

import functools
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


#: units of the keys the commands print (parameters take theirs from the model registry)
UNITS = {
    **dict.fromkeys(("tau", "tau1", "tau2", "tau_c", "tau_min", "tau_inflection", "tau_star",
                     "tau_star_predicted", "moved_tau_median", "moved_tau_iqr", "tau2_argmin",
                     "tau_s", "strongest_tau_s", "background_tau"), "s"),
    **dict.fromkeys(("L", "L1", "L2", "R", "background_L"), "molecules"),
    "gamma": "output/s/molecule",
}
#: steady-state names that are other names of an earlier quantity (printed once)
ALIASES = ("C_N", "C_m", "R_free")


def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:.6g}"


def _value(v, unit=""):
    tail = f" {unit}" if unit else ""
    if isinstance(v, dict):
        return ", ".join(f"{k} = {_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        shown = [_number(x) for x in v[:8]]
        more = f", ... ({len(v)} values)" if len(v) > 8 else ""
        return "[" + ", ".join(shown) + more + "]" + tail
    if v is None:
        return "none"
    return _number(v) + tail


def format_fields(payload, units=None):
    """``payload`` as aligned ``key (unit): value`` lines: numbers to 6 significant digits,
    dicts as ``k = v`` lists, no key printed twice (top-level copies of ``parameters`` are
    dropped; steady-state aliases such as C_N = C_5 are merged into one line)."""
    units = {**UNITS, **(units or {})}
    params = payload.get("parameters") if isinstance(payload.get("parameters"), dict) else {}
    lines, seen = [], {}
    for k, v in payload.items():
        if k in params and k != "parameters" and v == params[k]:
            continue
        if k == "parameters":
            v = {name: _value(x, units.get(name, "")) for name, x in v.items()}
            lines.append(["parameters", ", ".join(f"{n} = {x}" for n, x in v.items())])
            continue
        if k in ALIASES and isinstance(v, float) and v in seen:
            lines[seen[v]][0] += f" = {k}"
            continue
        if isinstance(v, float):
            seen[v] = len(lines)
        unit = units.get(k, "")
        lines.append([k, _value(v, unit)])
    width = max((len(k) for k, _ in lines), default=0)
    return "\n".join(f"{k:<{width}} : {v}" for k, v in lines)


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    """The installed version of antagonism (its distribution's metadata), or "unknown"."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("antagonism")
    except PackageNotFoundError:
        return "unknown"


def stamped(payload, model=None):
    """``payload`` as JSON data with the package's ``version`` and, when ``model`` (a
    name) is given and the payload names none, ``model``; a list is stamped row by row.
    What the command line prints with ``--json``.

    >>> row = stamped({"output": 1.5}, model="shp1")
    >>> row["model"], row["version"] == package_version()
    ('shp1', True)
    """
    if isinstance(payload, (list, tuple)):
        return [stamped(p, model) for p in payload]
    if isinstance(payload, Result):
        payload = payload.to_dict()
    if not isinstance(payload, dict):
        return payload
    out = dict(payload)
    if model is not None and "model" not in out:
        out["model"] = model
    out["version"] = package_version()
    return out


class Result(dict):
    """A dictionary with attribute access, like scipy's ``OptimizeResult``.

    Subclasses document their keys.  ``to_dict()`` returns a JSON-serialisable copy
    (numpy values become Python numbers, NaN becomes None, sympy objects become strings).

    A subclass may keep renamed keys readable for one release: ``DEPRECATED_KEYS`` maps an
    old name to the path of its value now (a tuple of keys).  Reading the old name (``r.old``,
    ``r["old"]``, ``r.get("old")``) gives that value with a :class:`DeprecationWarning`; the
    old name is not a key, so ``to_dict()`` and the JSON hold the value once.

    >>> class R(Result):
    ...     DEPRECATED_KEYS = {"old": ("inner", "new")}
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as w:
    ...     warnings.simplefilter("always")
    ...     value = R(inner={"new": 2})["old"]
    >>> value, w[0].category.__name__, "old" in R(inner={"new": 2}).to_dict()
    (2, 'DeprecationWarning', False)
    """

    #: old key -> path (tuple of keys) of its value now; read with a DeprecationWarning
    DEPRECATED_KEYS: dict = {}

    def __getitem__(self, key):
        try:
            return dict.__getitem__(self, key)
        except KeyError:
            path = type(self).DEPRECATED_KEYS.get(key)
            if path is None:
                raise
        import warnings

        warnings.warn(f"{type(self).__name__}: the key {key!r} is deprecated and will be "
                      f"removed in the next release; read {'.'.join(path)} instead",
                      DeprecationWarning, stacklevel=3)
        value = self
        for part in path:
            value = value[part]
        return value

    def get(self, key, default=None):
        try:
            return self[key]
        except KeyError:
            return default

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

    def to_text(self, units=None):
        """Human-readable text: aligned ``key (unit): value`` lines of :meth:`to_dict`
        (:func:`format_fields`); subclasses with tables override it."""
        return format_fields(self.to_dict(), units)


__all__ = ["NULL_REASONS", "UNITS", "Result", "format_fields", "package_version", "stamped",
           "to_json"]
