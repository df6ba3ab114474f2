"""Fast gradient sign method (Goodfellow et al., ICLR 2015): x + eps * sign(grad J)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .domain import project, steepest_step
from .result import AttackResult


def fgsm(objective, x, eps, *, norm="inf", domain=None):
    """One step of size eps along the steepest-ascent direction of the objective's loss.

    With ``norm="2"`` the step is eps * g/||g|| (fast gradient method).  Returns AttackResult.
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
