"""SHP-1 antagonism curves against the OT-1 peptides, with the measured table."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import SHP1

from . import figure
from .common import TAU_C, TWO_COLUMN, colour, label_panels, new_figure, save


@figure("shp1_ot1")
def draw(out, *, quick=False, seed=0, progress=True, tau_c=TAU_C):
    """Left: fold change of the SHP-1 model (classical parameters) for N4 agonists (10 s,
    L = 100) plus 1000 antagonists at tau_2, m = 1..4, with the model's prediction for each
    antagonist peptide of the OT-1 table as a point at its binding time.  Right: how those
    binding times were assigned -- not measured, but converted from the measured potencies
    (EC50 relative to N4) by tau = 10 s EC50_rel^(-1/6) (Kondo et al. 2025; E1 fitted to
    antagonism data).  The right panel is therefore that conversion, drawn so the reader can
    see where each peptide's tau comes from; it is not a test of the model."""
    from antagonism.theory import fold_change

    from ..data.ot1 import compare_ot1, load_ot1

    table = load_ot1()
    grid = np.geomspace(0.1, 12, 30 if quick else 80)
    fig, (ax, bx) = new_figure(TWO_COLUMN, 3.0, nrows=1, ncols=2, width_ratios=(1.4, 1))
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
    for row in panel:
        ax.axvline(row["tau_s"], color="0.75", lw=0.6, ls=":", zorder=0)
        ax.annotate(row["peptide"], (row["tau_s"], 1.0), xycoords=("data", "axes fraction"),
                    xytext=(0, 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=6.5)
    ax.axhline(1, color="k", lw=0.6)
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
    bx.axvline(tau_c, color="k", lw=0.6, ls="--", label=rf"$\tau_c = {tau_c:g}$ s")
    bx.set(xscale="log", yscale="log", xlabel=r"assigned binding time $\tau$ (s)",
           ylabel=r"measured EC$_{50}$ relative to N4")
    bx.set_title("Where the binding times come from:\na conversion (Kondo et al. 2025), "
                 "not a test", pad=12)
    bx.legend(loc="upper right")
    label_panels((ax, bx))
    return save(fig, out, "shp1_ot1", {"params": {"tau1": 10.0, "L1": 100.0, "L2": 1000.0,
                                                  "classical": True, "tau_c": tau_c},
                                       "seed": seed, "summary": summary})
