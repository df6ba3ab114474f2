"""The two regimes side by side: cells (the calibration) and networks on one measure."""
from __future__ import annotations

import numpy as np

from . import figure
from .common import TWO_COLUMN, label_panels, new_figure, save

NETWORKS = ("natural", "pgd_trained", "noise_trained", "untrained")
MARKERS = dict(zip(NETWORKS, ("s", "D", "^", "v")))
#: how a network reads on the figure (the registry's names are identifiers)
NETWORK_LABELS = {"natural": "natural", "pgd_trained": "PGD-trained",
                  "noise_trained": "noise-trained", "untrained": "untrained"}
REGIME_COLOURS = {"broad": "#0072B2", "specialized": "#D55E00"}  # Okabe-Ito


def _errors(summary):
    mean = summary["mean"]
    lo, hi = (np.nan if v is None else v for v in summary["t_interval"])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return mean, None
    return mean, [[mean - lo], [hi - mean]]


def _spread(xs, ys, width=0.02):
    """Points that coincide (to 0.01) spread side by side, centred on their place, so that
    each is seen; returns the new x."""
    xs = np.asarray(xs, float).copy()
    keys = [(round(x, 2), round(y, 2)) for x, y in zip(xs, ys)]
    for key in set(keys):
        idx = [i for i, k in enumerate(keys) if k == key]
        if len(idx) > 1:
            xs[idx] += width * (np.arange(len(idx)) - (len(idx) - 1) / 2)
    return xs


@figure("regime_comparison")
def draw(out, *, quick=False, seed=0, progress=True, seeds=None, report=None,
         calibration=None):
    """Left: where the strongest antagonistic sensitivity sits (x) and the share of it the
    weakest input keeps (y), for the calibration cells and the digit networks on the same
    axes; the cut rho = 1/2 separates the regimes.  Right: the fraction of a network's
    single-pixel sweeps that are specialized, per seed and as the mean with its 95 %
    t-interval.

    ``report`` and ``calibration`` may pass a precomputed
    :func:`~antagonism.numerics.regime.network_regime_report` and
    :func:`~antagonism.numerics.regime.calibrate`."""
    import matplotlib.lines as mlines

    from .. import regime as rm

    seeds = seeds or ((seed, seed + 1) if quick else tuple(range(seed, seed + 5)))
    if calibration is None:
        models = rm.calibration_models((3, 5), (1, 2)) if quick else rm.calibration_models()
        calibration = rm.calibrate(models, cutoffs=(rm.CELL_CUTOFF,), rejected=False,
                                   progress=progress)
    if report is None:
        report = rm.network_regime_report(NETWORKS, seeds, quick=quick, progress=progress)
    fig, (ax, ax_f) = new_figure(TWO_COLUMN, 4.2, nrows=1, ncols=2, width_ratios=[1.35, 1])
    ax.axhspan(0, rm.WEAK_SHARE_MAX, color=REGIME_COLOURS["specialized"], alpha=0.07, lw=0)
    ax.axhline(rm.WEAK_SHARE_MAX, color="grey", ls="--", lw=0.8)
    groups = {}
    for row in calibration.rows:
        kind = ("SHP-1" if row["model"].startswith("SHP") else
                "adaptive sorting" if row["N"] is None else "T_{N,m}")
        key = (kind, row["measured_regime"], row["analytic_regime"])
        groups.setdefault(key, []).append(row)
    marker = {"T_{N,m}": "o", "SHP-1": "*", "adaptive sorting": "X"}
    tex = {"T_{N,m}": r"$T_{N,m}$", "SHP-1": "SHP-1", "adaptive sorting": "adaptive sorting"}
    legend, x_low = [], 0.0
    # coinciding cells of every group drawn side by side
    every = [r for rows in groups.values() for r in rows]
    spread_all = _spread([r["strongest_position_tau_over_tau_c"] for r in every],
                         [r["weak_share"] for r in every])
    spread_of = {id(r): x for r, x in zip(every, spread_all)}
    for (kind, regime, analytic), rows in groups.items():
        verdict = (f"{regime} (= analytic)" if regime == analytic
                   else f"measured {regime}, analytic {analytic}")
        ys = [r["weak_share"] for r in rows]
        style = {"marker": marker[kind], "color": REGIME_COLOURS[regime], "alpha": 0.85,
                 "mec": "black", "mew": 0.5, "ls": "none",
                 "ms": 8 if kind == "SHP-1" else 5}
        if regime != analytic:  # a disagreement: hollow, edged in the measured colour
            style.update(mfc="white", mec=REGIME_COLOURS[regime], mew=1.2, alpha=1.0)
        spread = [spread_of[id(r)] for r in rows]
        x_low = min(x_low, float(np.min(spread)))
        ax.plot(spread, ys, zorder=3, **style)
        legend.append((mlines.Line2D([], [], **style),
                       f"cell: {tex[kind]}, {verdict} ({len(rows)})"))
    summary = {"cells": calibration.rows, "networks": {}}
    for name, row in report.networks.items():
        x, xerr = _errors(row["strongest_position"])
        y, yerr = _errors(row["weak_share"])
        label = NETWORK_LABELS.get(name, name.replace("_", "-"))
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt=MARKERS.get(name, "o"), ms=6, capsize=2,
                    color="black", mfc="white", zorder=4, lw=0.8)
        legend.append((mlines.Line2D([], [], marker=MARKERS.get(name, "o"), color="black",
                                     mfc="white", ls="none", ms=6), f"network: {label}"))
        summary["networks"][name] = {k: row[k] for k in (
            "specialized_fraction", "weak_share", "strongest_position", "regime")}
    ax.set(xlim=(min(-0.05, x_low - 0.03), 1.05), ylim=(-0.04, 1.1),
           xlabel="where the strongest antagonistic sensitivity sits, $v_{ext}$\n"
                  r"(cells: $\tau_p/\tau_c$; pixels: intensity)",
           ylabel=r"weak share $\rho = \max(0, -\gamma(v_{lo}))\,/\,|\gamma(v_{ext})|$",
           title="Calibration cells and digit networks on one scale\n"
                 "(coinciding cells drawn side by side)")
    ax.text(0.98, rm.WEAK_SHARE_MAX - 0.02, r"cut $\rho = 1/2$: specialized below",
            transform=ax.get_yaxis_transform(), ha="right", va="top", fontsize=6.5,
            color="0.35")
    names = list(report.networks)
    for i, name in enumerate(names):
        row = report.networks[name]["specialized_fraction"]
        per = np.asarray(row["per_seed"], float)
        ax_f.plot(np.full(per.size, i) + np.linspace(-0.12, 0.12, per.size), per, "o",
                  color="grey", ms=3, zorder=2)
        mean, err = _errors(row)
        ax_f.errorbar(i + 0.25, mean, yerr=err, fmt=MARKERS.get(name, "o"), color="black",
                      mfc="white", ms=6, capsize=3, zorder=3, lw=0.8)
    ax_f.axhline(0.5, color="grey", ls="--", lw=0.8)
    ax_f.set_xticks(range(len(names)),
                    [NETWORK_LABELS.get(n, n.replace("_", "-")) for n in names])
    seeds_text = (f"seeds {report.seeds[0]}\u2013{report.seeds[-1]}" if len(report.seeds) > 1
                  else f"seed {report.seeds[0]}")
    ax_f.set(ylim=(0, 1), xlim=(-0.6, len(names) - 0.4),
             ylabel="specialized fraction of single-pixel sweeps",
             title=f"Per seed (grey) and mean, 95 % t-interval\n({seeds_text})")
    fig.legend([h for h, _ in legend], [lab for _, lab in legend], loc="outside lower center",
               ncol=2)
    label_panels((ax, ax_f))
    return save(fig, out, "regime_comparison", {
        "params": {"seeds": list(report.seeds), "eps": report.eps, "quick": quick,
                   "n_images": report.n_images},
        "seed": seed, "summary": summary})
