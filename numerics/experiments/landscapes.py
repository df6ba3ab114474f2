"""Loss landscapes of cells and networks.

Cells: the decision margin log(F/level) over (tau_2, L_2), and along the gradient and a random
direction in ligand space.  Networks: cross-entropy along the FGSM direction and a random
orthogonal direction.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result


class Landscape(Result):
    """Keys: alphas, betas (grid), loss (2-D array, alphas x betas), directions, meta."""


def margin_grid(model, tau1=3.5, L1=4000.0, tau2=None, L2=None, fraction=1.0):
    """log(F / level) over a (tau_2, L_2) grid for an agonist (tau_1, L_1) plus an
    antagonist: the model's declared level (log T for T_{N,m}), or, for a model without
    one, ``fraction`` times the agonist alone's output (1: log FC; 1/2: the switched-off
    level of :class:`~antagonism.numerics.cells.objective.CellObjective`, the margin
    log(FC / 0.5))."""
    from antagonism.theory import two_type_output

    tc = float(model.tau_c)
    tau2 = np.linspace(0.05, tc, 80) if tau2 is None else np.asarray(tau2, float)
    L2 = np.geomspace(1e2, 1e6, 60) if L2 is None else np.asarray(L2, float)
    T2, LL = np.meshgrid(tau2, L2, indexing="ij")
    F = two_type_output(model, tau1, L1, T2.ravel(), LL.ravel()).reshape(T2.shape)
    ref = (float(model.threshold) if model.threshold is not None
           else fraction * float(two_type_output(model, tau1, L1, tau1, 0.0)))
    kind = ("log F/level" if model.threshold is not None else "log FC" if fraction == 1
            else f"log FC/{fraction:g}")
    return Landscape(alphas=tau2, betas=L2, loss=np.log(F / ref), kind=kind, model=model.name)


def agonist_and_self_types(n_types=20, tau_agonist=10.0, L_agonist=100.0, L_self=50.0,
                           seed=0):
    """One agonist type plus ``n_types`` self types with tau = |N(0, 1)| s (at least 0.01 s).
    Returns ``(tau, L)``."""
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
            loss[i, j] = float(np.mean(objective.loss(xx)))
    return Landscape(alphas=np.asarray(alphas), betas=np.asarray(betas), loss=loss,
                     kind="gradient x random", seed=seed)
