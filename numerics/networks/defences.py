"""Biomimetic input defences inspired by large-m proofreading, which filters weak ligands out.

Each is a layer placed before the classifier.  ``backward`` is the exact gradient;
``bpda_backward`` is the straight-through (identity) approximation used by BPDA attacks
(Athalye, Carlini & Wagner 2018) to see through masked or vanishing gradients.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .layers import Layer


class _Defence(Layer):
    name = "defence"

    def bpda_backward(self, grad):
        """Straight-through: the defence is treated as the identity on the way back."""
        return grad


class HardThreshold(_Defence):
    """x -> 1[x > theta]: binarisation, the limit of infinitely sharp proofreading.
    Its exact gradient is zero almost everywhere (a masked gradient)."""

    def __init__(self, theta=0.5):
        super().__init__()
        if not 0 < theta < 1:
            raise InputError(f"theta must be in (0, 1), got {theta}")
        self.theta, self.name = theta, f"threshold{theta:g}"

    def forward(self, x):
        return (x > self.theta).astype(x.dtype)

    def backward(self, grad):
        return np.zeros_like(grad)


class SmoothFilter(_Defence):
    """Hill filter x -> x^n / (x^n + theta^n): weak pixels are suppressed like weak ligands."""

    def __init__(self, theta=0.5, n=4.0):
        super().__init__()
        if not 0 < theta < 1 or not n > 0:
            raise InputError(f"need 0 < theta < 1 and n > 0, got theta={theta}, n={n}")
        self.theta, self.n, self.name = theta, n, f"hill{n:g}"

    def forward(self, x):
        self.x = x
        xn = x**self.n
        return xn / (xn + self.theta**self.n)

    def backward(self, grad):
        x, n, tn = self.x, self.n, self.theta**self.n
        with np.errstate(divide="ignore", invalid="ignore"):
            d = n * x ** (n - 1) * tn / (x**n + tn) ** 2
        return grad * np.nan_to_num(d)


class ProofreadingLayer(_Defence):
    """Adaptive-proofreading layer x_i -> x_i^N / (mean_j x_j^m + delta), per image.

    The analogue of T_{N,m} with pixels as ligands: each pixel's output is its N-th power
    normalised by the image's m-th moment, so a few strong pixels dominate and many weak ones
    cannot add up."""

    def __init__(self, N=4.0, m=2.0, delta=1e-3):
        super().__init__()
        if not 0 <= m < N:
            raise InputError(f"need 0 <= m < N, got N={N}, m={m}")
        self.N, self.m, self.delta, self.name = N, m, delta, f"proofreading{N:g},{m:g}"

    def forward(self, x):
        self.x = x
        flat = x.reshape(x.shape[0], -1)
        self.D = (flat**self.m).mean(axis=1) + self.delta
        return x**self.N / self.D.reshape((-1,) + (1,) * (x.ndim - 1))

    def backward(self, grad):
        x, N, m = self.x, self.N, self.m
        shape = (-1,) + (1,) * (x.ndim - 1)
        D = self.D.reshape(shape)
        n_pix = x[0].size
        with np.errstate(divide="ignore", invalid="ignore"):
            direct = grad * np.nan_to_num(N * x ** (N - 1)) / D
            coupling = (grad * x**N).reshape(x.shape[0], -1).sum(axis=1).reshape(shape)
            dmean = np.nan_to_num(m * x ** (m - 1)) / n_pix if m > 0 else np.zeros_like(x)
        return direct - coupling * dmean / D**2


DEFENCES = {
    "threshold": lambda: HardThreshold(0.5),
    "hill": lambda: SmoothFilter(0.5, 4.0),
    "proofreading": lambda: ProofreadingLayer(4.0, 2.0),
}
