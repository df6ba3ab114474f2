"""An independent implementation of PGD: torchattacks (Kim, 2020, arXiv:2010.01950) on the
torch copy of a network, to check that the package's own PGD (:func:`~antagonism.numerics.
attacks.pgd`) is as strong as a reviewer's.

Needs the optional ``torchattacks`` extra (``pip install torchattacks --no-deps`` next to
the ``torch`` extra: its PGD needs neither torchvision nor tqdm).  Its PGD is Madry's: a
uniform random start in the L-inf ball, ``steps`` signed-gradient steps of size ``alpha``
on the cross-entropy, projected onto the ball and [0, 1] -- the same attack as the
package's, written by others.  Restarts: ``restarts`` independent runs (torch's generator
seeded with ``seed`` once), an image counted as broken when any run breaks it, as the
package's own PGD counts it.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError


def available():
    """Whether torchattacks (and torch) can be imported."""
    try:
        import torchattacks  # noqa: F401
    except ImportError:
        return False
    return True


def _module(torch, model, bpda):
    """The torch module of a numpy network (float32), its defences passed straight through
    (BPDA, the identity's gradient) with ``bpda``."""
    from ..networks.torch_backend import to_torch

    net = to_torch(model).eval()

    class Logits(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net(x, bpda=bpda)

    return Logits().eval()


def torchattacks_pgd(model, x, y, eps, *, n_steps=40, step=None, restarts=1, seed=0,
                     bpda=False):
    """torchattacks' PGD against a numpy network (its torch copy), per image: whether any of
    ``restarts`` runs changes the predicted label from ``y``.

    Parameters
    ----------
    model : numpy :class:`~antagonism.numerics.networks.model.Sequential` (rows in [0, 1])
    eps : float -- L-inf budget; step: size of each step (default 2.5 eps / n_steps)
    bpda : bool -- the defences' backward pass replaced by the identity

    Returns
    -------
    ndarray of bool, one per image: broken by some restart.

    Examples
    --------
    A linear classifier (logits x @ W) puts [0.6, 0.4] in class 0; PGD in the ball of
    radius 0.2 breaks it, and not in the ball of radius 0.05:

    >>> import numpy as np
    >>> from antagonism.numerics.networks.layers import Dense
    >>> from antagonism.numerics.networks.model import Sequential
    >>> dense = Dense(2, 2, np.random.default_rng(0))
    >>> dense.params["W"], dense.params["b"] = np.array([[1.0, -1.0], [-1.0, 1.0]]), np.zeros(2)
    >>> net = Sequential([dense])
    >>> torchattacks_pgd(net, [[0.6, 0.4]], [0], 0.2, n_steps=10)          # doctest: +SKIP
    array([ True])
    >>> torchattacks_pgd(net, [[0.6, 0.4]], [0], 0.05, n_steps=10)         # doctest: +SKIP
    array([False])
    """
    if not eps >= 0:
        raise InputError(f"eps must be non-negative, got {eps}")
    if n_steps < 1 or restarts < 1:
        raise InputError(f"n_steps and restarts must be >= 1, got {n_steps}, {restarts}")
    try:
        import torchattacks
    except ImportError:
        raise InputError("the independent attack needs the 'torchattacks' extra: pip "
                         "install torchattacks --no-deps (with torch installed)") from None
    from ..networks.torch_backend import _torch

    torch = _torch()
    module = _module(torch, model, bpda)
    xt = torch.tensor(np.asarray(x, float), dtype=torch.float32)
    yt = torch.tensor(np.asarray(y), dtype=torch.int64)
    step = 2.5 * eps / n_steps if step is None else float(step)
    attack = torchattacks.PGD(module, eps=float(eps), alpha=step, steps=int(n_steps),
                              random_start=True)
    torch.manual_seed(int(seed))
    broken = np.zeros(len(yt), bool)
    for _ in range(restarts):
        adv = attack(xt, yt)
        with torch.no_grad():
            broken |= (module(adv).argmax(1) != yt).numpy()
    return broken
