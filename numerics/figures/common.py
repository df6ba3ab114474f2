"""What every figure shares: the Agg backend, the house style and palette, journal sizes,
panel letters, saving PNG + PDF/SVG + JSON, the print-size measures, versions.

Every figure is drawn at tau_c = 3 s, the threshold of the figure scripts of Rademaker,
Bengio & Francois (PRX 9, 031012, 2019), unless a figure says otherwise.

Print size: a figure is drawn at a journal width, :data:`ONE_COLUMN` (3.4 in) or
:data:`TWO_COLUMN` (7 in), at most :data:`MAX_HEIGHT` (9 in) tall, and saved at that size
(no cropping or scaling), so a font of k pt in the file is k pt in print.  Every text is at
least :data:`MIN_FONT_PT` (6 pt), and a figure of several panels letters them a, b, c...
(:func:`label_panels`).  :func:`save` measures all of this on the drawn figure and records
it in the sidecar: ``width_in``, ``height_in``, ``min_font_pt``, ``panels``,
``panel_letters``, ``text_outside`` and ``text_overlaps`` (texts overprinting texts, lines
or markers).  Fonts are embedded as TrueType (``pdf.fonttype`` 42), never Type 3.
"""
from __future__ import annotations

import re
import string
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version

import numpy as np

TAU_C = 3.0  # s: the threshold binding time of the paper's figure scripts

ONE_COLUMN = 3.4  # in: one journal column
TWO_COLUMN = 7.0  # in: two journal columns (the full page width)
MAX_HEIGHT = 9.0  # in: the tallest figure a page holds with its caption
MIN_FONT_PT = 6.0  # pt: the smallest legible font in print
DPI = 300  # dots per inch of the PNG
#: vector formats written next to the PNG (``make_figures(fmt=...)``, ``--format``)
VECTOR_FORMATS = ("pdf", "svg")
_OUTPUT = {"vector": "pdf"}

#: Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008).
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
             "#000000")

STYLE = {
    "axes.prop_cycle": None,  # filled in by style() with OKABE_ITO
    "font.size": 7,
    "axes.titlesize": 7,
    "axes.labelsize": 7,
    "legend.fontsize": 6.5,
    "legend.title_fontsize": 6.5,
    "xtick.labelsize": 6.5,
    "ytick.labelsize": 6.5,
    "figure.titlesize": 8,
    "legend.frameon": False,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "lines.linewidth": 1.2,
    "lines.markersize": 4,
    "image.cmap": "viridis",
    "savefig.dpi": DPI,
    # TrueType fonts in PDF and PostScript (journals reject Type 3, matplotlib's default)
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "figure.constrained_layout.h_pad": 0.03,
    "figure.constrained_layout.w_pad": 0.03,
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


def new_figure(width=TWO_COLUMN, height=3.0, **subplots):
    """``plt.subplots`` at a journal width (:data:`ONE_COLUMN` or :data:`TWO_COLUMN`, in)
    and ``height`` (in, at most :data:`MAX_HEIGHT`), with constrained layout."""
    if width not in (ONE_COLUMN, TWO_COLUMN) or not 0 < height <= MAX_HEIGHT:
        raise ValueError(f"a figure is {ONE_COLUMN} or {TWO_COLUMN} in wide and at most "
                         f"{MAX_HEIGHT} in tall, got {width} x {height} in")
    subplots.setdefault("layout", "constrained")
    return pyplot().subplots(figsize=(width, height), **subplots)


def label_panels(axes, start=0, **text):
    """Letter the panels ``axes`` a, b, c... (from the ``start``-th letter): a bold letter
    just above the top-left corner of each."""
    text = {"fontsize": 8, "fontweight": "bold", "xytext": (-3, 5), **text}
    for k, ax in enumerate(axes, start):
        ax.annotate(string.ascii_lowercase[k], xy=(0, 1), xycoords="axes fraction",
                    textcoords="offset points", ha="right", va="bottom", **text)


def _is_colorbar(ax):
    return getattr(ax, "_colorbar", None) is not None or hasattr(ax, "_colorbar_info")


def panel_axes(fig):
    """The figure's panels: every visible axes that is not a colour bar and shows something
    (its axis, an image, lines, patches or collections)."""
    return [ax for ax in fig.axes
            if ax.get_visible() and not _is_colorbar(ax)
            and (ax.axison or ax.images or ax.lines or ax.collections or ax.patches)]


def drawn_texts(fig):
    """Render ``fig`` (Agg) and return [(Text, Bbox in display pixels)] for every Text artist
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
    return list(drawn.values())


def drawn_text_boxes(fig):
    """[(string, Bbox in display pixels)] of every drawn text (:func:`drawn_texts`)."""
    return [(t.get_text(), box) for t, box in drawn_texts(fig)]


def text_overlaps(fig, tolerance=0.5, details=False, marks=True):
    """The number of overprints on the figure as rendered: pairs of drawn texts whose
    bounding boxes intersect (by more than ``tolerance`` pixels in both directions), and,
    with ``marks``, pairs of a text and a line or a marker that runs through it
    (:func:`text_mark_overlaps`).

    Each text counts against every other text once (never against itself; empty strings are
    not texts).  With ``details`` also returns the overlapping pairs' strings."""
    texts = drawn_texts(fig)
    count, pairs = _overlaps([(t.get_text(), b) for t, b in texts], tolerance, True)
    if marks:
        found = _mark_overlaps(fig, texts, tolerance)
        count, pairs = count + len(found), pairs + found
    return (count, pairs) if details else count


def _shrunk(box, tolerance):
    from matplotlib.transforms import Bbox

    return Bbox.from_extents(box.x0 + tolerance, box.y0 + tolerance, box.x1 - tolerance,
                             box.y1 - tolerance)


def _marks(ax):
    """[(name, kind, data)] of what ``ax`` draws in display pixels: ("line", Path) for every
    visible line, line collection, contour line and patch outline (histogram steps, bar
    edges), ("area", Path) for opaque patches (alpha >= 0.5: bars), ("markers", (points,
    half size)) for markers and scatter points.  Legend handles, translucent fills and
    shading, images and spines are not marks."""
    from matplotlib.collections import LineCollection, PathCollection
    from matplotlib.colors import to_rgba

    dpi = ax.figure.dpi
    out = []
    for patch in ax.patches:
        if not patch.get_visible():
            continue
        path = patch.get_transform().transform_path(patch.get_path())
        name = patch.get_label() if not str(patch.get_label()).startswith("_") else "patch"
        if patch.get_fill() and to_rgba(patch.get_facecolor())[3] >= 0.5:
            out.append((name, "area", path))
        elif patch.get_linewidth() > 0 and to_rgba(patch.get_edgecolor())[3] >= 0.5:
            out.append((name, "line", path))
    for line in ax.get_lines():
        if not line.get_visible() or len(line.get_xydata()) == 0:
            continue
        xy = line.get_transform().transform(line.get_xydata())
        name = line.get_label() if not line.get_label().startswith("_") else "line"
        finite = np.all(np.isfinite(xy), axis=1)
        if line.get_linestyle() not in ("None", "", " ") and finite.sum() > 1:
            out.append((name, "line", _broken_path(xy, finite)))
        if line.get_marker() not in (None, "None", "", " ", ","):
            out.append((name, "markers", (xy[finite], line.get_markersize() * dpi / 144.0)))
    for coll in ax.collections:
        if not coll.get_visible():
            continue
        name = coll.get_label() if not str(coll.get_label()).startswith("_") else "marks"
        # contour lines: a ContourSet (matplotlib >= 3.8, filled False) or, before 3.8, one
        # unfilled PathCollection per level drawn through the data transform
        contour = getattr(coll, "filled", True) is False or (
            isinstance(coll, PathCollection) and len(coll.get_facecolor()) == 0
            and coll.get_transform().contains_branch(ax.transData))
        if isinstance(coll, PathCollection) and len(coll.get_offsets()) and not contour:
            xy = coll.get_offset_transform().transform(coll.get_offsets())
            sizes = coll.get_sizes()
            half = (np.sqrt(sizes.max()) if len(sizes) else 6.0) * dpi / 144.0
            out.append((name, "markers", (xy, half)))
        elif isinstance(coll, LineCollection) or contour:
            transform = coll.get_transform()  # line collections, contour lines
            out += [(name, "line", transform.transform_path(p)) for p in coll.get_paths()
                    if len(p.vertices) > 1]
    return out


def _broken_path(xy, finite):
    """A Path through the finite rows of ``xy``, broken (a new MOVETO) at non-finite ones."""
    from matplotlib.path import Path

    codes = np.full(len(xy), Path.LINETO, dtype=np.uint8)
    codes[np.r_[True, ~finite[:-1]]] = Path.MOVETO
    return Path(xy[finite], codes[finite])


def _mark_overlaps(fig, texts, tolerance):
    """[(text, mark name)] for every drawn text that a line or a marker of an axes runs
    through (within the axes, where lines are drawn; by more than ``tolerance`` pixels)."""
    from matplotlib.transforms import Bbox

    found = []
    for ax in fig.axes:
        if not ax.get_visible() or _is_colorbar(ax):
            continue
        marks = _marks(ax)
        if not marks:
            continue
        for text, box in texts:
            inside = Bbox.intersection(box, ax.bbox)
            if inside is None or inside.width <= 2 * tolerance \
                    or inside.height <= 2 * tolerance:
                continue
            inner = _shrunk(inside, tolerance)
            for name, kind, data in marks:
                if kind in ("line", "area"):
                    hit = data.intersects_bbox(inner, filled=kind == "area")
                else:
                    xy, half = data
                    hit = bool(np.any((xy[:, 0] + half > inner.x0) & (xy[:, 0] - half < inner.x1)
                                      & (xy[:, 1] + half > inner.y0)
                                      & (xy[:, 1] - half < inner.y1)))
                if hit:
                    found.append((text.get_text(), f"{kind}: {name}"))
    return found


def _overlaps(boxes, tolerance, details):
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


def print_measures(fig, tolerance=0.5):
    """What a reader of the printed figure meets, measured on the figure as drawn at its own
    size (saved uncropped, so 1 pt in the file is 1 pt in print).

    Returns a dict: ``width_in``, ``height_in`` (in); ``min_font_pt`` (the smallest font of
    any drawn text, pt) and ``smallest_text`` (that text); ``panels`` (:func:`panel_axes`);
    ``panel_letters`` (True iff there are several panels and the drawn bold one-letter texts
    are exactly a, b, c... one per panel); ``text_outside`` (texts reaching beyond the
    figure's edge, which the file would cut); ``text_overlaps`` (:func:`text_overlaps`: texts
    on texts, and lines or markers through texts) and ``overlapping_text`` (the pairs)."""
    texts = drawn_texts(fig)
    width, height = (float(v) for v in fig.get_size_inches())
    sizes = [(float(t.get_fontsize()), t.get_text()) for t, _ in texts]
    smallest = min(sizes) if sizes else (None, None)
    letters = sorted(t.get_text().strip() for t, _ in texts
                     if re.fullmatch(r"[a-z]", t.get_text().strip())
                     and t.get_fontweight() in ("bold", 700, "heavy", 800, 900))
    n = len(panel_axes(fig))
    edge = fig.bbox
    outside = [t.get_text() for t, b in texts
               if b.x0 < edge.x0 - 1 or b.y0 < edge.y0 - 1 or b.x1 > edge.x1 + 1
               or b.y1 > edge.y1 + 1]
    count, pairs = _overlaps([(t.get_text(), b) for t, b in texts], tolerance, True)
    marked = _mark_overlaps(fig, texts, tolerance)
    count, pairs = count + len(marked), pairs + marked
    return {"width_in": round(width, 3), "height_in": round(height, 3),
            "min_font_pt": smallest[0], "smallest_text": smallest[1], "panels": n,
            "panel_letters": n > 1 and letters == list(string.ascii_lowercase[:n]),
            "text_outside": outside[:20], "text_overlaps": count,
            "overlapping_text": [list(p) for p in pairs[:20]]}


@contextmanager
def vector_format(fmt):
    """Within the block, :func:`save` writes ``fmt`` (pdf or svg) next to the PNG."""
    if fmt not in VECTOR_FORMATS:
        from antagonism._core.errors import InputError

        raise InputError(f"unknown figure format {fmt!r}; choose from "
                         f"{', '.join(VECTOR_FORMATS)} (a PNG is always written)")
    saved, _OUTPUT["vector"] = _OUTPUT["vector"], fmt
    try:
        yield
    finally:
        _OUTPUT["vector"] = saved


def save(fig, out, name, meta):
    """Write <name>.png (300 dpi), <name>.pdf (or .svg, :func:`vector_format`) and
    <name>.json into ``out`` at the figure's own size; returns the metadata.

    The sidecar records the print measures of :func:`print_measures` (``width_in``,
    ``min_font_pt``, ``panel_letters``, ``text_overlaps``: pairs of texts that overprint
    each other, 0 for a clean figure, the strings in ``overlapping_text``...)."""
    from antagonism._core.result import to_json

    out.mkdir(parents=True, exist_ok=True)
    measures = print_measures(fig)
    fig.savefig(out / f"{name}.png", dpi=DPI)
    fig.savefig(out / f"{name}.{_OUTPUT['vector']}")
    pyplot().close(fig)
    meta = {"figure": name, **meta, **measures, "formats": ["png", _OUTPUT["vector"]],
            "versions": versions()}
    (out / f"{name}.json").write_text(to_json(meta, indent=1))
    return meta


def trained_digit_models(quick, seed, progress, names=("natural", "pgd_trained", "hill",
                                                       "threshold")):
    """The digits and the cached (or freshly trained) MLPs of the robustness report."""
    from ..networks.datasets import load_digits
    from ..networks.store import trained_models

    data = load_digits(seed=seed)
    return data, trained_models(data, seed, quick, progress, names=names)
