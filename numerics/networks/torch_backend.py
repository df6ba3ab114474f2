"""The torch backend of the numpy networks: the same layers, trained and evaluated by torch
where that is faster (``benchmarks/networks_training.py`` measures it), with the weights
living in the numpy :class:`~.model.Sequential` (so the store caches them as before).

Needs the optional ``torch`` extra; nothing imports this module unless a caller asks for
``backend="torch"`` (or ``"auto"`` with torch installed).

- :func:`to_torch` -- a torch copy of a numpy network (Dense, Conv2D, ReLU, pools, Flatten,
  Reshape and the biomimetic defences of :mod:`.defences`, float32 by default);
- :class:`TorchNetwork` -- that copy as a :class:`~.classifier.Classifier`, with BPDA:
  ``bpda=True`` passes the defences' gradient straight through (the identity), exactly as
  the numpy layers' ``bpda_backward``;
- :func:`train_torch` -- :func:`~.train.train`'s loop (Adam, minibatches, early stopping
  on validation accuracy; Madry PGD or random-noise augmentation) in torch.
"""
from __future__ import annotations

import time

import numpy as np

from antagonism._core.errors import InputError

from .classifier import Classifier

#: environment variable: torch's intra-op threads for the backend (default 1)
THREADS_VARIABLE = "ANTAGONISM_TORCH_THREADS"


def available():
    """Whether torch can be imported."""
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _torch():
    """torch, with its intra-op threads set to ``$ANTAGONISM_TORCH_THREADS`` (default 1).

    These networks are small (batches of 64 through a few thousand weights): a second
    thread gains little on a quiet machine and, on a busy one, costs several times the
    single-thread time in spin-waiting (measured in ``benchmarks/networks_training.py``).
    The setting is torch's, for the whole process."""
    import os

    import torch

    value = os.environ.get(THREADS_VARIABLE, "1")
    try:
        n = int(value)
    except ValueError:
        raise InputError(f"{THREADS_VARIABLE} must be a positive integer, got {value!r}"
                         ) from None
    if n < 1:
        raise InputError(f"{THREADS_VARIABLE} must be a positive integer, got {value!r}")
    if torch.get_num_threads() != n:
        torch.set_num_threads(n)
    return torch


def ramped_eps(adversarial, epoch):
    """The PGD training budget of ``epoch`` (from 0): ``adversarial["eps"]``, or with
    ``adversarial["ramp"] = R`` epochs a linear warm-up eps (epoch + 1) / R over the first R
    epochs (a small network trained at eps = 0.3 from the start can stay at chance)."""
    ramp = int(adversarial.get("ramp", 0) or 0)
    return float(adversarial["eps"]) * (min(1.0, (epoch + 1) / ramp) if ramp > 0 else 1.0)


def _defence_module(torch, layer):
    """A function x -> filtered x for a defence layer of :mod:`.defences`."""
    from .defences import HardThreshold, ProofreadingLayer, SmoothFilter

    if isinstance(layer, HardThreshold):
        return lambda x: (x > layer.theta).to(x.dtype)  # no gradient: masked, like numpy
    if isinstance(layer, SmoothFilter):
        tn = layer.theta ** layer.n
        return lambda x: x ** layer.n / (x ** layer.n + tn)
    if isinstance(layer, ProofreadingLayer):
        def proofread(x):
            d = (x.reshape(len(x), -1) ** layer.m).mean(dim=1) + layer.delta
            return x ** layer.N / d.reshape((-1,) + (1,) * (x.ndim - 1))
        return proofread
    raise InputError(f"no torch version of the defence {type(layer).__name__}")


def to_torch(model, dtype=None):
    """A torch module computing ``model``'s logits; ``module(x, bpda=True)`` passes the
    defences' gradient straight through.  Parameters are copies (see :func:`copy_back`)."""
    torch = _torch()

    from .defences import _Defence
    from .layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU, Reshape

    dtype = dtype or torch.float32
    steps, params = [], torch.nn.ModuleList()
    for layer in model.layers:
        if isinstance(layer, Dense):
            W = layer.params["W"]
            lin = torch.nn.Linear(*W.shape, dtype=dtype)
            with torch.no_grad():
                lin.weight.copy_(torch.as_tensor(W.T))
                lin.bias.copy_(torch.as_tensor(layer.params["b"]))
            params.append(lin)
            steps.append(("param", lin))
        elif isinstance(layer, Conv2D):
            W = layer.params["W"]
            c_out, k = W.shape[1], layer.k
            conv = torch.nn.Conv2d(W.shape[0] // (k * k), c_out, k, padding=layer.pad,
                                   dtype=dtype)
            with torch.no_grad():
                conv.weight.copy_(torch.as_tensor(W.T.reshape(c_out, -1, k, k)))
                conv.bias.copy_(torch.as_tensor(layer.params["b"]))
            params.append(conv)
            steps.append(("param", conv))
        elif isinstance(layer, ReLU):
            steps.append(("fn", torch.relu))
        elif isinstance(layer, MaxPool2D):
            steps.append(("fn", lambda x, s=layer.s: torch.nn.functional.max_pool2d(x, s)))
        elif isinstance(layer, AvgPool2D):
            steps.append(("fn", lambda x, s=layer.s: torch.nn.functional.avg_pool2d(x, s)))
        elif isinstance(layer, Flatten):
            steps.append(("fn", lambda x: x.reshape(len(x), -1)))
        elif isinstance(layer, Reshape):
            steps.append(("fn", lambda x, t=layer.target: x.reshape(len(x), *t)))
        elif isinstance(layer, _Defence):
            steps.append(("defence", _defence_module(torch, layer)))
        else:
            raise InputError(f"no torch version of the layer {type(layer).__name__}")

    class Net(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = params

        def forward(self, x, bpda=False):
            for kind, f in steps:
                if kind == "defence":
                    y = f(x)
                    # BPDA: the true forward value, the identity's gradient
                    x = x + (y - x).detach() if bpda else y
                else:
                    x = f(x)
            return x

    return Net()


def copy_back(net, model):
    """Write the torch module's parameters into the numpy network (float64)."""
    from .layers import Conv2D, Dense

    mods = iter(net.layers)
    for layer in model.layers:
        if isinstance(layer, (Dense, Conv2D)):
            m = next(mods)
            w = m.weight.detach().double().cpu().numpy()
            layer.params["W"][...] = w.reshape(w.shape[0], -1).T
            layer.params["b"][...] = m.bias.detach().double().cpu().numpy()


class TorchNetwork(Classifier):
    """A numpy network evaluated by its torch copy (float32 unless ``dtype``), in batches
    of ``batch_size`` rows; the same logits, input gradients and BPDA gradients."""

    def __init__(self, model, batch_size=4096, dtype=None):
        torch = _torch()

        self.torch, self.model, self.name = torch, model, model.name
        self.net = to_torch(model, dtype).eval()
        self.dtype = next(self.net.parameters()).dtype
        self.batch_size = int(batch_size)

    def _t(self, x, grad=False):
        return self.torch.tensor(np.asarray(x), dtype=self.dtype, requires_grad=grad)

    def logits(self, x):
        with self.torch.no_grad():
            return np.concatenate([self.net(self._t(x[i:i + self.batch_size])).double().numpy()
                                   for i in range(0, len(x), self.batch_size)])

    def logits_vjp(self, x, w, bpda=False):
        x = np.asarray(x)
        out = np.empty(x.shape)
        for i in range(0, len(x), self.batch_size):
            t = self._t(x[i:i + self.batch_size], grad=True)
            z = self.net(t, bpda=bpda)
            (z * self.torch.as_tensor(w[i:i + self.batch_size], dtype=z.dtype)).sum().backward()
            # a hard threshold's exact gradient is zero: no graph reaches the input
            out[i:i + self.batch_size] = 0.0 if t.grad is None else t.grad.double().numpy()
        return out


def fast_classifier(model, backend="auto"):
    """The classifier to evaluate ``model`` with: its torch copy (:class:`TorchNetwork`) for
    ``backend="torch"``, or ``"auto"`` with torch installed; else the numpy network."""
    if backend == "torch" or (backend == "auto" and available()):
        return TorchNetwork(model)
    return model


def _pgd_torch(torch, net, x, y, eps, steps, step, gen):
    """Madry's inner maximisation: a uniform random start in the L-inf ball, then ``steps``
    signed-gradient steps of cross-entropy, projected onto the ball and [0, 1]."""
    xa = (x + (torch.rand(x.shape, generator=gen, dtype=x.dtype) * 2 - 1) * eps).clamp(0, 1)
    for _ in range(steps):
        xa.requires_grad_(True)
        loss = torch.nn.functional.cross_entropy(net(xa), y, reduction="sum")
        (g,) = torch.autograd.grad(loss, xa)
        with torch.no_grad():
            xa = torch.minimum(torch.maximum(xa + step * g.sign(), x - eps), x + eps)
            xa = xa.clamp(0, 1)
    return xa.detach()


class _Adam:
    """Adam (Kingma & Ba 2015) on the module's parameters, written out as
    :class:`~.train.Adam` is (``torch.optim`` would import torch's compiler stack, seconds
    per process)."""

    def __init__(self, torch, params, lr, b1=0.9, b2=0.999, eps=1e-8):
        self.params, self.lr, self.b1, self.b2, self.eps, self.t = list(params), lr, b1, b2, \
            eps, 0
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]

    def step(self):
        self.t += 1
        c1, c2 = 1 - self.b1 ** self.t, 1 - self.b2 ** self.t
        for p, m, v in zip(self.params, self.m, self.v):
            m.mul_(self.b1).add_(p.grad, alpha=1 - self.b1)
            v.mul_(self.b2).addcmul_(p.grad, p.grad, value=1 - self.b2)
            p.data.addcdiv_(m / c1, (v / c2).sqrt_().add_(self.eps), value=-self.lr)
            p.grad = None


def _accuracy(torch, net, x, y, adversarial, gen):
    if adversarial:
        x = _pgd_torch(torch, net, x, y, adversarial["eps"], adversarial.get("steps", 10),
                       adversarial.get("step") or 2.5 * adversarial["eps"]
                       / adversarial.get("steps", 10), gen)
    with torch.no_grad():
        return float((net(x).argmax(1) == y).double().mean())


def train_torch(model, x, y, *, epochs=100, batch=64, lr=2e-3, seed=0, patience=10,
                val_fraction=0.1, adversarial=None, noise=None, report=None):
    """:func:`~.train.train` in torch (float32): the same split, shuffling from the numpy
    generator of ``seed``, Adam at ``lr``, early stopping on validation accuracy (PGD
    accuracy with ``adversarial``), the best epoch restored into ``model``.  ``report``:
    a function (epoch, loss, val, started) called after every epoch.  Returns the history
    and the best epoch."""
    torch = _torch()

    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    n_val = max(1, int(round(val_fraction * len(y))))
    X = torch.tensor(np.asarray(x), dtype=torch.float32)
    Y = torch.tensor(np.asarray(y), dtype=torch.int64)
    xv, yv = X[order[:n_val]], Y[order[:n_val]]
    xt, yt = X[order[n_val:]], Y[order[n_val:]]
    net = to_torch(model)
    opt = _Adam(torch, net.parameters(), lr)
    best, best_state, best_epoch, history, waited = -1.0, None, 0, [], 0
    started = time.perf_counter()
    for epoch in range(epochs):
        perm = rng.permutation(len(yt))
        losses = []
        net.train()
        for i in range(0, len(perm), batch):
            idx = torch.as_tensor(perm[i:i + batch])
            xb, yb = xt[idx], yt[idx]
            if adversarial:
                steps, eps = adversarial.get("steps", 10), ramped_eps(adversarial, epoch)
                step = adversarial.get("step") or 2.5 * adversarial["eps"] / steps
                xb = _pgd_torch(torch, net, xb, yb, eps, steps, step * eps
                                / adversarial["eps"], gen)
            elif noise:
                signs = torch.randint(0, 2, xb.shape, generator=gen).to(xb.dtype) * 2 - 1
                xb = (xb + noise["eps"] * signs).clamp(0, 1)
            loss = torch.nn.functional.cross_entropy(net(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        net.eval()
        val = _accuracy(torch, net, xv, yv, adversarial, gen)
        history.append({"epoch": epoch, "loss": float(np.mean(losses)), "val_accuracy": val})
        if report is not None:
            report(epoch, float(np.mean(losses)), val, started)
        if val > best:
            best, best_epoch, waited = val, epoch, 0
            best_state = {k: v.clone() for k, v in net.state_dict().items()}
        else:
            waited += 1
            if waited >= patience:
                break
    if best_state is not None:
        net.load_state_dict(best_state)
    copy_back(net, model)
    return history, best_epoch
