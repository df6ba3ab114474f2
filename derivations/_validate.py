"""Checks on model parameters shared by the symbolic models (sympy only)."""
import sympy as sp


def as_sympy_number_or_symbol(value, name):
    """Convert a user value (int, float, str, sympy) to sympy; floats become exact rationals."""
    if isinstance(value, sp.Basic):
        expr = value
    elif isinstance(value, bool):
        raise ValueError(f"{name} must be a number or a symbol, got {value!r}")
    elif isinstance(value, (int, float)):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueError(f"{name} must be finite, got {value!r}")
        expr = sp.nsimplify(value, rational=True) if isinstance(value, float) else sp.Integer(value)
    else:
        try:
            expr = sp.sympify(value)
        except (sp.SympifyError, TypeError) as exc:
            raise ValueError(f"{name} must be a number or a symbol, got {value!r}") from exc
    if expr.is_number and not expr.is_real:
        raise ValueError(f"{name} must be real, got {value!r}")
    return expr


def check_exponents(N, m):
    """Validate 0 <= m < N (only what can be decided for symbolic values)."""
    if N.is_number and not N > 0:
        raise ValueError(f"N must be positive, got N={N}")
    if m.is_number and m < 0:
        raise ValueError(f"m must be non-negative, got m={m}")
    if N.is_number and m.is_number and not m < N:
        raise ValueError(f"m must be smaller than N (0 <= m < N), got N={N}, m={m}")


def check_positive(value, name):
    if value.is_number and not value > 0:
        raise ValueError(f"{name} must be positive, got {name}={value}")


def exact_number(x):
    """A Python number as an exact sympy number (floats become rationals)."""
    return sp.nsimplify(x, rational=True) if isinstance(x, float) else sp.Integer(x)
