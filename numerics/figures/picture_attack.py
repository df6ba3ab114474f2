"""The picture attack ("MTL -> ML"): pixels as ligands, grey level as binding time."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import TAU_C, pyplot, save


def text_masks(text, height, width):
    """Render each letter of ``text`` with matplotlib; return a list of boolean masks."""
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


@figure("picture_attack")
def draw(out, *, quick=False, seed=0, progress=True, budget=20):
    """Pixels as ligands: letters M and L agonists (tau = 4), the letter T weak antagonists
    just below threshold (tau = 2.9), background self.  Both cells respond at first; each is
    attacked by the exact descent with the same budget of ``budget`` iterations."""
    from ..experiments.descent import descend_to_boundary

    plt = pyplot()
    h, w = (24, 60) if quick else (40, 100)
    mM, mT, mL = text_masks("MTL", h, w)
    rng = np.random.default_rng(seed)
    tau = np.abs(rng.normal(0, 1 / 3, (h, w)))
    tau[mM | mL] = 4.0
    tau[mT] = 2.9
    tau = np.clip(tau, 1e-6, None)
    L = np.ones(h * w)
    fig, axes = plt.subplots(2, 3, figsize=(12, 5))
    summary = {}
    for row, (N, m) in enumerate(((4, 1), (5, 4))):
        r = descend_to_boundary(AdaptiveProofreading(N, m, TAU_C), tau.ravel(), L,
                                max_iter=budget)
        final = r.tau.reshape(h, w)
        change = final - tau
        bg = ~(mM | mT | mL)
        summary[f"{N},{m}"] = {"status": r.status, "T_initial": r.T_initial,
                               "T_final": r.T_final,
                               "mean_abs_change_background": float(np.abs(change[bg]).mean()),
                               "mean_abs_change_T_letter": float(np.abs(change[mT]).mean())}
        panels = (("original (grey level = tau)", tau, "gray", 0, 4),
                  (f"after descent, (N,m)=({N},{m}): {r.status}, T={r.T_final:.3f}", final,
                   "gray", 0, 4), ("change", change, "coolwarm", -1, 1))
        for ax, (title, img, cmap, lo, hi) in zip(axes[row], panels):
            ax.imshow(img, cmap=cmap, vmin=lo, vmax=hi)
            ax.set_title(title, fontsize=9)
            ax.axis("off")
    fig.suptitle(f"Picture attack: M, L agonists (tau=4), T weak antagonists (tau=2.9), "
                 f"background self; {budget} descent iterations")
    return save(fig, out, "picture_attack", {"params": {"shape": [h, w], "tau_c": TAU_C,
                                                        "budget": budget},
                                             "seed": seed, "summary": summary})
