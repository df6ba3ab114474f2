"""A sequential network with softmax cross-entropy and exact input gradients."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .classifier import Classifier, softmax_cross_entropy
from .layers import Layer

__all__ = ["Sequential", "softmax_cross_entropy"]


class Sequential(Classifier):
    """Layers applied in order; the optional ``preprocess`` layer (a defence) comes first.
    A :class:`~.classifier.Classifier` with exact backpropagation.

    Attributes
    ----------
    layers : list of Layer
    name : str
    """

    def __init__(self, layers, name="network"):
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise InputError("layers must be a non-empty list of Layer objects")
        self.layers, self.name = list(layers), name

    def __repr__(self):
        return f"Sequential({self.name}: {', '.join(type(x).__name__ for x in self.layers)})"

    def forward(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def backward(self, grad, bpda=False):
        """Backpropagate ``grad`` (w.r.t. the logits); returns the gradient w.r.t. the input.

        With ``bpda=True`` every layer uses ``bpda_backward``: the straight-through / BPDA
        approximation for non-differentiable defences, the exact gradient elsewhere."""
        for layer in reversed(self.layers):
            grad = layer.bpda_backward(grad) if bpda else layer.backward(grad)
        return grad

    def logits(self, x):
        return self.forward(x)

    def logits_vjp(self, x, w, bpda=False):
        self.forward(x)
        return self.backward(w, bpda=bpda)

    def loss_and_input_grad(self, x, y, bpda=False):
        """Per-sample cross-entropy and its exact gradient with respect to x (one forward
        pass, where the generic classifier needs two)."""
        loss, g = softmax_cross_entropy(self.forward(x), np.asarray(y))
        return loss, self.backward(g, bpda=bpda)

    def parameters(self):
        return [(layer, k) for layer in self.layers for k in layer.params]

    def state(self):
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers)
                for k, v in layer.params.items()}

    def load_state(self, state):
        for i, layer in enumerate(self.layers):
            for k in layer.params:
                layer.params[k][...] = state[f"{i}.{k}"]
