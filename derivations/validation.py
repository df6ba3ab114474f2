"""Checks on symbolic model parameters, and the one helper that makes numbers exact.

Every model converts its parameters with :func:`as_parameter` (numbers become exact sympy
numbers, strings and symbols stay symbolic) and checks them with :func:`check_positive` and
:func:`check_exponents`, which decide only what can be decided for symbolic values.
"""
import math
import numbers

import sympy as sp

from . import symbols
from .errors import InputError


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
    return sp.nsimplify(x, rational=True)


def as_parameter(value, name):
    """Convert a user value (int, float, numpy number, str, sympy) for parameter ``name``."""
    if isinstance(value, sp.Basic):
        expr = value
    elif isinstance(value, bool):
        raise InputError(f"{name} must be a number or a symbol, got {value!r}")
    elif isinstance(value, str):
        # read by the whitelisted parser (never evaluated); the package's names are its
        # symbols (N, m, tau, L, tau_c, T), other names plain symbols
        from .expressions import parse_expression

        expr = parse_expression(value, f"value of {name}")
        expr = expr.xreplace({sp.Symbol(k): v for k, v in symbols.BY_NAME.items()})
    elif isinstance(value, numbers.Integral):
        expr = sp.Integer(int(value))
    elif isinstance(value, numbers.Real):
        if not math.isfinite(value):
            raise InputError(f"{name} must be finite, got {name}={value!r}")
        expr = exact_number(float(value))
    else:
        raise InputError(f"{name} must be a number or a symbol, got {value!r}")
    if expr.is_number and not expr.is_real:
        raise InputError(f"{name} must be real, got {value!r}")
    return expr


def check_exponents(N, m):
    """Validate 0 <= m < N (only what can be decided for symbolic values)."""
    if N.is_number and not N > 0:
        raise InputError(f"N must be positive, got N={N}")
    if m.is_number and m < 0:
        raise InputError(f"m must be non-negative, got m={m}")
    if N.is_number and m.is_number and not m < N:
        raise InputError(f"m must be smaller than N (0 <= m < N), got N={N}, m={m}")


def check_positive(value, name):
    if value.is_number and not value > 0:
        raise InputError(f"{name} must be positive, got {name}={value}")


def check_nonnegative(value, name):
    if value.is_number and value < 0:
        raise InputError(f"{name} must be non-negative, got {name}={value}")
