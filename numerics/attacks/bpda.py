"""BPDA / straight-through attacks (Athalye, Carlini & Wagner, ICML 2018).

Non-differentiable layers (thresholds, filters) mask gradients: the exact gradient is zero or
vanishing, so gradient attacks stall although the model is not robust.  BPDA runs the true
forward pass but replaces each such layer's backward pass by an approximation (the identity,
``layer.bpda_backward``), then runs PGD as usual.
"""
from __future__ import annotations

from .pgd import pgd


class BPDAObjective:
    """Wrap an objective that accepts ``bpda=True`` (e.g. NetworkObjective)."""

    def __init__(self, objective):
        self.inner = objective
        self.inner_bpda = type(objective)(objective.model, objective.y, bpda=True)

    def loss(self, x):
        return self.inner.loss(x)

    def loss_and_grad(self, x):
        # true loss, straight-through gradient
        loss = self.inner.loss(x)
        _, grad = self.inner_bpda.loss_and_grad(x)
        return loss, grad

    def success(self, x):
        return self.inner.success(x)


def pgd_bpda(objective, x, eps, **kwargs):
    """PGD with straight-through gradients through the defence layers."""
    res = pgd(BPDAObjective(objective), x, eps, **kwargs)
    res.attack = "pgd_bpda"
    return res
