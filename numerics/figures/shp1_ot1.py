"""SHP-1 antagonism curves against the OT-1 peptides."""
from __future__ import annotations

import numpy as np

from antagonism.derivations import SHP1

from . import figure
from .common import TAU_C, pyplot, save


@figure("shp1_ot1")
def draw(out, *, quick=False, seed=0, progress=True):
    """Fold change of the SHP-1 model (classical parameters) for N4 agonists (10 s, L = 100)
    plus 1000 antagonists at tau_2, m = 1..4, with the OT-1 peptides marked."""
    from antagonism.theory import fold_change

    from ..data.ot1 import compare_ot1, load_ot1

    plt = pyplot()
    table = load_ot1()
    grid = np.geomspace(0.1, 12, 30 if quick else 80)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    summary = {}
    for m in (1, 2, 3, 4):
        model = SHP1(m=m)
        ax.plot(grid, fold_change(model, 10.0, 100.0, grid, 1000.0), label=f"SHP-1, m={m}")
        cmp = compare_ot1(lambda t1, t2, M=model: float(fold_change(M, t1, 100.0, t2, 1000.0)),
                          tau_c=TAU_C)
        summary[f"m={m}"] = {"fc": dict(zip(cmp.peptides, cmp.fc)), "strongest": cmp.strongest,
                             "just_below_threshold": cmp.strongest_just_below_threshold}
    for row in table:
        ax.axvline(row["tau_s"], color="grey", lw=0.6, ls=":")
        ax.text(row["tau_s"], 0.02, row["peptide"], rotation=90, fontsize=8,
                transform=ax.get_xaxis_transform())
    ax.axhline(1, color="k", lw=0.8)
    ax.set(xscale="log", xlabel=r"antagonist binding time $\tau_2$ (s)",
           ylabel="fold change vs N4 alone", ylim=(0, 3),
           title="SHP-1 model: N4 agonists (tau=10 s, L=100) + 1000 antagonists; OT-1 peptides")
    ax.legend()
    return save(fig, out, "shp1_ot1", {"params": {"tau1": 10.0, "L1": 100.0, "L2": 1000.0,
                                                  "classical": True}, "seed": seed,
                                       "summary": summary})
