"""Loss landscapes of cells and networks, and per-input response curves.

Cells: the decision margin log T over (tau_2, L_2), and along the gradient and a random
direction in ligand space.  Networks: cross-entropy along the FGSM direction and a random
orthogonal direction.  Per-input response curves vary one input (a ligand's tau, a pixel's
value) across its range and locate where the loss gradient is largest -- the analogue of
tau_infl (and of tau*, where the output is lowest).
"""
from __future__ import annotations

import numpy as np

from antagonism.theory import adaptive_output
from antagonism.theory.result import Result


class Landscape(Result):
    """Keys: alphas, betas (grid), loss (2-D array, alphas x betas), directions, meta."""


def cell_margin_grid(N, m, tau_c=3.0, tau1=3.5, L1=4000.0, tau2=None, L2=None):
    """log T over a (tau_2, L_2) grid for an agonist (tau_1, L_1) plus an antagonist."""
    tau2 = np.linspace(0.05, tau_c, 80) if tau2 is None else np.asarray(tau2, float)
    L2 = np.geomspace(1e2, 1e6, 60) if L2 is None else np.asarray(L2, float)
    T2, LL = np.meshgrid(tau2, L2, indexing="ij")
    T = adaptive_output(tau1, L1, T2.ravel(), LL.ravel(), N, m, tau_c).reshape(T2.shape)
    return Landscape(alphas=tau2, betas=L2, loss=np.log(T), kind="cell-margin", N=N, m=m)


def shp1_fold_change_grid(m=1, tau1=10.0, L1=100.0, tau2=None, L2=None, **params):
    """log FC of the SHP-1 model over a (tau_2, L_2) grid (agonists tau_1, L_1)."""
    from .shp1 import SHP1Model

    model = SHP1Model(m=m, **params)
    tau2 = np.geomspace(0.1, tau1, 30) if tau2 is None else np.asarray(tau2, float)
    L2 = np.geomspace(1e1, 1e4, 20) if L2 is None else np.asarray(L2, float)
    alone = model.output([tau1], [L1])
    fc = np.array([[model.output([tau1, t], [L1, q]) / alone for q in L2] for t in tau2])
    return Landscape(alphas=tau2, betas=L2, loss=np.log(fc), kind="shp1-log-fc", m=m)


def shp1_ligands(n_types=20, tau_agonist=10.0, L_agonist=100.0, L_self=50.0, seed=0):
    """An SHP-1 ligand set: one agonist type plus ``n_types`` self types tau = |N(0, 1)| s."""
    rng = np.random.default_rng(seed)
    tau = np.r_[tau_agonist, np.clip(np.abs(rng.normal(0, 1.0, n_types)), 1e-2, None)]
    L = np.r_[L_agonist, np.full(n_types, L_self)]
    return tau, L


def _orthogonal_random(direction, rng):
    r = rng.normal(size=direction.shape)
    flat_d, flat_r = direction.reshape(len(direction), -1), r.reshape(len(r), -1)
    proj = (flat_r * flat_d).sum(1, keepdims=True) / np.maximum(
        (flat_d * flat_d).sum(1, keepdims=True), 1e-300)
    flat_r = flat_r - proj * flat_d
    flat_r *= np.linalg.norm(flat_d, axis=1, keepdims=True) / np.maximum(
        np.linalg.norm(flat_r, axis=1, keepdims=True), 1e-300)
    return flat_r.reshape(direction.shape)


def objective_landscape(objective, x, alphas, betas, seed=0, domain=None):
    """Loss on x + a sign(grad) + b r, with r a random direction orthogonal to sign(grad)
    and of the same norm, averaged over the batch.  Works for cells and networks alike."""
    rng = np.random.default_rng(seed)
    _, g = objective.loss_and_grad(x)
    d = np.sign(g)
    if domain is not None and domain.mask is not None:
        d = np.where(domain.mask, d, 0.0)
    r = _orthogonal_random(d, rng)
    if domain is not None and domain.mask is not None:
        r = np.where(domain.mask, r, 0.0)
    loss = np.empty((len(alphas), len(betas)))
    for i, a in enumerate(alphas):
        for j, b in enumerate(betas):
            xx = x + a * d + b * r
            if domain is not None:  # box bounds on the movable inputs only
                xx = domain.freeze(domain.clip(xx), x)
            value = (objective.loss(xx) if hasattr(objective, "loss")
                     else objective.loss_and_grad(xx)[0])
            loss[i, j] = float(np.mean(value))
    return Landscape(alphas=np.asarray(alphas), betas=np.asarray(betas), loss=loss,
                     kind="gradient x random", seed=seed)


def response_curve(loss_of_value, values):
    """Loss as one input sweeps ``values``; its gradient and where |gradient| peaks.

    The attack loss is largest at ``argmax`` (the strongest perturbation, the analogue of
    tau*).  On the stretch from the weak end values[0] to it, ``argmax_abs_gradient`` is where
    the loss is most sensitive (the analogue of tau_infl) and ``interior`` says whether that
    peak lies strictly inside the stretch (specialized) rather than at the weak end (broad).
    """
    values = np.asarray(values, float)
    loss = np.array([loss_of_value(v) for v in values])
    grad = np.gradient(loss, values)
    top = int(np.argmax(loss))
    k = int(np.argmax(np.abs(grad[:top + 1])))
    return Result(values=values, loss=loss, gradient=grad, argmax=float(values[top]),
                  argmax_abs_gradient=float(values[k]), interior=bool(0 < k < top))
