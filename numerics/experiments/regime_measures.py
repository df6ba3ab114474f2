"""The two regimes side by side: the same two measures for cells and networks.

1. **Gradient critical point score**: the fraction of per-input response curves whose loss
   gradient peaks away from the weak end (tau -> 0 for a ligand, intensity 0 for a pixel).
   Broad regime: the gradient is largest on the weakest inputs (score near 0); specialized
   regime: it peaks at an interior point, the analogue of tau_infl (score near 1).
2. **Iterative-attack gain**: how much more PGD achieves than FGSM at equal eps,
   (gain_PGD - gain_FGSM) / gain_PGD clipped to [0, 1], with gain the mean increase of the
   attack loss.
"""
from __future__ import annotations

import numpy as np

from antagonism.theory.result import Result

from ..attacks import Domain, fgsm, pgd
from ..cells.ligands import paper_ligands
from ..cells.objective import CellObjective
from .landscapes import agonist_and_self_types, response_curve


class RegimeMeasures(Result):
    """Keys: name, kind ("cell" or "network"), critical_point_score, attack_gain, regime,
    strongest_inputs (where the most damaging single-input perturbations lie), details."""


def _gain(loss0, loss_f, loss_p):
    """(gain_PGD - gain_FGSM) / gain_PGD, clipped to [0, 1]: 1 when FGSM achieves nothing
    or even lowers the loss (as it does when a model *enhances* its response)."""
    gp, gf = float(np.mean(loss_p - loss0)), float(np.mean(loss_f - loss0))
    return float(np.clip((gp - gf) / gp, 0.0, 1.0)) if gp > 0 else 0.0


def cell_measures(model, eps=0.9, n_ligands=2000, seed=0, agonist_fraction=0.3):
    """Measures for a cell model on the paper's set-up (sub-threshold ligands may move)."""
    tau_c = float(model.tau_c)
    lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed)
    obj = CellObjective(model, lig.tau, lig.L)
    x0 = obj.x0()
    dom = Domain(lower=1e-9, upper=tau_c * (1 - 1e-12), mask=(lig.tau < tau_c)[None, :])
    loss0 = obj.loss(x0)
    f = fgsm(obj, x0, eps, domain=dom)
    p = pgd(obj, x0, eps, step=eps / 40, n_steps=200, random_init=False, domain=dom)
    # response curve of one self ligand's tau over (0, tau_c): |dF/dtau| peak position
    k = int(np.flatnonzero(lig.tau < tau_c)[0])

    def loss_at(v):
        t = lig.tau.copy()
        t[k] = v
        return float(obj.loss(t[None, :])[0])

    curve = response_curve(loss_at, np.linspace(1e-3 * tau_c, 0.999 * tau_c, 400))
    score = 1.0 if curve.interior else 0.0
    return RegimeMeasures(name=model.label(), kind="cell", critical_point_score=score,
                          attack_gain=_gain(loss0, f.loss, p.loss),
                          regime="specialized" if score > 0.5 else "broad",
                          strongest_inputs=curve.argmax_abs_gradient / tau_c,
                          details={"eps": eps, "fgsm_output": float(np.exp(-f.loss[0])),
                                   "pgd_output": float(np.exp(-p.loss[0]))})


def network_measures(name, model, x, y, eps=0.3, n_images=40, pixels_per_image=6, seed=0,
                     bpda=False):
    """Measures for a classifier on digits: per-pixel response curves and PGD vs FGSM."""
    from ..attacks import pgd_bpda
    from ..networks.objective import NetworkObjective

    rng = np.random.default_rng(seed)
    idx = rng.choice(len(y), size=min(n_images, len(y)), replace=False)
    xs, ys = x[idx], y[idx]
    obj = NetworkObjective(model, ys)
    dom = Domain(0.0, 1.0)
    loss0 = obj.loss(xs)
    f = fgsm(obj, xs, eps, domain=dom)
    attack = pgd_bpda if bpda else pgd
    p = attack(obj, xs, eps, n_steps=40, step=2.5 * eps / 40, domain=dom, seed=seed,
               restarts=2)
    interior, peaks, originals = [], [], []
    values = np.linspace(0.0, 1.0, 41)
    for b in range(len(ys)):
        single = obj.subset([b])
        for pix in rng.choice(xs[b].size, size=pixels_per_image, replace=False):
            def loss_at(v, b=b, pix=pix):
                img = xs[b:b + 1].copy()
                img.flat[pix] = v
                return float(single.loss(img)[0])
            c = response_curve(loss_at, values)
            interior.append(c.interior)
            peaks.append(c.argmax_abs_gradient)
            originals.append(xs[b].flat[pix])
    score = float(np.mean(interior))
    return RegimeMeasures(name=name, kind="network", critical_point_score=score,
                          attack_gain=_gain(loss0, f.loss, p.loss),
                          regime="specialized" if score > 0.5 else "broad",
                          strongest_inputs=float(np.median(peaks)),
                          details={"eps": eps, "fgsm_accuracy": float(np.mean(~f.success)),
                                   "pgd_accuracy": float(np.mean(~p.success)),
                                   "n_profiles": len(interior)})


def typed_measures(model, eps_fraction=0.3, tau_max=5.0, seed=0, n_types=20):
    """The same measures on a few ligand types (one agonist type, ``n_types`` self types
    that move within (0, tau_max]): the classifier's gradient critical point (0/1) and PGD
    over FGSM on the cell objective.  Suits models with shared variables, such as SHP-1."""
    from antagonism.theory import classify

    tau, L = agonist_and_self_types(n_types, seed=seed)
    movable = tau < tau_max
    obj = CellObjective(model, tau, L)
    x0 = obj.x0()
    dom = Domain(lower=1e-2, upper=tau_max, mask=movable[None, :])
    eps = eps_fraction * tau_max
    loss0 = obj.loss(x0)
    f = fgsm(obj, x0, eps, domain=dom)
    p = pgd(obj, x0, eps, step=eps / 20, n_steps=40, random_init=False, domain=dom)
    cls = classify(model)
    score = 1.0 if cls.gradient_critical_point else 0.0
    upper = float(model.probe_range()[1])
    return RegimeMeasures(name=model.label(), kind="cell", critical_point_score=score,
                          attack_gain=_gain(loss0, f.loss, p.loss), regime=cls.regime,
                          strongest_inputs=(cls.tau_inflection or 0.0) / upper,
                          details={"eps": eps, "fgsm_loss": float(f.loss[0]),
                                   "pgd_loss": float(p.loss[0]), "tau_star": cls.tau_star})
