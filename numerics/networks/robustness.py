"""Robustness evaluation the way the robustness community does it.

Every model is attacked with FGSM, PGD (random restarts), PGD through BPDA (for defences)
and a gradient-free random-search attack; robust accuracy is the per-sample worst case over
all of them.  A zero-gradient diagnostic flags masked gradients.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..attacks import fgsm, pgd, pgd_bpda, square
from ..executor import run_tasks
from ..progress import Progress
from .objective import NetworkObjective
from .store import trained_models
from .train import PIXELS


class RobustnessReport(Result):
    """Keys: models (name -> per-model dict), masked_gradient_flags, eps, seed, dataset."""

    def to_text(self, units=None):
        """One line per network: clean accuracy, worst accuracy per budget, masking flag."""
        lines = []
        for name, row in self.models.items():
            accs = "  ".join(f"eps={e}: worst {row[f'{e:g}']['worst']:.3f}" for e in self.eps)
            flag = " [masked gradients]" if self.masked_gradient_flags[name]["flagged"] else ""
            lines.append(f"{name:<14} clean {row['clean_accuracy']:.3f}  {accs}{flag}")
        return "\n".join(lines)


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


ROBUSTNESS_NETWORKS = ("natural", "pgd_trained", "threshold", "hill", "proofreading", "cnn")


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
        :func:`~.store.model_specs` but the two controls)
    extra : dict name -> classifier (a torch module, a function pair...) -- user models,
        evaluated on every seed's test set, in this process
    data : a Dataset to use instead of ``dataset`` (single seed, in this process)
    executor, scheduler, workers, cache : how the seeds run -- one task per seed through
        :func:`~antagonism.numerics.executor.run_tasks` (``local``: here, with
        per-network progress; ``processes`` or ``dask``: elsewhere, progress per seed;
        ``cache``: a named sweep cache, so a re-run computes only missing seeds)
    """
    from .classifier import as_classifier
    from .datasets import load_dataset
    from .store import check_user_models

    check_user_models(extra)  # one row per model: none may merge with a built-in one
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
