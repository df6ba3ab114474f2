"""Layers with exact backpropagation.  Each layer has ``forward(x)`` (caching what backward
needs), ``backward(grad_out) -> grad_in`` (storing parameter gradients in ``grads``) and
``params`` (a dict of arrays, updated in place by the optimiser)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError


class Layer:
    params: dict
    grads: dict

    def __init__(self):
        self.params, self.grads = {}, {}

    def forward(self, x):
        raise NotImplementedError

    def backward(self, grad):
        raise NotImplementedError

    def bpda_backward(self, grad):
        """The backward pass BPDA attacks use: exact here; defences that mask gradients
        override it with a straight-through approximation."""
        return self.backward(grad)


class Flatten(Layer):
    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, grad):
        return grad.reshape(self.shape)


class Reshape(Layer):
    """Rows of features -> arrays of ``shape`` per sample (e.g. (1, h, w) for a CNN)."""

    def __init__(self, shape):
        super().__init__()
        self.target = tuple(int(v) for v in shape)

    def forward(self, x):
        self.shape = x.shape
        return x.reshape(x.shape[0], *self.target)

    def backward(self, grad):
        return grad.reshape(self.shape)


class Dense(Layer):
    """y = x W + b, He-initialised from ``rng``."""

    def __init__(self, n_in, n_out, rng):
        super().__init__()
        self.params = {"W": rng.normal(0, np.sqrt(2.0 / n_in), (n_in, n_out)),
                       "b": np.zeros(n_out)}

    def forward(self, x):
        self.x = x
        return x @ self.params["W"] + self.params["b"]

    def backward(self, grad):
        self.grads = {"W": self.x.T @ grad, "b": grad.sum(axis=0)}
        return grad @ self.params["W"].T


class ReLU(Layer):
    def forward(self, x):
        self.mask = x > 0
        return x * self.mask

    def backward(self, grad):
        return grad * self.mask


def _im2col(x, k, pad):
    n, c, h, w = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    oh, ow = h + 2 * pad - k + 1, w + 2 * pad - k + 1
    cols = np.empty((n, c, k, k, oh, ow))
    for i in range(k):
        for j in range(k):
            cols[:, :, i, j] = xp[:, :, i:i + oh, j:j + ow]
    return cols.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, c * k * k), oh, ow


def _col2im(cols, shape, k, pad, oh, ow):
    n, c, h, w = shape
    cols = cols.reshape(n, oh, ow, c, k, k).transpose(0, 3, 4, 5, 1, 2)
    xp = np.zeros((n, c, h + 2 * pad, w + 2 * pad))
    for i in range(k):
        for j in range(k):
            xp[:, :, i:i + oh, j:j + ow] += cols[:, :, i, j]
    return xp[:, :, pad:pad + h, pad:pad + w]


class Conv2D(Layer):
    """Stride-1 convolution with zero padding, via im2col."""

    def __init__(self, c_in, c_out, k, rng, pad=None):
        super().__init__()
        self.k, self.pad = k, k // 2 if pad is None else pad
        self.params = {"W": rng.normal(0, np.sqrt(2.0 / (c_in * k * k)), (c_in * k * k, c_out)),
                       "b": np.zeros(c_out)}

    def forward(self, x):
        self.shape = x.shape
        self.cols, oh, ow = _im2col(x, self.k, self.pad)
        self.oh, self.ow = oh, ow
        y = self.cols @ self.params["W"] + self.params["b"]
        return y.reshape(x.shape[0], oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, grad):
        g = grad.transpose(0, 2, 3, 1).reshape(-1, grad.shape[1])
        self.grads = {"W": self.cols.T @ g, "b": g.sum(axis=0)}
        return _col2im(g @ self.params["W"].T, self.shape, self.k, self.pad, self.oh, self.ow)


class AvgPool2D(Layer):
    """Non-overlapping s x s average pooling (h, w divisible by s)."""

    def __init__(self, s=2):
        super().__init__()
        self.s = s

    def forward(self, x):
        n, c, h, w = x.shape
        self.shape = x.shape
        return x.reshape(n, c, h // self.s, self.s, w // self.s, self.s).mean(axis=(3, 5))

    def backward(self, grad):
        g = np.repeat(np.repeat(grad, self.s, axis=2), self.s, axis=3)
        return g / (self.s * self.s)


class MaxPool2D(Layer):
    """Non-overlapping s x s max pooling (h, w divisible by s), as in Madry et al.'s MNIST
    network; the gradient goes to the first maximum of each window."""

    def __init__(self, s=2):
        super().__init__()
        self.s = s

    def forward(self, x):
        n, c, h, w = x.shape
        s = self.s
        self.shape = x.shape
        win = x.reshape(n, c, h // s, s, w // s, s).transpose(0, 1, 2, 4, 3, 5)
        win = win.reshape(n, c, h // s, w // s, s * s)
        self.arg = win.argmax(axis=-1)
        return np.take_along_axis(win, self.arg[..., None], -1)[..., 0]

    def backward(self, grad):
        n, c, h, w = self.shape
        s = self.s
        win = np.zeros((n, c, h // s, w // s, s * s))
        np.put_along_axis(win, self.arg[..., None], grad[..., None], -1)
        win = win.reshape(n, c, h // s, w // s, s, s).transpose(0, 1, 2, 4, 3, 5)
        return win.reshape(n, c, h, w)


class Power(Layer):
    """The fixed elementwise first layer x -> (x + s)^p - s^p, no parameters: the network
    analogue of T_{N,m}'s small-tau exponent.  Its gradient p (x + s)^(p - 1) vanishes on
    weak inputs like x^(p - 1) for p > 1 and is largest there for p < 1, so p fixes the
    network's regime whatever the readout (``antagonism.derivations.power_layer``).  The
    offset s (default 1/256, a sixteenth of the digits' grey-level step) keeps the gradient
    finite at x = 0 for p < 1.

    >>> import numpy as np
    >>> layer = Power(2.0, offset=0.0)
    >>> layer.forward(np.array([[0.5, 1.0]])).tolist(), layer.backward(np.ones((1, 2))).tolist()
    ([[0.25, 1.0]], [[1.0, 2.0]])
    """

    def __init__(self, p, offset=1 / 256):
        super().__init__()
        if not p > 0 or not offset >= 0:
            raise InputError(f"need p > 0 and offset >= 0, got p={p}, offset={offset}")
        self.p, self.offset, self.name = float(p), float(offset), f"power{p:g}"

    def forward(self, x):
        self.x = x
        return (x + self.offset) ** self.p - self.offset ** self.p

    def backward(self, grad):
        return grad * self.p * (self.x + self.offset) ** (self.p - 1)
