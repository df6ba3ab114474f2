"""The figures of Rademaker, Bengio & Francois (PRX 9, 031012, 2019), redrawn, plus the
landscape and regime-comparison figures.

One module per figure; each registers itself with :func:`figure`.  ``make_figures(out)``
writes <name>.png, <name>.pdf and <name>.json (parameters, seed, package versions and the
numbers the figure shows) for each registered figure.  ``quick`` shrinks ligand numbers,
iterations and networks so the tests can run it.  Every figure is drawn in the house style
(:func:`common.style`: Okabe-Ito colours, mathtext labels with units) and its sidecar
records ``text_overlaps``, the number of overprinting text pairs (0 for every built-in
figure).  A user's figure joins with
``@figure("my_figure")`` on a function ``draw(out, *, quick, seed, progress, **options)``.
"""
from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from antagonism._core.errors import InputError

from .common import style

FIGURES = {}
BUILT_IN = ("antagonism_potential", "descent_grid", "picture_attack",
            "immune_boundary_tilting", "digit_boundary_tilting", "shp1_ot1", "landscapes",
            "regime_comparison")


def figure(name):
    """Register ``draw(out, *, quick, seed, progress, **options) -> metadata`` as ``name``."""
    def register(draw):
        FIGURES[name] = draw
        return draw
    return register


def _load_built_in():
    for name in BUILT_IN:
        importlib.import_module(f".{name}", __name__)


def make_figures(out, quick=False, seed=0, only=None, progress=True, options=None):
    """Draw the figures into ``out``; returns {name: metadata}.

    Parameters
    ----------
    only : list of names, optional -- default every registered figure
    options : dict name -> keyword arguments for that figure (e.g. ``{"antagonism_potential":
        {"models": [...]}}``)
    """
    _load_built_in()
    out = Path(out)
    names = list(FIGURES) if only is None else list(only)
    unknown = set(names) - set(FIGURES)
    if unknown:
        raise InputError(f"unknown figure(s) {sorted(unknown)}; known: {', '.join(FIGURES)}")
    options = options or {}
    done = {}
    first = time.perf_counter()
    for i, name in enumerate(names, 1):
        start = time.perf_counter()
        if progress:
            print(f"[figures] {i}/{len(names)} {name} ... ({start - first:.0f} s elapsed)",
                  file=sys.stderr, flush=True)
        with style():
            done[name] = FIGURES[name](out, quick=quick, seed=seed, progress=progress,
                                       **options.get(name, {}))
        if progress:
            print(f"[figures] {name} done in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr, flush=True)
    return done


def figure_names():
    _load_built_in()
    return tuple(FIGURES)
