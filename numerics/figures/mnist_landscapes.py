"""Loss landscapes along the strongest attack direction of MNIST networks, next to the
cell's strongest antagonist tau*.

a, b: the logit margin M of one test digit over the plane x + t delta + s r (delta the
PGD-40 perturbation at eps = 0.3, r a random orthogonal direction of the same norm) for the
natural and the PGD-trained CNN; the white line is the decision boundary M = 0 and the
cross the PGD point (t = 1).  c: the median normalised margin M(x + t delta) / M(x) over
test digits, with quartiles, for natural, PGD-trained and noise-trained networks.  d: the
cell T_{N,m} with one agonist at tau_c (on its boundary T = 1): the effect of a dilute
probe ligand on log T per molecule against its binding time; its minimum is tau*, below
the threshold tau_c where the effect vanishes.
"""
from __future__ import annotations

import numpy as np

from . import figure
from .common import TWO_COLUMN, colour, label_panels, new_figure, save

NETWORKS = ("natural", "pgd_trained", "noise_trained")
CELLS = ((5, 3), (5, 1))
TAU_C = 3.0


def cell_effect(N, m, u=None, tau_c=TAU_C, dose=1e-6):
    """(u, effect, tau*/tau_c): d log T / dL_p of a probe at tau = u tau_c next to one
    agonist at tau_c (T = 1), by a finite dose of the package's two-type output, normalised
    to a minimum of -1; tau* from :func:`antagonism.theory.critical_binding_time`."""
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.theory import critical_binding_time, two_type_output

    model = AdaptiveProofreading(N, m, tau_c=tau_c)
    u = np.linspace(0.02, 1.2, 119) if u is None else np.asarray(u, float)
    T = two_type_output(model, tau_c, 1.0, u * tau_c, dose)
    effect = np.log(T) / dose
    return u, effect / abs(effect.min()), critical_binding_time(model) / tau_c


def network_panels(data, seed=0, quick=False, arch="cnn", progress=True, n_line=None,
                   image=0, networks=None):
    """The networks' numbers: name -> {"plane": margin_plane of test image ``image``,
    "line": attack_line over ``n_line`` test images} (in the fixed order of
    :func:`~antagonism.numerics.networks.mnist.evaluation_subset`).  ``networks``: optional
    function (data, seed, names) -> the dict of ``trained_networks`` (default: train or
    load from the store)."""
    from ..networks.mnist import evaluation_subset, trained_networks
    from ..networks.torch_backend import fast_classifier
    from ..regime.boundary import attack_line, margin_plane

    n_line = n_line or (20 if quick else 100)
    nets = (trained_networks(data, seed, arch=arch, quick=quick, names=NETWORKS,
                             progress=progress) if networks is None
            else networks(data, seed, NETWORKS))
    x, y = evaluation_subset(data, n_line)
    out = {}
    for name, net in nets.items():
        clf = fast_classifier(net["model"])
        out[name] = {"plane": margin_plane(clf, x[image], y[image], seed=seed),
                     "line": attack_line(clf, x[:n_line], y[:n_line], seed=seed)}
    return out


@figure("mnist_landscapes")
def draw(out, *, quick=False, seed=0, progress=True, arch="cnn", dataset="mnist5k",
         panels=None):
    """Draw the figure (``panels``: a precomputed :func:`network_panels`)."""
    from ..networks.datasets import load_dataset

    if panels is None:
        panels = network_panels(load_dataset(dataset), seed, quick, arch, progress)
    fig, axes = new_figure(TWO_COLUMN, 5.2, nrows=2, ncols=2)
    (ax_a, ax_b), (ax_c, ax_d) = axes
    summary = {}
    vmax = max(float(np.abs(panels[n]["plane"].margin).max()) for n in NETWORKS[:2])
    titles = {"natural": "natural", "pgd_trained": "PGD-trained"}
    for ax, name in ((ax_a, "natural"), (ax_b, "pgd_trained")):
        p = panels[name]["plane"]
        im = ax.pcolormesh(p.s, p.t, p.margin, cmap="RdBu", vmin=-vmax, vmax=vmax,
                           shading="auto", rasterized=True)
        ax.contour(p.s, p.t, p.margin, levels=[0.0], colors="white", linewidths=1.2)
        ax.plot([0], [1], "x", color="black", ms=6, mew=1.5)
        ax.set(xlabel="random orthogonal direction $s$ (units of $\\|\\delta\\|$)",
               ylabel="along the PGD perturbation $t$",
               title=f"{titles[name]} {arch.upper()}: margin $M$ of one digit")
        fig.colorbar(im, ax=ax, label="logit margin $M$ (dimensionless)")
        summary[f"{name}_plane"] = {"success": p.success,
                                    "margin_range": [float(p.margin.min()),
                                                     float(p.margin.max())]}
    for i, name in enumerate(NETWORKS):
        line = panels[name]["line"]
        q = np.asarray(line["profile_quartiles"], float)
        ax_c.fill_between(line.t, q[0], q[1], color=colour(i), alpha=0.2, lw=0)
        ax_c.plot(line.t, line["profile"], color=colour(i),
                  label=name.replace("pgd", "PGD").replace("_", "-"))
        summary[name] = {k: line[k] for k in ("median_crossing", "crossed_within_eps",
                                              "median_margin_at_pgd",
                                              "near_boundary_fraction", "n_images")}
    ax_c.axhline(0, color="black", lw=0.8)
    ax_c.axvline(1, color="grey", ls="--", lw=0.8)
    ax_c.set(xlabel="$t$ along the PGD perturbation ($t = 1$: $\\epsilon = 0.3$)",
             ylabel="$M(x + t\\delta)\\,/\\,M(x)$", title="Margin along the strongest attack",
             ylim=(-3, 1.3))
    ax_c.legend(loc="lower left")
    for i, (N, m) in enumerate(CELLS):
        u, e, star = cell_effect(N, m)
        ax_d.plot(u, e, color=colour(3 + i), label=f"$T_{{{N},{m}}}$, "
                  f"$\\tau^*/\\tau_c$ = {star:.2f}")
        ax_d.axvline(star, color=colour(3 + i), ls=":", lw=1)
        summary[f"T_{N},{m}"] = {"tau_star_over_tau_c": star}
    ax_d.axhline(0, color="black", lw=0.8)
    ax_d.axvline(1, color="grey", ls="--", lw=0.8)
    ax_d.set(xlabel="probe binding time $\\tau/\\tau_c$",
             ylabel="$\\partial \\log T/\\partial L_p$ (normalised)",
             title="Cell: strongest antagonist $\\tau^*$ below $\\tau_c$", ylim=(-1.15, 0.6))
    ax_d.legend(loc="upper left")
    label_panels([ax_a, ax_b, ax_c, ax_d])
    return save(fig, out, "mnist_landscapes", {
        "params": {"seed": seed, "quick": quick, "arch": arch, "dataset": dataset,
                   "eps": 0.3, "cells": [list(c) for c in CELLS], "tau_c": TAU_C},
        "seed": seed, "summary": summary})
