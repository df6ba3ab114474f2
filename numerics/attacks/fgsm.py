"""Fast gradient sign method (Goodfellow et al., ICLR 2015): x + eps * sign(grad J)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .domain import project, steepest_step
from .result import AttackResult


def fgsm(objective, x, eps, *, norm="inf", domain=None):
    """One step of size eps along the steepest-ascent direction of the objective's loss.

    With ``norm="2"`` the step is eps * g/||g|| (fast gradient method).  Returns AttackResult.

    Examples
    --------
    A linear classifier with logits x @ W (as a pair of functions: the logits and their
    vector-Jacobian product) puts [0.6, 0.4] in class 0; one L-inf step of 0.2 flips it:

    >>> import numpy as np
    >>> from antagonism.numerics.attacks import Domain, fgsm
    >>> from antagonism.numerics.networks.objective import NetworkObjective
    >>> W = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> objective = NetworkObjective((lambda x: x @ W, lambda x, w: w @ W.T), y=[0])
    >>> res = fgsm(objective, [[0.6, 0.4]], 0.2, domain=Domain(lower=0.0, upper=1.0))
    >>> res.x_adv.round(6), res.success
    (array([[0.4, 0.6]]), array([ True]))
    """
    if not eps >= 0:
        raise InputError(f"eps must be non-negative, got {eps}")
    x = np.asarray(x, dtype=float)
    loss0, grad = objective.loss_and_grad(x)
    x_adv = project(x + eps * steepest_step(grad, norm), x, eps, norm, domain)
    loss, _ = objective.loss_and_grad(x_adv)
    return AttackResult(attack="fgsm", x_adv=x_adv, success=np.asarray(objective.success(x_adv)),
                        loss=loss, loss_history=np.stack([loss0, loss]), eps=float(eps),
                        norm=str(norm), seed=None)
