"""Pixels as ligands.

Two pictures:

- :func:`mtl_picture`: the text "MTL" as binding times for the figure picture_attack (the
  package's own illustration: M and L agonists at 4 s, T weak antagonists at 2.9 s);
- the authors' picture of ``MTL_to_ML.py`` (Rademaker, Bengio & Francois, PRX 9, 031012,
  2019; repository tjrademaker/advxs-antagonism-figs, commit 71e093d): their image
  ``MTL_before.png`` (444 x 225 pixels, grey levels only, not shipped) is read as grey levels
  (:func:`read_grey`), cut and coded by their ``read_image`` (:func:`mtl_preprocess`) into
  self (black 0, dark grey 10), antagonists (light grey 15) and agonists (white 25).  With
  no file, :func:`synthetic_mtl_grey` renders a stand-in with matplotlib that holds the same
  four grey levels.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

#: rows and columns ``read_image`` deletes (MTL_to_ML.py L162-163): the top and bottom
#: margins and the anti-aliased lines of the authors' 225 x 444 picture
MTL_ROWS = (*range(19), 45, 90, 134, 178, *range(202, 225))
MTL_COLS = (17, 61, 105, 150, 166, 178, 223, 266, 312, 325, 339, 384, 426)
#: shape (rows, columns) of the authors' MTL_before.png read as grey levels
AUTHORS_IMAGE_SHAPE = (225, 444)
#: grey levels (0..255) of black, dark grey, light grey, white and their codes (L208-209)
GREY_LEVELS = (0, 60, 220, 255)
CODES = (0, 10, 15, 25)
#: weights of skimage's rgb2grey in 2018 (io.imread(..., as_grey=True))
GREY_WEIGHTS = (0.2125, 0.7154, 0.0721)
#: most pixels of an image read (4096 x 4096; the authors' picture has 225 x 444), checked
#: from the file's header before it is decoded
MAX_IMAGE_PIXELS = 4096 * 4096


def text_masks(text, height, width):
    """Render each letter of ``text`` with matplotlib (Agg, DejaVu Sans bold) across a
    ``height`` x ``width`` canvas; return one boolean mask per letter (True on its ink)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    masks = []
    for i, ch in enumerate(text):
        fig = Figure(figsize=(width / 50, height / 50), dpi=50)
        canvas = FigureCanvasAgg(fig)
        fig.text((i + 0.5) / len(text), 0.5, ch, ha="center", va="center",
                 fontsize=height * 0.9, fontweight="bold", family="DejaVu Sans")
        canvas.draw()
        img = np.asarray(canvas.buffer_rgba())[..., 0]
        masks.append(img[:height, :width] < 128)
    return masks


def mtl_picture(height, width, seed=0):
    """The text MTL as binding times (s): the letters M and L agonists at tau = 4 s, T weak
    antagonists at 2.9 s (just below tau_c = 3 s), the background self ligands
    tau = |N(0, (1/3)^2)| s (drawn with ``seed``, at least 1e-6 s).

    Returns (tau of shape (height, width), (mask M, mask T, mask L))."""
    mM, mT, mL = text_masks("MTL", height, width)
    tau = np.abs(np.random.default_rng(seed).normal(0, 1 / 3, (height, width)))
    tau[mM | mL] = 4.0
    tau[mT] = 2.9
    return np.clip(tau, 1e-6, None), (mM, mT, mL)


def read_grey(path):
    """An image file as grey levels in [0, 1], as the authors read theirs:
    ``skimage.io.imread(path, as_grey=True)`` of 2018, i.e. g = 0.2125 R + 0.7154 G +
    0.0721 B of the 8-bit channels v/255 (alpha ignored; a grey image is v/255).

    Read with ``matplotlib.image.imread``; a PNG (floats in [0, 1]) is brought back to its
    8-bit levels first.  Raises InputError when the file cannot be read as an image, and
    LimitError when its header announces more than :data:`MAX_IMAGE_PIXELS` pixels (read
    before anything is decoded; PIL's own ``Image.MAX_IMAGE_PIXELS`` is set to the same)."""
    import warnings

    import matplotlib.image as mpimg
    from PIL import Image

    from antagonism._core.errors import LimitError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # PIL refuses beyond twice this, warns above
    try:
        with warnings.catch_warnings():  # PIL warns above its limit: refused below instead
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as header:  # reads the header only
                width, height = header.size
        if width * height <= MAX_IMAGE_PIXELS:
            img = np.asarray(mpimg.imread(path))
    except Image.DecompressionBombError:  # PIL's own check, beyond twice the limit
        width = height = None
    except (OSError, ValueError, SyntaxError) as exc:  # PIL: SyntaxError for a bad PNG
        raise InputError(f"cannot read the image {str(path)!r}: {exc}") from None
    if width is None or width * height > MAX_IMAGE_PIXELS:
        size = (f"more than {2 * MAX_IMAGE_PIXELS}" if width is None else
                f"{width} x {height} = {width * height}")
        raise LimitError(f"the image {str(path)!r} has {size} pixels, more than the limit "
                         f"of {MAX_IMAGE_PIXELS} (4096 x 4096)")
    if img.ndim not in (2, 3) or img.size == 0:
        raise InputError(f"cannot read the image {str(path)!r}: shape {img.shape}")
    levels = (np.round(img * 255.0) if img.dtype.kind == "f" else img).astype(np.float64)
    if img.ndim == 2:
        return levels * (1.0 / 255)
    return (levels[..., :3] * (1.0 / 255)) @ np.array(GREY_WEIGHTS)


def mtl_preprocess(grey, rows=MTL_ROWS, cols=MTL_COLS):
    """``read_image`` of MTL_to_ML.py (L156-196) on grey levels g in [0, 1].

    Steps: delete ``rows`` and ``cols`` (the authors' 46 rows and 13 columns, giving
    179 x 431 for their picture); round columns 60..104 to 0 or 1 (the diagonal of their M);
    multiply by 255; replace the exact levels 0, 60, 220, 255 by the codes 0, 10, 15, 25.
    Any other level stays as it is (their script then counts it as self).

    Returns the coded image (float array)."""
    img = np.delete(np.delete(np.array(grey, dtype=np.float64), rows, axis=0), cols, axis=1)
    img[:, 60:105] = np.round(img[:, 60:105])
    img = 255 * img
    coded = img.copy()
    for level, code in zip(GREY_LEVELS, CODES):
        coded[img == level] = code
    return coded


def mtl_counts(coded):
    """The authors' counts and pixel order (MTL_to_ML.py main, L213-238).

    R = all pixels, Ag = code 25, Anta = code 15, Self = the rest (codes 0 and 10, and any
    unmatched level); ``tau_order`` lists the pixels value by value (ascending) and in
    raster order within a value: the k-th smallest tau is drawn at pixel tau_order[k]."""
    flat = np.asarray(coded).ravel()
    values = np.unique(flat)
    order = np.concatenate([np.flatnonzero(flat == v) for v in values])
    n_ag, n_anta = int(np.count_nonzero(flat == 25)), int(np.count_nonzero(flat == 15))
    return {"shape": tuple(np.shape(coded)), "R": int(flat.size), "Ag": n_ag, "Anta": n_anta,
            "Self": int(flat.size - n_ag - n_anta),
            "unmatched": int(np.count_nonzero(~np.isin(flat, CODES))), "tau_order": order}


def synthetic_mtl_grey(shape=(179, 431), dpi=100, panel=(0.375, 0.735), stroke=None):
    """A stand-in for the authors' picture after its cut, rendered with matplotlib: black
    background (self), white M and L (agonists), a dark-grey panel over the column fractions
    ``panel`` (self) with a light-grey T on it (antagonists).  The letters are drawn white
    on black (Agg, DejaVu Sans bold, font size 0.75 x the height) and thresholded at half
    intensity, so the image holds only the levels 0, 60/255, 220/255 and 1.

    ``stroke`` (points; default 16 x height / 179) thickens the letters toward the block
    letters of the original: at 179 x 431 about 28 % agonists and 11 % antagonists (28 % and
    12 % in the authors' picture).  Returns grey levels of shape ``shape``; cut it with
    ``mtl_preprocess(grey, rows=(), cols=())``."""
    from matplotlib import patheffects
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    h, w = shape
    stroke = 16 * h / 179 if stroke is None else stroke
    # one pixel to spare in each direction, cropped below: w / dpi inches come out as w or
    # w - 1 pixels depending on the matplotlib version's rounding of w / dpi * dpi; the axes
    # cover exactly the top-left w x h pixels either way
    fig = Figure(figsize=((w + 1) / dpi, (h + 1) / dpi), dpi=dpi, facecolor="black")
    FigureCanvasAgg(fig)
    ax = fig.add_axes([0, 1 / (h + 1), w / (w + 1), h / (h + 1)])
    ax.set_axis_off()
    ax.set_facecolor("black")
    ax.set_xlim(0, w)
    ax.set_ylim(0, h)
    for x, ch in ((0.19, "M"), (0.555, "T"), (0.86, "L")):
        ax.text(x * w, 0.5 * h, ch, color="white", ha="center", va="center",
                fontsize=0.75 * h * 72 / dpi, fontweight="bold", family="DejaVu Sans",
                path_effects=[patheffects.withStroke(linewidth=stroke, foreground="white")])
    fig.canvas.draw()
    letter = np.asarray(fig.canvas.buffer_rgba())[:h, :w, 0] > 127
    grey = letter.astype(np.float64)
    lo, hi = int(panel[0] * w), int(panel[1] * w)
    grey[:, lo:hi] = np.where(letter[:, lo:hi], 220 / 255, 60 / 255)
    return grey
