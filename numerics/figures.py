"""Every figure of SCIENCE.md section 4 plus the landscape and regime-comparison figures.

``make_figures(out, quick=False)`` writes <name>.png, <name>.pdf and <name>.json (parameters,
seed, package versions and the numbers the figure shows) for each figure in FIGURES.
``quick`` shrinks ligand numbers, iterations and networks so the tests can run it.
"""
from __future__ import annotations

import json
import sys
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

TAU_C = 3.0


def _versions():
    out = {}
    for pkg in ("antagonism", "numpy", "scipy", "sympy", "numba", "matplotlib", "scikit-learn"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, out, name, meta):
    from antagonism.theory.result import _jsonable

    out.mkdir(parents=True, exist_ok=True)
    fig.savefig(out / f"{name}.png", dpi=110, bbox_inches="tight")
    fig.savefig(out / f"{name}.pdf", bbox_inches="tight")
    _plt().close(fig)
    meta = {"figure": name, **meta, "versions": _versions()}
    (out / f"{name}.json").write_text(json.dumps(_jsonable(meta), indent=1))
    return meta


# -- cells ---------------------------------------------------------------------------------
def fig_antagonism_potential(out, quick, seed):
    from .curves import antagonism_potential

    plt = _plt()
    Ns = range(1, 6)
    fig, axes = plt.subplots(1, 5, figsize=(18, 3.6), sharey=False)
    summary = {}
    for ax, N in zip(axes, Ns):
        for m in range(N):
            r = antagonism_potential(N, m, TAU_C, n_points=120 if quick else 400)
            color = "tab:blue" if m < 2 else ("tab:orange" if m == 2 else "tab:red")
            ax.plot(r.tau2, r.T, color=color, alpha=0.4 + 0.6 * m / max(N - 1, 1),
                    label=f"m={m}")
            if r.tau_min is not None:
                ax.plot(r.tau_min, r.T_min, "ko", ms=4)
            if r.tau_inflection is not None:
                ax.plot(r.tau_inflection, np.interp(r.tau_inflection, r.tau2, r.T), "k^", ms=5)
            summary[f"{N},{m}"] = {"tau_min": r.tau_min, "T_min": r.T_min,
                                   "tau_inflection": r.tau_inflection}
        ax.axhline(1, color="grey", lw=0.8, ls="--")
        ax.set(title=f"N = {N}", xlabel=r"antagonist $\tau_2$")
        ax.legend(fontsize=7)
    axes[0].set_ylabel(r"$T_{N,m}$")
    fig.suptitle("Antagonism potential: 0.4R agonists at tau_c + 0.6R ligands at tau_2 "
                 "(dots: minima = tau*, triangles: inflections; blue m<2, orange m=2, red m>2)")
    return _save(fig, out, "antagonism_potential", {"params": {"tau_c": TAU_C, "R": 1e4,
                                                               "agonist_fraction": 0.4},
                                                    "seed": seed, "summary": summary})


def fig_descent_grid(out, quick, seed):
    from .descent import descend_to_boundary
    from .ligands import paper_ligands

    plt = _plt()
    n = 2000 if quick else 101**2
    Nmax = 3 if quick else 5
    lig = paper_ligands(n, 0.3, TAU_C, seed)
    fig, axes = plt.subplots(Nmax, Nmax, figsize=(3 * Nmax, 2.4 * Nmax), squeeze=False)
    summary, images = {}, {}
    bins = np.linspace(0, 4.5, 46)
    for N in range(1, Nmax + 1):
        for m in range(Nmax):
            ax = axes[N - 1, m]
            if m >= N:
                ax.axis("off")
                continue
            r = descend_to_boundary(lig.tau, lig.L, N, m, TAU_C,
                                    max_iter=2000 if quick else 20000)
            ax.hist(lig.tau, bins, color="lightgrey", label="initial")
            ax.hist(r.tau, bins, histtype="step", color="k", label="final")
            if r.tau_star_predicted:
                ax.axvline(r.tau_star_predicted, color="tab:red", lw=1)
            ax.set_title(f"(N,m)=({N},{m}) {r.status}, T={r.T_final:.3f}", fontsize=8)
            ax.set_yscale("log")
            summary[f"{N},{m}"] = r.summary()
            if (N, m) in ((4, 1), (5, 3), (3, 1), (3, 2)):
                images[(N, m)] = r.tau
    fig.suptitle("Exact descent to the boundary on the paper's set-up: final tau histograms "
                 "(red: theory's tau*(T_final))")
    meta = _save(fig, out, "descent_grid", {"params": {"n_ligands": n, "eps": 0.2,
                                                       "agonist_fraction": 0.3},
                                            "seed": seed, "summary": summary})
    side = int(np.sqrt(n))
    fig, axes = plt.subplots(1, len(images) + 1, figsize=(3.2 * (len(images) + 1), 3))
    axes[0].imshow(lig.tau[:side * side].reshape(side, side), vmin=0, vmax=4, cmap="magma")
    axes[0].set_title("initial ligands")
    for ax, ((N, m), tau) in zip(axes[1:], images.items()):
        ax.imshow(tau[:side * side].reshape(side, side), vmin=0, vmax=4, cmap="magma")
        ax.set_title(f"final, (N,m)=({N},{m})")
    for ax in axes:
        ax.axis("off")
    _save(fig, out, "descent_ligand_images", {"params": {"n_ligands": n}, "seed": seed})
    return meta


def _text_masks(text, height, width):
    """Render each letter of ``text`` with matplotlib; return a list of boolean masks."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    masks = []
    for i, ch in enumerate(text):
        fig = Figure(figsize=(width / 50, height / 50), dpi=50)
        canvas = FigureCanvasAgg(fig)
        fig.text((i + 0.5) / len(text), 0.5, ch, ha="center", va="center",
                 fontsize=height * 0.9, fontweight="bold", family="DejaVu Sans")
        canvas.draw()
        img = np.asarray(canvas.buffer_rgba())[..., 0]
        masks.append(img[:height, :width] < 128)
    return masks


def fig_picture_attack(out, quick, seed, budget=20):
    """Pixels as ligands: letters M and L agonists (tau = 4), the letter T weak antagonists
    just below threshold (tau = 2.9), background self.  Both cells respond at first; each is
    attacked by the exact descent with the same budget of ``budget`` iterations."""
    from .descent import descend_to_boundary

    plt = _plt()
    h, w = (24, 60) if quick else (40, 100)
    mM, mT, mL = _text_masks("MTL", h, w)
    rng = np.random.default_rng(seed)
    tau = np.abs(rng.normal(0, 1 / 3, (h, w)))
    tau[mM | mL] = 4.0
    tau[mT] = 2.9
    tau = np.clip(tau, 1e-6, None)
    L = np.ones(h * w)
    fig, axes = plt.subplots(2, 3, figsize=(12, 5))
    summary = {}
    for row, (N, m) in enumerate(((4, 1), (5, 4))):
        r = descend_to_boundary(tau.ravel(), L, N, m, TAU_C, max_iter=budget)
        final = r.tau.reshape(h, w)
        change = final - tau
        bg = ~(mM | mT | mL)
        summary[f"{N},{m}"] = {"status": r.status, "T_initial": r.T_initial,
                               "T_final": r.T_final,
                               "mean_abs_change_background": float(np.abs(change[bg]).mean()),
                               "mean_abs_change_T_letter": float(np.abs(change[mT]).mean())}
        for ax, img, title in zip(axes[row], (tau, final, change),  # noqa: B007
                                  ("original (grey level = tau)", f"after descent, (N,m)=({N},{m})",
                                   "change")):
            ax.imshow(img, cmap="gray" if title != "change" else "coolwarm",
                      vmin=0 if title != "change" else -1, vmax=4 if title != "change" else 1)
            ax.set_title(f"{title}" + (f": {r.status}, T={r.T_final:.3f}" if "after" in title
                                       else ""), fontsize=9)
            ax.axis("off")
    fig.suptitle(f"Picture attack: M, L agonists (tau=4), T weak antagonists (tau=2.9), "
                 f"background self; {budget} descent iterations")
    return _save(fig, out, "picture_attack", {"params": {"shape": [h, w], "tau_c": TAU_C,
                                                         "budget": budget},
                                              "seed": seed, "summary": summary})


def fig_immune_boundary_tilting(out, quick, seed):
    from antagonism.theory import decision_boundary

    plt = _plt()
    tau_c = 4.0
    t1 = np.linspace(4.2, 8, 25 if quick else 50)
    L1 = np.geomspace(1, 1e4, 25 if quick else 50)
    T1, LL1 = np.meshgrid(t1, L1)
    fig = plt.figure(figsize=(11, 9))
    summary = {}
    for k, ((N, m), t2) in enumerate([((1, 0), 0.1), ((1, 0), 3.0), ((5, 3), 0.1),
                                      ((5, 3), 3.0)]):
        Ls = decision_boundary(T1.ravel(), LL1.ravel(), t2, N, m, tau_c).reshape(T1.shape)
        ax = fig.add_subplot(2, 2, k + 1, projection="3d")
        ax.plot_surface(T1, np.log10(LL1), np.log10(Ls), cmap="viridis")
        ax.set(xlabel=r"$\tau_1$", ylabel=r"log$_{10} L_1$", zlabel=r"log$_{10} L_2^*$",
               title=f"(N,m)=({N},{m}), tau_2={t2}")
        summary[f"{N},{m},{t2}"] = {"median_log10_L2star": float(np.median(np.log10(Ls)))}
    fig.suptitle("Immune boundary tilting: antagonists needed to silence agonists (tau_c = 4)")
    return _save(fig, out, "immune_boundary_tilting", {"params": {"tau_c": tau_c}, "seed": seed,
                                                       "summary": summary})


def fig_shp1_ot1(out, quick, seed):
    from .experimental import compare_ot1, load_ot1
    from .shp1 import SHP1Model

    plt = _plt()
    table = load_ot1()
    grid = np.geomspace(0.1, 12, 30 if quick else 80)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    summary = {}
    for m in (1, 2, 3, 4):
        model = SHP1Model(m=m)
        fc = model.fold_change(10.0, 100.0, grid, 1000.0)
        ax.plot(grid, fc, label=f"SHP-1, m={m}")
        cmp = compare_ot1(lambda t1, t2, M=model: M.fold_change(t1, 100.0, [t2], 1000.0)[0],
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
    return _save(fig, out, "shp1_ot1", {"params": {"tau1": 10.0, "L1": 100.0, "L2": 1000.0,
                                                   "classical": True}, "seed": seed,
                                        "summary": summary})


# -- networks ------------------------------------------------------------------------------
def _models(quick, seed, progress):
    from .networks.data import load_digits
    from .networks.robustness import trained_models

    data = load_digits(seed=seed)
    return data, trained_models(data, seed, quick, progress,
                                names=("natural", "pgd_trained", "hill", "threshold"))


def fig_digit_boundary_tilting(out, quick, seed):
    from .networks.tilting import boundary_tilting

    plt = _plt()
    r = boundary_tilting(classes=(3, 8), seed=seed)
    fig, (a, b) = plt.subplots(1, 2, figsize=(9, 3.6))
    a.plot(r.eps, r.accuracy_natural, "o-", label="natural")
    a.plot(r.eps, r.accuracy_adversarial, "s-", label="adversarially trained")
    a.set(xlabel=r"$\epsilon$", ylabel="test accuracy (3 vs 8)", ylim=(0, 1.02))
    a.legend()
    b.imshow(r.direction[0], cmap="coolwarm")
    b.set_title("sign(mean_3 - mean_8)")
    b.axis("off")
    fig.suptitle("Digit boundary tilting: FGSM toward the other class's mean, linear classifier")
    return _save(fig, out, "digit_boundary_tilting", {
        "params": {"classes": [3, 8], "train_eps": 0.3}, "seed": seed,
        "summary": {"eps": r.eps, "natural": r.accuracy_natural,
                    "adversarial": r.accuracy_adversarial}})


def fig_landscapes(out, quick, seed, progress=True):
    from .attacks import Domain
    from .cell_objective import CellObjective
    from .landscapes import cell_margin_grid, objective_landscape
    from .ligands import paper_ligands
    from .networks.objective import NetworkObjective

    plt = _plt()
    data, models = _models(quick, seed, progress)
    fig, axes = plt.subplots(3, 3, figsize=(14, 12))
    summary = {}
    lig = paper_ligands(1000 if quick else 4000, 0.3, TAU_C, seed)
    dom = Domain(lower=1e-6, upper=TAU_C * (1 - 1e-12), mask=(lig.tau < TAU_C)[None, :])
    a_cell = np.linspace(0, TAU_C, 13 if quick else 31)
    b_cell = np.linspace(-1.5, 1.5, 9 if quick else 21)
    for ax, (N, m) in zip(axes[0, :2], ((4, 1), (5, 3))):
        obj = CellObjective(lig.tau, lig.L, N, m, TAU_C)
        ls = objective_landscape(obj, obj.x0(), a_cell, b_cell, seed, dom)
        cs = ax.contourf(b_cell, a_cell, -ls.loss, 20, cmap="viridis")
        ax.contour(b_cell, a_cell, -ls.loss, [0.0], colors="w")
        fig.colorbar(cs, ax=ax, label="margin log T")
        ax.set(title=f"cell T_{{{N},{m}}}: log T",
               xlabel="random direction", ylabel="gradient-sign direction")
        summary[f"cell {N},{m}"] = {"min_margin": float((-ls.loss).min())}
    grid = cell_margin_grid(5, 3, TAU_C)
    cs = axes[0, 2].contourf(grid.betas, grid.alphas, grid.loss, 20, cmap="viridis")
    axes[0, 2].contour(grid.betas, grid.alphas, grid.loss, [0.0], colors="w")
    axes[0, 2].set(xscale="log", xlabel=r"$L_2$", ylabel=r"$\tau_2$",
                   title=r"T_{5,3}: log T over ($\tau_2$, $L_2$)")
    fig.colorbar(cs, ax=axes[0, 2])
    x, y = data.x_test[:30], data.y_test[:30]
    a_net = np.linspace(0, 0.3, 9 if quick else 16)
    b_net = np.linspace(-0.3, 0.3, 9 if quick else 17)
    for ax, name in zip(axes[1], ("natural", "pgd_trained", "hill")):
        model, _ = models[name]
        ls = objective_landscape(NetworkObjective(model, y), x, a_net, b_net, seed,
                                 Domain(0.0, 1.0))
        cs = ax.contourf(b_net, a_net, ls.loss, 20, cmap="magma")
        fig.colorbar(cs, ax=ax, label="cross-entropy")
        ax.set(title=f"network {name}: cross-entropy", xlabel="random direction",
               ylabel="FGSM direction")
        summary[f"net {name}"] = {"loss_at_0": float(ls.loss[0, len(b_net) // 2]),
                                  "loss_at_max_fgsm": float(ls.loss[-1, len(b_net) // 2])}
    # SHP-1: one agonist type and 20 self types; log output along sign(grad) x random
    from .cell_objective import SHP1CellObjective
    from .landscapes import shp1_fold_change_grid, shp1_ligands

    tau, L = shp1_ligands(20, seed=seed)
    movable = tau < 5.0
    a_s = np.linspace(0, 5.0, 9 if quick else 21)
    b_s = np.linspace(-2.0, 2.0, 7 if quick else 15)
    for ax, m in zip(axes[2, :2], (1, 4)):
        obj = SHP1CellObjective(tau, L, movable, m=m)
        ls = objective_landscape(obj, obj.x0(), a_s, b_s, seed,
                                 Domain(lower=1e-2, upper=5.0, mask=movable[None, :]))
        margin = -ls.loss - np.log(obj.threshold)
        cs = ax.contourf(b_s, a_s, margin, 20, cmap="viridis")
        if margin.min() < 0 < margin.max():
            ax.contour(b_s, a_s, margin, [0.0], colors="w")
        fig.colorbar(cs, ax=ax, label="log(output / threshold)")
        ax.set(title=f"SHP-1 m={m}: margin", xlabel="random direction",
               ylabel="gradient-sign direction")
        summary[f"shp1 m={m}"] = {"min_margin": float(margin.min()),
                                  "max_margin": float(margin.max())}
    g = shp1_fold_change_grid(1, tau2=np.geomspace(0.1, 10, 12 if quick else 30),
                              L2=np.geomspace(10, 1e4, 8 if quick else 20))
    cs = axes[2, 2].contourf(g.betas, g.alphas, g.loss, 20, cmap="viridis")
    axes[2, 2].set(xscale="log", yscale="log", xlabel=r"$L_2$", ylabel=r"$\tau_2$ (s)",
                   title="SHP-1 m=1: log FC over (tau_2, L_2)")
    fig.colorbar(cs, ax=axes[2, 2])
    summary["shp1 m=1 log FC min"] = float(g.loss.min())
    fig.suptitle("Loss landscapes: T_{N,m} cells (top), networks (middle), SHP-1 (bottom)")
    return _save(fig, out, "landscapes", {"params": {"eps_cells": float(TAU_C),
                                                     "eps_networks": 0.3,
                                                     "shp1": "agonist 10 s x 100 + 20 self "
                                                             "types x 50, threshold = half the "
                                                             "agonist-only response"},
                                          "seed": seed, "summary": summary})


def fig_regime_comparison(out, quick, seed, progress=True):
    from .regime_compare import cell_measures, network_measures, shp1_measures

    plt = _plt()
    data, models = _models(quick, seed, progress)
    rows = []
    pairs = ((3, 0), (3, 1), (3, 2), (4, 1), (4, 3)) if quick else (
        (4, 0), (4, 1), (3, 1), (5, 1), (3, 2), (5, 2), (5, 3), (5, 4))
    for frac in (0.3, 1.0):
        for N, m in pairs:
            r = cell_measures(N, m, TAU_C, eps=frac * TAU_C, n_ligands=500 if quick else 2000,
                              seed=seed)
            r.name = f"{r.name} eps={frac:g}tau_c"
            r.eps_fraction = frac
            rows.append(r)
        for m in (1, 4):
            r = shp1_measures(m, eps_fraction=frac, seed=seed, n_types=8 if quick else 20)
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
    return _save(fig, out, "regime_comparison", {
        "params": {"eps_fraction_of_range": 0.3}, "seed": seed,
        "summary": {r.name: r.to_dict() for r in rows}})


FIGURES = {
    "antagonism_potential": fig_antagonism_potential,
    "descent_grid": fig_descent_grid,
    "picture_attack": fig_picture_attack,
    "immune_boundary_tilting": fig_immune_boundary_tilting,
    "digit_boundary_tilting": fig_digit_boundary_tilting,
    "shp1_ot1": fig_shp1_ot1,
    "landscapes": fig_landscapes,
    "regime_comparison": fig_regime_comparison,
}


def make_figures(out, quick=False, seed=0, only=None, progress=True):
    """Regenerate the figures into ``out``; returns {name: metadata}."""
    out = Path(out)
    names = list(FIGURES) if only is None else list(only)
    unknown = set(names) - set(FIGURES)
    if unknown:
        raise ValueError(f"unknown figure(s) {sorted(unknown)}; known: {', '.join(FIGURES)}")
    done = {}
    for i, name in enumerate(names, 1):
        start = time.perf_counter()
        if progress:
            print(f"[figures] {i}/{len(names)} {name} ...", file=sys.stderr, flush=True)
        fn = FIGURES[name]
        kwargs = {"progress": progress} if name in ("landscapes", "regime_comparison") else {}
        done[name] = fn(out, quick, seed, **kwargs)
        if progress:
            print(f"[figures] {name} done in {time.perf_counter() - start:.1f} s",
                  file=sys.stderr, flush=True)
    return done
