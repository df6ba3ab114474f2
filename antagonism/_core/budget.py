"""A wall-clock time budget for a block of work.

>>> with time_budget(10.0, "a quick sum"):
...     total = sum(range(10))
>>> total
45
"""
import math
import time
from contextlib import contextmanager

from .errors import InputError, LimitError

#: default time budget (s) of symbolic work: the command line's --time-budget, and reading a
#: model file from Python (``load_model_file``)
DEFAULT_TIME_BUDGET = 300.0
#: longest time budget accepted (s): 30 days
MAX_TIME_BUDGET = 30 * 24 * 3600.0

_DEADLINES = []  # (deadline, what, seconds) of the budgets running, outermost first


class _OutOfTime(BaseException):
    """Raised by the alarm: not an ``Exception``, so that no library's ``except Exception``
    or ``except ValueError`` swallows it (sympy does); the budget turns it into a
    :class:`~.errors.LimitError` where its block ends."""


@contextmanager
def time_budget(seconds, what="the computation"):
    """Stop the work inside the ``with`` block after ``seconds`` (wall clock) with a
    :class:`~.errors.LimitError` that says so.  Uses ``SIGALRM``, so it applies in the main
    thread of a POSIX process; elsewhere, or with ``seconds=None``, it is a no-op.

    Budgets nest: inside a budget that ends sooner, an inner one changes nothing; an inner
    one that ends sooner applies, and the outer one is restored after it.  ``seconds`` must
    be a positive number of at most :data:`MAX_TIME_BUDGET` (an InputError otherwise).
    The alarm raises a ``BaseException`` inside the block (libraries that catch
    ``Exception`` cannot swallow it), re-raised as the LimitError at the block's end."""
    import signal
    import threading

    if seconds is not None and not (isinstance(seconds, (int, float))
                                    and math.isfinite(seconds) and seconds > 0):
        raise InputError(f"a time budget must be a positive number of seconds, got {seconds!r}")
    if seconds is not None and seconds > MAX_TIME_BUDGET:
        raise LimitError(f"a time budget is at most {MAX_TIME_BUDGET:g} s (30 days), got "
                         f"{seconds:g} s")
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    deadline = time.monotonic() + seconds
    if _DEADLINES and _DEADLINES[-1][0] <= deadline:
        yield  # an enclosing budget ends first: it applies
        return

    mine = (deadline, what, seconds)

    def stop(signum, frame):
        raise _OutOfTime(_DEADLINES[-1] if _DEADLINES else mine)

    previous = signal.signal(signal.SIGALRM, stop)
    _DEADLINES.append(mine)
    # re-fire every second: code that swallows even a BaseException meets the next one
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    except _OutOfTime as exc:
        signal.setitimer(signal.ITIMER_REAL, 0)
        if exc.args and exc.args[0] is not mine:
            raise  # an enclosing budget's: it reports itself
        raise LimitError(f"{what} ran out of its time budget of {seconds:g} s; give a larger "
                         "--time-budget, or smaller inputs (N, m, model size)") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        _DEADLINES.pop()
        signal.signal(signal.SIGALRM, previous)
        if _DEADLINES:  # the enclosing budget goes on with the time it has left
            left = _DEADLINES[-1][0] - time.monotonic()
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3), 1.0)


__all__ = ["DEFAULT_TIME_BUDGET", "MAX_TIME_BUDGET", "time_budget"]
