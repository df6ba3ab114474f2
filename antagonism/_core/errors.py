"""The package's one exception hierarchy.

Every error the package raises on purpose is an :class:`AntagonismError`.  Errors caused by
what a user passed (a parameter, an option, a ligand set, a model file) are
:class:`InputError` and also ``ValueError``, so ``except ValueError`` keeps working; errors
of a numerical method are :class:`ConvergenceError` and also ``RuntimeError``.  The command
line maps :class:`InputError` to exit status 2 with one line, everything else to status 1.

::

    AntagonismError
    ├── InputError (ValueError)          bad input: fix the call
    │   ├── ModelError                   a model or its parameters are not valid
    │   │   └── NetworkFileError         a reaction-network file is refused (names the element)
    │   └── LimitError                   input beyond a stated limit (digits, size, memory, time)
    ├── ConvergenceError (RuntimeError)  a solver did not converge
    └── CacheError                       a cache entry is unusable (rebuilt, never served)
"""


class AntagonismError(Exception):
    """Base class of every error the package raises on purpose."""


class InputError(AntagonismError, ValueError):
    """A user's input is not valid; the message names the bad value."""


class ModelError(InputError):
    """A model, or one of its parameters, is not valid."""


class NetworkFileError(ModelError):
    """A reaction-network file (Antimony, SBML, Python description) is refused."""


class LimitError(InputError):
    """An input beyond a stated limit (number of digits, file size, memory, time budget)."""


class ConvergenceError(AntagonismError, RuntimeError):
    """A numerical method (root finder, Newton, ODE integration) did not converge."""


class PrecisionError(ConvergenceError, OverflowError):
    """A computation left double precision at the values it was given (1e308 raised to a
    power, 1e-300 divided by): the numbers, not the method, are out of range.  It is a
    :class:`ConvergenceError` for code that skips failed points, and an ``OverflowError``,
    which the command line reports as bad input (exit status 2)."""


class CacheError(AntagonismError):
    """A cache entry is missing, corrupt or unwritable."""


__all__ = ["AntagonismError", "CacheError", "ConvergenceError", "InputError", "LimitError",
           "ModelError", "NetworkFileError", "PrecisionError"]
