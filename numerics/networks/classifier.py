"""Any classifier the measures, attacks and robustness reports accept.

A classifier maps inputs x in [0, 1] -- rows of features (n, features), the data sets'
layout, or images (n, c, h, w) -- to logits (n, classes) and gives

- ``logits(x)``;
- ``logits_vjp(x, w, bpda=False)``: the gradient with respect to x of sum(w * logits(x))
  (a vector-Jacobian product; ``bpda`` asks defences for their straight-through gradient).

Cross-entropy, predictions, accuracy, the loss gradient and the margin gradient follow
(:class:`Classifier`).  The package's numpy networks (:class:`~.model.Sequential`) are
classifiers; :func:`as_classifier` also wraps a torch ``nn.Module`` (through the optional
torch bridge) or a pair of plain functions.  Torch model *files* are read by
:func:`~.torch_bridge.load_torch_model` (weights only, unless the caller trusts the file's
code).
"""
from __future__ import annotations

import math

import numpy as np

from antagonism._core.errors import InputError


def softmax_cross_entropy(logits, y):
    """Per-sample cross-entropy and its gradient with respect to the logits."""
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -logp[np.arange(len(y)), y]
    grad = np.exp(logp)
    grad[np.arange(len(y)), y] -= 1.0
    return loss, grad


class Classifier:
    """Base class: subclasses give ``logits`` and ``logits_vjp``."""

    name = "classifier"

    def logits(self, x):
        raise NotImplementedError

    def logits_vjp(self, x, w, bpda=False):
        raise NotImplementedError

    def predict(self, x, batch=1024):
        return np.concatenate([self.logits(x[i:i + batch]).argmax(axis=1)
                               for i in range(0, len(x), batch)])

    def accuracy(self, x, y):
        return float(np.mean(self.predict(x) == np.asarray(y)))

    def loss_and_input_grad(self, x, y, bpda=False):
        """Per-sample cross-entropy and its gradient with respect to x."""
        loss, g = softmax_cross_entropy(self.logits(x), np.asarray(y))
        return loss, self.logits_vjp(x, g, bpda=bpda)

    def margin(self, x, y):
        """z_y - max_{j != y} z_j: positive while the input is classified as y (the network's
        analogue of log T, the cell's decision variable)."""
        return margin_and_runner_up(self.logits(x), np.asarray(y))[0]

    def margin_and_grad(self, x, y, bpda=False):
        """The margin and its gradient with respect to x."""
        z = self.logits(x)
        y = np.asarray(y)
        M, j = margin_and_runner_up(z, y)
        w = np.zeros_like(z)
        w[np.arange(len(y)), y] = 1.0
        w[np.arange(len(y)), j] = -1.0
        return M, self.logits_vjp(x, w, bpda=bpda)


def margin_and_runner_up(z, y):
    n = len(y)
    others = z.copy()
    others[np.arange(n), y] = -np.inf
    j = others.argmax(axis=1)
    return z[np.arange(n), y] - z[np.arange(n), j], j


class TorchClassifier(Classifier):
    """A torch ``nn.Module`` mapping a tensor to logits (needs the ``torch`` extra).

    Inputs are converted to the module's floating dtype, moved to ``device`` and, when
    ``input_shape`` is given (e.g. (1, 28, 28) for a CNN), reshaped to (n, *input_shape)
    before the module sees them; gradients come back in the caller's shape.  Evaluation
    runs in batches of ``batch_size`` rows (gradients by autograd, batch by batch)."""

    def __init__(self, module, name="torch", *, device=None, batch_size=1024,
                 input_shape=None):
        import torch

        if int(batch_size) < 1:
            raise InputError(f"batch_size must be >= 1, got {batch_size}")
        self.torch, self.module, self.name = torch, module, name
        params = list(module.parameters())
        self.dtype = params[0].dtype if params else torch.float32
        try:
            self.device = torch.device(device if device is not None else
                                       (params[0].device if params else "cpu"))
        except RuntimeError as exc:
            raise InputError(f"unknown torch device {device!r}: {exc}") from None
        self.batch_size = int(batch_size)
        self.input_shape = None if input_shape is None else tuple(int(v) for v in input_shape)
        try:  # a device torch knows but this machine lacks (cuda without CUDA): bad input
            torch.empty(0, device=self.device)
            module.to(self.device)
        except (AssertionError, RuntimeError) as exc:
            raise InputError(f"torch device {str(self.device)!r} is not available here: "
                             f"{str(exc).strip().splitlines()[0][:200]}") from None
        try:
            module.eval()
        except NotImplementedError:  # a torch.export module: already inference-only
            pass

    def _tensor(self, x, grad=False):
        x = np.asarray(x)
        if self.input_shape is not None:
            size = math.prod(x.shape[1:])
            if size != math.prod(self.input_shape):  # (checked in Python integers)
                raise InputError(f"input shape {self.input_shape} holds "
                                 f"{math.prod(self.input_shape)} values per sample, but the "
                                 f"data have {size} (shape {x.shape[1:]})")
            x = x.reshape(len(x), *self.input_shape)
        return self.torch.tensor(x, dtype=self.dtype, device=self.device, requires_grad=grad)

    def _batches(self, n):
        return [slice(i, min(n, i + self.batch_size)) for i in range(0, n, self.batch_size)]

    def logits(self, x):
        with self.torch.no_grad():
            return np.concatenate([self.module(self._tensor(x[b])).double().cpu().numpy()
                                   for b in self._batches(len(x))])

    def logits_vjp(self, x, w, bpda=False):
        x = np.asarray(x)
        out = np.empty(x.shape, dtype=float)
        for b in self._batches(len(x)):
            t = self._tensor(x[b], grad=True)
            z = self.module(t)
            (z * self.torch.as_tensor(w[b], dtype=z.dtype, device=z.device)).sum().backward()
            out[b] = t.grad.double().cpu().numpy().reshape(out[b].shape)
        return out


class FunctionClassifier(Classifier):
    """A classifier given as plain functions: ``logits(x)`` and ``logits_vjp(x, w)``."""

    def __init__(self, logits, logits_vjp, name="function"):
        self._logits, self._vjp, self.name = logits, logits_vjp, name

    def logits(self, x):
        return np.asarray(self._logits(x), dtype=float)

    def logits_vjp(self, x, w, bpda=False):
        return np.asarray(self._vjp(x, w), dtype=float)


def as_classifier(obj, name=None, **torch_options):
    """A :class:`Classifier` for a torch module (``torch_options``: ``device``,
    ``batch_size``, ``input_shape`` of :class:`TorchClassifier`) or a (logits, vjp) pair of
    functions; a classifier (a numpy network among them) is returned as is."""
    if isinstance(obj, Classifier):
        return obj
    if isinstance(obj, tuple) and len(obj) == 2 and all(callable(f) for f in obj):
        return FunctionClassifier(*obj, name=name or "function")
    if type(obj).__module__.startswith("torch") or _is_torch_module(obj):
        return TorchClassifier(obj, name=name or type(obj).__name__, **torch_options)
    raise TypeError(f"cannot use {obj!r} as a classifier: give a numpy network, a torch "
                    "nn.Module or a (logits, logits_vjp) pair of functions")


def _is_torch_module(obj):
    try:
        import torch
    except ImportError:
        return False
    return isinstance(obj, torch.nn.Module)
