"""BPDA / straight-through attacks (Athalye, Carlini & Wagner, ICML 2018).

Non-differentiable layers (thresholds, filters) mask gradients: the exact gradient is zero or
vanishing, so gradient attacks stall although the model is not robust.  BPDA runs the true
forward pass but replaces each such layer's backward pass by an approximation (the identity,
``layer.bpda_backward``), then runs PGD as usual.
"""
from __future__ import annotations

from .pgd import pgd


class BPDAObjective:
    """Wrap an objective that accepts ``bpda=True`` (e.g. NetworkObjective): the true loss
    and success, with the straight-through gradient of ``type(objective)(model, y,
    bpda=True)``.  :func:`pgd_bpda` runs PGD on it."""

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
    """PGD with straight-through gradients through the defence layers.

    ``objective`` must accept ``bpda=True`` (as :class:`NetworkObjective` does); ``kwargs``
    are those of :func:`~.pgd.pgd`.  Returns its AttackResult, with ``attack="pgd_bpda"``.

    Examples
    --------
    A hard threshold in front of a linear classifier has a zero gradient, so PGD from the
    clean input does not move; its straight-through gradient leads to class 1:

    >>> import numpy as np
    >>> from antagonism.numerics.attacks import pgd, pgd_bpda
    >>> from antagonism.numerics.networks.defences import HardThreshold
    >>> from antagonism.numerics.networks.layers import Dense
    >>> from antagonism.numerics.networks.model import Sequential
    >>> from antagonism.numerics.networks.objective import NetworkObjective
    >>> dense = Dense(2, 2, np.random.default_rng(0))
    >>> dense.params["W"] = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> objective = NetworkObjective(Sequential([HardThreshold(0.5), dense]), y=[0])
    >>> x = np.array([[0.6, 0.4]])
    >>> pgd(objective, x, 0.2, random_init=False).success
    array([False])
    >>> res = pgd_bpda(objective, x, 0.2, random_init=False)
    >>> res.attack, res.x_adv.round(6), res.success
    ('pgd_bpda', array([[0.4, 0.6]]), array([ True]))
    """
    res = pgd(BPDAObjective(objective), x, eps, **kwargs)
    res.attack = "pgd_bpda"
    return res
