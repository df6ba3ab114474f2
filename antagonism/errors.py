"""The package's exceptions, importable without loading sympy or numba.

>>> from antagonism.errors import InputError
>>> issubclass(InputError, ValueError)
True

See :mod:`antagonism._core.errors` for the hierarchy.
"""
from antagonism._core.errors import (
    AntagonismError,
    CacheError,
    ConvergenceError,
    InputError,
    LimitError,
    ModelError,
    NetworkFileError,
    PrecisionError,
)

__all__ = ["AntagonismError", "CacheError", "ConvergenceError", "InputError", "LimitError",
           "ModelError", "NetworkFileError", "PrecisionError"]
