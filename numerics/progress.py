"""Progress of long jobs on standard error: a step counter with elapsed time and an ETA."""
from __future__ import annotations

import sys
import time


class Progress:
    """``step(text)`` prints "[tag] k/total text (elapsed X s, ETA Y s)" on stderr before
    each of ``total`` steps; the ETA is the mean time per finished step times the steps
    left.  ``on=False`` keeps it silent (commands pass ``not --json``)."""

    def __init__(self, total, on=True, tag="progress"):
        self.total, self.on, self.tag, self.done = int(total), bool(on), tag, 0
        self.started = time.perf_counter()

    def step(self, text):
        if self.on:
            elapsed = time.perf_counter() - self.started
            eta = (f", ETA {elapsed / self.done * (self.total - self.done):.0f} s"
                   if self.done else "")
            print(f"[{self.tag}] {self.done + 1}/{self.total} {text} (elapsed {elapsed:.0f} s"
                  f"{eta})", file=sys.stderr, flush=True)
        self.done += 1
