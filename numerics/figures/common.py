"""What every figure shares: the Agg backend, the house style and palette, saving
PNG/PDF/JSON, the text-overlap measure, versions.

Every figure is drawn at tau_c = 3 s, the threshold of the figure scripts of Rademaker,
Bengio & Francois (PRX 9, 031012, 2019), unless a figure says otherwise.
"""
from __future__ import annotations

from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version

import numpy as np

TAU_C = 3.0  # s: the threshold binding time of the paper's figure scripts

#: Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")

STYLE = {
    "axes.prop_cycle": None,  # filled in by style() with OKABE_ITO
    "font.size": 9,
    "axes.titlesize": 9,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "figure.titlesize": 10,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": "viridis",
    "savefig.dpi": 150,
}


def versions():
    out = {}
    for pkg in ("antagonism", "numpy", "scipy", "sympy", "numba", "matplotlib", "scikit-learn"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def style():
    """The house style (font sizes, Okabe-Ito colour cycle, no top/right spines), scoped."""
    import matplotlib
    from cycler import cycler

    rc = dict(STYLE, **{"axes.prop_cycle": cycler(color=OKABE_ITO)})
    with matplotlib.rc_context(rc):
        yield


def colour(i):
    """The i-th colour of the Okabe-Ito palette (cycling)."""
    return OKABE_ITO[i % len(OKABE_ITO)]


def mathtext(label):
    """A model's plain label as mathtext: "T_{4,2}" -> "$T_{4,2}$"."""
    import re

    return re.sub(r"([A-Za-z]+_\{[^}]*\})", r"$\1$", label)


def drawn_text_boxes(fig):
    """Render ``fig`` (Agg) and return [(text, Bbox in display pixels)] for every Text artist
    actually drawn with a non-empty string: tick labels, titles, axis and colorbar labels,
    legend entries, annotations, suptitles."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    drawn = {}
    original = Text.draw

    def recording_draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn[id(self)] = (self, self.get_window_extent(renderer))

    Text.draw = recording_draw
    try:
        fig.canvas.draw()
    finally:
        Text.draw = original
    return [(t.get_text(), box) for t, box in drawn.values()]


def text_overlaps(fig, tolerance=0.5, details=False):
    """The number of pairs of drawn texts whose bounding boxes intersect (by more than
    ``tolerance`` pixels in both directions), on the figure as rendered.

    Each text counts against every other text once (never against itself; empty strings are
    not texts).  With ``details`` also returns the overlapping pairs' strings."""
    boxes = drawn_text_boxes(fig)
    if len(boxes) < 2:
        return (0, []) if details else 0
    ext = np.array([[b.x0, b.y0, b.x1, b.y1] for _, b in boxes])
    w = np.minimum(ext[:, None, 2], ext[None, :, 2]) - np.maximum(ext[:, None, 0],
                                                                  ext[None, :, 0])
    h = np.minimum(ext[:, None, 3], ext[None, :, 3]) - np.maximum(ext[:, None, 1],
                                                                  ext[None, :, 1])
    hit = np.triu((w > tolerance) & (h > tolerance), k=1)
    count = int(hit.sum())
    if not details:
        return count
    pairs = [(boxes[i][0], boxes[j][0]) for i, j in zip(*np.nonzero(hit))]
    return count, pairs


def save(fig, out, name, meta):
    """Write <name>.png, <name>.pdf and <name>.json into ``out``; returns the metadata.

    The sidecar records ``text_overlaps``: pairs of texts that overprint each other on the
    rendered figure (0 for a clean figure; the overlapping strings in ``overlapping_text``).
    """
    from antagonism._core.result import to_json

    out.mkdir(parents=True, exist_ok=True)
    count, pairs = text_overlaps(fig, details=True)
    fig.savefig(out / f"{name}.png", dpi=150, bbox_inches="tight")
    fig.savefig(out / f"{name}.pdf", bbox_inches="tight")
    pyplot().close(fig)
    meta = {"figure": name, **meta, "text_overlaps": count,
            "overlapping_text": [list(p) for p in pairs[:20]], "versions": versions()}
    (out / f"{name}.json").write_text(to_json(meta, indent=1))
    return meta


def trained_digit_models(quick, seed, progress, names=("natural", "pgd_trained", "hill",
                                                       "threshold")):
    """The digits and the cached (or freshly trained) MLPs of the robustness report."""
    from ..networks.datasets import load_digits
    from ..networks.store import trained_models

    data = load_digits(seed=seed)
    return data, trained_models(data, seed, quick, progress, names=names)
