"""The picture attack ("MTL -> ML"): pixels as ligands, grey level as binding time."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import TAU_C, TWO_COLUMN, label_panels, new_figure, save

#: how a descent's status reads in a panel title
STATUS_WORDS = {"max-iter": "still on", "crossed": "crossed"}


@figure("picture_attack")
def draw(out, *, quick=False, seed=0, progress=True, budget=20, tau_c=TAU_C):
    """Pixels as ligands: letters M and L agonists (tau = 4 s), the letter T weak antagonists
    just below threshold (tau = 2.9 s), background self (|N(0, 1/3)| s).  Both cells respond
    at first; each is attacked by the exact descent with the same budget of ``budget``
    iterations; only sub-threshold pixels move, never above tau_c.

    For large m the T letter sits next to tau*(T) > tau_c after one step and is held at
    tau_c; the rest of the budget then moves the upper tail of the background (tau of a
    fraction of a second and more, where gamma ~ tau^(m-1) is no longer negligible) up
    toward tau*: the change panel shows these specks.  The weakest background pixels
    (tau < 0.3 s) stay frozen."""
    from matplotlib.colors import SymLogNorm

    from ..experiments.descent import descend_to_boundary
    from ..experiments.picture import mtl_picture

    h, w = (24, 60) if quick else (40, 100)
    tau, (mM, mT, mL) = mtl_picture(h, w, seed)
    L = np.ones(h * w)
    fig, axes = new_figure(TWO_COLUMN, 3.0, nrows=2, ncols=3)
    # one symmetric-log scale for both change panels: linear within +-0.01 s, so that a
    # move of 0.1 s (the T letter of a frozen cell) is as visible as one of 1 s
    change_norm = SymLogNorm(linthresh=0.01, linscale=0.5, vmin=-2.0, vmax=2.0, base=10)
    summary = {}
    bg = ~(mM | mT | mL)
    for row, (N, m) in enumerate(((4, 1), (5, 4))):
        r = descend_to_boundary(AdaptiveProofreading(N, m, tau_c), tau.ravel(), L,
                                max_iter=budget)
        final = r.tau.reshape(h, w)
        change = final - tau
        weak = bg & (tau < 0.3)
        summary[f"{N},{m}"] = {
            "status": r.status, "T_initial": r.T_initial, "T_final": r.T_final,
            "mean_abs_change_background": float(np.abs(change[bg]).mean()),
            "mean_abs_change_weak_background": float(np.abs(change[weak]).mean()),
            "fraction_background_moved_over_0.1s": float(np.mean(np.abs(change[bg]) > 0.1)),
            "mean_abs_change_T_letter": float(np.abs(change[mT]).mean())}
        g0 = axes[row, 0].imshow(tau, cmap="gray", vmin=0, vmax=4)
        axes[row, 1].imshow(final, cmap="gray", vmin=0, vmax=4)
        dc = axes[row, 2].imshow(change, cmap="coolwarm", norm=change_norm)
        axes[row, 0].set_title("original")
        axes[row, 1].set_title(f"$T_{{{N},{m}}}$: {STATUS_WORDS.get(r.status, r.status)}, "
                               f"$T = {r.T_final:.2f}$")
        axes[row, 2].set_title(rf"change $\Delta\tau$, $T_{{{N},{m}}}$")
        for ax in axes[row]:
            ax.set_axis_off()
    label_panels(axes.ravel())
    cb = fig.colorbar(g0, ax=list(axes[:, 1]), shrink=0.8, aspect=25)
    cb.set_label(r"binding time $\tau$ (s)")
    cb.ax.axhline(tau_c, color="#56B4E9", lw=2)
    cb = fig.colorbar(dc, ax=list(axes[:, 2]), shrink=0.8, aspect=25,
                      ticks=[-1, -0.1, -0.01, 0, 0.01, 0.1, 1])
    cb.ax.set_yticklabels(["\u22121", "\u22120.1", "\u22120.01", "0", "0.01", "0.1", "1"])
    cb.set_label(r"$\Delta\tau$ (s), symmetric log scale")
    fig.suptitle(r"Picture attack: M, L agonists ($\tau = 4$ s), T weak antagonists "
                 rf"($\tau = 2.9$ s), background self; $\tau_c = {tau_c:g}$ s (blue mark)"
                 f"\nafter {budget} steps of the exact descent")
    return save(fig, out, "picture_attack", {"params": {"shape": [h, w], "tau_c": tau_c,
                                                        "budget": budget},
                                             "seed": seed, "summary": summary})
