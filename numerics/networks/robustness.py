"""Robustness evaluation the way the robustness community does it.

Every model is attacked with FGSM, PGD (random restarts), PGD through BPDA (for defences)
and a gradient-free random-search attack; robust accuracy is the per-sample worst case over
all of them.  A zero-gradient diagnostic flags masked gradients.
"""
from __future__ import annotations

import sys

import numpy as np

from antagonism.theory.result import Result

from ..attacks import fgsm, pgd, pgd_bpda, square
from ..cache import cache_dir, cache_key
from .datasets import load_digits
from .defences import DEFENCES
from .objective import NetworkObjective
from .train import PIXELS, train
from .zoo import mlp

MLP_HIDDEN = (1024,)
NATURAL = {"epochs": 200, "patience": 20, "lr": 1e-3, "batch": 32}
ADVERSARIAL = {"epochs": 200, "patience": 30, "lr": 1e-3, "batch": 32,
               "adversarial": {"eps": 0.25, "steps": 10, "step": 0.0625}}


class RobustnessReport(Result):
    """Keys: models (name -> per-model dict), masked_gradient_flags, eps, seed, dataset."""


def zero_gradient_fraction(model, x, y, tol=1e-12):
    """Fraction of inputs whose exact loss gradient is (numerically) zero."""
    _, g = model.loss_and_input_grad(x, y)
    return float(np.mean(np.abs(g).reshape(len(x), -1).sum(axis=1) <= tol))


def evaluate(model, x, y, eps_list, *, defended=False, seed=0, pgd_steps=40, restarts=2,
             n_queries=300):
    """Clean accuracy and, per eps, accuracy under each attack and under the worst case."""
    obj = NetworkObjective(model, y)
    out = {"clean_accuracy": model.accuracy(x, y), "attacks": {}}
    for eps in eps_list:
        kw = dict(n_steps=pgd_steps, step=2.5 * eps / pgd_steps, restarts=restarts,
                  domain=PIXELS, seed=seed)
        results = {"fgsm": fgsm(obj, x, eps, domain=PIXELS), "pgd": pgd(obj, x, eps, **kw),
                   "gradient_free": square(obj, x, eps, n_queries=n_queries, domain=PIXELS,
                                           seed=seed)}
        if defended:
            results["pgd_bpda"] = pgd_bpda(obj, x, eps, **kw)
        clean_ok = model.predict(x) == y
        broken = ~clean_ok
        row = {}
        for name, res in results.items():
            row[name] = float(np.mean(~res.success))
            broken |= res.success
        row["worst"] = float(np.mean(~broken))
        out["attacks"][f"{eps:g}"] = row
    out["zero_gradient_fraction"] = zero_gradient_fraction(model, x, y)
    return out


def masked_gradient_flag(row, margin=0.1):
    """Flag masking when gradients vanish, or when BPDA or the gradient-free attack beat plain
    PGD by more than ``margin`` in accuracy at some eps."""
    gains = {"bpda_gain": 0.0, "gradient_free_gain": 0.0}
    for acc in row["attacks"].values():
        if "pgd_bpda" in acc:
            gains["bpda_gain"] = max(gains["bpda_gain"], acc["pgd"] - acc["pgd_bpda"])
        gains["gradient_free_gain"] = max(gains["gradient_free_gain"],
                                          acc["pgd"] - acc["gradient_free"])
    flagged = (row["zero_gradient_fraction"] > 0.5 or gains["bpda_gain"] > margin
               or gains["gradient_free_gain"] > margin)
    return {"zero_gradient_fraction": row["zero_gradient_fraction"], **gains,
            "flagged": bool(flagged)}


QUICK_HIDDEN = (64,)
QUICK_NATURAL = {"epochs": 30, "patience": 10, "lr": 2e-3, "batch": 32}
QUICK_ADVERSARIAL = {"epochs": 15, "patience": 5, "lr": 2e-3, "batch": 32,
                     "adversarial": {"eps": 0.25, "steps": 3, "step": 0.1}}


def model_specs(data, seed=0, quick=False):
    """name -> (constructor, training config, defended) for every evaluated MLP."""
    hidden = QUICK_HIDDEN if quick else MLP_HIDDEN
    natural, adversarial = (QUICK_NATURAL, QUICK_ADVERSARIAL) if quick else (NATURAL,
                                                                             ADVERSARIAL)
    n_pix = data.x_train[0].size
    make = lambda pre=None: mlp(n_pix, data.n_classes, hidden, seed, preprocess=pre)  # noqa
    specs = {"natural": (make, natural, False), "pgd_trained": (make, adversarial, False)}
    for dname, make_defence in DEFENCES.items():
        specs[dname] = ((lambda md=make_defence: make(md())), natural, True)
    return specs


def trained_models(data, seed=0, quick=False, progress=True, names=None):
    """Train (or load from the cache) the models of ``model_specs``; name -> (model, defended)."""
    out = {}
    for name, (make, config, defended) in model_specs(data, seed, quick).items():
        if names is None or name in names:
            out[name] = (_cached_train(name, make, data, config, seed, progress, quick),
                         defended)
    return out


def _cached_train(name, make, data, config, seed, progress, quick=False):
    hidden = QUICK_HIDDEN if quick else MLP_HIDDEN
    key = cache_key({"name": name, "hidden": hidden, "config": config, "seed": seed,
                     "data": [data.name, data.seed, len(data.y_train)], "v": 1})
    path = cache_dir("models") / f"{key}.npz"
    model = make()
    if path.exists():
        model.load_state(dict(np.load(path)))
        if progress:
            print(f"[robustness] loaded {name} from {path}", file=sys.stderr, flush=True)
        return model
    if progress:
        print(f"[robustness] training {name}", file=sys.stderr, flush=True)
    train(model, data.x_train, data.y_train, seed=seed, **config)
    np.savez(path, **model.state())
    return model


def robustness_report(eps_list=(0.1, 0.2, 0.3), seed=0, data=None, progress=True,
                      n_queries=300, quick=False):
    """Train (or load) the natural, PGD-trained and defended MLPs and evaluate them all
    (``quick``: small networks trained briefly, to check the pipeline)."""
    data = data or load_digits(seed=seed)
    models, flags = {}, {}
    for name, (model, defended) in trained_models(data, seed, quick, progress).items():
        if progress:
            print(f"[robustness] attacking {name}", file=sys.stderr, flush=True)
        row = evaluate(model, data.x_test, data.y_test, eps_list, defended=defended, seed=seed,
                       n_queries=n_queries)
        models[name] = {"clean_accuracy": row["clean_accuracy"], **row["attacks"],
                        "defended": defended}
        flags[name] = masked_gradient_flag(row)
    return RobustnessReport(models=models, masked_gradient_flags=flags,
                            eps=list(eps_list), seed=seed, dataset=data.name)
