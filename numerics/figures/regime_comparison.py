"""The two regimes side by side: the same two measures for cells and networks."""
from __future__ import annotations

from antagonism.derivations import SHP1, AdaptiveProofreading

from . import figure
from .common import TAU_C, pyplot, save, trained_digit_models


@figure("regime_comparison")
def draw(out, *, quick=False, seed=0, progress=True):
    """Gradient critical point score against iterative-attack gain for T_{N,m} cells, the
    SHP-1 model and the digit networks."""
    from ..experiments.regime_measures import cell_measures, network_measures, typed_measures

    plt = pyplot()
    data, models = trained_digit_models(quick, seed, progress)
    rows = []
    pairs = ((3, 0), (3, 1), (3, 2), (4, 1), (4, 3)) if quick else (
        (4, 0), (4, 1), (3, 1), (5, 1), (3, 2), (5, 2), (5, 3), (5, 4))
    for frac in (0.3, 1.0):
        for N, m in pairs:
            r = cell_measures(AdaptiveProofreading(N, m, TAU_C), eps=frac * TAU_C,
                              n_ligands=500 if quick else 2000, seed=seed)
            r.name = f"{r.name} eps={frac:g}tau_c"
            r.eps_fraction = frac
            rows.append(r)
        for m in (1, 4):
            r = typed_measures(SHP1(m=m), eps_fraction=frac, seed=seed,
                               n_types=8 if quick else 20)
            r.name = f"{r.name} eps={frac:g}range"
            r.eps_fraction = frac
            rows.append(r)
    for name, (model, defended) in models.items():
        rows.append(network_measures(name, model, data.x_test, data.y_test, eps=0.3,
                                     n_images=10 if quick else 40,
                                     pixels_per_image=3 if quick else 6, seed=seed,
                                     bpda=defended))
    fig, ax = plt.subplots(figsize=(9, 6))
    for k, r in enumerate(rows):
        if r.kind == "cell":
            filled = r.eps_fraction < 1
            ax.plot(r.critical_point_score, r.attack_gain, "o", color="tab:blue",
                    mfc="tab:blue" if filled else "none")
            side = -1 if r.critical_point_score > 0.5 else 1
            ax.annotate(r.name.replace(" eps=", ", "), (r.critical_point_score, r.attack_gain),
                        fontsize=6, xytext=(6 * side, 9 * (k % 8) - 30),
                        textcoords="offset points", ha="left" if side > 0 else "right",
                        color="tab:blue")
        else:
            ax.plot(r.critical_point_score, r.attack_gain, "s", color="tab:red")
            ax.annotate(r.name, (r.critical_point_score, r.attack_gain), fontsize=8,
                        xytext=(4, 3), textcoords="offset points", color="tab:red")
    ax.axvline(0.5, color="grey", ls="--", lw=0.8)
    ax.set(xlabel="gradient critical point score (fraction of response curves peaking "
                  "inside)", ylabel="iterative-attack gain (PGD over FGSM)",
           title="Regimes of cells (blue; filled eps = 0.3 tau_c, open eps = tau_c) and "
                 "networks (red; eps = 0.3)",
           xlim=(-0.08, 1.08), ylim=(-0.05, 1.05))
    return save(fig, out, "regime_comparison", {
        "params": {"eps_fraction_of_range": 0.3}, "seed": seed,
        "summary": {r.name: r.to_dict() for r in rows}})
