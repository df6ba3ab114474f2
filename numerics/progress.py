"""Progress of long jobs on standard error: a step counter with elapsed time and an ETA.

:class:`Progress` counts the steps of a job; :func:`eta_text` is its ETA rule for loops that
print their own lines; :func:`heartbeat` is the command line's safety net: a line every few
seconds while a command is otherwise silent.  Every line goes to standard error, so that
standard output (text or ``--json``) stays clean; commands pass ``on=not args.json``.
"""
from __future__ import annotations

import sys
import threading
import time
from contextlib import contextmanager

#: when the last progress line was printed (time.monotonic), for :func:`heartbeat`
_LAST = {"printed": 0.0}


def say(text):
    """Print one progress line on standard error (and note when, for :func:`heartbeat`)."""
    print(text, file=sys.stderr, flush=True)
    _LAST["printed"] = time.monotonic()


def eta_text(elapsed, done, total):
    """", ETA X s": the mean time per finished step times the steps left ("" before the
    first step has finished)."""
    if done <= 0 or total <= done:
        return ""
    return f", ETA {elapsed / done * (total - done):.0f} s"


class Progress:
    """``step(text)`` prints "[tag] k/total text (elapsed X s, ETA Y s)" on stderr before
    each of ``total`` steps; the ETA is the mean time per finished step times the steps
    left.  ``on=False`` keeps it silent (commands pass ``not --json``); ``eta=False`` leaves
    the ETA out, for stages too unlike each other to predict one another (each may report its
    own).  ``finish(text)`` prints the total time once the last step has finished."""

    def __init__(self, total, on=True, tag="progress", eta=True):
        self.total, self.on, self.tag, self.done = int(total), bool(on), tag, 0
        self.eta = bool(eta)
        self.started = time.perf_counter()

    def step(self, text):
        if self.on:
            elapsed = time.perf_counter() - self.started
            eta = eta_text(elapsed, self.done, self.total) if self.eta else ""
            say(f"[{self.tag}] {self.done + 1}/{self.total} {text} (elapsed {elapsed:.0f} s"
                f"{eta})")
        self.done += 1

    def finish(self, text="done"):
        if self.on:
            say(f"[{self.tag}] {text} in {time.perf_counter() - self.started:.1f} s")


@contextmanager
def heartbeat(tag, on=True, quiet_s=5.0):
    """While the block runs, print "[tag] working... (elapsed X s)" whenever no progress
    line has been printed for ``quiet_s`` seconds (or a quarter of the elapsed time, if
    longer), for a stage that cannot count its steps, such as deriving and compiling a
    model's kernels (a daemon thread; nothing when ``on`` is false)."""
    if not on:
        yield
        return
    stop = threading.Event()
    started = time.monotonic()
    _LAST["printed"] = started

    def beat():
        while not stop.wait(0.5):
            now = time.monotonic()
            if now - _LAST["printed"] >= max(quiet_s, 0.25 * (now - started)):
                say(f"[{tag}] working... (elapsed {now - started:.0f} s)")

    thread = threading.Thread(target=beat, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=1.0)
