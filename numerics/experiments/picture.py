"""Pixels as ligands: the text "MTL" rendered as binding times, the picture attacked by the
descent in the picture-attack figure of Rademaker, Bengio & Francois (PRX 9, 031012, 2019)
and in :func:`~.reproduce.picture_attack`."""
from __future__ import annotations

import numpy as np


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
