"""The paper's network claims on MNIST-scale networks (``regime networks --arch cnn|mlp``).

Per seed and network (:mod:`antagonism.numerics.networks.mnist`: natural, PGD-trained,
noise-trained, untrained, or the natural network behind a biomimetic filter):

- clean accuracy on the test split and PGD-40 accuracy at eps (through BPDA for filters);
- the regime measure on background pixels (intensity 0 in the clean image) and on-digit
  pixels separately (:func:`~.thresholds.background_and_digit`);
- the fraction of first-layer filters that are thresholds (:func:`~.thresholds.
  threshold_filters`) and the input-gradient share at low / middle / high intensities
  (:func:`~.thresholds.gradient_mass`);
- where the strongest perturbation sits relative to the boundary (:mod:`.boundary`).

Over seeds (the unit of replication; every network of a seed is measured on the same
test images and pixels): the mean with a Student-t interval, paired comparisons with
``natural`` and with ``untrained`` (per-seed differences, t-interval, d_z, the exact
sign-flip test), and a power statement (:func:`detectable_effect`).
"""
from __future__ import annotations

import time
import warnings

import numpy as np
from scipy import optimize, stats

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..progress import Progress
from ..statistics import finite, interval, paired_comparison
from .boundary import attack_line
from .thresholds import (
    THETA_MIN,
    background_and_digit,
    first_layer,
    gradient_mass,
    threshold_filters,
)

#: measured per seed; the bounds of each quantity's interval
QUANTITIES = {
    "clean_accuracy": (0, 1), "robust_accuracy": (0, 1),
    "specialized_background": (0, 1), "specialized_digit": (0, 1), "specialized_all": (0, 1),
    "specialized_share_background": (0, 1), "specialized_share_digit": (0, 1),
    "specialized_share_all": (0, 1),
    "weak_share_background": (0, 1), "weak_share_digit": (0, 1),
    "strongest_position_background": (0, 1), "strongest_position_digit": (0, 1),
    "threshold_fraction": (0, 1), "median_theta": (0, 1),
    "gradient_low": (0, 1), "gradient_middle": (0, 1), "gradient_high": (0, 1),
    "median_crossing": (0, np.inf), "crossed_within_eps": (0, 1),
    "median_margin_at_pgd": (-np.inf, np.inf), "near_boundary_fraction": (0, 1),
}
#: compared with natural and untrained, paired by seed
COMPARED = ("specialized_background", "specialized_digit", "specialized_share_background",
            "specialized_share_digit", "threshold_fraction", "gradient_low",
            "robust_accuracy", "median_margin_at_pgd")
FULL = {"n_sweep_images": 20, "per_kind": 32, "n_gradient": 200, "n_line": 100,
        "n_attack": None}
QUICK = {"n_sweep_images": 5, "per_kind": 16, "n_gradient": 100, "n_line": 30,
         "n_attack": 200}


def detectable_effect(sd, n, alpha=0.05, power=0.8):
    """The smallest mean paired difference a two-sided paired t-test at level ``alpha``
    detects with probability ``power``, for n seeds whose differences have standard
    deviation ``sd``: delta = d sd with d solving P(|T'| > t_{1-alpha/2, n-1}) = power, T'
    non-central t with n - 1 degrees of freedom and non-centrality d sqrt(n).  nan for
    n < 2 or sd not finite.  (The exact sign-flip test cannot reach alpha = 0.05 with
    fewer than 6 seeds: its smallest p is 2 / 2^n.)

    Examples
    --------
    >>> round(detectable_effect(1.0, 10), 2)   # about 1 SD with 10 seeds
    1.0
    """
    if n < 2 or not np.isfinite(sd):
        return float("nan")
    df, crit = n - 1, stats.t.ppf(1 - alpha / 2, n - 1)

    def gap(d):
        nc = d * np.sqrt(n)
        p = stats.nct.sf(crit, df, nc) + stats.nct.cdf(-crit, df, nc)
        return (1.0 if not np.isfinite(p) else p) - power  # nan only far in the tail

    hi = 1.0
    while gap(hi) < 0 and hi < 1e4:
        hi *= 2
    return float(optimize.brentq(gap, 1e-9, hi) * sd) if sd > 0 else 0.0


def measure_network(model, data, *, defended=False, eps=0.3, seed=0, quick=False,
                    backend="auto"):
    """Every per-seed quantity of one network on ``data``'s test split (numbers of images:
    :data:`FULL` or :data:`QUICK`, the first of the split in the fixed order of
    :func:`~antagonism.numerics.networks.mnist.evaluation_subset`, so the same images for
    every network and seed); returns a Result with the :data:`QUANTITIES`, the normalised
    margin profile along the strongest perturbation and the seconds taken."""
    from ..attacks import Domain, pgd, pgd_bpda
    from ..networks.mnist import evaluation_subset
    from ..networks.objective import NetworkObjective
    from ..networks.torch_backend import fast_classifier

    start = time.perf_counter()
    sizes = QUICK if quick else FULL
    clf = fast_classifier(model, backend)
    x, y = evaluation_subset(data)  # the whole test split in a fixed, class-mixed order
    xa, ya = x[:sizes["n_attack"]], y[:sizes["n_attack"]]
    attack = pgd_bpda if defended else pgd
    res = attack(NetworkObjective(clf, ya, bpda=defended), xa, eps, n_steps=40,
                 step=2.5 * eps / 40, domain=Domain(0.0, 1.0), seed=seed)
    n = sizes["n_sweep_images"]
    regions = background_and_digit(clf, x[:n], y[:n], sizes["per_kind"], seed=0)
    W, b = first_layer(model)
    thr = threshold_filters(W, b)
    k = sizes["n_gradient"]
    grad = gradient_mass(clf, x[:k], y[:k], bpda=defended)
    m = sizes["n_line"]
    line = attack_line(clf, x[:m], y[:m], eps, seed=seed, bpda=defended)
    out = {"clean_accuracy": clf.accuracy(x, y), "robust_accuracy": float(np.mean(~res.success)),
           "threshold_fraction": thr.fraction, "median_theta": thr.median_theta,
           "gradient_low": grad.share[0], "gradient_middle": grad.share[1],
           "gradient_high": grad.share[2], "pixel_share": grad.pixel_share,
           "profile": line.profile, "t": line.t.tolist()}
    for region in ("background", "digit"):
        r = regions[region]
        out[f"specialized_{region}"] = r["specialized_fraction"]
        out[f"specialized_share_{region}"] = r["specialized_share"]
        out[f"weak_share_{region}"] = r["weak_share"]
        out[f"strongest_position_{region}"] = r["strongest_position"]
    out["specialized_all"] = regions["all"]["specialized_fraction"]
    out["specialized_share_all"] = regions["all"]["specialized_share"]
    for key in ("median_crossing", "crossed_within_eps", "median_margin_at_pgd",
                "near_boundary_fraction"):
        out[key] = line[key]
    out["measure_seconds"] = time.perf_counter() - start
    return Result(out)


class MnistRegimeReport(Result):
    """The measures of several MNIST-scale networks over seeds.

    Keys
    ----
    networks : name -> {quantity: :func:`~.networks.seed_summary` for each of
        :data:`QUANTITIES`, profile (median normalised margin along the strongest
        perturbation, mean over seeds), vs_natural and vs_untrained (quantity ->
        :func:`~antagonism.numerics.statistics.paired_comparison` with
        ``detectable_effect``), timings (train and measure seconds per seed)}
    arch, dataset, seeds, eps, quick, t (the line's grid), definitions, power
    """

    def to_text(self, units=None):
        lines = [f"{self.dataset}, {self.arch}, seeds {self.seeds}, eps {self.eps:g}: mean "
                 "[95 % t-interval] over seeds"]
        for name, row in self.networks.items():
            lines.append(
                f"{name:<14} clean {format_interval(row['clean_accuracy'])}  PGD-40 "
                f"{format_interval(row['robust_accuracy'])}  specialized background "
                f"{format_interval(row['specialized_background'])} on-digit "
                f"{format_interval(row['specialized_digit'])}  threshold filters "
                f"{format_interval(row['threshold_fraction'])}  gradient on low intensities "
                f"{format_interval(row['gradient_low'])}")
            for ref in ("natural", "untrained"):
                vs = row.get(f"vs_{ref}", {})
                for q in ("specialized_background", "threshold_fraction"):
                    if q in vs:
                        c = vs[q]
                        lo, hi = c["t_interval"]
                        lines.append(
                            f"    {q} vs {ref}: {c['mean_difference']:+.3f} "
                            f"[{_num(lo)}, {_num(hi)}] sign-flip p {c['p_sign_flip']:.3g}, "
                            f"detectable {_num(c['detectable_effect'])}")
        return "\n".join(lines)


def format_interval(summary):
    """``mean [lo, hi]`` of a :func:`summarize` ('-' for a bound that is not finite)."""
    lo, hi = summary["t_interval"]
    return f"{summary['mean']:.3f} [{_num(lo, '.3f')}, {_num(hi, '.3f')}]"


def _num(v, fmt="+.3f"):
    return "-" if v is None or not np.isfinite(v) else format(v, fmt)


def summarize(values, bounds=(-np.inf, np.inf)):
    """Per-seed values and their mean with a Student-t 95 % interval (no bootstrap)."""
    values = [float("nan") if v is None else float(v) for v in values]  # None: read back
    mean, lo, hi = interval(values, bounds=bounds)
    return {"per_seed": values, "mean": mean, "t_interval": [lo, hi], "n_seeds": len(values)}


def _compare(runs, reference):
    out = {}
    for q in COMPARED:
        a = np.asarray([r[q] for r in runs], float)  # None (nan read back) -> nan
        b = np.asarray([r[q] for r in reference], float)
        c = paired_comparison(a, b)
        c.pop("bootstrap_interval", None)  # t-interval and sign-flip test only
        d = finite(a - b)
        c["detectable_effect"] = detectable_effect(
            float(d.std(ddof=1)) if d.size > 1 else float("nan"), int(d.size))
        out[q] = c
    return out


def mnist_regime_report(names=("natural", "pgd_trained", "noise_trained", "untrained"),
                        seeds=(0,), *, arch="cnn", dataset="mnist5k", data_dir=None,
                        limit=None, eps=0.3, quick=False, progress=True, backend="auto",
                        executor="local", scheduler=None, workers=None):
    """Train (or load) the named networks for every seed, measure them
    (:func:`measure_network`) and compare each with ``natural`` and ``untrained``, paired
    by seed.  ``natural`` and ``untrained`` are always included (the references).

    ``executor``, ``scheduler``, ``workers``: how the seeds run, one task per seed through
    :func:`~antagonism.numerics.executor.run_tasks` (``local``: here, with progress per
    network; ``processes``: one seed per process).  Every seed's numbers are the same
    whichever runs it: the seed sets the initialisation, the training order and the
    attacks' starts."""
    from ..executor import check_executor, run_tasks

    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("need at least one seed")
    check_executor(executor, scheduler, workers)
    names = list(dict.fromkeys(["natural", "untrained", *names]))
    task = {"names": names, "arch": arch, "dataset": dataset, "data_dir": data_dir,
            "limit": limit, "eps": float(eps), "quick": bool(quick), "backend": backend}
    if executor == "local":
        eta = Progress(len(seeds) * len(names), progress, "regime mnist")
        runs = [mnist_seed_run(seed=seed, eta=eta, progress=progress, **task)
                for seed in seeds]
    else:
        run = run_tasks(mnist_seed_run, [{"seed": s, **task} for s in seeds],
                        executor=executor, scheduler=scheduler, workers=workers,
                        progress=progress, label="regime mnist")
        runs = run.results
    return aggregate(runs, seeds, arch=arch, dataset=dataset, eps=eps, quick=quick)


def mnist_seed_run(seed, names, arch, dataset, data_dir, limit, eps, quick, backend,
                   eta=None, progress=False):
    """One seed of :func:`mnist_regime_report` (a task of the executor): name -> the
    :func:`measure_network` Result of that network, with its ``train_seconds``."""
    from ..networks.datasets import load_dataset
    from ..networks.mnist import trained_networks

    data = load_dataset(dataset, seed=0, data_dir=data_dir, limit=limit)
    nets = trained_networks(data, seed, arch=arch, quick=quick, names=names,
                            progress=progress)
    run = {}
    for name, net in nets.items():
        if eta is not None:
            eta.step(f"seed {seed}: measuring {name}")
        r = measure_network(net["model"], data, defended=net["defended"], eps=eps,
                            seed=seed, quick=quick, backend=backend)
        r["train_seconds"] = net["train_seconds"]
        run[name] = r
    return run


def aggregate(runs, seeds, *, arch, dataset, eps, quick):
    """The report from per-seed measures: ``runs[k][name]`` is :func:`measure_network`'s
    Result (plus ``train_seconds``) of network ``name`` for ``seeds[k]`` (every seed must
    hold the same networks; separate processes may have measured different seeds)."""
    names = list(runs[0])
    if any(list(r) != names for r in runs):
        raise InputError("every seed must measure the same networks")
    per = {n: [run[n] for run in runs] for n in names}
    timings = {n: [{"seed": s, "train_seconds": r.get("train_seconds"),
                    "measure_seconds": r["measure_seconds"]} for s, r in zip(seeds, per[n])]
               for n in names}
    report = {}
    for name, runs in per.items():
        row = {q: summarize([r[q] for r in runs], bounds) for q, bounds in
               QUANTITIES.items()}
        profiles = np.asarray([r["profile"] for r in runs], float)  # None -> nan
        with warnings.catch_warnings():  # the untrained network may have no profile at all
            warnings.simplefilter("ignore", RuntimeWarning)
            row["profile"] = np.nanmean(profiles, axis=0).tolist()
        row["pixel_share"] = np.mean([r["pixel_share"] for r in runs], axis=0).tolist()
        for ref in ("natural", "untrained"):
            if name != ref:
                row[f"vs_{ref}"] = _compare(runs, per[ref])
        row["timings"] = timings[name]
        report[name] = row
    return MnistRegimeReport(
        networks=report, arch=arch, dataset=dataset, seeds=list(seeds), eps=float(eps),
        quick=bool(quick), t=per["natural"][0]["t"], definitions=DEFINITIONS)


DEFINITIONS = {
    "background": "pixels at intensity 0 in the clean test image; on-digit: intensity > 0; "
                  "up to per_kind of each per image, drawn with a fixed seed (the same pixels "
                  "for every network and seed)",
    "specialized": "a single-pixel sweep (intensity 0..1 in 17 steps, other pixels clean) is "
                   "specialized when the most negative dM/dx_i sits above intensity 0 and "
                   "the value at 0 keeps < 1/2 of it (M: the logit margin against the clean "
                   "runner-up)",
    "threshold_filter": "a first-layer filter (weights w, bias b, then ReLU) whose response "
                        "to a uniform patch v, max(0, v sum(w) + b), is 0 for v <= theta and "
                        f"rises above it, with sum(w) > 0 and {THETA_MIN} < theta = "
                        "-b/sum(w) < 1",
    "gradient_mass": "share of |d cross-entropy / dx| on pixels of intensity [0, 1/3), "
                     "[1/3, 2/3), [2/3, 1], averaged over images",
    "boundary": "along x + t delta (delta the PGD-40 perturbation at eps, t = 1 its end): "
                "median_crossing = median first t with margin <= 0 (images that cross); "
                "median_margin_at_pgd = median M(x + delta) / M(x) (0: on the boundary; "
                "< 0 past it); near_boundary_fraction = share with |M(x + delta)| <= "
                "0.25 M(x)",
    "power": "detectable_effect: the smallest mean paired difference a two-sided paired "
             "t-test at alpha 0.05 detects with power 0.8, given the observed SD of the "
             "per-seed differences",
}
