"""Optional bridge to torch: a torch copy of the package's numpy MLPs.

Requires the ``torch`` extra (``pip install "antagonism[torch]"``).  Attacking, measuring
and evaluating a torch model goes through :class:`~.classifier.TorchClassifier`
(``as_classifier(module)``); nothing else in the package imports torch.
"""
from __future__ import annotations

from antagonism._core.errors import InputError


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
            raise InputError(f"cannot convert layer {type(layer).__name__} to torch")
    return torch.nn.Sequential(*mods)
