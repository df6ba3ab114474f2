"""Robustness evaluation the way the robustness community does it.

Every model is attacked with FGSM, PGD (random restarts), PGD through BPDA (for defences)
and a gradient-free random-search attack; robust accuracy is the per-sample worst case over
all of them.  A zero-gradient diagnostic flags masked gradients.
"""
from __future__ import annotations

import sys

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..attacks import fgsm, pgd, pgd_bpda, square
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
from ..progress import Progress
from .defences import DEFENCES
from .objective import NetworkObjective
from .train import PIXELS, train, training_progress
from .zoo import mlp, small_cnn

MLP_HIDDEN = (1024,)
NATURAL = {"epochs": 200, "patience": 20, "lr": 1e-3, "batch": 32}
ADVERSARIAL = {"epochs": 200, "patience": 30, "lr": 1e-3, "batch": 32,
               "adversarial": {"eps": 0.25, "steps": 10, "step": 0.0625}}
NOISE = {**NATURAL, "noise": {"eps": 0.25}}  # random +-eps at the PGD budget: the control
UNTRAINED = {"epochs": 0}  # the initialisation itself: the control for any training


class RobustnessReport(Result):
    """Keys: models (name -> per-model dict), masked_gradient_flags, eps, seed, dataset."""


def zero_gradient_fraction(model, x, y, tol=1e-12):
    """Fraction of inputs whose exact loss gradient is (numerically) zero."""
    _, g = model.loss_and_input_grad(x, y)
    return float(np.mean(np.abs(g).reshape(len(x), -1).sum(axis=1) <= tol))


def evaluate(model, x, y, eps_list, *, defended=False, seed=0, pgd_steps=40, restarts=2,
             n_queries=300, image_shape=None):
    """Clean accuracy and, per eps, accuracy under each attack and under the worst case
    (``image_shape``: how a row of x is an image, for the gradient-free attack's squares)."""
    obj = NetworkObjective(model, y)
    out = {"clean_accuracy": model.accuracy(x, y), "attacks": {}}
    for eps in eps_list:
        kw = dict(n_steps=pgd_steps, step=2.5 * eps / pgd_steps, restarts=restarts,
                  domain=PIXELS, seed=seed)
        results = {"fgsm": fgsm(obj, x, eps, domain=PIXELS), "pgd": pgd(obj, x, eps, **kw),
                   "gradient_free": square(obj, x, eps, n_queries=n_queries, domain=PIXELS,
                                           seed=seed, image_shape=image_shape)}
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
QUICK_NOISE = {**QUICK_NATURAL, "noise": {"eps": 0.25}}
CNN_CHANNELS = 8
ROBUSTNESS_NETWORKS = ("natural", "pgd_trained", "threshold", "hill", "proofreading", "cnn")


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
    from antagonism._core.errors import CacheError

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


def robustness_seed(seed, eps_list, names, n_queries=300, quick=False, dataset="digits",
                    data_dir=None, limit=None, progress=False):
    """One seed of :func:`robustness_report` (also a task of the sweep layer: plain
    arguments, a plain result): train (or load) the ``names`` networks on the seed's split
    of ``dataset`` and attack each.  Returns {name: {"row": evaluate(...), "defended"}}."""
    from .datasets import load_dataset

    d = load_dataset(dataset, seed=seed, data_dir=data_dir, limit=limit)
    return _attack_networks(d, seed, names, eps_list, n_queries, quick, progress)


def _attack_networks(data, seed, names, eps_list, n_queries, quick, progress):
    eta = Progress(len(names), progress, f"robustness seed {seed}")
    out = {}
    for name, (model, defended) in trained_models(data, seed, quick, progress,
                                                  names=names).items():
        eta.step(f"attacking {name}")
        out[name] = {"row": evaluate(model, data.x_test, data.y_test, list(eps_list),
                                     defended=defended, seed=seed, n_queries=n_queries,
                                     image_shape=data.get("image_shape")),
                     "defended": bool(defended)}
    return out


def robustness_report(eps_list=(0.1, 0.2, 0.3), seed=0, data=None, progress=True,
                      n_queries=300, quick=False, seeds=None, names=None, extra=None,
                      dataset="digits", data_dir=None, limit=None, executor="local",
                      scheduler=None, workers=None, cache=None):
    """Train (or load) the natural, PGD-trained, defended and CNN networks and evaluate
    them all; over several ``seeds`` every number is the mean, with a 95 % interval.

    Parameters
    ----------
    seeds : sequence of int, optional -- default ``(seed,)``
    names : network names to evaluate (default ``ROBUSTNESS_NETWORKS``: every network of
        ``model_specs`` but the two controls)
    extra : dict name -> classifier (a torch module, a function pair...) -- user models,
        evaluated on every seed's test set, in this process
    data : a Dataset to use instead of ``dataset`` (single seed, in this process)
    executor, scheduler, workers, cache : how the seeds run -- one task per seed through
        :func:`~antagonism.numerics.experiments.executor.run_tasks` (``local``: here, with
        per-network progress; ``processes`` or ``dask``: elsewhere, progress per seed;
        ``cache``: a named sweep cache, so a re-run computes only missing seeds)
    """
    from ..experiments.executor import run_tasks
    from .classifier import as_classifier
    from .datasets import load_dataset

    seeds = list(seeds) if seeds is not None else [seed]
    names = list(ROBUSTNESS_NETWORKS if names is None else names)
    eps_list = [float(e) for e in eps_list]
    options = dict(eps_list=eps_list, names=names, n_queries=int(n_queries),
                   quick=bool(quick), dataset=dataset, data_dir=data_dir, limit=limit)
    if data is not None and (executor != "local" or cache is not None or len(seeds) > 1):
        raise InputError("data= is evaluated in this process, for one seed: use dataset= "
                         "with several seeds, another executor or a cache")
    if data is not None:  # the caller's own data set
        per_seed = [_attack_networks(data, seeds[0], names, eps_list, n_queries, quick,
                                     progress)]
    elif executor == "local" and cache is None:
        per_seed = [robustness_seed(s, progress=progress, **options) for s in seeds]
    else:
        per_seed = run_tasks(robustness_seed, [{"seed": int(s), **options} for s in seeds],
                             executor=executor, scheduler=scheduler, workers=workers,
                             cache=cache, progress=progress, label="robustness").results
    runs = {}
    for s, result in zip(seeds, per_seed):
        for name, entry in result.items():
            runs.setdefault(name, []).append((entry["row"], entry["defended"]))
        if extra:
            d = data if data is not None else load_dataset(dataset, seed=s, data_dir=data_dir,
                                                           limit=limit)
            for name, clf in extra.items():
                row = evaluate(as_classifier(clf, name), d.x_test, d.y_test, eps_list,
                               seed=s, n_queries=n_queries, image_shape=d.get("image_shape"))
                runs.setdefault(name, []).append((row, False))
    return _aggregate(runs, eps_list, seeds, dataset if data is None else data.name)


def _aggregate(runs, eps_list, seeds, dataset):
    """The report over seeds from {name: [(row, defended) per seed]}."""
    from ..statistics import interval

    models, flags = {}, {}
    for name, rows in runs.items():
        first, defended = rows[0]
        entry = {"clean_accuracy": None, "defended": defended, "ci95": {}}
        values = {"clean_accuracy": [r["clean_accuracy"] for r, _ in rows]}
        for e in first["attacks"]:
            for attack in first["attacks"][e]:
                values[(e, attack)] = [r["attacks"][e][attack] for r, _ in rows]
        for key, vals in values.items():
            mean, lo, hi = interval(vals, bounds=(0.0, 1.0))
            if isinstance(key, tuple):
                entry.setdefault(key[0], {})[key[1]] = mean
                entry["ci95"].setdefault(key[0], {})[key[1]] = [lo, hi]
            else:
                entry[key], entry["ci95"][key] = mean, [lo, hi]
        entry["per_seed"] = [{"clean_accuracy": r["clean_accuracy"], **r["attacks"]}
                             for r, _ in rows]
        models[name] = entry
        per_seed_flags = [masked_gradient_flag(r) for r, _ in rows]
        flags[name] = {k: (any(f[k] for f in per_seed_flags) if k == "flagged"
                           else max(f[k] for f in per_seed_flags)) for k in per_seed_flags[0]}
    return RobustnessReport(models=models, masked_gradient_flags=flags,
                            eps=list(eps_list), seed=seeds[0], seeds=seeds, dataset=dataset)
