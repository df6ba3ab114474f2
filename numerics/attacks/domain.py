"""Norm balls, box bounds and which coordinates may move: projection and random starts."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from antagonism._core.errors import InputError

NORMS = ("inf", "2")


def _check_norm(norm):
    norm = str(norm)
    if norm not in NORMS:
        raise InputError(f"norm must be 'inf' or '2', got {norm!r}")
    return norm


@dataclass(frozen=True)
class Domain:
    """Where an attack may go.

    Attributes
    ----------
    lower, upper : float or ndarray, optional -- box bounds (broadcast against x)
    mask : ndarray of bool, optional -- True where a coordinate may move (broadcast against x)

    Examples
    --------
    >>> import numpy as np
    >>> pixels = Domain(lower=0.0, upper=1.0, mask=np.array([True, False]))
    >>> pixels.clip(np.array([[1.5, -0.5]]))
    array([[1., 0.]])
    >>> pixels.freeze(np.array([[0.9, 0.9]]), np.array([[0.5, 0.5]]))
    array([[0.9, 0.5]])
    """

    lower: object = None
    upper: object = None
    mask: object = None

    def clip(self, x):
        if self.lower is not None or self.upper is not None:
            x = np.clip(x, self.lower, self.upper)
        return x

    def freeze(self, x, x0):
        return x if self.mask is None else np.where(self.mask, x, x0)


def _flat_norm(d, norm):
    flat = d.reshape(d.shape[0], -1)
    return np.max(np.abs(flat), axis=1) if norm == "inf" else np.linalg.norm(flat, axis=1)


def project(x, x0, eps, norm="inf", domain=None):
    """Project x onto {x0 + d : ||d|| <= eps} intersected with the domain (per sample).

    For the L-inf ball the box intersection is exact; for L2 the ball projection is applied
    first, then the box and the mask (the usual PGD approximation).

    Examples
    --------
    >>> import numpy as np
    >>> x0 = np.array([[0.5, 0.9]])
    >>> project(np.array([[1.0, 1.5]]), x0, 0.2, domain=Domain(lower=0.0, upper=1.0))
    array([[0.7, 1. ]])
    >>> project(np.array([[3.5, 4.9]]), x0, 1.0, norm="2").round(6)   # along x - x0
    array([[1.1, 1.7]])
    """
    norm = _check_norm(norm)
    domain = domain or Domain()
    d = domain.freeze(x, x0) - x0
    if norm == "inf":
        d = np.clip(d, -eps, eps)
    else:
        n = _flat_norm(d, "2").reshape((-1,) + (1,) * (d.ndim - 1))
        d = d * np.minimum(1.0, eps / np.maximum(n, 1e-300))
    return domain.freeze(domain.clip(x0 + d), x0)


def random_start(x0, eps, norm="inf", domain=None, rng=None):
    """A uniform random point of the eps-ball around x0 (projected onto the domain).

    ``rng``: a seed or a numpy Generator.  For L2 the direction is Gaussian and the radius
    eps * U^(1/d), uniform in the d-dimensional ball.

    Examples
    --------
    >>> import numpy as np
    >>> x0 = np.zeros((3, 4))
    >>> x = random_start(x0, 0.1, rng=0)
    >>> x.shape, bool(np.abs(x).max() <= 0.1)
    ((3, 4), True)
    >>> bool(np.all(np.linalg.norm(random_start(x0, 0.1, norm="2", rng=0), axis=1) <= 0.1))
    True
    >>> np.array_equal(x, random_start(x0, 0.1, rng=0))     # the same seed, the same start
    True
    """
    norm = _check_norm(norm)
    rng = np.random.default_rng(rng)
    if norm == "inf":
        d = rng.uniform(-eps, eps, size=x0.shape)
    else:
        g = rng.normal(size=x0.shape)
        flat = g.reshape(g.shape[0], -1)
        r = rng.uniform(size=(g.shape[0], 1)) ** (1.0 / flat.shape[1])
        d = (flat / np.linalg.norm(flat, axis=1, keepdims=True) * r * eps).reshape(x0.shape)
    return project(x0 + d, x0, eps, norm, domain)


def steepest_step(grad, norm):
    """The unit-norm ascent direction: sign(g) for L-inf, g/||g|| for L2."""
    norm = _check_norm(norm)
    if norm == "inf":
        return np.sign(grad)
    n = _flat_norm(grad, "2").reshape((-1,) + (1,) * (grad.ndim - 1))
    return grad / np.maximum(n, 1e-300)
