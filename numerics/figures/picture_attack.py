"""The picture attack ("MTL -> ML"): pixels as ligands, grey level as binding time."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import TAU_C, pyplot, save


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
    from ..experiments.descent import descend_to_boundary
    from ..experiments.picture import mtl_picture

    plt = pyplot()
    h, w = (24, 60) if quick else (40, 100)
    tau, (mM, mT, mL) = mtl_picture(h, w, seed)
    L = np.ones(h * w)
    fig, axes = plt.subplots(2, 3, figsize=(10, 4.4), layout="constrained")
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
        lim = max(float(np.abs(change).max()), 1e-3)
        dc = axes[row, 2].imshow(change, cmap="coolwarm", vmin=-lim, vmax=lim)
        axes[row, 0].set_title("original")
        axes[row, 1].set_title(f"$T_{{{N},{m}}}$ after {budget} steps: {r.status}, "
                               f"$T = {r.T_final:.2f}$")
        axes[row, 2].set_title("change")
        for ax in axes[row]:
            ax.set_axis_off()
        fig.colorbar(g0, ax=list(axes[row, :2]), shrink=0.9,
                     label=r"binding time $\tau$ (s)")
        fig.colorbar(dc, ax=axes[row, 2], shrink=0.9, label=r"$\Delta\tau$ (s)")
    fig.suptitle(r"Picture attack: M, L agonists ($\tau = 4$ s), T weak antagonists "
                 rf"($\tau = 2.9$ s), background self; $\tau_c = {tau_c:g}$ s")
    return save(fig, out, "picture_attack", {"params": {"shape": [h, w], "tau_c": tau_c,
                                                        "budget": budget},
                                             "seed": seed, "summary": summary})
