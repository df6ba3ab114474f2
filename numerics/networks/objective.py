"""A classifier as an attack objective: per-sample cross-entropy, success = label changed."""
from __future__ import annotations

import numpy as np

from .classifier import as_classifier, softmax_cross_entropy


class NetworkObjective:
    """Objective for :mod:`antagonism.numerics.attacks` on any classifier.

    Parameters
    ----------
    model : a numpy network, a torch nn.Module, a (logits, logits_vjp) pair, or a
        :class:`~.classifier.Classifier`
    y : ndarray of int -- true labels (untargeted attack)
    bpda : bool -- use straight-through gradients through defence layers
    """

    def __init__(self, model, y, bpda=False):
        self.model, self.y, self.bpda = as_classifier(model), np.asarray(y), bpda

    def loss(self, x):
        return softmax_cross_entropy(self.model.logits(x), self.y)[0]

    def loss_and_grad(self, x):
        return self.model.loss_and_input_grad(x, self.y, bpda=self.bpda)

    def success(self, x):
        return self.model.predict(x) != self.y

    def subset(self, idx):
        return NetworkObjective(self.model, self.y[idx], self.bpda)
