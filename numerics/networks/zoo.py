"""Network constructors for 8x8 (or larger) single-channel images, given as rows of
features (n, h * w) or as images (n, 1, h, w)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Reshape
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


def cnn(side=28, n_classes=10, channels=(8, 16), kernel=5, seed=0, preprocess=None):
    """Two convolutions, then a dense layer -- Madry et al.'s MNIST architecture (ICLR 2018:
    conv 32, max-pool, conv 64, max-pool, dense 1024, dense 10), scaled down for 2 cores:

    Reshape to (1, side, side) -> conv kernel x kernel (channels[0], zero padding) -> ReLU
    -> 2x2 max pool -> conv (channels[1]) -> ReLU -> 2x2 max pool -> Dense(n_classes).
    ``side`` must be divisible by 4 (28 for MNIST, 8 for scikit-learn's digits); an
    optional defence layer goes in front.
    """
    if side % 4:
        raise InputError(f"cnn needs a side divisible by 4, got {side}")
    rng = np.random.default_rng(seed)
    c1, c2 = (int(c) for c in channels)
    layers = [] if preprocess is None else [preprocess]
    layers += [Reshape((1, side, side)), Conv2D(1, c1, kernel, rng), ReLU(), MaxPool2D(2),
               Conv2D(c1, c2, kernel, rng), ReLU(), MaxPool2D(2), Flatten(),
               Dense(c2 * (side // 4) ** 2, n_classes, rng)]
    return Sequential(layers, "cnn2" if preprocess is None else f"cnn2+{preprocess.name}")
