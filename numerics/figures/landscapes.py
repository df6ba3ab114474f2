"""Loss landscapes of cells (T_{N,m}, SHP-1) and networks side by side."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import SHP1, AdaptiveProofreading

from . import figure
from .common import TAU_C, TWO_COLUMN, label_panels, new_figure, save, trained_digit_models

BOUNDARY = {"colors": "k", "linewidths": 1.4, "linestyles": "--"}


@figure("landscapes")
def draw(out, *, quick=False, seed=0, progress=True):
    """Top: T_{N,m} margins along the gradient sign and a random direction, and over
    (tau_2, L_2).  Middle: networks' cross-entropy along FGSM and a random direction.
    Bottom: the SHP-1 model's margin, along directions and over (tau_2, L_2), against one off
    level (half the agonists-alone response).

    "Two directions": the sign of the gradient (up) and a random direction orthogonal to it
    (across).  Logarithms are natural (ln).  A cell's margin and a log fold change are drawn on a
    diverging scale centred on 0, blue where the cell responds and red where it is switched
    off, with the boundary (margin 0) as a dashed black line."""
    from ..attacks import Domain
    from ..cells.ligands import paper_ligands
    from ..cells.objective import CellObjective
    from ..experiments.landscapes import agonist_and_self_types, margin_grid, objective_landscape
    from ..networks.objective import NetworkObjective

    data, models = trained_digit_models(quick, seed, progress)
    fig, axes = new_figure(TWO_COLUMN, 7.4, nrows=3, ncols=3)
    summary = {}
    lig = paper_ligands(1000 if quick else 4000, 0.3, TAU_C, seed)
    dom = Domain(lower=1e-6, upper=TAU_C * (1 - 1e-12), mask=(lig.tau < TAU_C)[None, :])
    a_cell = np.linspace(0, TAU_C, 13 if quick else 31)
    b_cell = np.linspace(-1.5, 1.5, 9 if quick else 21)
    for ax, (N, m) in zip(axes[0, :2], ((4, 1), (5, 3))):
        obj = CellObjective(AdaptiveProofreading(N, m, TAU_C), lig.tau, lig.L)
        ls = objective_landscape(obj, obj.x0(), a_cell, b_cell, seed, dom)
        _margin(fig, ax, b_cell, a_cell, -ls.loss, r"margin $\ln T$")
        ax.set(title=f"cell $T_{{{N},{m}}}$",
               xlabel=r"random direction (s)", ylabel=r"gradient-sign direction (s)")
        summary[f"cell {N},{m}"] = {"min_margin": float((-ls.loss).min())}
    grid = margin_grid(AdaptiveProofreading(5, 3, TAU_C))
    _margin(fig, axes[0, 2], grid.betas, grid.alphas, grid.loss, r"margin $\ln T$")
    axes[0, 2].set(xscale="log", xlabel=r"antagonist quantity $L_2$",
                   ylabel=r"antagonist binding time $\tau_2$ (s)",
                   title=r"$T_{5,3}$ over $(\tau_2, L_2)$")
    x, y = data.x_test[:30], data.y_test[:30]
    a_net = np.linspace(0, 0.3, 9 if quick else 16)
    b_net = np.linspace(-0.3, 0.3, 9 if quick else 17)
    for ax, name in zip(axes[1], ("natural", "pgd_trained", "hill")):
        model, _ = models[name]
        ls = objective_landscape(NetworkObjective(model, y), x, a_net, b_net, seed,
                                 Domain(0.0, 1.0))
        cs = ax.contourf(b_net, a_net, ls.loss, 20, cmap="magma")
        fig.colorbar(cs, ax=ax, label="cross-entropy (nats)")
        ax.set(title=f"network: {name.replace('_', '-')}",
               xlabel="random direction (grey levels)", ylabel="FGSM direction (grey levels)")
        summary[f"net {name}"] = {"loss_at_0": float(ls.loss[0, len(b_net) // 2]),
                                  "loss_at_max_fgsm": float(ls.loss[-1, len(b_net) // 2])}
    # SHP-1: one agonist type and 20 self types; margin along sign(grad) x random
    tau, L = agonist_and_self_types(20, seed=seed)
    movable = tau < 5.0
    # dense near 0, where SHP-1 (m = 1) crosses its boundary; drawn on a square-root scale
    a_s = 5.0 * np.linspace(0, 1, 9 if quick else 21) ** 2
    b_s = np.linspace(-2.0, 2.0, 7 if quick else 15)
    for ax, m in zip(axes[2, :2], (1, 4)):
        obj = CellObjective(SHP1(m=m), tau, L)
        ls = objective_landscape(obj, obj.x0(), a_s, b_s, seed,
                                 Domain(lower=1e-2, upper=5.0, mask=movable[None, :]))
        margin = -ls.loss
        _margin(fig, ax, b_s, a_s, margin, r"margin $\ln$(output / off level)")
        ax.set_yscale("function", functions=(np.sqrt, np.square))
        ax.set_yticks([0, 0.25, 1, 2, 3, 4, 5], ["0", "0.25", "1", "2", "3", "4", "5"])
        ax.set(title=f"SHP-1, $m = {m}$", xlabel="random direction (s)",
               ylabel="gradient-sign direction (s, square-root scale)")
        summary[f"shp1 m={m}"] = {"min_margin": float(margin.min()),
                                  "max_margin": float(margin.max())}
    # the same margin as g and h: the off level is half the agonists-alone response, so the
    # boundary (margin 0) is FC = 1/2
    g = margin_grid(SHP1(m=1), tau1=10.0, L1=100.0,
                    tau2=np.geomspace(0.1, 10, 12 if quick else 30),
                    L2=np.geomspace(10, 1e4, 8 if quick else 20), fraction=0.5)
    _margin(fig, axes[2, 2], g.betas, g.alphas, g.loss, r"margin $\ln$(output / off level)")
    axes[2, 2].set(xscale="log", yscale="log", xlabel=r"antagonist quantity $L_2$",
                   ylabel=r"antagonist binding time $\tau_2$ (s)",
                   title=r"SHP-1 $m = 1$, $(\tau_2, L_2)$")
    summary["shp1 m=1 (tau_2, L_2) margin"] = {"min_margin": float(g.loss.min()),
                                                "max_margin": float(g.loss.max())}
    label_panels(axes.ravel())
    fig.suptitle(r"Loss landscapes (natural logarithms): $T_{N,m}$ cells (top, $\tau_c = 3$ s),"
                 " digit networks (middle), SHP-1 model (bottom)\n"
                 "a, b, g, h: gradient sign (up) and a random direction (across); "
                 "cells: blue on, red off, dashed line the boundary\n"
                 "g-i: margin against the off level, half the agonists-alone response")
    return save(fig, out, "landscapes", {"params": {"eps_cells": float(TAU_C),
                                                    "eps_networks": 0.3,
                                                    "shp1": "agonist 10 s x 100 + 20 self "
                                                            "types x 50, off level = half the "
                                                            "agonists-alone response"},
                                         "seed": seed, "summary": summary})


def _margin(fig, ax, x, y, z, label):
    """A margin (or log fold change) on a diverging scale centred on 0, with its zero
    contour, the decision boundary, dashed; a note where the window holds no boundary."""
    from matplotlib.colors import TwoSlopeNorm

    lo, hi = float(np.min(z)), float(np.max(z))
    span = max(abs(lo), abs(hi), 1e-12)
    norm = TwoSlopeNorm(vcenter=0.0, vmin=min(lo, -1e-3 * span), vmax=max(hi, 1e-3 * span))
    cs = ax.contourf(x, y, z, 20, cmap="RdBu", norm=norm)
    if lo < 0 < hi:
        ax.contour(x, y, z, [0.0], **BOUNDARY)
    else:
        ax.text(0.5, 0.04, "no boundary here: " + ("on" if lo > 0 else "off") + " everywhere",
                transform=ax.transAxes, ha="center", va="bottom", fontsize=6,
                bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1})
    fig.colorbar(cs, ax=ax, label=label)
    return cs
