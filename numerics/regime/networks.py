"""The regime of trained networks, measured as for cells: one pixel swept over its range
at fixed context, gamma = dM/dx_i of the logit margin, read by
:func:`~.common.strongest_sensitivity`; over seeds, paired with the natural network
(see :mod:`antagonism.numerics.regime`)."""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..executor import run_tasks
from ..progress import Progress
from ..statistics import (
    BOOTSTRAP_NOTE,
    MIN_BOOTSTRAP_SEEDS,
    interval,
    paired_comparison,
    seed_bootstrap,
)
from .common import MEASURE_CUT, WEAK_SHARE_MAX, strongest_sensitivity

PIXEL_VALUES = np.linspace(0.0, 1.0, 17)  # digits' grey levels k/16


def pixel_sweep(classifier, x, y, values=PIXEL_VALUES, *, batch_size=8192, bpda=False):
    """gamma[n, i, k] = dM/dx_i at x_i = values[k], every other input of row n at its value
    in ``x`` (n, features).  M = z_y - z_j is the margin against j, the runner-up class of
    the clean row, held fixed along the sweep (one decision boundary per curve, like the
    cell's single output; a varying runner-up would bend even a linear classifier's M)."""
    from ..networks.classifier import margin_and_runner_up

    x = np.asarray(x, float)
    y = np.asarray(y)
    n = len(x)
    flat = x.reshape(n, -1)
    d, V = flat.shape[1], len(values)
    per_image = d * V
    chunk = max(1, int(batch_size) // per_image)
    clean = classifier.logits(x)
    runner_up = margin_and_runner_up(clean, y)[1]
    pos = np.repeat(np.arange(d), V)
    val = np.tile(np.asarray(values, float), d)
    out = np.empty((n, d, V))
    for start in range(0, n, chunk):
        idx = np.arange(start, min(n, start + chunk))
        rows = np.repeat(flat[idx], per_image, axis=0)
        r = np.arange(rows.shape[0])
        col = np.tile(pos, idx.size)
        rows[r, col] = np.tile(val, idx.size)
        w = np.zeros((rows.shape[0], clean.shape[1]))
        w[r, np.repeat(y[idx], per_image)] = 1.0
        w[r, np.repeat(runner_up[idx], per_image)] = -1.0
        g = classifier.logits_vjp(rows.reshape(-1, *x.shape[1:]), w, bpda=bpda)
        out[idx] = g.reshape(rows.shape[0], -1)[r, col].reshape(idx.size, d, V)
    return out


def _fraction(flags, mask):
    return float(np.mean(flags[mask])) if mask.any() else float("nan")


def network_sweep_measures(classifier, x, y, values=PIXEL_VALUES, *, batch_size=8192):
    """The measure over every (image, pixel) curve of a classifier: ``specialized_share``,
    the validated measure (the fraction of the antagonistic curves that are specialized by
    ``Strongest.validated``: weak share below ``MEASURE_CUT`` and rising away from the
    weakest input; ``antagonism regime controls`` checks it on networks of known regime),
    and, for the record, the earlier fraction of all curves that are specialized, the mean
    weak share, the median position of the strongest antagonistic sensitivity, and the
    mean normalised profile gamma / max|gamma| (curves with no sensitivity at all are left
    out).  Background pixels (value 0 in the clean image: the self-like inputs) and
    on-digit pixels (value > 0) are also measured apart: ``specialized_share_background``,
    ``specialized_fraction_background``, ``..._on_digit``, ``weak_share_background``,
    ``..._on_digit`` and the curve counts ``n_background``, ``n_on_digit``."""
    g = pixel_sweep(classifier, x, y, values, batch_size=batch_size)
    top = np.abs(g).max(axis=-1)
    live = top > 1e-12
    s = strongest_sensitivity(values, g)
    ant = s.antagonistic & live
    background = np.asarray(x, float).reshape(len(x), -1) == 0
    split = {}
    for name, mask in (("background", live & background), ("on_digit", live & ~background)):
        split[f"specialized_fraction_{name}"] = _fraction(s.specialized, mask)
        split[f"specialized_share_{name}"] = _fraction(s.validated, mask & ant)
        split[f"weak_share_{name}"] = _fraction(s.weak_share, mask)
        split[f"n_{name}"] = int(mask.sum())
    return Result(**split, specialized_share=_fraction(s.validated, ant),
                  specialized_fraction=float(np.mean(s.specialized[live])) if live.any()
                  else float("nan"),
                  weak_share=float(np.mean(s.weak_share[live])) if live.any() else float("nan"),
                  strongest_position=float(np.median(s.position[ant])) if ant.any()
                  else float("nan"),
                  antagonistic_fraction=float(np.mean(ant[live])) if live.any() else 0.0,
                  interior_fraction=float(np.mean((ant & s.interior)[live])) if live.any()
                  else 0.0,
                  top_fraction=float(np.mean((ant & s.at_top)[live])) if live.any() else 0.0,
                  profile=(g[live] / top[live][:, None]).mean(axis=0) if live.any()
                  else np.full(len(values), np.nan),
                  n_curves=int(live.sum()))


def measure_classifier(classifier, x, y, *, eps=0.3, bpda=False, seed=0, n_images=50,
                       batch_size=8192):
    """Every measure of one classifier on one test set: the sweep measures on the first
    ``n_images`` test images (the same images for every network of a seed), clean accuracy
    and PGD-40 accuracy at ``eps`` (through BPDA for defences) on the whole test set."""
    from ..attacks import Domain, pgd, pgd_bpda
    from ..networks.objective import NetworkObjective

    sweep = network_sweep_measures(classifier, x[:n_images], y[:n_images],
                                   batch_size=batch_size)
    attack = pgd_bpda if bpda else pgd
    res = attack(NetworkObjective(classifier, y, bpda=bpda), x, eps, n_steps=40,
                 step=2.5 * eps / 40, domain=Domain(0.0, 1.0), seed=seed, restarts=1)
    return Result(**sweep, clean_accuracy=classifier.accuracy(x, y),
                  robust_accuracy=float(np.mean(~res.success)))


SEED_QUANTITIES = {"specialized_share": (0.0, 1.0),
                   "specialized_share_background": (0.0, 1.0),
                   "specialized_share_on_digit": (0.0, 1.0),
                   "specialized_fraction": (0.0, 1.0), "weak_share": (0.0, 1.0),
                   "strongest_position": (0.0, 1.0), "interior_fraction": (0.0, 1.0),
                   "top_fraction": (0.0, 1.0), "clean_accuracy": (0.0, 1.0),
                   "robust_accuracy": (0.0, 1.0),
                   "specialized_fraction_background": (0.0, 1.0),
                   "specialized_fraction_on_digit": (0.0, 1.0),
                   "weak_share_background": (0.0, 1.0), "weak_share_on_digit": (0.0, 1.0)}
#: the quantities compared, seed by seed, with natural and with untrained
COMPARED = ("specialized_share", "specialized_fraction", "weak_share", "robust_accuracy",
            "specialized_fraction_background", "specialized_fraction_on_digit")


def seed_summary(values, bounds=(-np.inf, np.inf)):
    """Per-seed values, their mean with a Student-t 95 % interval, and a percentile
    bootstrap interval only from ``MIN_BOOTSTRAP_SEEDS`` seeds up (None below, with a note:
    it undercovers with few seeds)."""
    mean, lo, hi = interval(values, bounds=bounds)
    out = {"per_seed": [float(v) for v in values], "mean": mean, "t_interval": [lo, hi],
           "bootstrap_interval": seed_bootstrap(values), "n_seeds": len(values)}
    if len(values) < MIN_BOOTSTRAP_SEEDS:
        out["bootstrap_note"] = BOOTSTRAP_NOTE
    return out


def regime_verdict(summary):
    """specialized / broad when the seed-level 95 % t-interval of the specialized share
    (the validated measure) lies above / below 1/2; undetermined otherwise (or with fewer
    than 2 seeds)."""
    lo, hi = summary["t_interval"]
    if lo is None or hi is None or not np.isfinite(lo) or not np.isfinite(hi):
        return "undetermined"
    return "specialized" if lo > 0.5 else "broad" if hi < 0.5 else "undetermined"


class NetworkRegimeReport(Result):
    """Regime measures of several networks over seeds.

    Keys
    ----
    networks : dict name -> {specialized_share (the validated measure, with
        specialized_share_background and _on_digit), specialized_fraction (the earlier
        rule), weak_share, strongest_position,
        clean_accuracy, robust_accuracy, and the background (clean value 0) and on-digit
        pixels' specialized_fraction_* and weak_share_* (each :func:`seed_summary`), profile
        (mean over seeds, per swept value), regime (:func:`regime_verdict`), vs_reference
        (paired comparisons with natural; absent for natural), vs_untrained (paired
        comparisons with the untrained initialisation; absent for untrained)}
    reference, baseline ("untrained"), seeds, eps, dataset, split_seed, n_images, values,
    definition
    """

    def to_text(self, units=None):
        """One line per network: specialized fraction (all pixels, background, on-digit) and
        weak share over seeds, the verdict, and the paired differences from natural and
        from untrained."""
        lines = [f"specialized share of the antagonistic single-pixel sweeps (the validated "
                 f"measure) and the earlier fraction, mean over seeds {self.seeds} "
                 "[95 % t-interval] (all pixels; background = value 0 in the clean image; "
                 "on-digit); differences from natural and untrained paired by seed (exact "
                 "sign-flip p)"]
        for name, row in self.networks.items():
            text = (f"{name:<14} specialized share {interval_text(row['specialized_share'])}  "
                    f"(earlier fraction {interval_text(row['specialized_fraction'])})  "
                    f"background {interval_text(row['specialized_fraction_background'])}  "
                    f"on-digit {interval_text(row['specialized_fraction_on_digit'])}  "
                    f"weak share {interval_text(row['weak_share'])}  {row['regime']}")
            for key, other in (("vs_reference", "natural"), ("vs_untrained", "untrained")):
                vs = row.get(key, {}).get("specialized_share")
                if vs is not None:
                    lo, hi = vs["t_interval"]
                    text += (f"  vs {other} {vs['mean_difference']:+.3f} "
                             f"[{'-' if lo is None else f'{lo:+.3f}'}, "
                             f"{'-' if hi is None else f'{hi:+.3f}'}] "
                             f"p = {vs['p_sign_flip']:.3g}")
            lines.append(text)
        return "\n".join(lines)


def interval_text(summary):
    """``mean [lo, hi]`` of a :func:`seed_summary` ('-' for a bound that is not finite)."""
    lo, hi = summary["t_interval"]
    return (f"{summary['mean']:.3f} [{'-' if lo is None else f'{lo:.3f}'}, "
            f"{'-' if hi is None else f'{hi:.3f}'}]")


class SensitivityTable(Result):
    """Keys: rows (one per width, training budget and eps: specialized_share (the validated
    measure; its verdict is regime), specialized_fraction (the earlier rule) and
    robust_accuracy of the PGD-trained network over seeds, natural's specialized share,
    the paired difference vs_reference, regime)."""

    def to_text(self, units=None):
        return "\n".join(
            f"width {r.width:>5} train eps {r.train_eps:<5g} eps {r.eps:<4g} specialized "
            f"share {interval_text(r.specialized_share)} robust accuracy "
            f"{interval_text(r.robust_accuracy)}  {r.regime}" for r in self.rows)


def network_regime_report(names=("natural", "pgd_trained", "noise_trained", "untrained"),
                          seeds=(0, 1, 2, 3, 4), *, dataset="digits", data_dir=None,
                          limit=None, eps=0.3, quick=False, extra=None, progress=True,
                          hidden=None, train_eps=None, split_seed=0, n_images=50,
                          batch_size=8192):
    """Train (or load) the named networks for every seed, measure them and compare each
    with the natural network and with the untrained initialisation, paired by seed.

    Parameters
    ----------
    names : network names of :func:`~antagonism.numerics.networks.store.model_specs`
        ("natural" and "untrained" are always included: the reference and the baseline)
    seeds : the initialisations and training orders; the train/test split is fixed by
        ``split_seed`` so every seed and network is measured on the same test images
    extra : dict name -> classifier, optional -- user models (torch modules, function
        pairs...), measured on the same test images for every seed
    hidden, train_eps : optional -- width of the MLPs and the PGD / noise training budget
    """
    from ..networks.classifier import as_classifier
    from ..networks.datasets import load_dataset
    from ..networks.store import check_user_models, trained_models

    check_user_models(extra)  # one row per model: none may replace a built-in one
    seeds = list(seeds)
    if not seeds:
        raise InputError("need at least one seed")
    names = ["natural", *[n for n in names if n not in ("natural", "untrained")],
             "untrained"]
    data = load_dataset(dataset, seed=split_seed, data_dir=data_dir, limit=limit)
    per = {n: [] for n in [*names, *(extra or {})]}
    eta = Progress(len(seeds) * len(per), progress, "regime")
    for seed in seeds:
        models = trained_models(data, seed, quick, progress, names=names, hidden=hidden,
                                train_eps=train_eps)
        candidates = {n: (as_classifier(m), defended) for n, (m, defended) in models.items()}
        candidates.update({n: (as_classifier(c, n), False) for n, c in (extra or {}).items()})
        for name, (clf, defended) in candidates.items():
            eta.step(f"seed {seed}: measuring {name}")
            per[name].append(measure_classifier(clf, data.x_test, data.y_test, eps=eps,
                                                bpda=defended, seed=seed, n_images=n_images,
                                                batch_size=batch_size))
    report = {}
    reference = {q: [r[q] for r in per["natural"]] for q in SEED_QUANTITIES}
    baseline = {q: [r[q] for r in per["untrained"]] for q in SEED_QUANTITIES}
    for name, runs in per.items():
        row = {q: seed_summary([r[q] for r in runs], bounds)
               for q, bounds in SEED_QUANTITIES.items()}
        row["profile"] = np.nanmean([r.profile for r in runs], axis=0).tolist()
        row["regime"] = regime_verdict(row["specialized_share"])
        for key, other, ref in (("vs_reference", "natural", reference),
                                ("vs_untrained", "untrained", baseline)):
            if name != other:
                row[key] = {q: paired_comparison([r[q] for r in runs], ref[q])
                            for q in COMPARED}
        report[name] = row
    return NetworkRegimeReport(
        networks=report, reference="natural", baseline="untrained", seeds=seeds, eps=eps,
        quick=quick,
        dataset=dataset, split_seed=split_seed, n_images=n_images,
        values=PIXEL_VALUES.tolist(),
        definition=("one pixel swept over [0, 1] at fixed context; gamma = dM/dx_i (M the "
                    "logit margin against the clean runner-up); a curve is specialized when "
                    "its most negative gamma sits above intensity 0, gamma(0) keeps < "
                    f"{MEASURE_CUT} of it and the antagonistic sensitivity grows away from "
                    "intensity 0; specialized_share is the fraction of the antagonistic "
                    "curves that are, and regime its verdict (specialized_fraction: the "
                    f"earlier rule, every curve, cut {WEAK_SHARE_MAX}, kept for the record); "
                    "the unit of replication is the seed"))


def sensitivity_table(seeds=(0, 1, 2, 3, 4), widths=(64, 256, 1024), train_eps=(0.1, 0.25),
                      eps=(0.1, 0.2, 0.3), quick=False, progress=True, executor="local",
                      scheduler=None, workers=None, cache=None):
    """The PGD-trained network's specialized fraction and robust accuracy against the width,
    the training budget and the attack budget (each over the seeds, paired with natural).
    One task per (width, training budget, eps), run by
    :func:`~antagonism.numerics.executor.run_tasks` (same options)."""
    tasks = [{"width": int(width), "train_eps": float(te), "eps": float(e),
              "seeds": [int(s) for s in seeds], "quick": bool(quick)}
             for width in widths for te in train_eps for e in eps]
    run = run_tasks(sensitivity_row, tasks, executor=executor, scheduler=scheduler,
                    workers=workers, cache=cache, progress=progress, label="sensitivity")
    return SensitivityTable(rows=[Result(row) for row in run.results])


def sensitivity_row(width, train_eps, eps, seeds, quick):
    """One row of :func:`sensitivity_table` (a task of the sweep layer)."""
    rep = network_regime_report(("natural", "pgd_trained"), seeds, eps=eps, quick=quick,
                                progress=False, hidden=(width,), train_eps=train_eps)
    row = rep.networks["pgd_trained"]
    return Result(width=width, train_eps=train_eps, eps=eps,
                  specialized_share=row["specialized_share"],
                  specialized_fraction=row["specialized_fraction"],
                  robust_accuracy=row["robust_accuracy"],
                  natural=rep.networks["natural"]["specialized_share"],
                  vs_reference=row["vs_reference"]["specialized_share"],
                  regime=row["regime"])
