"""The two regimes side by side: cells (the calibration) and networks on one measure."""
from __future__ import annotations

import numpy as np

from . import figure
from .common import pyplot, save

NETWORKS = ("natural", "pgd_trained", "noise_trained", "untrained")
MARKERS = dict(zip(NETWORKS, ("s", "D", "^", "v")))
REGIME_COLOURS = {"broad": "#0072B2", "specialized": "#D55E00"}  # Okabe-Ito


def _errors(summary):
    mean = summary["mean"]
    lo, hi = (np.nan if v is None else v for v in summary["t_interval"])
    if not (np.isfinite(lo) and np.isfinite(hi)):
        return mean, None
    return mean, [[mean - lo], [hi - mean]]


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
    from .. import regime as rm

    plt = pyplot()
    seeds = seeds or ((seed, seed + 1) if quick else tuple(range(seed, seed + 5)))
    if calibration is None:
        models = rm.calibration_models((3, 5), (1, 2)) if quick else rm.calibration_models()
        calibration = rm.calibrate(models, cutoffs=(rm.CELL_CUTOFF,), rejected=False,
                                   progress=progress)
    if report is None:
        report = rm.network_regime_report(NETWORKS, seeds, quick=quick, progress=progress)
    fig, (ax, ax_f) = plt.subplots(1, 2, figsize=(12.5, 5.4),
                                   gridspec_kw={"width_ratios": [1.35, 1]})
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
    for (kind, regime, analytic), rows in groups.items():
        verdict = (f"{regime} (= analytic)" if regime == analytic
                   else f"measured {regime}, analytic {analytic}")
        ax.scatter([r["strongest_position_tau_over_tau_c"] for r in rows],
                   [r["weak_share"] for r in rows], marker=marker[kind], s=90 if
                   kind == "SHP-1" else 50, color=REGIME_COLOURS[regime], alpha=0.8,
                   edgecolor="black", lw=0.5, zorder=3,
                   label=f"cell: {tex[kind]}, {verdict} ({len(rows)})")
    summary = {"cells": calibration.rows, "networks": {}}
    for name, row in report.networks.items():
        x, xerr = _errors(row["strongest_position"])
        y, yerr = _errors(row["weak_share"])
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt=MARKERS.get(name, "o"), ms=8, capsize=3,
                    color="black", mfc="white", zorder=4, label=f"network: {name}")
        summary["networks"][name] = {k: row[k] for k in (
            "specialized_fraction", "weak_share", "strongest_position", "regime")}
    ax.set(xlim=(-0.03, 1.03), ylim=(-0.03, 1.08),
           xlabel=r"strongest antagonistic sensitivity at $v_{ext}$ "
                  r"(cells: $\tau_p/\tau_c$; pixels: intensity; dimensionless)",
           ylabel=r"weak share $\rho = \gamma(v_{lo})/\gamma(v_{ext})$ (dimensionless)",
           title="Calibration cells and digit networks on one scale")
    ax.text(1.0, rm.WEAK_SHARE_MAX - 0.02, r"cut $\rho = 1/2$: specialized below",
            ha="right", va="top", fontsize=8, color="grey")
    names = list(report.networks)
    for i, name in enumerate(names):
        row = report.networks[name]["specialized_fraction"]
        per = np.asarray(row["per_seed"], float)
        ax_f.plot(np.full(per.size, i) + np.linspace(-0.12, 0.12, per.size), per, "o",
                  color="grey", ms=4, zorder=2)
        mean, err = _errors(row)
        ax_f.errorbar(i + 0.25, mean, yerr=err, fmt=MARKERS.get(name, "o"), color="black",
                      mfc="white", ms=8, capsize=4, zorder=3)
    ax_f.axhline(0.5, color="grey", ls="--", lw=0.8)
    ax_f.set_xticks(range(len(names)), names, rotation=15)
    ax_f.set(ylim=(0, 1), xlim=(-0.6, len(names) - 0.4),
             ylabel="specialized fraction of single-pixel sweeps",
             title=f"Per seed (grey) and mean with 95 % t-interval, seeds {list(report.seeds)}")
    ax_f.title.set_fontsize(10)
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="lower center", ncol=3, fontsize=9, frameon=False,
               bbox_to_anchor=(0.5, -0.02))
    fig.tight_layout(rect=(0, 0.16, 1, 1))
    return save(fig, out, "regime_comparison", {
        "params": {"seeds": list(report.seeds), "eps": report.eps, "quick": quick,
                   "n_images": report.n_images},
        "seed": seed, "summary": summary})
