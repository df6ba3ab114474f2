"""A gradient-free attack: random search with square (or window) updates on the L-inf
sphere, after the Square Attack (Andriushchenko et al., ECCV 2020).  It needs only the
objective's ``loss``."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .domain import Domain, project
from .result import AttackResult


def square(objective, x, eps, *, n_queries=500, p_init=0.3, domain=None, seed=0,
           image_shape=None):
    """Maximise the loss with random square updates of +-eps; keep improving proposals.

    Images (n, c, h, w) get square patches; flat inputs (n, d) get contiguous windows, or
    square patches when ``image_shape`` (c, h, w) says how a row is an image (the data
    sets' rows).  Returns AttackResult with the loss per query in ``loss_history``.

    Examples
    --------
    The objective needs no gradient: here the margin x_1 - x_0, which flips the decision
    once positive.  Random search on the corners of the L-inf ball of radius 0.2 around
    [0.6, 0.4] finds the flipping corner, and the best loss never decreases:

    >>> import numpy as np
    >>> class Margin:
    ...     def loss(self, x):
    ...         return x[:, 1] - x[:, 0]
    ...     def success(self, x):
    ...         return x[:, 1] > x[:, 0]
    >>> res = square(Margin(), [[0.6, 0.4]], 0.2, n_queries=20, seed=0)
    >>> res.x_adv.round(6), res.success, res.loss_history.shape
    (array([[0.4, 0.6]]), array([ True]), (21, 1))
    >>> bool(np.all(np.diff(res.loss_history, axis=0) >= 0))
    True
    """
    if not eps >= 0:
        raise InputError(f"eps must be non-negative, got {eps}")
    x = np.asarray(x, dtype=float)
    if image_shape is not None and x.ndim == 2:
        rows = x.shape

        class _Rows:  # the objective sees rows, the search sees images
            def loss(self, xi):
                return objective.loss(xi.reshape(len(xi), -1))

            def success(self, xi):
                return objective.success(xi.reshape(len(xi), -1))

        res = square(_Rows(), x.reshape(len(x), *image_shape), eps, n_queries=n_queries,
                     p_init=p_init, domain=domain, seed=seed)
        res.x_adv = res.x_adv.reshape(rows)
        return res
    domain = domain or Domain()
    rng = np.random.default_rng(seed)
    shape = x.shape
    # initialise with vertical stripes of +-eps
    stripes = rng.choice([-eps, eps], size=shape[:-1] + (1,)) * np.ones(shape)
    xa = project(x + stripes, x, eps, "inf", domain)
    best = objective.loss(xa)
    history = [best.copy()]
    image = x.ndim == 4
    side = shape[-1] if image else x[0].size
    for q in range(n_queries):
        frac = p_init * (0.5 ** (8 * q // max(n_queries, 1) // 2))
        size = max(1, int(round(np.sqrt(frac * side * side)))) if image else \
            max(1, int(round(frac * side)))
        size = min(size, side)
        proposal = xa.copy()
        for b in range(shape[0]):
            r = rng.integers(0, side - size + 1)
            if image:
                c = rng.integers(0, shape[-1] - size + 1)
                sign = rng.choice([-eps, eps], size=(shape[1], 1, 1))
                proposal[b, :, r:r + size, c:c + size] = x[b, :, r:r + size, c:c + size] + sign
            else:
                flat = proposal[b].reshape(-1)
                flat[r:r + size] = x[b].reshape(-1)[r:r + size] + rng.choice([-eps, eps])
                proposal[b] = flat.reshape(shape[1:])
        proposal = project(proposal, x, eps, "inf", domain)
        loss = objective.loss(proposal)
        better = loss > best
        xa[better] = proposal[better]
        best = np.where(better, loss, best)
        history.append(best.copy())
    return AttackResult(attack="square", x_adv=xa, success=np.asarray(objective.success(xa)),
                        loss=best, loss_history=np.stack(history), eps=float(eps), norm="inf",
                        seed=seed if not isinstance(seed, np.random.Generator) else None,
                        n_queries=n_queries)
