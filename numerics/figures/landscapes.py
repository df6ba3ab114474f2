"""Loss landscapes of cells (T_{N,m}, SHP-1) and networks side by side."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import SHP1, AdaptiveProofreading

from . import figure
from .common import TAU_C, pyplot, save, trained_digit_models


@figure("landscapes")
def draw(out, *, quick=False, seed=0, progress=True):
    """Top: T_{N,m} margins along the gradient sign and a random direction, and over
    (tau_2, L_2).  Middle: networks' cross-entropy along FGSM and a random direction.
    Bottom: the SHP-1 model's margin and log FC."""
    from ..attacks import Domain
    from ..cells.ligands import paper_ligands
    from ..cells.objective import CellObjective
    from ..experiments.landscapes import agonist_and_self_types, margin_grid, objective_landscape
    from ..networks.objective import NetworkObjective

    plt = pyplot()
    data, models = trained_digit_models(quick, seed, progress)
    fig, axes = plt.subplots(3, 3, figsize=(12, 10.5), layout="constrained")
    summary = {}
    lig = paper_ligands(1000 if quick else 4000, 0.3, TAU_C, seed)
    dom = Domain(lower=1e-6, upper=TAU_C * (1 - 1e-12), mask=(lig.tau < TAU_C)[None, :])
    a_cell = np.linspace(0, TAU_C, 13 if quick else 31)
    b_cell = np.linspace(-1.5, 1.5, 9 if quick else 21)
    for ax, (N, m) in zip(axes[0, :2], ((4, 1), (5, 3))):
        obj = CellObjective(AdaptiveProofreading(N, m, TAU_C), lig.tau, lig.L)
        ls = objective_landscape(obj, obj.x0(), a_cell, b_cell, seed, dom)
        cs = ax.contourf(b_cell, a_cell, -ls.loss, 20, cmap="viridis")
        ax.contour(b_cell, a_cell, -ls.loss, [0.0], colors="w")
        fig.colorbar(cs, ax=ax, label=r"margin $\log T$")
        ax.set(title=f"cell $T_{{{N},{m}}}$ along two directions",
               xlabel=r"random direction (s)", ylabel=r"gradient-sign direction (s)")
        summary[f"cell {N},{m}"] = {"min_margin": float((-ls.loss).min())}
    grid = margin_grid(AdaptiveProofreading(5, 3, TAU_C))
    cs = axes[0, 2].contourf(grid.betas, grid.alphas, grid.loss, 20, cmap="viridis")
    axes[0, 2].contour(grid.betas, grid.alphas, grid.loss, [0.0], colors="w")
    axes[0, 2].set(xscale="log", xlabel=r"antagonist quantity $L_2$",
                   ylabel=r"antagonist binding time $\tau_2$ (s)",
                   title=r"$T_{5,3}$ over $(\tau_2, L_2)$")
    fig.colorbar(cs, ax=axes[0, 2], label=r"margin $\log T$")
    x, y = data.x_test[:30], data.y_test[:30]
    a_net = np.linspace(0, 0.3, 9 if quick else 16)
    b_net = np.linspace(-0.3, 0.3, 9 if quick else 17)
    for ax, name in zip(axes[1], ("natural", "pgd_trained", "hill")):
        model, _ = models[name]
        ls = objective_landscape(NetworkObjective(model, y), x, a_net, b_net, seed,
                                 Domain(0.0, 1.0))
        cs = ax.contourf(b_net, a_net, ls.loss, 20, cmap="magma")
        fig.colorbar(cs, ax=ax, label="cross-entropy loss")
        ax.set(title=f"network: {name.replace('_', ' ')}",
               xlabel="random direction (grey levels)", ylabel="FGSM direction (grey levels)")
        summary[f"net {name}"] = {"loss_at_0": float(ls.loss[0, len(b_net) // 2]),
                                  "loss_at_max_fgsm": float(ls.loss[-1, len(b_net) // 2])}
    # SHP-1: one agonist type and 20 self types; margin along sign(grad) x random
    tau, L = agonist_and_self_types(20, seed=seed)
    movable = tau < 5.0
    a_s = np.linspace(0, 5.0, 9 if quick else 21)
    b_s = np.linspace(-2.0, 2.0, 7 if quick else 15)
    for ax, m in zip(axes[2, :2], (1, 4)):
        obj = CellObjective(SHP1(m=m), tau, L)
        ls = objective_landscape(obj, obj.x0(), a_s, b_s, seed,
                                 Domain(lower=1e-2, upper=5.0, mask=movable[None, :]))
        margin = -ls.loss
        cs = ax.contourf(b_s, a_s, margin, 20, cmap="viridis")
        if margin.min() < 0 < margin.max():
            ax.contour(b_s, a_s, margin, [0.0], colors="w")
        fig.colorbar(cs, ax=ax, label=r"margin $\log$(output / threshold)")
        ax.set(title=f"SHP-1, $m = {m}$, along two directions",
               xlabel="random direction (s)", ylabel="gradient-sign direction (s)")
        summary[f"shp1 m={m}"] = {"min_margin": float(margin.min()),
                                  "max_margin": float(margin.max())}
    g = margin_grid(SHP1(m=1), tau1=10.0, L1=100.0,
                    tau2=np.geomspace(0.1, 10, 12 if quick else 30),
                    L2=np.geomspace(10, 1e4, 8 if quick else 20))
    cs = axes[2, 2].contourf(g.betas, g.alphas, g.loss, 20, cmap="viridis")
    axes[2, 2].set(xscale="log", yscale="log", xlabel=r"antagonist quantity $L_2$",
                   ylabel=r"antagonist binding time $\tau_2$ (s)",
                   title=r"SHP-1, $m = 1$, over $(\tau_2, L_2)$")
    fig.colorbar(cs, ax=axes[2, 2], label=r"$\log$ fold change")
    summary["shp1 m=1 log FC min"] = float(g.loss.min())
    fig.suptitle(r"Loss landscapes: $T_{N,m}$ cells (top, $\tau_c = 3$ s), digit networks "
                 "(middle), SHP-1 model (bottom)")
    return save(fig, out, "landscapes", {"params": {"eps_cells": float(TAU_C),
                                                    "eps_networks": 0.3,
                                                    "shp1": "agonist 10 s x 100 + 20 self "
                                                            "types x 50, threshold = half the "
                                                            "agonist-only response"},
                                         "seed": seed, "summary": summary})
