"""The figures of Rademaker, Bengio & Francois (PRX 9, 031012, 2019), redrawn, plus the
landscape and regime-comparison figures.

One module per figure; each registers itself with :func:`figure`.  ``make_figures(out)``
writes <name>.png (300 dpi), <name>.pdf (or .svg: ``fmt``) and <name>.json (parameters, seed,
package versions, the numbers the figure shows and its print measures) for each registered
figure.  ``quick`` shrinks ligand numbers, iterations and networks so the tests can run it.
Every figure is drawn in the house style (:func:`common.style`: Okabe-Ito colours, mathtext
labels with units) at a journal width (3.4 or 7 in, at most 9 in tall, every font >= 6 pt,
panels lettered), and its sidecar records ``width_in``, ``min_font_pt``, ``panel_letters``
and ``text_overlaps``, the number of overprinting text pairs (0 for every built-in figure).
Figure names are written with hyphens on the command line (``descent-grid``); the registry,
the files and the sidecars use underscores, and either spelling is accepted.  A user's
figure joins with ``@figure("my_figure")`` on a function
``draw(out, *, quick, seed, progress, **options)``.
"""
from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from antagonism._core.errors import InputError

from ..progress import Progress
from .common import style, vector_format

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


def registry_name(name):
    """The registry's spelling of a figure name: ``descent-grid`` -> ``descent_grid``."""
    return name.strip().replace("-", "_")


def make_figures(out, quick=False, seed=0, only=None, progress=True, options=None,
                 fmt="pdf"):
    """Draw the figures into ``out``; returns {name: metadata}.

    Parameters
    ----------
    only : list of names (hyphens or underscores), optional -- default every registered figure
    options : dict name -> keyword arguments for that figure (e.g. ``{"antagonism_potential":
        {"models": [...]}}``)
    fmt : "pdf" or "svg" -- the vector file written next to each PNG
    """
    _load_built_in()
    out = Path(out)
    names = list(FIGURES) if only is None else [registry_name(n) for n in only]
    unknown = set(names) - set(FIGURES)
    if unknown:
        raise InputError(f"unknown figure(s) {sorted(unknown)}; known: {', '.join(FIGURES)}")
    options = {registry_name(k): v for k, v in (options or {}).items()}
    done = {}
    steps = Progress(len(names), on=progress, tag="figures")
    for name in names:
        start = time.perf_counter()
        steps.step(f"{name} ...")
        with style(), vector_format(fmt):
            done[name] = FIGURES[name](out, quick=quick, seed=seed, progress=progress,
                                       **options.get(name, {}))
        if progress:
            print(f"[figures] {name} done in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr, flush=True)
    return done


def figure_names():
    _load_built_in()
    return tuple(FIGURES)
