"""Checks on symbolic model parameters, the strict parser of user text, and the one helper
that makes numbers exact.

Every model converts its parameters with :func:`as_parameter` (numbers become exact sympy
numbers, symbols stay symbolic, text is parsed by :func:`parse_value`) and checks them with
:func:`check_positive` and :func:`check_exponents`, which decide only what can be decided for
symbolic values.

User text is never evaluated: :func:`parse_number` reads an integer, a decimal number
(``2.5``, ``1e-3``) or a fraction of integers (``7/2``) with regular expressions, and
:func:`parse_value` also accepts a plain identifier (``N``, ``tau_c``, ``k_on``) as a sympy
symbol.  Anything else is refused with an :class:`~.errors.InputError`.
"""
import functools
import math
import numbers

import sympy as sp

from antagonism._core.errors import InputError, LimitError, ModelError
from antagonism._core.parsing import (
    IDENTIFIER,
    MAX_NUMBER_CHARS,
    NON_FINITE,
    parse_fraction,
)

from . import symbols

#: largest denominator of N, m and N - m (three decimal places); exact symbolic work on
#: exponents with larger denominators produces integers of thousands of digits
MAX_EXPONENT_DENOMINATOR = 1000
#: largest N (proofreading steps) of a numeric model
MAX_EXPONENT = 1000

def parse_number(text, name="value"):
    """An exact sympy number from user text: ``12``, ``-3``, ``2.5``, ``1e-3``, ``7/2``.

    The text is matched by regular expressions and converted exactly by
    ``fractions.Fraction``; nothing is evaluated.  Decimals are exact (``0.1`` is 1/10).
    Raises :class:`~.errors.InputError` naming ``name`` for anything else (NaN and
    infinities included) and :class:`~.errors.LimitError` for text longer than
    ``MAX_NUMBER_CHARS`` or a decimal exponent beyond ``MAX_DECIMAL_EXPONENT``.
    """
    exact = parse_fraction(text, name)
    return sp.Rational(exact.numerator, exact.denominator)


def parse_value(text, name="value"):
    """A parameter from user text: a number (:func:`parse_number`) or, for a symbolic
    parameter, a plain identifier (letters, digits, underscores; the package's own symbols
    ``N``, ``m``, ``tau_c``... by name).  Expressions are refused, never evaluated."""
    if not isinstance(text, str):
        raise InputError(f"{name} must be given as text here, got {text!r}")
    t = text.strip()
    if IDENTIFIER.fullmatch(t) and t.lower() not in NON_FINITE:
        if len(t) > MAX_NUMBER_CHARS:
            raise LimitError(f"{name}: symbol name longer than {MAX_NUMBER_CHARS} characters")
        return symbols.BY_NAME.get(t) or sp.Symbol(t)
    try:
        return parse_number(t, name)
    except LimitError:
        raise
    except InputError:
        raise InputError(f"{name} must be a number (integer, decimal or fraction a/b) or a "
                         f"plain symbol name, got {text!r}") from None


def as_sympy(value):
    """A value the package stored (sympy object or Python/numpy number) as sympy, without
    parsing text: strings are refused (use :func:`parse_value`)."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, (str, bytes)):
        raise TypeError(f"expected a sympy object or a number, got text {value!r}")
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return sp.Integer(int(value))
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return exact_number(float(value))
    if isinstance(value, (tuple, list)):
        return sp.Tuple(*(as_sympy(v) for v in value))
    raise TypeError(f"expected a sympy object or a number, got {value!r}")


def exact_number(x):
    """A real number as an exact sympy number: ints stay integers, floats become rationals.

    This is the package's one conversion from Python numbers to sympy; theory and numerics
    use it too, so a float parameter always means the same exact value.
    """
    if isinstance(x, sp.Basic):
        return x
    if isinstance(x, bool):
        raise InputError(f"expected a number, got {x!r}")
    if isinstance(x, int):
        return sp.Integer(x)
    x = float(x)
    if not math.isfinite(x):
        raise InputError(f"expected a finite number, got {x!r}")
    if x.is_integer() and abs(x) < 2**53:  # exact in binary and in decimal: the same value
        return sp.Integer(int(x))
    return _rational(x)


@functools.lru_cache(maxsize=4096)
def _rational(x):
    """``nsimplify(x, rational=True)`` of a float, once per value (it costs ~10 ms)."""
    return sp.nsimplify(x, rational=True)


def as_parameter(value, name):
    """Convert a user value (int, float, numpy number, str, sympy) for parameter ``name``."""
    if isinstance(value, sp.Basic):
        expr = value
    elif isinstance(value, bool):
        raise ModelError(f"{name} must be a number or a symbol, got {value!r}")
    elif isinstance(value, str):
        expr = parse_value(value, name)
    elif isinstance(value, numbers.Integral):
        expr = sp.Integer(int(value))
    elif isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise ModelError(f"{name} must be finite, got {name}={value!r}")
        expr = exact_number(float(value))
    else:
        raise ModelError(f"{name} must be a number or a symbol, got {value!r}")
    if expr.is_number and not expr.is_real:
        raise ModelError(f"{name} must be real, got {value!r}")
    return expr


def check_exponents(N, m):
    """Validate 0 <= m < N (only what can be decided for symbolic values)."""
    if N.is_number and not N > 0:
        raise ModelError(f"N must be positive, got N={N}")
    if m.is_number and m < 0:
        raise ModelError(f"m must be non-negative, got m={m}")
    if N.is_number and m.is_number and not m < N:
        raise ModelError(f"m must be smaller than N (0 <= m < N), got N={N}, m={m}")
    check_exponent_limits(N, m)


def check_exponent_limits(N, m):
    """Refuse numeric exponents beyond the stated limits (:class:`~.errors.LimitError`):
    N at most ``MAX_EXPONENT``, and the denominators of N, m and N - m at most
    ``MAX_EXPONENT_DENOMINATOR`` (three decimal places), beyond which exact symbolic work
    builds integers of thousands of digits."""
    if N.is_number and N > MAX_EXPONENT:
        raise LimitError(f"N must be at most {MAX_EXPONENT}, got N={N}")
    for label, v in (("N", N), ("m", m), ("N - m", N - m)):
        if v.is_Rational and v.q > MAX_EXPONENT_DENOMINATOR:
            raise LimitError(f"{label} = {float(v):.10g} has more than three decimal places "
                             f"(denominator {v.q} > {MAX_EXPONENT_DENOMINATOR}); round N "
                             "and m to three decimals")


def check_positive(value, name):
    if value.is_number and not value > 0:
        raise ModelError(f"{name} must be positive, got {name}={value}")


def check_nonnegative(value, name):
    if value.is_number and value < 0:
        raise ModelError(f"{name} must be non-negative, got {name}={value}")
