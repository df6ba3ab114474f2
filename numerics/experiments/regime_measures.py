"""The regime of a cell or a trained network, measured the way the cell theory defines it.

**From the theory.**  A cell's regime is a property of its per-ligand gradient γ(τ), the
sensitivity of the output to one ligand as a function of that ligand's *own* binding time
(SCIENCE.md section 3).  Broad regime (m ≤ 1): |γ| is largest on the weakest ligands,
τ → 0, so many weak ligands each moved a little flip the decision.  Specialized regime
(m > 1): γ(τ) ~ τ^(m-1) vanishes on weak ligands and peaks at an interior τ_infl, so only
ligands near threshold matter.

**For a network** the inputs are the pixels and a pixel's intensity v ∈ [0, 1] plays the
role of τ (0: background, the weakest input).  The analogue of γ(τ) is the sensitivity
profile G(v) = E[ |∂M/∂x_i| : x_i = v ], with M the logit margin z_y - max_{j≠y} z_j (the
network's decision variable, the analogue of log T).  Per input (image) the measure is the

    weak-input ratio  r = mean |∂M/∂x_i| over its weak pixels (x_i < 1/16)
                          / mean |∂M/∂x_i| over its other pixels,

the network analogue of |γ(τ → 0)| / |γ| elsewhere: large in the broad regime, → 0 in the
specialized one.  The same function applied to T_{N,m} cells (ligands as inputs, τ/τ_c as
intensity) recovers the theory: r falls monotonically with m and is ≈ 0 for m > 1 (tested).
The pooled profile G(v) gives the peak location v_peak, the analogue of τ_infl.

A second, path-based measure follows the attack: from the clean input, signed-gradient
steps of size δ on the margin until it changes sign; with s ∈ [0, 1] the fraction of the way
to the boundary, the margin's drop ΔM(s) ~ s^q for small s.  q is the network analogue of
the cell's m (ΔT ~ τ^m for a weak ligand moved by τ): q ≤ 1 means the first small steps
already work (FGSM-like, broad), q > 1 a flat start (specialized).

**Verdicts come from tests between distributions**, never from a cut on r: for a network X
and the natural network, a one-sided Mann-Whitney test on the inputs' r (pooled over seeds,
and per seed) and a one-sided Welch test on the per-seed medians.  X is *specialized
relative to the natural network* when both reject at 5 %; *broader* when the opposite tests
do; otherwise *no difference*.  Every number is reported over seeds with a 95 % confidence
interval (Student t over the per-seed values).
"""
from __future__ import annotations

import sys

import numpy as np
from scipy import stats

from antagonism.theory.result import Result

from ..statistics import finite, interval

WEAK = 1 / 16  # inputs below this fraction of their range are "weak" (digits: background)
BINS = np.linspace(0.0, 1.0, 17)


class SensitivityProfile(Result):
    """Per-input sensitivity to weak and strong inputs.

    Keys
    ----
    ratio : ndarray -- weak-input ratio r of each input (nan when it has no weak or no other
        inputs)
    profile : ndarray -- pooled mean |dM/dx_i| per intensity bin (``BINS``), normalised to
        its maximum; nan for empty bins
    peak : float -- centre of the bin where the pooled profile peaks (the analogue of
        tau_infl when interior)
    weak_over_peak : float -- the profile's first bin over its maximum
    """


def weak_input_ratio(values, grads, weak=WEAK):
    """r per row: mean |grad| over entries with value < weak, over the mean elsewhere."""
    values = np.asarray(values, float).reshape(len(values), -1)
    g = np.abs(np.asarray(grads, float)).reshape(len(values), -1)
    low = values < weak
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(low, g, 0).sum(1) / low.sum(1)
        o = np.where(~low, g, 0).sum(1) / (~low).sum(1)
        return w / o


def pooled_profile(values, grads):
    """Mean |grad| per intensity bin, normalised to its maximum; and the peak's bin centre."""
    v = np.asarray(values, float).ravel()
    g = np.abs(np.asarray(grads, float)).ravel()
    idx = np.clip(np.digitize(v, BINS) - 1, 0, len(BINS) - 2)
    counts = np.bincount(idx, minlength=len(BINS) - 1)
    sums = np.bincount(idx, weights=g, minlength=len(BINS) - 1)
    with np.errstate(invalid="ignore"):
        prof = sums / counts
    top = np.nanmax(prof)
    prof = prof / top if top > 0 else prof
    k = int(np.nanargmax(prof)) if np.any(np.isfinite(prof)) else 0
    return prof, float(0.5 * (BINS[k] + BINS[k + 1]))


def sensitivity_profile(classifier, x, y, *, bpda=False):
    """The sensitivity profile of a classifier on the correctly classified inputs."""
    ok = classifier.predict(x) == y
    _, g = classifier.margin_and_grad(x[ok], y[ok], bpda=bpda)
    prof, peak = pooled_profile(x[ok], g)
    return SensitivityProfile(ratio=weak_input_ratio(x[ok], g), profile=prof, peak=peak,
                              weak_over_peak=float(prof[0]), n_inputs=int(ok.sum()))


def path_exponents(classifier, x, y, *, step=0.005, max_steps=400, s_range=(0.05, 0.3),
                   bpda=False, domain=(0.0, 1.0)):
    """q per input: ΔM(s) ~ s^q along signed-gradient steps of size ``step`` on the margin
    (L-inf, clipped to the domain) from the clean input to the boundary (nan when the
    boundary is not reached within ``max_steps`` or in fewer than 10 steps)."""
    ok = classifier.predict(x) == y
    xa, ys = x[ok].copy(), y[ok]
    n = len(ys)
    margins, crossed = [], np.full(n, -1)
    for k in range(max_steps):
        M, g = classifier.margin_and_grad(xa, ys, bpda=bpda)
        margins.append(M)
        crossed[(M < 0) & (crossed < 0)] = k
        if np.all(crossed >= 0):
            break
        xa = np.clip(xa - step * np.sign(g), *domain)
    margins = np.array(margins)
    q = np.full(n, np.nan)
    for i in range(n):
        kb = crossed[i]
        if kb < 10:
            continue
        s = np.arange(kb + 1) / kb
        drop = margins[0, i] - margins[:kb + 1, i]
        sel = (s >= s_range[0]) & (s <= s_range[1]) & (drop > 0)
        if sel.sum() >= 3:
            q[i] = np.polyfit(np.log(s[sel]), np.log(drop[sel]), 1)[0]
    return q


def summary(pooled, per_seed):
    """Distribution over inputs (pooled) and the mean of per-seed medians with its CI."""
    p = finite(pooled)
    mean, lo, hi = interval(per_seed, bounds=(0.0, np.inf))
    return {"median": float(np.median(p)) if p.size else None,
            "q25": float(np.percentile(p, 25)) if p.size else None,
            "q75": float(np.percentile(p, 75)) if p.size else None,
            "n_inputs": int(p.size), "per_seed_median": [float(v) for v in per_seed],
            "mean_of_seed_medians": mean, "ci95": [lo, hi]}


def _verdict(specialized, broader):
    """The verdict's words from the two one-sided tests' rejections."""
    return ("specialized relative to natural" if specialized
            else "broader than natural" if broader
            else "no difference from natural")


def compare(ratios, reference, per_seed, per_seed_reference, alpha=0.05):
    """Tests of a network's weak-input ratios against the reference (natural) network.

    Returns p-values (pooled Mann-Whitney, per-seed Mann-Whitney, Welch on per-seed medians;
    "less" = more specialized) and the verdict."""
    a, b = finite(ratios), finite(reference)
    out = {}
    for side in ("less", "greater"):
        out[f"p_pooled_{side}"] = float(stats.mannwhitneyu(a, b, alternative=side).pvalue)
        if len(per_seed) >= 2 and len(per_seed_reference) >= 2:
            out[f"p_seeds_{side}"] = float(stats.ttest_ind(
                per_seed, per_seed_reference, equal_var=False, alternative=side).pvalue)
        else:
            out[f"p_seeds_{side}"] = None
    out["p_pooled_two_sided"] = float(stats.mannwhitneyu(a, b).pvalue)

    def rejects(side):
        p_seed = out[f"p_seeds_{side}"]
        return out[f"p_pooled_{side}"] < alpha and (p_seed is None or p_seed < alpha)

    out["verdict"] = _verdict(rejects("less"), rejects("greater"))
    return out


class NetworkRegimeReport(Result):
    """Regime measures of several networks over seeds.

    Keys
    ----
    networks : dict name -> {weak_input_ratio, path_exponent (summaries), profile (mean over
        seeds), profile_peak (per seed), clean_accuracy, robust_accuracy ({mean, ci95,
        per_seed}), comparison (tests against natural; absent for natural itself),
        verdict_per_seed, verdict}
    reference : str; seeds : list; eps : float; dataset : str; definition : str
    """


def _per_seed_verdicts(ratios_by_seed, reference_by_seed, alpha=0.05):
    """The verdict of each seed alone (one-sided Mann-Whitney tests over its inputs)."""
    def rejects(a, b, side):
        return stats.mannwhitneyu(finite(a), finite(b), alternative=side).pvalue < alpha

    return [_verdict(rejects(r, ref, "less"), rejects(r, ref, "greater"))
            for r, ref in zip(ratios_by_seed, reference_by_seed)]


def measure_classifier(classifier, x, y, *, eps=0.3, bpda=False, n_path=60, seed=0):
    """Every measure of one classifier on one data set: the sensitivity profile (exact
    gradients: the model's own sensitivity), the path exponents of up to ``n_path`` inputs
    and PGD accuracy at ``eps`` (both through BPDA for defences, as an attacker would go),
    and clean accuracy."""
    from ..attacks import Domain, pgd, pgd_bpda
    from ..networks.objective import NetworkObjective

    prof = sensitivity_profile(classifier, x, y)
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(y), size=min(n_path, len(y)), replace=False)
    q = path_exponents(classifier, x[pick], y[pick], bpda=bpda)
    attack = pgd_bpda if bpda else pgd
    res = attack(NetworkObjective(classifier, y), x, eps, n_steps=40, step=2.5 * eps / 40,
                 domain=Domain(0.0, 1.0), seed=seed, restarts=1)
    return Result(ratio=prof.ratio, profile=prof.profile, peak=prof.peak, path_exponent=q,
                  clean_accuracy=classifier.accuracy(x, y),
                  robust_accuracy=float(np.mean(~res.success)))


def network_regime_report(names=("natural", "pgd_trained", "hill"), seeds=(0, 1, 2, 3, 4),
                          *, dataset="digits", data_dir=None, limit=None, eps=0.3,
                          quick=False, extra=None, progress=True, hidden=None,
                          train_eps=None):
    """Train (or load) the named networks for every seed, measure them, and test each
    against the natural network.

    Parameters
    ----------
    names : network names of :func:`~antagonism.numerics.networks.robustness.model_specs`
        ("natural" is always included: it is the reference)
    extra : dict name -> classifier, optional -- user models (torch modules, function
        pairs...), measured on every seed's test set
    hidden, train_eps : optional -- width of the MLPs and the PGD training budget
        (the sensitivity table varies them)
    """
    from ..networks.classifier import as_classifier
    from ..networks.datasets import load_dataset
    from ..networks.robustness import trained_models

    names = ["natural", *[n for n in names if n != "natural"]]
    per = {n: [] for n in [*names, *(extra or {})]}
    for seed in seeds:
        data = load_dataset(dataset, seed=seed, data_dir=data_dir, limit=limit)
        models = trained_models(data, seed, quick, progress, names=names, hidden=hidden,
                                train_eps=train_eps)
        candidates = {n: (as_classifier(m), defended) for n, (m, defended) in models.items()}
        candidates.update({n: (as_classifier(c, n), False) for n, c in (extra or {}).items()})
        for name, (clf, defended) in candidates.items():
            if progress:
                print(f"[regime] seed {seed}: measuring {name}", file=sys.stderr, flush=True)
            per[name].append(measure_classifier(clf, data.x_test, data.y_test, eps=eps,
                                                bpda=defended, seed=seed))
    def medians(per_seed_values):
        return [float(np.nanmedian(v)) for v in per_seed_values]

    report = {}
    ref_ratios = [r.ratio for r in per["natural"]]
    for name, runs in per.items():  # natural first
        ratios = [r.ratio for r in runs]
        q = [r.path_exponent for r in runs]
        row = {
            "weak_input_ratio": summary(np.concatenate(ratios), medians(ratios)),
            "path_exponent": summary(np.concatenate(q), medians(q)),
            "profile": np.nanmean([r.profile for r in runs], axis=0).tolist(),
            "profile_peak": [r.peak for r in runs],
            "clean_accuracy": _acc([r.clean_accuracy for r in runs]),
            "robust_accuracy": _acc([r.robust_accuracy for r in runs]),
        }
        if name != "natural":
            row["comparison"] = compare(np.concatenate(ratios), np.concatenate(ref_ratios),
                                        medians(ratios), medians(ref_ratios))
            row["verdict"] = row["comparison"]["verdict"]
            row["verdict_per_seed"] = _per_seed_verdicts(ratios, ref_ratios)
            row["verdict_stable"] = len(set(row["verdict_per_seed"])) == 1
        else:
            row["verdict"] = "reference"
        report[name] = row
    return NetworkRegimeReport(networks=report, reference="natural", seeds=list(seeds),
                               eps=eps, dataset=dataset, quick=quick,
                               definition="weak-input ratio r = mean |dM/dx| on inputs < 1/16 "
                                          "over the mean on the others (M the logit margin)")


def _acc(values):
    mean, lo, hi = interval(values, bounds=(0.0, 1.0))
    return {"mean": mean, "ci95": [lo, hi], "per_seed": [float(v) for v in values]}


def cell_sensitivity(model, n_ligands=2000, agonist_fraction=0.3, seed=0, backend="numpy"):
    """The same measures for a cell on the paper's set-up: the sub-threshold ligands are the
    inputs, tau/tau_c their intensity, |dF/dtau_i| their sensitivity.  Returns a Result with
    ``ratio`` (the weak-input ratio), ``profile`` and ``peak``."""
    from ..cells.evaluator import cell_evaluator
    from ..cells.ligands import paper_ligands

    tau_c = float(model.tau_c)
    lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed)
    g = cell_evaluator(model, backend).grad_output(lig.tau, lig.L)  # one evaluation: no compile
    sub = lig.tau < tau_c
    ratio = weak_input_ratio((lig.tau[sub] / tau_c)[None, :], g[sub][None, :])[0]
    prof, peak = pooled_profile(lig.tau[sub] / tau_c, g[sub])
    return Result(ratio=float(ratio), profile=prof, peak=peak)


def sensitivity_table(seeds=(0, 1, 2, 3, 4), widths=(64, 256, 1024), train_eps=(0.1, 0.25),
                      eps=(0.1, 0.2, 0.3), quick=False, progress=True, executor="local",
                      scheduler=None, workers=None, cache=None):
    """The PGD-trained network's weak-input ratio and robust accuracy against the width,
    the training budget and the attack budget (each over the seeds, with CIs).  One task
    per (width, training budget, eps), run by :func:`~.executor.run_tasks` (same options)."""
    from .executor import run_tasks

    tasks = [{"width": int(width), "train_eps": float(te), "eps": float(e),
              "seeds": [int(s) for s in seeds], "quick": bool(quick)}
             for width in widths for te in train_eps for e in eps]
    run = run_tasks(sensitivity_row, tasks, executor=executor, scheduler=scheduler,
                    workers=workers, cache=cache, progress=progress, label="sensitivity")
    return [Result(row) for row in run.results]


def sensitivity_row(width, train_eps, eps, seeds, quick):
    """One row of :func:`sensitivity_table` (a task of the sweep layer)."""
    rep = network_regime_report(("natural", "pgd_trained"), seeds, eps=eps, quick=quick,
                                progress=False, hidden=(width,), train_eps=train_eps)
    row = rep.networks["pgd_trained"]
    return Result(width=width, train_eps=train_eps, eps=eps,
                  weak_input_ratio=row["weak_input_ratio"],
                  robust_accuracy=row["robust_accuracy"],
                  natural_ratio=rep.networks["natural"]["weak_input_ratio"],
                  verdict=row["verdict"], verdict_per_seed=row["verdict_per_seed"])
