"""A wall-clock time budget for a block of work.

>>> with time_budget(10.0, "a quick sum"):
...     total = sum(range(10))
>>> total
45
"""
import math
from contextlib import contextmanager

from .errors import InputError, LimitError


@contextmanager
def time_budget(seconds, what="the computation"):
    """Stop the work inside the ``with`` block after ``seconds`` (wall clock) with a
    :class:`~.errors.LimitError` that says so.  Uses ``SIGALRM``, so it applies in the main
    thread of a POSIX process; elsewhere, or with ``seconds=None``, it is a no-op."""
    import signal
    import threading

    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return
    if not (math.isfinite(seconds) and seconds > 0):
        raise InputError(f"a time budget must be a positive number of seconds, got {seconds!r}")

    def stop(signum, frame):
        raise LimitError(f"{what} ran out of its time budget of {seconds:g} s; give a larger "
                         "--time-budget, or smaller inputs (N, m, model size)")

    previous = signal.signal(signal.SIGALRM, stop)
    # re-fire every second: a library that swallows the first exception meets the next one
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


__all__ = ["time_budget"]
