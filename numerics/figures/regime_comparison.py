"""The two regimes side by side: cells and networks on the theory's own measure."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import SHP1, AdaptiveProofreading

from . import figure
from .common import TAU_C, pyplot, save

NETWORKS = ("natural", "pgd_trained", "hill", "proofreading", "cnn")
MARKERS = dict(zip(NETWORKS, ("s", "D", "^", "v", "P")))


@figure("regime_comparison")
def draw(out, *, quick=False, seed=0, progress=True, seeds=None, report=None):
    """Left: the weak-input ratio r of T_{N,m} cells against m (r = 1 at m = 1, the regime
    boundary) and of SHP-1.  Right: r of the digit networks over seeds (mean of per-seed
    medians with its 95 % interval) with the position of their sensitivity peak.

    ``report`` may pass a precomputed :func:`network_regime_report`."""
    from ..experiments.regime_measures import cell_sensitivity, network_regime_report

    plt = pyplot()
    seeds = seeds or ((seed, seed + 1) if quick else tuple(range(seed, seed + 5)))
    if report is None:
        report = network_regime_report(NETWORKS, seeds, quick=quick, progress=progress)
    fig, (ax_c, ax_n) = plt.subplots(1, 2, figsize=(13, 6), sharey=True)
    n_lig = 500 if quick else 2000
    cells = {}
    for N, colour in ((3, "tab:blue"), (4, "tab:orange"), (5, "tab:green")):
        ms = np.arange(0.5, N - 0.49, 0.5)
        rs = [cell_sensitivity(AdaptiveProofreading(N, m, TAU_C), n_ligands=n_lig,
                               seed=seed).ratio for m in ms]
        ax_c.plot(ms, rs, "o-", color=colour, label=f"T_{{{N},m}}")
        cells.update({f"T_{{{N},{m:g}}}": r for m, r in zip(ms, rs)})
    for m in (1, 2, 3):
        r = cell_sensitivity(SHP1(m=m), n_ligands=200 if quick else 600, seed=seed).ratio
        ax_c.plot(m, r, "k*", ms=11, label="SHP-1" if m == 1 else None)
        ax_c.annotate(f"SHP-1 m={m}", (m, r), xytext=(5, -12), textcoords="offset points",
                      fontsize=8)
        cells[f"SHP-1 m={m}"] = r
    ax_c.axhline(1, color="grey", ls="--", lw=0.8)
    ax_c.axvline(1, color="grey", ls=":", lw=0.8)
    ax_c.set(yscale="log", xlabel="m (feedback step)", ylabel="weak-input ratio r",
             title="Cells (paper's set-up): r < 1 exactly when m > 1")
    ax_c.legend(fontsize=8)
    summary = {"cells": cells, "networks": {}}
    floor = 5e-3  # r = 0 (a filter with zero slope at 0) is drawn on the bottom edge
    for name, row in report.networks.items():
        r = row["weak_input_ratio"]
        lo, hi = (np.nan if v is None else v for v in r["ci95"])
        mean = r["mean_of_seed_medians"]
        peaks = np.asarray(row["profile_peak"], float)
        shown = max(mean, floor)
        err = None if not np.isfinite(lo) or mean <= floor else [[mean - lo], [hi - mean]]
        ax_n.errorbar(peaks.mean(), shown, yerr=err,
                      xerr=[[peaks.mean() - peaks.min()], [peaks.max() - peaks.mean()]],
                      fmt=MARKERS.get(name, "o"), ms=8, capsize=4,
                      label=f"{name}: r = {mean:.2f} [{lo:.2f}, {hi:.2f}] ({row['verdict']})")
        summary["networks"][name] = {"weak_input_ratio": r, "profile_peak": list(peaks),
                                     "verdict": row["verdict"]}
    ax_n.axhline(1, color="grey", ls="--", lw=0.8)
    ax_c.set_ylim(floor * 0.8, 5)
    ax_n.text(0.02, floor * 1.15, "r = 0 drawn on this edge", fontsize=7, color="grey")
    ax_n.set(xlabel="where the sensitivity profile peaks (pixel intensity; 0 = background)",
             title=f"Digit networks over seeds {list(report.seeds)} (95 % intervals)",
             xlim=(0, 1))
    ax_n.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=1,
                frameon=False)
    fig.suptitle("Weak-input ratio r: sensitivity to the weakest inputs over the others "
                 "(broad regime r >= 1, specialized r -> 0)")
    return save(fig, out, "regime_comparison", {
        "params": {"seeds": list(report.seeds), "eps": report.eps, "quick": quick},
        "seed": seed, "summary": summary})
