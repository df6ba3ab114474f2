"""One grammar for every option that takes ranges of values, and the limit on what it
builds.

An option that takes several values (``--seeds``, ``sweep --N --m --tau-c --grid``,
``steady --tau --L``) reads comma-separated items, each one of::

    x            one number                                      2.5
    a:b          the integers a, a+1, ..., b (both ends kept)    0:9   (ten values)
    lin:a:b:n    n evenly spaced values from a to b, both kept   lin:0.5:2:4 = 0.5, 1, 1.5, 2
    log:a:b:n    n log-spaced values from a to b, both kept      log:0.1:10:3 = 0.1, 1, 10

Items are counted before any value is built: an axis (one option) holds at most
:data:`MAX_RANGE_VALUES` values, and :func:`grid_points` refuses a grid (every combination
of several axes) of more than its limit, from the product of the counts.  So
``--seeds 0:150000000`` is refused in microseconds, not after a list of 150 million
integers.

Older forms are kept for one release where an option took them, each with a note
(:class:`RangeWarning`, or the ``note`` callback) that gives the new spelling:

- ``a:b:n`` of ``steady --tau/--L`` (``legacy="log"``): n log-spaced values, now
  ``log:a:b:n``;
- ``a:b:step`` of ``sweep`` (``legacy="step"``): a, a + step, ... up to b, now
  ``lin:a:b':n``; and ``a:b`` with non-integer ends there (step 1);
- ``--seeds a:b`` (``legacy="exclusive"``) used to leave b out, Python style; it now
  keeps b (``0:9`` is the old ``0:10``), and the note says so.

Numbers are read by the strict reader (:mod:`.parsing`): nothing is evaluated.

>>> axis_values("1:3,10", "--N")
[1.0, 2.0, 3.0, 10.0]
>>> axis_values("log:1:100:3", "--tau")
[1.0, 10.0, 100.0]
>>> parse_axis("0:150000000", "--seeds", integer=True)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
antagonism._core.errors.LimitError: --seeds '0:150000000' has 150000001 values; at most 10000
"""
from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass
from fractions import Fraction

from .errors import InputError, LimitError
from .parsing import parse_fraction

#: most values one option may hold (counted before any is built)
MAX_RANGE_VALUES = 10_000
#: most points of a grid of several options (the product of their counts)
MAX_GRID_POINTS = 100_000
#: the grammar in one line, for help texts and messages
GRAMMAR = ("comma-separated numbers and ranges: a:b (the integers a..b, both kept), "
           "lin:a:b:n or log:a:b:n (n evenly or log-spaced values from a to b, both kept)")

_INTEGER = re.compile(r"[+-]?[0-9]{1,18}", re.ASCII)
_SPACED = ("lin", "log")


class RangeWarning(FutureWarning):
    """An older range form, still accepted for one release; the message gives the new
    spelling."""


@dataclass(frozen=True)
class _Item:
    """One comma-separated item, counted but not built: ``kind`` is "value", "ints",
    "lin", "log" or "step"; ``a``, ``b``, ``c`` its numbers (Fractions; ``c`` the count of
    lin/log or the step of "step"); ``count`` how many values it makes."""

    kind: str
    a: Fraction
    b: Fraction = None
    c: Fraction = None
    count: int = 1

    def values(self, integer):
        if self.kind == "value":
            return [int(self.a) if integer else float(self.a)]
        if self.kind == "ints":
            lo = int(self.a)
            return [lo + k if integer else float(lo + k) for k in range(self.count)]
        if self.kind == "step":  # as the old sweep grid did: a + k * step, in floats
            lo, step = float(self.a), float(self.c)
            return [lo + k * step for k in range(self.count)]
        if self.kind == "lin":  # exact, then rounded once: never beyond the ends
            span, last = self.b - self.a, self.count - 1
            return [float(self.a + span * Fraction(k, last)) for k in range(self.count)]
        import numpy as np

        return np.geomspace(float(self.a), float(self.b), self.count).tolist()


@dataclass(frozen=True)
class Axis:
    """The parsed values of one option, not yet built.

    Attributes
    ----------
    name : str -- the option (``--seeds``), for messages
    text : str -- what the user typed
    items : tuple -- the comma-separated items
    count : int -- how many values the items make (before duplicates are dropped)
    integer : bool -- values are ints (seeds), else floats
    """

    name: str
    text: str
    items: tuple
    count: int
    integer: bool = False

    def values(self):
        """The values in the order given, each once (the first occurrence kept)."""
        out = []
        for item in self.items:
            out += item.values(self.integer)
        return list(dict.fromkeys(out))


def _real(text, name):
    """A number item or end, exactly (a Fraction), whose float is finite."""
    value = parse_fraction(text, name)
    try:
        float(value)
    except OverflowError:
        raise InputError(f"{name} must be a finite number, got {text!r}") from None
    return value


def _whole(text, name, what=None):
    """An integer item, end or count: integer text of at most 18 digits."""
    t = text.strip()
    if not _INTEGER.fullmatch(t):
        raise InputError(f"{name}: {what} must be an integer, got {text!r}" if what else
                         f"{name} takes integers: a list 0,1,2 or a range a:b, got {text!r}")
    return int(t)


def _spaced(part, bits, name, integer):
    kind = bits[0].strip().lower()
    if integer:
        raise InputError(f"{name} takes integers: a list 0,1,2 or a range a:b, got {part!r}")
    if len(bits) != 4:
        raise InputError(f"{name}: {kind}:a:b:n takes two ends and a count, got {part!r}")
    a, b = _real(bits[1], name), _real(bits[2], name)
    n = _whole(bits[3], name, f"the count n of {kind}:a:b:n")
    if n < 2:
        raise InputError(f"{name}: {kind}:a:b:n needs n >= 2, got {part!r}")
    if kind == "log" and not (a > 0 and b > 0):
        raise InputError(f"{name}: log:a:b:n needs a, b > 0, got {part!r}")
    return _Item(kind, a, b, Fraction(n), n)


def _legacy_three(part, bits, name, legacy, notes):
    """``a:b:c``: n log-spaced values (legacy "log") or a step (legacy "step")."""
    a, b = _real(bits[0], name), _real(bits[1], name)
    if legacy == "log":
        n = _whole(bits[2], name, "the count n of a:b:n")
        if n < 2 or not (a > 0 and b > 0):
            raise InputError(f"{name}: a range log:a:b:n needs a, b > 0 and an integer "
                             f"n >= 2, got {part!r}")
        notes.append(f"{name} {part}: a:b:n is the old spelling of log:{part.strip()} "
                    f"({n} log-spaced values from a to b); write log:a:b:n, the old form "
                    "goes in a future release")
        return _Item("log", a, b, Fraction(n), n)
    step = _real(bits[2], name)
    if step <= 0 or b < a:
        raise InputError(f"{name}: a range a:b:step needs a <= b and step > 0, got {part!r}")
    return _stepped(part, a, b, step, name, notes)


def _stepped(part, a, b, step, name, notes):
    count = math.floor((b - a) / step) + 1  # exact (Fractions): no list is built
    last = a + (count - 1) * step
    notes.append(f"{name} {part}: a:b:step is an old form (a, a + step, ... up to b); write "
                f"lin:{_show(a)}:{_show(last)}:{count}" if count >= 2 else
                f"{name} {part}: a:b:step is an old form; write {_show(a)}")
    return _Item("step", a, b, step, count)


def _show(value):
    return str(int(value)) if value.denominator == 1 else repr(float(value))


def _item(part, name, integer, legacy, notes):
    bits = part.split(":")
    head = bits[0].strip().lower()
    if head in _SPACED:
        return _spaced(part, bits, name, integer)
    if len(bits) == 1:
        if integer:
            return _Item("value", Fraction(_whole(part, name)))
        return _Item("value", _real(part, name))
    if len(bits) == 3 and legacy in ("log", "step") and not integer:
        return _legacy_three(part, bits, name, legacy, notes)
    if len(bits) != 2:
        raise InputError(f"{name}: a range is a:b, lin:a:b:n or log:a:b:n, got {part!r}")
    if integer:
        a, b = (Fraction(_whole(x, name)) for x in bits)
    else:
        a, b = _real(bits[0], name), _real(bits[1], name)
    if a.denominator != 1 or b.denominator != 1:
        if legacy == "step" and a <= b:
            return _stepped(part, a, b, Fraction(1), name, notes)
        raise InputError(f"{name}: a:b is a range of integers, got {part!r}; for other "
                         f"values write lin:a:b:n or log:a:b:n")
    if b < a:
        raise InputError(f"{name}: a range a:b needs a <= b, got {part!r}")
    if legacy == "exclusive":
        notes.append(f"{name} {part}: a:b now includes b ({int(b - a) + 1} values, "
                    f"{int(a)}..{int(b)}); until this release it left b out: the seeds of the "
                    f"old {int(a)}:{int(b)} are now written {int(a)}:{int(b) - 1}")
    return _Item("ints", a, b, None, int(b - a) + 1)


def parse_axis(text, name="value", *, integer=False, legacy=None, note=None,
               max_values=MAX_RANGE_VALUES):
    """Parse one option's values (the grammar of the module docstring) into an
    :class:`Axis`, counted but not built.

    ``integer``: whole numbers only (seeds), returned as ints; ``legacy``: the old form
    this option accepted ("log", "step" or "exclusive", see the module docstring), each use
    reported through ``note(message)`` (default: a :class:`RangeWarning`).  Raises
    :class:`~.errors.InputError` for text outside the grammar and
    :class:`~.errors.LimitError` when the items make more than ``max_values`` values."""
    if not isinstance(text, str):
        raise InputError(f"{name} must be given as text here, got {text!r}")
    parts = [p.strip() for p in text.split(",")]
    parts = [p for p in parts if p]
    if not parts:
        raise InputError(f"{name} is empty: give a value, a list or a range")
    if len(parts) > max_values:  # before reading any item
        raise LimitError(f"{name} has {len(parts)} items; at most {max_values}")
    items, count, notes = [], 0, []
    for part in parts:
        item = _item(part, name, integer, legacy, notes)
        items.append(item)
        count += item.count
    if count > max_values:
        shown = text if len(text) <= 60 else text[:57] + "..."
        raise LimitError(f"{name} {shown!r} has {count} values; at most {max_values}")
    for message in notes:  # once the whole option is accepted: an error stays one line
        if note is None:
            warnings.warn(message, RangeWarning, stacklevel=2)
        else:
            note(message)
    return Axis(name, text, tuple(items), count, integer)


def axis_values(text, name="value", **options):
    """The values of :func:`parse_axis` (same arguments), built: a list."""
    return parse_axis(text, name, **options).values()


def grid_points(axes, max_points=MAX_GRID_POINTS, what="the grid"):
    """The number of points of the grid of ``axes`` (every combination), checked against
    ``max_points`` from the counts alone, before any point is built; a
    :class:`~.errors.LimitError` names the axes beyond it."""
    axes = list(axes)
    total = math.prod(a.count for a in axes)
    if total > max_points:
        sizes = " x ".join(f"{a.count} ({a.name})" for a in axes)
        raise LimitError(f"{what} has {sizes} = {total} points; at most {max_points}")
    return total


__all__ = ["GRAMMAR", "MAX_GRID_POINTS", "MAX_RANGE_VALUES", "Axis", "RangeWarning",
           "axis_values", "grid_points", "parse_axis"]
