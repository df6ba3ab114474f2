"""The biomimetic defence on MNIST, evaluated adaptively, against the PGD-trained network.

The defence is the package's threshold filter (:class:`~antagonism.numerics.networks.
defences.HardThreshold`, x -> 1[x > 1/2], the limit of sharp proofreading; or the Hill or
proofreading filters) put in front of the *natural* network of the same seed, without
retraining.  Its exact gradient is zero, so plain PGD says nothing; it is attacked the way
Athalye, Carlini & Wagner (ICML 2018) prescribe -- PGD-40 through BPDA (the filter's
backward pass replaced by the identity) -- and by the gradient-free square attack
(Andriushchenko et al., ECCV 2020), with FGSM and plain PGD for the record; its accuracy is
the per-image worst case over every attack (:func:`~antagonism.numerics.networks.
robustness.evaluate`).  The PGD-trained network gets the same attacks.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..progress import Progress
from ..statistics import paired_comparison
from .mnist import format_interval, summarize

DEFENDED = ("threshold",)
#: PGD steps of every gradient attack (step 2.5 eps / steps, random start)
PGD_STEPS = 40


def attack_images(model, x, y, eps, *, defended=False, seed=0, restarts=1, n_queries=300,
                  independent=False, image_shape=None, classifier=None):
    """Every attack on one network at one budget, per image, the way AutoAttack orders them
    (Croce & Hein, ICML 2020): the gradient attacks on every image -- FGSM, PGD-40 with
    ``restarts`` random starts (each on the images the earlier starts left), through BPDA
    for a ``defended`` network, and with ``independent`` torchattacks' PGD under the same
    budget, steps, step size and restarts (:func:`~.independent.torchattacks_pgd`) -- then
    the gradient-free square attack (``n_queries`` queries) on the images none of them
    broke.

    Returns {"accuracy": {attack: accuracy under that gradient attack alone,
    "gradient_attacks": under all of them}, "worst": accuracy under every attack, the square
    attack included (an image counts when it is classified correctly and no attack changes
    its label)}: the square attack broke the share gradient_attacks - worst."""
    from ..attacks import fgsm, pgd, pgd_bpda, square
    from ..networks.objective import NetworkObjective
    from ..networks.train import PIXELS

    clf = model if classifier is None else classifier
    x, y = np.asarray(x, float), np.asarray(y)
    obj = NetworkObjective(clf, y)
    step = 2.5 * eps / PGD_STEPS

    def restarted(attack):
        """``restarts`` random starts, each on the images the earlier ones left (an image
        counts as broken when any start breaks it: :func:`~..attacks.pgd`'s rule)."""
        broken = np.zeros(len(y), bool)
        for r in range(restarts):
            left = np.flatnonzero(~broken)
            if not left.size:
                break
            broken[left] = attack(left, [seed, r])
        return broken

    def ours(through_bpda):
        run = pgd_bpda if through_bpda else pgd
        return restarted(lambda i, s: run(obj.subset(i), x[i], eps, n_steps=PGD_STEPS,
                                          step=step, domain=PIXELS, seed=s).success)

    broken = {"fgsm": fgsm(obj, x, eps, domain=PIXELS).success, "pgd": ours(False)}
    if defended:
        broken["pgd_bpda"] = ours(True)
    if independent:
        from .independent import torchattacks_pgd

        broken["torchattacks_pgd"] = restarted(lambda i, s: torchattacks_pgd(
            model, x[i], y[i], eps, n_steps=PGD_STEPS, step=step,
            seed=int(np.random.SeedSequence(s).generate_state(1)[0]), bpda=defended))
    down = clf.predict(x) != y
    for b in broken.values():
        down = down | np.asarray(b, bool)
    left = np.flatnonzero(~down)
    by_square = np.zeros(len(y), bool)
    if left.size:
        res = square(obj.subset(left), x[left], eps, n_queries=n_queries, domain=PIXELS,
                     seed=seed, image_shape=image_shape)
        by_square[left] = res.success
    accuracy = {a: float(np.mean(~np.asarray(b, bool))) for a, b in broken.items()}
    return {"accuracy": {**accuracy, "gradient_attacks": float(np.mean(~down))},
            "worst": float(np.mean(~(down | by_square)))}


def _evaluate(model, x, y, eps_list, *, defended, seed, restarts, n_queries, independent,
              image_shape):
    """:func:`attack_images` at every budget, in :func:`~antagonism.numerics.networks.
    robustness.evaluate`'s layout (attacks -> eps -> attack -> accuracy, with "worst")."""
    from ..networks.torch_backend import fast_classifier

    clf = fast_classifier(model)
    out = {"clean_accuracy": float(np.mean(clf.predict(x) == y)), "attacks": {}}
    for eps in eps_list:
        r = attack_images(model, x, y, eps, defended=defended, seed=seed, restarts=restarts,
                          n_queries=n_queries, independent=independent,
                          image_shape=image_shape, classifier=clf)
        out["attacks"][f"{eps:g}"] = {**r["accuracy"], "worst": r["worst"]}
    return out


class DefenceReport(Result):
    """Keys: networks (name -> {eps -> {attack -> per-seed accuracies, mean, t_interval}}),
    vs_pgd_trained (defence -> eps -> paired comparison of the worst-case accuracy),
    independent (with ``independent``: network -> eps -> the package's PGD (through BPDA
    for a filter) against torchattacks' PGD, paired by seed), seeds, eps, arch, dataset,
    n_images, n_queries, restarts."""

    def to_text(self, units=None):
        lines = [f"worst-case accuracy over FGSM, PGD-{PGD_STEPS} ({self.restarts} restart(s)), "
                 f"PGD through BPDA{', torchattacks PGD' if self.independent else ''} and the "
                 f"square attack ({self.n_queries} queries) on {self.n_images} test digits, "
                 f"seeds {self.seeds}: mean [95 % t-interval]"]
        for name, row in self.networks.items():
            parts = [f"eps {e:g}: {format_interval(row[f'{e:g}']['worst'])}"
                     for e in self.eps]
            lines.append(f"{name:<14} clean {row['clean_accuracy']['mean']:.3f}  "
                         + "  ".join(parts))
        for name, by_eps in (self.independent or {}).items():
            for e, c in by_eps.items():
                lo, hi = c["t_interval"]
                lines.append(f"{name:<14} eps {e}: ours - torchattacks PGD "
                             f"{c['mean_difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]")
        return "\n".join(lines)


def defence_seed(seed, *, arch, dataset, data_dir, limit, eps_list, names, n_images,
                 n_queries, restarts, independent, quick):
    """One seed of :func:`defence_report` (a task of the sweep layer: plain arguments, a
    plain result): train (or load) the seed's networks and attack each with :func:`_evaluate`.
    Returns {name: {"clean_accuracy", "attacks"}}."""
    from ..networks.datasets import load_dataset
    from ..networks.mnist import evaluation_subset, trained_networks

    data = load_dataset(dataset, seed=0, data_dir=data_dir, limit=limit)
    x, y = evaluation_subset(data, n_images)
    nets = trained_networks(data, seed, arch=arch, quick=quick, names=names, progress=False)
    return {name: _evaluate(net["model"], x, y, eps_list, defended=net["defended"],
                            seed=seed, restarts=restarts, n_queries=n_queries,
                            independent=independent, image_shape=data.image_shape)
            for name, net in nets.items()}


def defence_report(seeds=(0,), *, arch="cnn", dataset="mnist5k", data_dir=None, limit=None,
                   eps_list=(0.1, 0.2, 0.3), defences=DEFENDED, n_images=300,
                   n_queries=300, restarts=1, independent=False, quick=False, progress=True,
                   networks=None, cache=None):
    """Attack the natural network behind each filter in ``defences`` and the PGD-trained
    network of every seed on ``n_images`` test digits (the first of the fixed class-mixed
    order of :func:`~antagonism.numerics.networks.mnist.evaluation_subset`) with
    :func:`attack_images`; accuracies per attack and worst case, over seeds, and each
    defence paired with ``pgd_trained`` by seed.  With ``independent``, torchattacks' PGD
    joins the attacks and is compared, by seed, with the package's own PGD (through BPDA
    for a filter) under the same budget, steps and restarts.

    ``networks``: optional function (data, seed, names) -> the dict of
    :func:`~antagonism.numerics.networks.mnist.trained_networks` (default: that function,
    training or loading from the store, one task per seed, :func:`defence_seed`).
    ``cache``: a named sweep cache for those tasks (seeds run by separate commands are
    read back by a run over all of them)."""
    from ..executor import run_tasks
    from ..networks.datasets import load_dataset
    from ..networks.mnist import evaluation_subset

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("need at least one seed")
    if int(restarts) < 1 or int(n_queries) < 1:
        raise InputError(f"restarts and n_queries must be >= 1, got {restarts}, {n_queries}")
    if independent:
        from .independent import available

        if not available():
            raise InputError("--independent needs the 'torchattacks' extra: pip install "
                             "torchattacks --no-deps (with torch installed)")
    eps_list = [float(e) for e in eps_list]
    names = ["natural", "pgd_trained", *defences]
    options = dict(arch=arch, dataset=dataset, data_dir=data_dir, limit=limit,
                   eps_list=eps_list, names=names, n_images=int(n_images),
                   n_queries=int(n_queries), restarts=int(restarts),
                   independent=bool(independent), quick=bool(quick))
    if networks is None:
        per_seed = run_tasks(defence_seed, [{"seed": s, **options} for s in seeds],
                             cache=cache, progress=progress, label="defence").results
    else:
        data = load_dataset(dataset, seed=0, data_dir=data_dir, limit=limit)
        x, y = evaluation_subset(data, n_images)
        per_seed = []
        eta = Progress(len(seeds) * len(names), progress, "defence")
        for seed in seeds:
            runs = {}
            for name, net in networks(data, seed, names).items():
                eta.step(f"seed {seed}: attacking {name}")
                runs[name] = _evaluate(net["model"], x, y, eps_list, defended=net["defended"],
                                       seed=seed, restarts=int(restarts),
                                       n_queries=int(n_queries), independent=independent,
                                       image_shape=data.image_shape)
            per_seed.append(runs)
    rows = {n: [r[n] for r in per_seed] for n in names}
    networks = {}
    for name, runs in rows.items():
        entry = {"clean_accuracy": summarize([r["clean_accuracy"] for r in runs], (0.0, 1.0))}
        for e in eps_list:
            key = f"{e:g}"
            entry[key] = {a: summarize([r["attacks"][key][a] for r in runs], (0.0, 1.0))
                          for a in runs[0]["attacks"][key]}
        networks[name] = entry
    vs = {d: {f"{e:g}": paired_comparison(networks[d][f"{e:g}"]["worst"]["per_seed"],
                                          networks["pgd_trained"][f"{e:g}"]["worst"]["per_seed"])
              for e in eps_list} for d in defences}
    agreement = None
    if independent:
        agreement = {}
        for name, row in networks.items():
            ours = "pgd_bpda" if "pgd_bpda" in row[f"{eps_list[0]:g}"] else "pgd"
            agreement[name] = {f"{e:g}": {"ours": ours, **paired_comparison(
                row[f"{e:g}"][ours]["per_seed"], row[f"{e:g}"]["torchattacks_pgd"]["per_seed"])}
                for e in eps_list}
    return DefenceReport(networks=networks, vs_pgd_trained=vs, independent=agreement,
                         seeds=seeds, eps=eps_list, arch=arch, dataset=dataset,
                         n_images=int(n_images), n_queries=int(n_queries), restarts=int(restarts),
                         quick=bool(quick))
