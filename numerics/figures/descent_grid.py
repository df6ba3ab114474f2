"""Exact descent to the boundary over the (N, m) grid, and the ligands as images."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import TAU_C, pyplot, save


@figure("descent_grid")
def draw(out, *, quick=False, seed=0, progress=True):
    """Final tau histograms of the exact descent for every (N, m), and (as a second figure,
    ``descent_ligand_images``) the ligands as an image before and after."""
    from ..cells.ligands import paper_ligands
    from ..experiments.descent import descend_to_boundary

    plt = pyplot()
    n = 2000 if quick else 101**2
    Nmax = 3 if quick else 5
    lig = paper_ligands(n, 0.3, TAU_C, seed)
    fig, axes = plt.subplots(Nmax, Nmax, figsize=(3 * Nmax, 2.4 * Nmax), squeeze=False)
    summary, images = {}, {}
    bins = np.linspace(0, 4.5, 46)
    for N in range(1, Nmax + 1):
        for m in range(Nmax):
            ax = axes[N - 1, m]
            if m >= N:
                ax.axis("off")
                continue
            r = descend_to_boundary(AdaptiveProofreading(N, m, TAU_C), lig.tau, lig.L,
                                    max_iter=2000 if quick else 20000)
            ax.hist(lig.tau, bins, color="lightgrey", label="initial")
            ax.hist(r.tau, bins, histtype="step", color="k", label="final")
            if r.tau_star_predicted:
                ax.axvline(r.tau_star_predicted, color="tab:red", lw=1)
            ax.set_title(f"(N,m)=({N},{m}) {r.status}, T={r.T_final:.3f}", fontsize=8)
            ax.set_yscale("log")
            summary[f"{N},{m}"] = r.summary()
            if (N, m) in ((4, 1), (5, 3), (3, 1), (3, 2)):
                images[(N, m)] = r.tau
    fig.suptitle("Exact descent to the boundary on the paper's set-up: final tau histograms "
                 "(red: theory's tau*(T_final))")
    meta = save(fig, out, "descent_grid", {"params": {"n_ligands": n, "eps": 0.2,
                                                      "agonist_fraction": 0.3},
                                           "seed": seed, "summary": summary})
    side = int(np.sqrt(n))
    fig, axes = plt.subplots(1, len(images) + 1, figsize=(3.2 * (len(images) + 1), 3))
    axes[0].imshow(lig.tau[:side * side].reshape(side, side), vmin=0, vmax=4, cmap="magma")
    axes[0].set_title("initial ligands")
    for ax, ((N, m), tau) in zip(axes[1:], images.items()):
        ax.imshow(tau[:side * side].reshape(side, side), vmin=0, vmax=4, cmap="magma")
        ax.set_title(f"final, (N,m)=({N},{m})")
    for ax in axes:
        ax.axis("off")
    save(fig, out, "descent_ligand_images", {"params": {"n_ligands": n}, "seed": seed})
    return meta
