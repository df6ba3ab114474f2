"""Network constructors for 8x8 (or larger) single-channel images, given as rows of
features (n, h * w) or as images (n, 1, h, w)."""
from __future__ import annotations

import numpy as np

from .layers import AvgPool2D, Conv2D, Dense, Flatten, ReLU, Reshape
from .model import Sequential


def logistic_regression(n_pixels=64, n_classes=10, seed=0):
    rng = np.random.default_rng(seed)
    return Sequential([Flatten(), Dense(n_pixels, n_classes, rng)], "logistic")


def mlp(n_pixels=64, n_classes=10, hidden=(128,), seed=0, preprocess=None):
    """Flatten -> (Dense -> ReLU)* -> Dense, with an optional defence layer in front."""
    rng = np.random.default_rng(seed)
    layers = [] if preprocess is None else [preprocess]
    layers.append(Flatten())
    sizes = (n_pixels, *hidden)
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [Dense(a, b, rng), ReLU()]
    layers.append(Dense(sizes[-1], n_classes, rng))
    return Sequential(layers, "mlp" if preprocess is None else f"mlp+{preprocess.name}")


def small_cnn(side=8, n_classes=10, channels=8, seed=0):
    """Reshape to (1, side, side) -> conv 3x3 (channels) -> ReLU -> 2x2 average pool -> Dense."""
    rng = np.random.default_rng(seed)
    return Sequential([Reshape((1, side, side)), Conv2D(1, channels, 3, rng), ReLU(),
                       AvgPool2D(2), Flatten(),
                       Dense(channels * (side // 2) ** 2, n_classes, rng)], "cnn")
