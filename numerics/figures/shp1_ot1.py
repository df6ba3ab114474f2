"""SHP-1 antagonism curves against the OT-1 peptides, with the measured table, and where the
SHP-1 model discriminates absolutely: tau_cross over levels and doses."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import SHP1

from . import figure
from .common import TAU_C, TWO_COLUMN, colour, label_panels, new_figure, save


@figure("shp1_ot1")
def draw(out, *, quick=False, seed=0, progress=True, tau_c=TAU_C):
    """(a) Fold change of the SHP-1 model (classical parameters) for N4 agonists (10 s,
    L = 100) plus 1000 antagonists at tau_2, m = 1..4, with the model's prediction for each
    antagonist peptide of the OT-1 table as a point at its binding time, and the model's
    threshold at the agonists' dose (tau_cross(L = 100) at the default level F(tau_c, 100):
    tau_c by the level's definition).  (b) How those binding times were assigned -- not
    measured, but converted from the measured potencies (EC50 relative to N4) by
    tau = 10 s EC50_rel^(-1/6) (Kondo et al. 2025; E1 fitted to antagonism data); it is not a
    test of the model.  (c) m = 1: tau_cross over levels and doses, the widest window of
    doses over which it varies by less than 10 % at each level, the default level and the
    band of levels at which the model discriminates absolutely.  (d) tau_cross against the
    dose at four levels, each window drawn thick."""
    from antagonism.theory import fold_change
    from antagonism.theory.threshold import threshold_binding_time

    from ..data.ot1 import compare_ot1, load_ot1

    table = load_ot1()
    grid = np.geomspace(0.1, 12, 30 if quick else 80)
    fig, ((ax, bx), (cx, dx)) = new_figure(TWO_COLUMN, 6.4, nrows=2, ncols=2,
                                           width_ratios=(1.4, 1))
    summary = {}
    panel = table[table["antagonist_panel"]]
    for k, m in enumerate((1, 2, 3, 4)):
        model = SHP1(m=m)
        ax.plot(grid, fold_change(model, 10.0, 100.0, grid, 1000.0), color=colour(k),
                label=f"$m = {m}$")
        cmp = compare_ot1(lambda t1, t2, M=model: float(fold_change(M, t1, 100.0, t2, 1000.0)),
                          tau_c=tau_c)
        ax.plot(cmp.tau_s, cmp.fc, "o", color=colour(k), mec="k", mew=0.5, ms=5)
        summary[f"m={m}"] = {"fc": dict(zip(cmp.peptides, cmp.fc)), "strongest": cmp.strongest,
                             "just_below_threshold": cmp.strongest_just_below_threshold}
    for row in panel:  # a guide from the axis to the peptide's dots (not through the legend)
        top = max(summary[f"m={m}"]["fc"][row["peptide"]] for m in (1, 2, 3, 4))
        ax.vlines(row["tau_s"], 0, top, color="0.75", lw=0.6, ls=":", zorder=0)
        ax.annotate(row["peptide"], (row["tau_s"], 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=6.5)
    ax.axhline(1, color="k", lw=0.6)
    thr = threshold_binding_time(SHP1(m=1, tau_c=tau_c), levels=False)
    ax.axvline(thr.tau, color="k", lw=0.8, ls="--",
               label=rf"threshold ($L = {thr.reference_dose:g}$)")
    ax.set(xscale="log", xlabel=r"antagonist binding time $\tau_2$ (s)",
           ylabel="fold change against N4 alone", ylim=(0, 3.2))
    ax.set_title("SHP-1 model: N4 ($\\tau_1 = 10$ s, $L_1 = 100$) + 1000 antagonists at "
                 r"$\tau_2$" "\ndots: the model at each OT-1 peptide's assigned $\\tau$",
                 pad=12)
    ax.legend(loc="upper left", title="SHP-1 feedback step")
    measured = ~table["tau_fitted"]
    bx.plot(table["tau_s"][measured], table["ec50_rel"][measured], "s", color="k", mfc="w",
            label=r"$\tau$ converted from EC$_{50}$")
    bx.plot(table["tau_s"][~measured], table["ec50_rel"][~measured], "D", color="0.5",
            label=r"$\tau$ fitted to antagonism (E1)")
    tt = np.geomspace(0.4, 11, 50)
    bx.plot(tt, (tt / 10.0) ** -6, color="0.5", lw=0.8, zorder=0,
            label=r"conversion $\tau = 10\,{\rm s}\;{\rm EC}_{50}^{-1/6}$")
    for row in table:
        bx.annotate(row["peptide"], (row["tau_s"], row["ec50_rel"]), xytext=(4, 2),
                    textcoords="offset points", fontsize=6.5)
    bx.set(xscale="log", yscale="log", xlabel=r"assigned binding time $\tau$ (s)",
           ylabel=r"measured EC$_{50}$ relative to N4")
    bx.set_title("Where the binding times come from:\na conversion (Kondo et al. 2025), "
                 "not a test", pad=12)
    bx.legend(loc="lower left")
    summary["threshold"] = _level_panels(cx, dx, quick)
    label_panels((ax, bx, cx, dx))
    return save(fig, out, "shp1_ot1", {"params": {"tau1": 10.0, "L1": 100.0, "L2": 1000.0,
                                                  "classical": True, "tau_c": tau_c},
                                       "seed": seed, "summary": summary})


def _level_panels(cx, dx, quick):
    """(c) tau_cross over levels and doses for SHP-1 m = 1 with the 10 % windows, the default
    level and the band; (d) tau_cross against the dose at four levels.  Returns the numbers
    drawn."""
    from matplotlib.colors import LogNorm

    from antagonism.theory.threshold import threshold_binding_time, threshold_level_map

    model = SHP1(m=1)
    thr = threshold_binding_time(model)
    band = thr.absolute_discrimination_levels
    scan = threshold_level_map(model, np.geomspace(0.005, 1.0, 18 if quick else 48))
    doses, levels = np.array(scan.dose_grid), np.array(scan.levels)
    taus = np.array([[np.nan if t is None else t for t in row] for row in scan.tau_cross])
    mesh = cx.pcolormesh(doses, levels, taus, norm=LogNorm(vmin=1, vmax=30), cmap="viridis",
                         shading="nearest", rasterized=True)
    cb = cx.figure.colorbar(mesh, ax=cx, pad=0.02)
    cb.set_label(r"$\tau_{\rm cross}$ (s)")
    edges = [(r, v) for r, v in zip(scan.dose_ranges, levels) if r is not None]
    for side in (0, 1):
        cx.plot([r[side] for r, _ in edges], [v for _, v in edges], color="w", lw=0.9)
    cx.axhline(thr.level, color=colour(3), lw=1, ls="--")
    for v in band or ():
        cx.axhline(v, color=colour(1), lw=1)
    cx.set(xscale="log", yscale="log", xlabel="dose $L$ (molecules)", ylabel=r"level $\Theta$")
    cx.set_title(r"SHP-1 ($m = 1$): $\tau_{\rm cross}$ by level and dose" "\n"
                 "white: the widest window within 10 %\n"
                 "dashed: default level; orange: the band", pad=6)
    chosen = [thr.level, 0.126, 0.2, 0.805]
    curves = threshold_level_map(model, chosen)
    for k, (v, row, rng) in enumerate(zip(chosen, curves.tau_cross, curves.dose_ranges)):
        q = np.array([d for d, t in zip(curves.dose_grid, row) if t is not None])
        t = np.array([t for t in row if t is not None])
        name = "default" if k == 0 else "an earlier two-dose level" if k == 3 else ""
        dx.plot(q, t, color=colour(k), lw=0.8, label=f"{v:.3g}" + (f" ({name})" if name else ""))
        if rng is not None:
            inside = (q >= rng[0]) & (q <= rng[1])
            dx.plot(q[inside], t[inside], color=colour(k), lw=2.5)
    dx.set(xscale="log", yscale="log", xlabel="dose $L$ (molecules)",
           ylabel=r"threshold $\tau_{\rm cross}(L)$ (s)")
    dx.set_ylim(0.15, 200)
    dx.set_title("SHP-1 ($m = 1$): the threshold against the dose\nat four levels (thick: "
                 "its widest 10 % window)", pad=6)
    dx.legend(loc="lower left", title=r"level $\Theta$")
    return {"default_level": thr.level, "absolute_discrimination_levels": band,
            "levels": chosen, "decades": curves.decades, "dose_ranges": curves.dose_ranges}
