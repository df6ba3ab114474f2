"""Antagonism potential: the output as one antagonist type sweeps (0, tau_c), any models."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import TAU_C, escape_colour, pyplot, save


def default_panels():
    """One panel per N = 1..5 with T_{N,m}, m = 0..N-1, at tau_c = 3."""
    return {f"N = {N}": [AdaptiveProofreading(N, m, TAU_C) for m in range(N)]
            for N in range(1, 6)}


@figure("antagonism_potential")
def draw(out, *, quick=False, seed=0, progress=True, models=None, panels=None):
    """F(tau_2) for 0.4 R agonists at tau_c and 0.6 R antagonists at tau_2, with minima
    (dots: tau*) and inflections (triangles), coloured by escape class.

    ``models`` draws one panel with the given models; ``panels`` maps titles to lists of
    models; the default is the T_{N,m} grid (one panel per N)."""
    from antagonism.theory import classify

    from ..experiments.potential import antagonism_potential

    plt = pyplot()
    if panels is None:
        panels = default_panels() if models is None else {"models": list(models)}
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.6), squeeze=False)
    summary = {}
    for ax, (title, group) in zip(axes[0], panels.items()):
        for k, model in enumerate(group):
            r = antagonism_potential(model, n_points=120 if quick else 400)
            escape = classify(model).escape
            ax.plot(r.tau2, r.T, color=escape_colour(escape),
                    alpha=0.4 + 0.6 * k / max(len(group) - 1, 1), label=model.label())
            if r.tau_min is not None:
                ax.plot(r.tau_min, r.T_min, "ko", ms=4)
            if r.tau_inflection is not None:
                ax.plot(r.tau_inflection, np.interp(r.tau_inflection, r.tau2, r.T), "k^", ms=5)
            summary[model.label()] = {"tau_min": r.tau_min, "T_min": r.T_min,
                                      "tau_inflection": r.tau_inflection, "escape": escape}
        thresholds = {mo.threshold for mo in group}
        if len(thresholds) == 1 and None not in thresholds:
            ax.axhline(float(thresholds.pop()), color="grey", lw=0.8, ls="--")
        ax.set(title=title, xlabel=r"antagonist $\tau_2$")
        ax.legend(fontsize=7)
    axes[0, 0].set_ylabel("output (T for T_{N,m})")
    fig.suptitle("Antagonism potential: 0.4R agonists at tau_c + 0.6R ligands at tau_2 (dots: "
                 "minima = tau*, triangles: inflections; escape: blue finite-time or pushed "
                 "to zero, orange exponential, red frozen)")
    every = [mo for group in panels.values() for mo in group]
    return save(fig, out, "antagonism_potential", {
        "params": {"R": 1e4, "agonist_fraction": 0.4, "models": [repr(mo) for mo in every]},
        "seed": seed, "summary": summary})
