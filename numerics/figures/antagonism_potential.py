"""Antagonism potential: the output as one antagonist type sweeps (0, tau_c), any models."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import AdaptiveProofreading

from . import figure
from .common import ONE_COLUMN, TAU_C, TWO_COLUMN, colour, label_panels, mathtext, new_figure, save


def default_panels(tau_c=TAU_C):
    """One panel per N = 1..5 with T_{N,m}, m = 0..N-1, at tau_c (3 s)."""
    return {f"$N = {N}$": [AdaptiveProofreading(N, m, tau_c) for m in range(N)]
            for N in range(1, 6)}


def _key(model, by_m):
    """(colour key, legend label): by m on the T_{N,m} grid, by model otherwise."""
    if by_m and isinstance(model, AdaptiveProofreading):
        return f"m={model.m}", f"$m = {model.m}$"
    return model.label(), mathtext(model.label())


@figure("antagonism_potential")
def draw(out, *, quick=False, seed=0, progress=True, models=None, panels=None, tau_c=TAU_C):
    """T(tau_2) for 0.4 R agonists at tau_c and 0.6 R antagonists at tau_2, with minima
    (dots: tau*) and inflections (triangles); one colour per m (T_{N,m}) or per model.

    ``models`` draws one panel with the given models; ``panels`` maps titles to lists of
    models; the default is the T_{N,m} grid (one panel per N) at ``tau_c`` (s)."""
    from antagonism.theory import classify

    from ..experiments.potential import antagonism_potential

    by_m = panels is None and models is None
    if panels is None:
        panels = default_panels(tau_c) if models is None else {"models": list(models)}
    n = len(panels)
    cols = min(n, 3)
    rows = -(-n // cols) if n > 1 else 1
    spare = rows * cols > n  # a free slot holds the legend
    fig, grid = new_figure(TWO_COLUMN if n > 1 else ONE_COLUMN,
                           min(2.0 * rows + (0.9 if spare or n == 1 else 1.2), 9.0),
                           nrows=rows, ncols=cols, squeeze=False, sharey=by_m)
    axes = grid.ravel()[None, :n]
    for ax in grid.ravel()[n:]:
        ax.set_axis_off()
    summary, handles, any_threshold = {}, {}, False
    keys = []
    for group in panels.values():
        for mo in group:
            if _key(mo, by_m)[0] not in keys:
                keys.append(_key(mo, by_m)[0])
    for ax, (title, group) in zip(axes[0], panels.items()):
        for model in group:
            r = antagonism_potential(model, n_points=120 if quick else 400)
            escape = classify(model).escape
            key, label = _key(model, by_m)
            (line,) = ax.plot(r.tau2, r.T, color=colour(keys.index(key)), lw=1.5)
            handles.setdefault(key, (line, label))
            if r.tau_min is not None:
                ax.plot(r.tau_min, r.T_min, "o", color="k", ms=4, zorder=3)
            if r.tau_inflection is not None:
                ax.plot(r.tau_inflection, np.interp(r.tau_inflection, r.tau2, r.T), "^",
                        color="k", mfc="w", ms=5, zorder=3)
            summary[model.label()] = {
                "tau_min": r.tau_min, "T_min": r.T_min, "tau_inflection": r.tau_inflection,
                "escape": escape}
        thresholds = {mo.threshold for mo in group}
        if len(thresholds) == 1 and None not in thresholds:
            ax.axhline(float(thresholds.pop()), color="0.5", lw=0.8, ls="--")
            any_threshold = True
        ax.set(title=title, xlabel=r"antagonist binding time $\tau_2$ (s)")
    all_adaptive = all(isinstance(mo, AdaptiveProofreading) for g in panels.values()
                       for mo in g)
    for ax in grid[:, 0]:
        ax.set_ylabel(r"output $T_{N,m}$" if all_adaptive else "output")
    for ax in axes[0]:
        ax.axvline(tau_c, color="0.3", lw=0.8, ls=":")
    import matplotlib.lines as mlines

    extra = [(mlines.Line2D([], [], marker="o", color="k", ls="none", ms=4),
              r"minimum ($\tau^*$)"),
             (mlines.Line2D([], [], marker="^", color="k", mfc="w", ls="none", ms=5),
              r"inflection ($\tau_{\rm infl}$)"),
             (mlines.Line2D([], [], color="0.5", ls="--", lw=0.8), "threshold"),
             (mlines.Line2D([], [], color="0.3", ls=":", lw=0.8), r"$\tau_c$")]
    if not any_threshold:
        del extra[2]
    items = [*handles.values(), *extra]
    if spare:
        grid.ravel()[-1].legend([h for h, _ in items], [lab for _, lab in items],
                                loc="center", ncol=2 if len(items) > 6 else 1)
    else:
        fig.legend([h for h, _ in items], [lab for _, lab in items],
                   loc="outside lower center", ncol=min(len(items), 4 if by_m else 3))
    if n > 1:
        label_panels(axes[0])
    at = (rf"$\tau_1 = \tau_c = {tau_c:g}$ s" if by_m
          else r"each model's $\tau_1 = \tau_c$")
    fig.suptitle(rf"Antagonism potential: $0.4R$ agonists at {at}, $0.6R$ ligands at "
                 r"$\tau_2$ ($R = 10^4$)" if n > 1 else
                 rf"$0.4R$ agonists at {at}," "\n" r"$0.6R$ ligands at $\tau_2$ ($R = 10^4$)")
    every = [mo for group in panels.values() for mo in group]
    return save(fig, out, "antagonism_potential", {
        "params": {"R": 1e4, "agonist_fraction": 0.4, "tau_c": tau_c,
                   "models": [repr(mo) for mo in every]},
        "seed": seed, "summary": summary})
