"""Immune boundary tilting: the antagonist quantity on the decision boundary, L_2*(tau_1)."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import ONE_COLUMN, TAU_C, colour, label_panels, new_figure, save

STYLES = ("-", "--", "-.", ":")  # one per tau_2: lines that coincide stay distinct

TAU2 = (0.1, 1.0, 2.0, 2.7)  # s: antagonist binding times, self to just below threshold


@figure("immune_boundary_tilting")
def draw(out, *, quick=False, seed=0, progress=True, tau_c=TAU_C, pairs=((1, 0), (5, 3))):
    """Boundary lines L_2*(tau_1)/L_1 = w(tau_1)/(-w(tau_2)) of T_{N,m} for (N, m) = (1, 0)
    and (5, 3), one line per antagonist binding time tau_2, at ``tau_c`` (3 s, as every
    figure).  L_2* is proportional to L_1, so one line per tau_2 gives the whole boundary."""
    from antagonism.theory import decision_boundary

    t1 = np.linspace(tau_c * 1.01, 2 * tau_c, 60 if quick else 200)
    fig, axes = new_figure(ONE_COLUMN, 3.0, nrows=1, ncols=len(pairs), sharey=True,
                           squeeze=False)
    summary = {}
    for ax, (N, m) in zip(axes[0], pairs):
        model = AdaptiveProofreading(N, m, tau_c)
        for k, t2 in enumerate(TAU2):
            ratio = decision_boundary(model, t1, np.ones_like(t1), t2)
            ax.plot(t1, ratio, color=colour(k), ls=STYLES[k % len(STYLES)],
                    lw=1.6 if k == 0 else 1.2, label=rf"$\tau_2 = {t2:g}$ s")
            summary[f"{N},{m},tau2={t2:g}"] = {
                "L2star_over_L1_at_tau1=1.5tau_c": float(np.interp(1.5 * tau_c, t1, ratio))}
        ax.set(yscale="log", title=f"$T_{{{N},{m}}}$", xlabel=r"agonist binding time "
               r"$\tau_1$ (s)")
    axes[0, 0].set_ylabel(r"antagonists on the boundary $L_2^*/L_1$")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncol=len(labels),
               title="antagonist binding time", columnspacing=1.0, handlelength=2.2)
    label_panels(axes[0])
    fig.suptitle("Immune boundary tilting: the cell responds\n"
                 rf"below each line ($\tau_c = {tau_c:g}$ s)")
    return save(fig, out, "immune_boundary_tilting", {
        "params": {"tau_c": tau_c, "tau2": list(TAU2), "pairs": [list(p) for p in pairs]},
        "seed": seed, "summary": summary})
