"""The trained-model store: every network the robustness report and the regime measures
evaluate (MLPs, natural, PGD- and noise-trained, behind each biomimetic defence, a small CNN
and the untrained control), their training configurations, and their cache.

A trained network is saved as ``<cache root>/models/<key>.npz`` (verified on load: a
damaged or mismatched entry is rebuilt), its key a hash of the training data, the
architecture, the configuration, the seed and the code that builds and trains it
(:func:`network_key`).  With an unusable cache the weights are kept in memory.
"""
from __future__ import annotations

import sys

import numpy as np

from antagonism._core.errors import CacheError, InputError

from ..cache import (
    array_digest,
    cache_key,
    code_version,
    load_verified,
    memory_get,
    memory_put,
    save_verified,
    usable_dir,
)
from .defences import DEFENCES
from .train import train, training_progress
from .zoo import mlp, small_cnn

MLP_HIDDEN = (1024,)
NATURAL = {"epochs": 200, "patience": 20, "lr": 1e-3, "batch": 32}
ADVERSARIAL = {"epochs": 200, "patience": 30, "lr": 1e-3, "batch": 32,
               "adversarial": {"eps": 0.25, "steps": 10, "step": 0.0625}}
NOISE = {**NATURAL, "noise": {"eps": 0.25}}  # random +-eps at the PGD budget: the control
UNTRAINED = {"epochs": 0}  # the initialisation itself: the control for any training
QUICK_HIDDEN = (64,)
QUICK_NATURAL = {"epochs": 30, "patience": 10, "lr": 2e-3, "batch": 32}
QUICK_ADVERSARIAL = {"epochs": 15, "patience": 5, "lr": 2e-3, "batch": 32,
                     "adversarial": {"eps": 0.25, "steps": 3, "step": 0.1}}
QUICK_NOISE = {**QUICK_NATURAL, "noise": {"eps": 0.25}}
CNN_CHANNELS = 8
#: the built-in networks' names (the keys of :func:`model_specs`): no user model may take one
NETWORK_NAMES = ("natural", "pgd_trained", "noise_trained", "untrained", *DEFENCES, "cnn")


def check_user_models(extra):
    """Refuse user models (``extra``: name -> classifier) named like a built-in network:
    their rows would merge with its row, or replace it.  Returns ``extra``."""
    clash = sorted(set(extra or {}) & set(NETWORK_NAMES))
    if clash:
        raise InputError(f"a user model is named {clash[0]!r}, like a built-in network "
                         f"({', '.join(NETWORK_NAMES)}): rename it (for --torch-model, the "
                         "file)")
    return extra


def model_specs(data, seed=0, quick=False, hidden=None, train_eps=None):
    """name -> (constructor, training config, defended, architecture) of every evaluated
    network: MLPs (natural, PGD-trained, behind each biomimetic defence) and a small CNN,
    and two controls: ``untrained`` (the initialisation) and ``noise_trained`` (random +-eps
    noise at the PGD budget).  The seed sets the initialisation and the training order.

    ``hidden`` overrides the MLP width, ``train_eps`` the PGD and noise budget (the PGD
    step is 2.5 eps / steps, as for the attacks)."""
    hidden = tuple(hidden) if hidden else (QUICK_HIDDEN if quick else MLP_HIDDEN)
    natural, adversarial, noise = ((QUICK_NATURAL, QUICK_ADVERSARIAL, QUICK_NOISE) if quick
                                   else (NATURAL, ADVERSARIAL, NOISE))
    if train_eps is not None:
        inner = adversarial["adversarial"]
        adversarial = {**adversarial, "adversarial": {
            **inner, "eps": float(train_eps), "step": 2.5 * float(train_eps) / inner["steps"]}}
        noise = {**noise, "noise": {"eps": float(train_eps)}}
    n_pix, side = data.x_train[0].size, data.image_shape[-1]
    make = lambda pre=None: mlp(n_pix, data.n_classes, hidden, seed, preprocess=pre)  # noqa
    arch = {"mlp": list(hidden)}
    specs = {"natural": (make, natural, False, arch),
             "pgd_trained": (make, adversarial, False, arch),
             "noise_trained": (make, noise, False, arch),
             "untrained": (make, UNTRAINED, False, arch)}
    for dname, make_defence in DEFENCES.items():
        specs[dname] = ((lambda md=make_defence: make(md())), natural, True, arch)
    specs["cnn"] = ((lambda: small_cnn(side, data.n_classes, CNN_CHANNELS, seed)), natural,
                    False, {"cnn": CNN_CHANNELS, "input": "rows"})
    return specs


def trained_models(data, seed=0, quick=False, progress=True, names=None, hidden=None,
                   train_eps=None):
    """Train (or load from the cache) the models of ``model_specs``; name -> (model, defended)."""
    specs = model_specs(data, seed, quick, hidden, train_eps)
    unknown = set(names or ()) - set(specs)
    if unknown:
        raise InputError(f"unknown network(s) {sorted(unknown)}; known: {', '.join(specs)}")
    out = {}
    digest = array_digest(data.x_train, data.y_train)  # once per data set
    for name, (make, config, defended, arch) in specs.items():
        if names is None or name in names:
            with training_progress(f"{name} seed {seed}" if progress else None):
                out[name] = (_cached_train(name, make, data, config, seed, progress, arch,
                                              digest),
                             defended)
    return out


#: the code a trained network depends on (its key changes with any of these sources)
NETWORK_CODE = ("numerics.networks", "numerics.attacks")


def network_key(name, data_digest, config, seed, arch):
    """The cache key of a trained network: a hash of everything that determines it -- the
    training data's bytes (``data_digest``, :func:`~..cache.array_digest` of the training
    images and labels), the architecture, the training configuration, the seed and the
    source of the code that builds and trains it."""
    return cache_key({"name": name, "arch": arch, "config": config, "seed": seed,
                      "data": data_digest,
                      "code": code_version(*NETWORK_CODE), "v": 3})


def _read_state(path, model):
    """Load a cached state into ``model``, refusing any key, shape or non-finite mismatch."""
    expected = model.state()
    with np.load(path, allow_pickle=False) as z:
        state = {k: z[k] for k in z.files}
    if set(state) != set(expected):
        raise CacheError(f"weights {sorted(state)} do not match the network's "
                         f"{sorted(expected)}")
    for k, v in state.items():
        if v.shape != expected[k].shape or not np.all(np.isfinite(v)):
            raise CacheError(f"weight {k}: shape {v.shape} (expected {expected[k].shape}) "
                             "or non-finite values")
    model.load_state(state)
    return model


def _cached_train(name, make, data, config, seed, progress, arch, digest=None):
    """Train ``make()`` on ``data`` or load it from the cache (verified; a refused entry is
    rebuilt).  With an unusable cache the trained weights are kept in memory."""
    digest = digest or array_digest(data.x_train, data.y_train)
    key = network_key(name, digest, config, seed, arch)
    model = make()
    folder = usable_dir("models")
    path = None if folder is None else folder / f"{key}.npz"
    if path is None:
        state = memory_get("models", key)
        loaded = None if state is None else _read_state_dict(state, model)
    else:
        loaded = load_verified(path, lambda p: _read_state(p, model))
    if loaded is not None:
        if progress:
            print(f"[robustness] loaded {name} from {path or 'memory'}", file=sys.stderr,
                  flush=True)
        return model
    if progress:
        print(f"[robustness] training {name}", file=sys.stderr, flush=True)
    train(model, data.x_train, data.y_train, seed=seed, **config)
    state = {k: v.copy() for k, v in model.state().items()}
    if path is None:
        memory_put("models", key, state)
    else:
        save_verified(path, lambda f: np.savez(f, **state), meta={"network": name})
    return model


def _read_state_dict(state, model):
    model.load_state(state)
    return model
