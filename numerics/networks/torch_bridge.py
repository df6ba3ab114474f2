"""Optional bridge: attack a torch model with the package's numpy attack code.

Requires the ``torch`` extra (``pip install "antagonism[torch]"``); nothing else in the
package imports torch.
"""
from __future__ import annotations

import numpy as np


class TorchObjective:
    """Objective (see :mod:`antagonism.numerics.attacks`) for a torch classifier.

    Parameters
    ----------
    module : torch.nn.Module -- maps a float64 tensor shaped like x to logits
    y : ndarray of int -- true labels
    """

    def __init__(self, module, y):
        import torch

        self.torch, self.module = torch, module
        self.y = np.asarray(y)
        self._y = torch.as_tensor(self.y)

    def _logits(self, x, grad=False):
        t = self.torch.tensor(np.asarray(x), dtype=self.torch.float64, requires_grad=grad)
        return t, self.module(t)

    def loss(self, x):
        with self.torch.no_grad():
            _, z = self._logits(x)
            return self.torch.nn.functional.cross_entropy(z, self._y, reduction="none").numpy()

    def loss_and_grad(self, x):
        t, z = self._logits(x, grad=True)
        loss = self.torch.nn.functional.cross_entropy(z, self._y, reduction="none")
        loss.sum().backward()
        return loss.detach().numpy(), t.grad.numpy()

    def success(self, x):
        with self.torch.no_grad():
            return self._logits(x)[1].argmax(dim=1).numpy() != self.y


def to_torch_mlp(model):
    """A torch copy of a numpy ``mlp`` (Flatten, Dense/ReLU..., Dense), float64."""
    import torch

    from .layers import Dense, Flatten, ReLU

    mods = []
    for layer in model.layers:
        if isinstance(layer, Flatten):
            mods.append(torch.nn.Flatten())
        elif isinstance(layer, ReLU):
            mods.append(torch.nn.ReLU())
        elif isinstance(layer, Dense):
            W = layer.params["W"]
            lin = torch.nn.Linear(W.shape[0], W.shape[1]).double()
            with torch.no_grad():
                lin.weight.copy_(torch.tensor(W.T))
                lin.bias.copy_(torch.tensor(layer.params["b"]))
            mods.append(lin)
        else:
            raise ValueError(f"cannot convert layer {type(layer).__name__} to torch")
    return torch.nn.Sequential(*mods)
