"""Seeded training: Adam, minibatches, early stopping; natural or PGD adversarial (Madry)."""
from __future__ import annotations

import sys

import numpy as np

from antagonism.theory.result import Result

from ..attacks import Domain, pgd
from .objective import NetworkObjective

PIXELS = Domain(lower=0.0, upper=1.0)


class TrainResult(Result):
    """Keys: model, history (list of per-epoch dicts), best_epoch, seed, adversarial."""


class Adam:
    def __init__(self, model, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8):
        self.model, self.lr, self.b1, self.b2, self.eps, self.t = model, lr, b1, b2, eps, 0
        self.m = {id(layer.params[k]): np.zeros_like(layer.params[k])
                  for layer, k in model.parameters()}
        self.v = {key: np.zeros_like(val) for key, val in self.m.items()}

    def step(self):
        self.t += 1
        for layer, k in self.model.parameters():
            p, g = layer.params[k], layer.grads[k]
            key = id(p)
            self.m[key] = self.b1 * self.m[key] + (1 - self.b1) * g
            self.v[key] = self.b2 * self.v[key] + (1 - self.b2) * g * g
            mh = self.m[key] / (1 - self.b1**self.t)
            vh = self.v[key] / (1 - self.b2**self.t)
            p -= self.lr * mh / (np.sqrt(vh) + self.eps)


def _robust_accuracy(model, x, y, adversarial, seed):
    obj = NetworkObjective(model, y)
    res = pgd(obj, x, adversarial["eps"], n_steps=adversarial.get("steps", 10),
              step=adversarial.get("step"), domain=PIXELS, seed=seed)
    return float(np.mean(~res.success))


def train(model, x, y, *, epochs=100, batch=64, lr=2e-3, seed=0, patience=10,
          val_fraction=0.1, adversarial=None, progress=False):
    """Train ``model`` in place and restore the best epoch by validation accuracy.

    Parameters
    ----------
    adversarial : dict, optional -- ``{"eps", "steps", "step"}``: Madry PGD training, the
        inner maximisation with a random start; validation then uses PGD accuracy.
    seed : int -- shuffling, validation split and attack starts all derive from it.
    """
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_val = max(1, int(round(val_fraction * len(y))))
    xv, yv = x[order[:n_val]], y[order[:n_val]]
    xt, yt = x[order[n_val:]], y[order[n_val:]]
    opt = Adam(model, lr)
    best, best_state, best_epoch, history, waited = -1.0, model.state(), 0, [], 0
    for epoch in range(epochs):
        perm = rng.permutation(len(yt))
        losses = []
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            xb, yb = xt[idx], yt[idx]
            if adversarial:
                xb = pgd(NetworkObjective(model, yb), xb, adversarial["eps"],
                         n_steps=adversarial.get("steps", 10), step=adversarial.get("step"),
                         domain=PIXELS, seed=rng).x_adv
            from .classifier import softmax_cross_entropy
            loss, g = softmax_cross_entropy(model.forward(xb), yb)
            model.backward(g / len(yb))
            opt.step()
            losses.append(loss.mean())
        val = (_robust_accuracy(model, xv, yv, adversarial, seed) if adversarial
               else model.accuracy(xv, yv))
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "val_accuracy": val})
        if progress:
            print(f"[train {model.name}] epoch {epoch} loss {np.mean(losses):.4f} "
                  f"val {val:.3f}", file=sys.stderr, flush=True)
        if val > best:
            best, best_state, best_epoch, waited = val, model.state(), epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state(best_state)
    return TrainResult(model=model, history=history, best_epoch=best_epoch, seed=seed,
                       adversarial=adversarial)
