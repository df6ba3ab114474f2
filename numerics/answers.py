"""Answers given before: a command's result stored as verified data, so that asking the same
question again reads a file instead of importing sympy, scipy and numba.

An answer is stored in the package's one cache (:mod:`.cache`, kind ``answers``) as JSON
data, never code, with a signed manifest (:func:`~.cache.save_verified`,
:func:`~.cache.load_verified`: a corrupt or forged entry is moved aside and the answer is
computed again).  Its name is a SHA-256 of its *context*:

- the *request*, plain data from the caller naming everything the answer depends on: the
  command, the model (a built-in model's name and the parameters given, or a model file's
  path and SHA-256 with its overrides and designations) and every option;
- the package's code version (:func:`~.cache.code_version` of every source file of every
  layer: any change of the code computes every answer again);
- the Python version and the installed versions of the numerical libraries
  (:func:`library_versions`);
- whether it is one value (:func:`stored_answer`) or rows (:func:`stored_rows`), and the
  format of the stored data.

The stored entry repeats its context, and an entry whose context differs is not served.
Only complete answers are stored (a computation that raises stores nothing), and only
answers that come back exactly: the value is encoded with its types (dicts, lists,
tuples, strings, numbers, booleans, None; a :class:`~antagonism._core.result.Result` with
its class, which must be importable from the package), decoded again before it is stored,
and a result is stored only if the decoded copy renders the same JSON and text (rows:
each row).  Nested
results come back as plain :class:`~antagonism._core.result.Result` objects (their keys,
values and attribute access unchanged), so reading an answer imports only the module of the
top-level result's class.

>>> from antagonism._core.result import Result
>>> data = encode(Result(x=1.5, pair=(1, 2), note=None))
>>> data
['r', 'antagonism._core.result:Result', {'x': 1.5, 'pair': ['t', [1, 2]], 'note': None}]
>>> decode(data).pair
(1, 2)

``stored_answer({"command": "classify", ...}, compute)`` returns the stored answer, or
``compute()``'s, which it stores.
"""
from __future__ import annotations

import hashlib
import importlib
import json
import os
import sys
from functools import cache as cache_result
from types import MappingProxyType

from antagonism._core.result import Result, to_json

from . import cache

#: the stored data's format; a change makes every older answer unreachable
FORMAT = 1
#: the source the answers are computed by: every layer of the package
PACKAGES = ("antagonism._core", "antagonism.errors", "antagonism.derivations", "antagonism.io",
            "antagonism.theory", "antagonism.numerics", "antagonism.cli")
#: the distributions whose versions are part of every answer's context
LIBRARIES = ("numpy", "scipy", "sympy", "mpmath", "numba", "llvmlite", "antimony",
             "python-libsbml")


class NotStorable(TypeError):
    """A value that does not come back exactly from JSON data (an array, a numpy integer,
    a dict with keys other than strings, an object): it is returned, not stored."""


@cache_result
def library_versions(names=LIBRARIES):
    """{distribution: version or None} of the installed libraries ``names``, read from the
    names of their metadata folders (``numpy-2.4.6.dist-info``) on ``sys.path``, the first
    found for each, as the import system would find them (importing
    :mod:`importlib.metadata` takes longer than reading a stored answer)."""
    wanted = {n.lower().replace("-", "_"): n for n in names}
    found = {}
    for folder in sys.path:
        try:
            entries = os.listdir(folder or ".")
        except OSError:
            continue
        for entry in entries:
            if not entry.endswith(".dist-info"):
                continue
            name, _, version = entry[:-len(".dist-info")].partition("-")
            key = name.lower().replace("-", "_").replace(".", "_")
            if key in wanted and wanted[key] not in found:
                found[wanted[key]] = version
    return MappingProxyType({n: found.get(n) for n in names})


def context(request, rows=False):
    """Everything an answer to ``request`` (a value, or ``rows``) depends on (see the module
    docstring)."""
    return {"format": FORMAT, "request": request, "rows": bool(rows),
            "code": cache.code_version(*PACKAGES),
            "python": sys.version, "libraries": dict(library_versions())}


def answer_key(request, rows=False):
    """The entry name (32 hex digits of a SHA-256) of the answer to ``request``."""
    return _digest(context(request, rows))


def _digest(ctx):
    text = json.dumps(ctx, sort_keys=True, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# -- encoding -------------------------------------------------------------------------------
def encode(value, top=True):
    """``value`` as JSON data that records its types: ``["d", {...}]`` a dict (string keys),
    ``["l", [...]]`` a list, ``["t", [...]]`` a tuple, ``["r", "module:Class", {...}]`` the
    top-level :class:`Result` (its serialised keys; a class of the package),
    ``["r", null, {...}]`` a nested one;
    strings, integers, floats (NaN and infinities included), booleans and None as
    themselves.  Anything else raises :class:`NotStorable`."""
    if isinstance(value, Result):
        kind = type(value)
        name = f"{kind.__module__}:{kind.__qualname__}" if top else None
        if top and (not kind.__module__.startswith("antagonism.") or "<" in kind.__qualname__):
            raise NotStorable(f"the result class {name} is not the package's")
        return ["r", name, {_key(k): encode(value[k], False) for k in value._serialised_keys()}]
    if type(value) is dict:
        return ["d", {_key(k): encode(v, False) for k, v in value.items()}]
    if type(value) in (list, tuple):
        return ["l" if type(value) is list else "t", [encode(v, False) for v in value]]
    if value is None or type(value) in (bool, int, str):
        return value
    if isinstance(value, float):  # numpy's float64 too: it prints and compares as a float
        return float(value)
    raise NotStorable(f"a {type(value).__name__} is not stored as an answer")


def _key(k):
    if type(k) is not str:
        raise NotStorable(f"a dict key {k!r} that is not a string")
    return k


def decode(data):
    """The value :func:`encode` recorded (a :class:`Result`'s class is imported by name from
    the package; anything else is refused with ``ValueError``)."""
    if not isinstance(data, list):
        if data is None or type(data) in (bool, int, float, str):
            return data
        raise ValueError(f"not an encoded answer: {type(data).__name__}")
    tag, *rest = data
    if tag == "d":
        return {k: decode(v) for k, v in rest[0].items()}
    if tag in ("l", "t"):
        items = [decode(v) for v in rest[0]]
        return items if tag == "l" else tuple(items)
    if tag == "r":
        kind = Result if rest[0] is None else _result_class(rest[0])
        return kind({k: decode(v) for k, v in rest[1].items()})
    raise ValueError(f"not an encoded answer: tag {tag!r}")


def _result_class(name):
    module, _, qualname = str(name).partition(":")
    if not module.startswith("antagonism."):
        raise ValueError(f"a result class outside the package: {name}")
    kind = importlib.import_module(module)
    for part in qualname.split("."):
        kind = getattr(kind, part)
    if not (isinstance(kind, type) and issubclass(kind, Result)):
        raise ValueError(f"{name} is not a Result class")
    return kind


def _renders_the_same(value, copy):
    """Whether the decoded ``copy`` prints as ``value`` does: the same JSON (both), the same
    text (a Result)."""
    if to_json(value) != to_json(copy):
        return False
    return not isinstance(value, Result) or value.to_text() == copy.to_text()


# -- the store ------------------------------------------------------------------------------
class _Entry:
    """The stored answer of one request: its file in the cache, its context."""

    def __init__(self, request, rows=False):
        self.request, self.rows = request, rows
        self.context = context(request, rows)
        self.name = _digest(self.context)
        folder = cache.usable_dir("answers")
        self.path = None if folder is None else folder / f"{self.name}.json"

    @classmethod
    def asked(cls, request, rows=False):
        """The entry of ``request`` (or of what the function ``request`` returns), or None
        for no request."""
        request = request() if callable(request) else request
        return None if request is None else cls(request, rows)

    def load(self):
        """The decoded answer, or None (missing, refused, or another context)."""
        if self.path is None:
            return None

        def read(path):
            record = json.loads(path.read_text())
            if record.get("context") != self.context:
                raise ValueError("the entry holds the answer to another question")
            return decode(record["answer"])

        return cache.load_verified(self.path, read)

    def save(self, value, ask=None):
        """Store ``value`` (for rows, a list of them, each encoded as a top-level value) if
        it comes back exactly (see :func:`encode`) and the function ``ask``, when given,
        still asks the same question; else nothing."""
        if self.path is None or (callable(ask) and ask() != self.request):
            return False
        rows = self.rows
        values = list(value) if rows else [value]
        try:
            data = ["l", [encode(v) for v in values]] if rows else encode(value)
        except NotStorable:
            return False
        copy = decode(json.loads(json.dumps(data)))
        if not all(_renders_the_same(v, c)
                   for v, c in zip(values, copy if rows else [copy], strict=True)):
            return False
        text = json.dumps({"context": self.context, "answer": data}).encode()
        return cache.save_verified(self.path, lambda f: f.write(text))


def stored_answer(request, compute):
    """The answer to ``request``: the stored one, else ``compute()``, stored when it comes
    back exactly.  ``request`` is plain JSON data naming everything the answer depends on
    besides the package's code and libraries (see the module docstring), None (compute,
    store nothing), or a function returning either: it is asked again after the computation
    and the answer is stored only if the question is unchanged (a model file edited while
    it was read)."""
    entry = _Entry.asked(request)
    if entry is None:
        return compute()
    found = entry.load()
    if found is not None:
        return found
    value = compute()
    entry.save(value, request)
    return value


def stored_rows(request, produce):
    """The rows of ``request``, one at a time: the stored ones, else those ``produce()``
    yields, as it yields them, stored as one answer once the last is produced (a run
    stopped early stores nothing).  ``request`` as in :func:`stored_answer`."""
    entry = _Entry.asked(request, rows=True)
    if entry is None:
        yield from produce()
        return
    found = entry.load()
    if found is not None:
        yield from found
        return
    rows = []
    for row in produce():
        rows.append(row)
        yield row
    entry.save(rows, request)


__all__ = ["FORMAT", "LIBRARIES", "NotStorable", "PACKAGES", "answer_key", "context", "decode",
           "encode", "library_versions", "stored_answer", "stored_rows"]
