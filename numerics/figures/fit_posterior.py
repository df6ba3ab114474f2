"""A fit drawn for print (``antagonism fit DATA --plot PATH``; not a registered figure).

(a) the measured fold changes (+- sd) against the antagonist's dose relative to the
agonist's, one colour per antagonist binding time, with the posterior median of the
model's fold change and its 50 % and 95 % central posterior bands; (b) the posterior of m
(when m is fitted), stacked by each draw's gradient shape where the shape has a closed
form; (c) the posterior regime probabilities at the data's budget, with Monte Carlo error
bars.  7 in wide (two columns), fonts >= 6 pt, TrueType fonts in the PDF, panels lettered.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .common import TWO_COLUMN, colour, label_panels, mathtext, new_figure, save, style

#: most antagonist binding times drawn as curves in panel (a)
MAX_CURVES = 6
BAND_DRAWS = 400


def _groups(data, agonist):
    """The rows of the reference agonist with an antagonist, grouped by tau_2: the
    MAX_CURVES groups with the most rows, by tau_2."""
    tau, L = agonist
    rows = (data.tau_agonist == tau) & (data.L_agonist == L) & (data.L_antagonist > 0)
    taus, counts = np.unique(data.tau_antagonist[rows], return_counts=True)
    keep = np.sort(taus[np.argsort(-counts, kind="stable")[:MAX_CURVES]])
    return [(t, rows & (data.tau_antagonist == t)) for t in keep]


def _fit_panel(ax, result):
    data = result["_data"]
    tau, L = data.reference_agonist()
    for k, (t2, rows) in enumerate(_groups(data, (tau, L))):
        c = colour(k)
        ratio = data.L_antagonist[rows] / L
        grid = np.geomspace(ratio.min() / 2, ratio.max() * 2, 60)
        fc = result.predict(np.full_like(grid, tau), np.full_like(grid, L),
                            np.full_like(grid, t2), grid * L, draws=BAND_DRAWS)
        q = np.nanquantile(fc, [0.025, 0.25, 0.5, 0.75, 0.975], axis=0)
        ax.fill_between(grid, q[0], q[4], color=c, alpha=0.15, lw=0)
        ax.fill_between(grid, q[1], q[3], color=c, alpha=0.3, lw=0)
        ax.plot(grid, q[2], color=c, lw=1.0)
        ax.errorbar(ratio, data.fold_change[rows], yerr=data.sd[rows], fmt="o", ms=3,
                    color=c, elinewidth=0.6, capsize=1.5, label=f"{t2:.3g} s")
    ax.set_xscale("log")
    ax.axhline(1.0, color="0.6", lw=0.5, ls=":")
    ax.set(xlabel=r"antagonist dose $L_2/L_1$",
           ylabel="fold change (mixture / agonist alone)")
    ax.legend(title=rf"$\tau_2$ ($\tau_1$ = {tau:.3g} s)", loc="lower left", ncols=2,
              handletextpad=0.3, columnspacing=0.8)


def _m_panel(ax, result):
    from antagonism.numerics.fit.quantities import gradient_shapes

    j = result.free.index("m")
    m = result.samples()[:, j]
    bins = np.linspace(m.min(), m.max(), 40)
    shapes = gradient_shapes(result["_forward"], result.samples())
    if shapes is None:
        ax.hist(m, bins=bins, color=colour(0), density=True)
    else:
        shapes = np.asarray(shapes)
        parts = [(m[shapes == s], s, colour(i)) for i, s in
                 enumerate(("specialized", "broad")) if np.any(shapes == s)]
        ax.hist([p[0] for p in parts], bins=bins, stacked=True, density=True,
                color=[p[2] for p in parts], label=[p[1] for p in parts])
    s = result.parameters["m"]
    head = 1.6  # room for the legend above the histogram; the interval's lines stop below it
    for k, v in enumerate(s["interval"]):
        ax.axvline(v, ymax=1 / head, color="0.3", lw=0.6, ls="--",
                   label="95 % interval" if k == 0 else None)
    ax.set_ylim(0, head * ax.get_ylim()[1])
    ax.legend(title=None if shapes is None else "gradient shape", loc="upper left",
              frameon=True, facecolor="white", edgecolor="none", framealpha=1)
    ax.set(xlabel="feedback step m", ylabel="posterior density")


def _regime_panel(ax, result):
    p = result.regime_probability
    keys = [k for k in ("specialized", "broad", "none") if p.get(k) is not None]
    values = [p[k] for k in keys]
    ax.bar(keys, values, color=[colour(i) for i in range(len(keys))],
           yerr=[result.regime_se or 0] * len(keys), capsize=2, error_kw={"lw": 0.6})
    ax.set_ylim(0, 1.05)
    ax.set(ylabel=f"posterior probability ({result.regime_draws} draws)",
           xlabel="regime at the data's budget")


def draw_fit(result, path):
    """Draw ``result`` (:class:`~antagonism.numerics.fit.report.FitResult`) and save it as
    ``<path stem>.png`` (300 dpi) and ``.pdf`` with a ``.json`` sidecar of its print
    measures, in ``path``'s folder (:func:`~.common.save`); returns the sidecar's dict."""
    import matplotlib

    path = Path(path)
    panels = 3 if "m" in result.free else 2
    widths = [1.6, 1, 0.8][:panels] if panels == 3 else [1.6, 0.8]
    with style(), matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
        fig, axes = new_figure(TWO_COLUMN, 2.6, ncols=panels,
                               gridspec_kw={"width_ratios": widths})
        _fit_panel(axes[0], result)
        if panels == 3:
            _m_panel(axes[1], result)
        _regime_panel(axes[-1], result)
        fig.suptitle(f"{mathtext(result.label)} fitted to {result.data['rows']} mixtures",
                     fontsize=7)
        label_panels(axes)
        meta = {"model": result.model, "free": result.free, "seed":
                result.diagnostics["seed"], "parameters": result.parameters,
                "regime_probability": result.regime_probability}
        return save(fig, path.parent, path.stem, meta)
