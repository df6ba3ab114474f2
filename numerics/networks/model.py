"""A sequential network with softmax cross-entropy and exact input gradients."""
from __future__ import annotations

import numpy as np

from .layers import Layer


def softmax_cross_entropy(logits, y):
    """Per-sample cross-entropy and its gradient with respect to the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(len(y)), y]
    grad = np.exp(logp)
    grad[np.arange(len(y)), y] -= 1.0
    return loss, grad


class Sequential:
    """Layers applied in order; the optional ``preprocess`` layer (a defence) comes first.

    Attributes
    ----------
    layers : list of Layer
    name : str
    """

    def __init__(self, layers, name="network"):
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError("layers must be a non-empty list of Layer objects")
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

    def predict(self, x, batch=1024):
        return np.concatenate([self.forward(x[i:i + batch]).argmax(axis=1)
                               for i in range(0, len(x), batch)])

    def accuracy(self, x, y):
        return float(np.mean(self.predict(x) == y))

    def loss_and_input_grad(self, x, y, bpda=False):
        """Per-sample cross-entropy and its exact gradient with respect to x."""
        loss, g = softmax_cross_entropy(self.forward(x), y)
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
