"""Immune boundary tilting: the antagonist quantity on the decision boundary."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import pyplot, save


@figure("immune_boundary_tilting")
def draw(out, *, quick=False, seed=0, progress=True):
    """Surfaces L_2*(tau_1, L_1) for (N, m) = (1, 0) and (5, 3), tau_2 in {0.1, 3},
    tau_c = 4 (SCIENCE.md section 4)."""
    from antagonism.theory import decision_boundary

    plt = pyplot()
    tau_c = 4.0
    t1 = np.linspace(4.2, 8, 25 if quick else 50)
    L1 = np.geomspace(1, 1e4, 25 if quick else 50)
    T1, LL1 = np.meshgrid(t1, L1)
    fig = plt.figure(figsize=(11, 9))
    summary = {}
    for k, ((N, m), t2) in enumerate([((1, 0), 0.1), ((1, 0), 3.0), ((5, 3), 0.1),
                                      ((5, 3), 3.0)]):
        model = AdaptiveProofreading(N, m, tau_c)
        Ls = decision_boundary(model, T1.ravel(), LL1.ravel(), t2).reshape(T1.shape)
        ax = fig.add_subplot(2, 2, k + 1, projection="3d")
        ax.plot_surface(T1, np.log10(LL1), np.log10(Ls), cmap="viridis")
        ax.set(xlabel=r"$\tau_1$", ylabel=r"log$_{10} L_1$", zlabel=r"log$_{10} L_2^*$",
               title=f"(N,m)=({N},{m}), tau_2={t2}")
        summary[f"{N},{m},{t2}"] = {"median_log10_L2star": float(np.median(np.log10(Ls)))}
    fig.suptitle("Immune boundary tilting: antagonists needed to silence agonists (tau_c = 4)")
    return save(fig, out, "immune_boundary_tilting", {"params": {"tau_c": tau_c},
                                                      "seed": seed, "summary": summary})
