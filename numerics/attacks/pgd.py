"""Projected gradient descent (Madry et al., ICLR 2018): iterated FGSM projected onto the
eps-ball, from a random start, keeping the best of several restarts per sample."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError

from .domain import project, random_start, steepest_step
from .result import AttackResult


def pgd(objective, x, eps, *, step=None, n_steps=40, restarts=1, random_init=True,
        norm="inf", domain=None, seed=0, early_stop=False):
    """Maximise the objective's loss inside the eps-ball around x.

    Parameters
    ----------
    step : float -- step size (default 2.5 eps / n_steps)
    n_steps, restarts : int
    random_init : bool -- start from a random point of the ball (else from x)
    seed : int or numpy Generator -- random starts are drawn from it
    early_stop : bool -- stop a restart once every sample succeeds

    Returns
    -------
    AttackResult; for each sample the restart that succeeded, else the one with the highest
    final loss.

    Examples
    --------
    A linear classifier with logits x @ W puts [0.6, 0.4] in class 0; PGD in the L-inf ball
    of radius 0.2 ends on the ball's corner of class 1:

    >>> import numpy as np
    >>> from antagonism.numerics.attacks import pgd
    >>> from antagonism.numerics.networks.objective import NetworkObjective
    >>> W = np.array([[1.0, -1.0], [-1.0, 1.0]])
    >>> objective = NetworkObjective((lambda x: x @ W, lambda x, w: w @ W.T), y=[0])
    >>> res = pgd(objective, [[0.6, 0.4]], 0.2, n_steps=10, seed=0)
    >>> res.x_adv.round(6), res.success, res.loss_history.shape
    (array([[0.4, 0.6]]), array([ True]), (11, 1))
    """
    if not eps >= 0:
        raise InputError(f"eps must be non-negative, got {eps}")
    if n_steps < 1 or restarts < 1:
        raise InputError(f"n_steps and restarts must be >= 1, got {n_steps}, {restarts}")
    x = np.asarray(x, dtype=float)
    step = 2.5 * eps / n_steps if step is None else float(step)
    rng = np.random.default_rng(seed)
    best_x, best_loss, best_hist, best_success = None, None, None, None
    for _ in range(restarts):
        xa = random_start(x, eps, norm, domain, rng) if random_init else x.copy()
        history = []
        for _ in range(n_steps):
            loss, grad = objective.loss_and_grad(xa)
            history.append(loss)
            xa = project(xa + step * steepest_step(grad, norm), x, eps, norm, domain)
            if early_stop and np.all(objective.success(xa)):
                break
        loss, _ = objective.loss_and_grad(xa)
        history.append(loss)
        success = np.asarray(objective.success(xa))
        hist = np.stack(history)
        if best_x is None:
            best_x, best_loss, best_hist, best_success = xa, loss, hist, success
            continue
        better = (success & ~best_success) | ((success == best_success) & (loss > best_loss))
        sel = better.reshape((-1,) + (1,) * (x.ndim - 1))
        best_x = np.where(sel, xa, best_x)
        best_loss = np.where(better, loss, best_loss)
        best_success = best_success | success
        if hist.shape == best_hist.shape:
            best_hist = np.where(better[None, :], hist, best_hist)
    return AttackResult(attack="pgd", x_adv=best_x, success=best_success, loss=best_loss,
                        loss_history=best_hist, eps=float(eps), norm=str(norm),
                        seed=seed if not isinstance(seed, np.random.Generator) else None,
                        step=step, n_steps=n_steps, restarts=restarts)
