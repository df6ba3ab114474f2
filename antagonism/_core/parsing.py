"""The strict reader of numbers that users type: nothing is evaluated.

:func:`parse_fraction` reads an integer, a decimal number (``2.5``, ``1e-3``) or a fraction
of integers (``7/2``) with regular expressions and converts it exactly with
``fractions.Fraction``; :func:`parse_float` rounds that to the nearest double.  Anything
else (expressions, ``nan``, ``inf``, ``1_0``, Unicode digits) is refused with an
:class:`~antagonism._core.errors.InputError` naming the value.

>>> parse_float("1e-3")
0.001
>>> parse_fraction("7/2")
Fraction(7, 2)
>>> parse_float("1_0")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
antagonism._core.errors.InputError: value must be a number (...), got '1_0'
"""
import math
import re
from fractions import Fraction

from .errors import InputError, LimitError

#: longest accepted number text (a double has 17 significant digits)
MAX_NUMBER_CHARS = 40
#: largest decimal exponent accepted in number text (doubles end near 1e308)
MAX_DECIMAL_EXPONENT = 400
# ASCII only: no Unicode digits or letters
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?", re.ASCII)
_FRACTION = re.compile(r"([+-]?\d+)/([+-]?\d+)", re.ASCII)
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*", re.ASCII)
NON_FINITE = {"nan", "+nan", "-nan", "inf", "+inf", "-inf", "infinity", "+infinity",
               "-infinity"}


def parse_fraction(text, name="value"):
    """The exact value of number text as a ``fractions.Fraction`` (see :func:`parse_number`)."""
    if not isinstance(text, str):
        raise InputError(f"{name} must be given as text here, got {text!r}")
    t = text.strip()
    if len(t) > MAX_NUMBER_CHARS:
        raise LimitError(f"{name}: number text longer than {MAX_NUMBER_CHARS} characters "
                         f"({len(t)})")
    if t.lower() in NON_FINITE:
        raise InputError(f"{name} must be a finite number, got {text!r}")
    match = _DECIMAL.fullmatch(t)
    if match:
        if match.group(1) is not None and abs(int(match.group(1))) > MAX_DECIMAL_EXPONENT:
            raise LimitError(f"{name}: decimal exponent beyond +-{MAX_DECIMAL_EXPONENT} in "
                             f"{text!r}")
        return Fraction(t)  # the standard library's decimal reader: no sympy, no eval
    match = _FRACTION.fullmatch(t.replace(" ", ""))
    if match:
        den = int(match.group(2))
        if den == 0:
            raise InputError(f"{name}: zero denominator in {text!r}")
        return Fraction(int(match.group(1)), den)
    raise InputError(f"{name} must be a number (integer, decimal or fraction a/b), "
                     f"got {text!r}")


def parse_float(text, name="value"):
    """A finite float from user text (read as :func:`parse_number` reads it, then rounded
    correctly to the nearest double)."""
    try:
        value = float(parse_fraction(text, name))
    except OverflowError:
        value = math.inf
    if not math.isfinite(value):
        raise InputError(f"{name} must be a finite number, got {text!r}")
    return value


__all__ = ["IDENTIFIER", "MAX_DECIMAL_EXPONENT", "MAX_NUMBER_CHARS", "NON_FINITE", "parse_float",
           "parse_fraction"]
