"""Exact descent to the boundary over the (N, m) grid, and the ligands as images."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import TAU_C, TWO_COLUMN, colour, label_panels, new_figure, save

IMAGE_PAIRS = ((3, 1), (3, 2), (4, 1), (5, 3))
PLOT_TOP = 0.7  # axes fraction: histograms and the tau* line stay below it, the text above


def verdict(r):
    """The panel's outcome in two short lines: a cell already off at the start did not
    cross."""
    if r.iterations == 0 and r.T_initial < r.threshold:
        return f"off from the start\n$T_0 = {r.T_initial:.2f}$"
    return f"{r.status}, {r.iterations} it.\n$T = {r.T_final:.3f}$"


@figure("descent_grid")
def draw(out, *, quick=False, seed=0, progress=True, tau_c=TAU_C):
    """Final tau histograms of the exact descent for every (N, m) at ``tau_c`` (3 s), and (a
    second figure, ``descent_ligand_images``) the ligands as an image before and after."""
    from ..cells.ligands import paper_ligands
    from ..experiments.descent import descend_to_boundary

    n = 2000 if quick else 101**2
    Nmax = 3 if quick else 5
    lig = paper_ligands(n, 0.3, tau_c, seed)
    fig, axes = new_figure(TWO_COLUMN, 1.45 * Nmax + 0.7, nrows=Nmax, ncols=Nmax,
                           squeeze=False, sharex=True, sharey=True)
    summary, images = {}, {}
    bins = np.linspace(0, 1.5 * tau_c, 46)
    for N in range(1, Nmax + 1):
        for m in range(Nmax):
            ax = axes[N - 1, m]
            if m >= N:
                ax.axis("off")
                continue
            r = descend_to_boundary(AdaptiveProofreading(N, m, tau_c), lig.tau, lig.L,
                                    max_iter=2000 if quick else 20000)
            ax.hist(lig.tau, bins, color="0.8", label="initial")
            ax.hist(r.tau, bins, histtype="step", color="k", label="final")
            if r.tau_star_predicted:  # stops below the verdict's text
                ax.axvline(r.tau_star_predicted, ymax=PLOT_TOP, color=colour(3), lw=1,
                           label=r"$\tau^*(T_{\rm final})$")
            ax.set_yscale("log")
            ax.set_title(f"$T_{{{N},{m}}}$", fontsize=8, pad=2)
            ax.text(0.5, 0.97, verdict(r), transform=ax.transAxes, ha="center", va="top",
                    fontsize=6, linespacing=1.1,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.85, "pad": 1})
            if m == 0:
                ax.set_ylabel(f"$N = {N}$\nligands")
            if N == Nmax or m == N - 1:
                ax.set_xlabel(r"binding time $\tau$ (s)")
                ax.xaxis.set_tick_params(labelbottom=True)
            if m == N - 1:
                ax.annotate(f"$m = {m}$", xy=(0.5, 1), xycoords="axes fraction",
                            xytext=(0, 14), textcoords="offset points", ha="center",
                            va="bottom", fontsize=8)
            summary[f"{N},{m}"] = {**r.summary(), "off_from_start": bool(
                r.iterations == 0 and r.T_initial < r.threshold)}
            if (N, m) in IMAGE_PAIRS:
                images[(N, m)] = r.tau
    handles, labels = [], []
    for ax in axes.ravel():
        for h, lab in zip(*ax.get_legend_handles_labels()):
            if lab not in labels:
                handles.append(h)
                labels.append(lab)
    axes[0, -1].legend(handles, labels, loc="upper right", title="histograms")
    # head room for each panel's verdict (shared y-axis): every count a panel can show (at
    # most n, when every ligand piles into one bin) stays below PLOT_TOP of its height
    bottom = 0.7
    axes[0, 0].set_ylim(bottom, bottom * (n / bottom) ** (1 / PLOT_TOP))
    used = [axes[N - 1, m] for N in range(1, Nmax + 1) for m in range(N)]
    label_panels(used)
    fig.suptitle(f"Exact descent to the boundary, {n} ligands (30 % agonists), "
                 rf"$\tau_c = {tau_c:g}$ s: rows $N$, columns $m$" "\n"
                 "ligand counts on a log scale, the same for every panel")
    meta = save(fig, out, "descent_grid", {"params": {"n_ligands": n, "eps": 0.2,
                                                      "agonist_fraction": 0.3, "tau_c": tau_c},
                                           "seed": seed, "summary": summary})
    side = int(np.sqrt(n))
    k = len(images) + 1
    fig, axes = new_figure(TWO_COLUMN, 2.0, nrows=1, ncols=k)
    vmax = 1.5 * tau_c
    im = axes[0].imshow(lig.tau[:side * side].reshape(side, side), vmin=0, vmax=vmax,
                        cmap="magma")
    axes[0].set_title("initial ligands")
    for ax, ((N, m), tau) in zip(axes[1:], images.items()):
        ax.imshow(tau[:side * side].reshape(side, side), vmin=0, vmax=vmax, cmap="magma")
        ax.set_title(f"final, $T_{{{N},{m}}}$")
    for ax in axes:
        ax.set_axis_off()
    label_panels(axes)
    cb = fig.colorbar(im, ax=list(axes), shrink=0.9)
    cb.set_label(r"binding time $\tau$ (s)")
    cb.ax.axhline(tau_c, color="#56B4E9", lw=2.5)
    cb.set_ticks([0, tau_c / 2, tau_c, vmax], labels=["0", f"{tau_c / 2:g}",
                                                      rf"$\tau_c = {tau_c:g}$", f"{vmax:g}"])
    fig.suptitle(r"Ligands as pixels (one ligand each; $\tau_c$: blue mark on the scale)")
    save(fig, out, "descent_ligand_images", {"params": {"n_ligands": n, "tau_c": tau_c},
                                             "seed": seed})
    return meta
