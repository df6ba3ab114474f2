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

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..progress import Progress
from ..statistics import paired_comparison
from .mnist import format_interval, summarize

DEFENDED = ("threshold",)


class DefenceReport(Result):
    """Keys: networks (name -> {eps -> {attack -> per-seed accuracies, mean, t_interval}}),
    vs_pgd_trained (defence -> eps -> paired comparison of the worst-case accuracy),
    seeds, eps, arch, dataset, n_images, n_queries."""

    def to_text(self, units=None):
        lines = [f"worst-case accuracy over FGSM, PGD-40, PGD-40 through BPDA and the square "
                 f"attack ({self.n_queries} queries) on {self.n_images} test digits, seeds "
                 f"{self.seeds}: mean [95 % t-interval]"]
        for name, row in self.networks.items():
            parts = [f"eps {e:g}: {format_interval(row[f'{e:g}']['worst'])}"
                     for e in self.eps]
            lines.append(f"{name:<14} clean {row['clean_accuracy']['mean']:.3f}  "
                         + "  ".join(parts))
        return "\n".join(lines)


def defence_report(seeds=(0,), *, arch="cnn", dataset="mnist5k", data_dir=None, limit=None,
                   eps_list=(0.1, 0.2, 0.3), defences=DEFENDED, n_images=300,
                   n_queries=300, restarts=1, quick=False, progress=True, networks=None):
    """Attack the natural network behind each filter in ``defences`` and the PGD-trained
    network of every seed on ``n_images`` test digits (the first of the fixed class-mixed
    order of :func:`~antagonism.numerics.networks.mnist.evaluation_subset`); accuracies per attack
    and worst case, over seeds, and each defence paired with ``pgd_trained`` by seed.

    ``networks``: optional function (data, seed, names) -> the dict of
    :func:`~antagonism.numerics.networks.mnist.trained_networks` (default: that function,
    training or loading from the store)."""
    from ..networks.datasets import load_dataset
    from ..networks.mnist import evaluation_subset, trained_networks
    from ..networks.robustness import evaluate
    from ..networks.torch_backend import fast_classifier

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("need at least one seed")
    eps_list = [float(e) for e in eps_list]
    data = load_dataset(dataset, seed=0, data_dir=data_dir, limit=limit)
    x, y = evaluation_subset(data, n_images)
    names = ["natural", "pgd_trained", *defences]
    rows = {n: [] for n in names}
    eta = Progress(len(seeds) * len(names), progress, "defence")
    for seed in seeds:
        nets = (trained_networks(data, seed, arch=arch, quick=quick, names=names,
                                 progress=progress) if networks is None
                else networks(data, seed, names))
        for name, net in nets.items():
            eta.step(f"seed {seed}: attacking {name}")
            rows[name].append(evaluate(fast_classifier(net["model"]), x, y, eps_list,
                                       defended=net["defended"], seed=seed,
                                       restarts=restarts, n_queries=n_queries,
                                       image_shape=data.image_shape))
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
    return DefenceReport(networks=networks, vs_pgd_trained=vs, seeds=seeds, eps=eps_list,
                         arch=arch, dataset=dataset, n_images=len(y), n_queries=n_queries,
                         restarts=restarts, quick=bool(quick))

