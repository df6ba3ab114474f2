"""The regime of a cell or a trained network, measured the way the paper defines it, and
calibrated on cells before it is applied to networks.

**The paper's criterion** (Rademaker, Bengio & François, PRX 9, 031012, 2019).  A cell's
regime is a property of γ(τ), the sensitivity of its decision variable to one ligand as a
function of that ligand's *own* binding time, at a fixed context.  For T_{N,m},

    γ(τ) ∝ τ^(m-1) (N τ^(N-m) - m T τ_c^(N-m)),

which has an interior extremum (an inflection of T in τ_j) at τ_infl iff m > 1.  Without it
(m <= 1) the most antagonistic sensitivity sits at an end of the sub-threshold range: broad.
With it (m > 1) γ vanishes on the weakest ligands and the strongest antagonistic sensitivity
sits at an interior τ near threshold: specialized.

**The measure** (one function for cells and networks, :func:`strongest_sensitivity`).  Sweep
one input through values v of its own range at a fixed context and record γ(v), the
derivative of the decision variable with respect to that input:

- cells: a dilute probe ligand at τ = v τ_c next to the model's own reference agonists
  (T_{N,m}: one agonist at τ_c, on the decision boundary), decision variable log F, through
  :class:`~antagonism.numerics.cells.objective.CellObjective` (the cell as a classifier);
- networks: one pixel at intensity v, every other pixel at its clean value, decision
  variable the logit margin M = z_y - z_j against the clean image's runner-up class j;
  one curve per (image, pixel), so position is held fixed within each curve.

Let v_ext be where γ is most negative (raising the input there lowers the decision variable
most: the strongest antagonistic perturbation) and the *weak share*
ρ = max(0, -γ(v_lo)) / |γ(v_ext)| the part of that sensitivity the weakest input keeps.
A curve is **specialized** when γ(v_ext) < 0, v_ext is not the weakest value swept and
ρ < 1/2; otherwise **broad** (the strongest antagonistic sensitivity is on the weakest
input, or no input value is antagonistic).  The size of a verdict is ρ and v_ext.  The cut
1/2 is the calibration's: every broad cell has ρ = 1, every specialized cell ρ < 0.3 (see
:func:`calibrate`).  Where v_ext sits is reported too: for cells it is interior exactly when
the gradient has its extremum (m > 1); a network's sweep also covers supra-threshold
intensities, so its v_ext may be the top end (v = 1), reported as such.

**Networks over seeds.**  The unit of replication is the seed (the initialisation and the
training order); every network of a seed is measured on the same test images, so the
comparisons with the natural network are paired by seed: mean difference with Student-t and
bootstrap intervals, effect size d_z and the exact sign-flip test over seeds
(:func:`~antagonism.numerics.statistics.paired_comparison`).  Nothing pools inputs.

**Rejected** (kept for the record, :func:`weak_input_ratio`): the weak-input ratio r (the
mean sensitivity on inputs below 1/16 over the mean on the others) reads only the sign of
the small-τ exponent: it calls T_{N,0} and SHP-1 specialized and depends on its cutoff.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..progress import Progress
from ..statistics import bootstrap_interval, interval, paired_comparison

WEAK_SHARE_MAX = 0.5  # a curve is specialized when its weakest input keeps less than this
CELL_CUTOFF = 1e-3  # cells: the weakest probe, tau = 1e-3 tau_c (gamma may diverge at 0)
CELL_VALUES = np.concatenate([[CELL_CUTOFF], np.linspace(1 / 32, 1, 32)])  # tau / tau_c
PIXEL_VALUES = np.linspace(0.0, 1.0, 17)  # digits' grey levels k/16
DILUTE = 1e-4  # the probe's quantity relative to the background's: one ligand among many


class Strongest(Result):
    """Where the strongest antagonistic sensitivity of each curve sits.

    Keys (arrays over the curves, or scalars for one curve)
    ----
    position : value v_ext (tau/tau_c for cells, intensity for pixels) where gamma is lowest
    weak_share : rho = max(0, -gamma(v_lo)) / |gamma(v_ext)| in [0, 1]; 1 when gamma never
        turns negative
    antagonistic : gamma(v_ext) < 0 (raising the input somewhere lowers the decision variable)
    interior : v_ext is neither the first nor the last value swept
    at_top : v_ext is the last value swept
    specialized : antagonistic, v_ext above the weakest value and rho < ``weak_share_max``
    """


def strongest_sensitivity(values, gamma, weak_share_max=WEAK_SHARE_MAX):
    """The regime of sweep curves ``gamma[..., k] = dD/dx at x = values[k]`` (see the module
    docstring): where the strongest antagonistic sensitivity sits and how much of it the
    weakest input keeps."""
    values = np.asarray(values, float)
    g = np.asarray(gamma, float)
    if g.shape[-1] != values.size or values.size < 3:
        raise InputError(f"need >= 3 swept values and gamma[..., {values.size}], got "
                         f"{g.shape}")
    if not np.all(np.diff(values) > 0):
        raise InputError("swept values must increase")
    k = np.argmin(g, axis=-1)
    g_ext = np.take_along_axis(g, k[..., None], -1)[..., 0]
    antagonistic = g_ext < 0
    interior = (k > 0) & (k < values.size - 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(antagonistic, np.maximum(-g[..., 0], 0.0) / np.abs(g_ext), 1.0)
    return Strongest(position=values[k], weak_share=share, antagonistic=antagonistic,
                     interior=interior, at_top=k == values.size - 1,
                     specialized=antagonistic & (k > 0) & (share < weak_share_max))


# ----------------------------------------------------------------------------- cells


def cell_sweep(model, values=CELL_VALUES, *, dilute=DILUTE, backend="numpy"):
    """gamma(v) = d log F / d tau_p per probe molecule (1/(s molecule)) of a dilute probe
    ligand at tau_p = v tau_c next to the model's reference background, through
    :class:`~antagonism.numerics.cells.objective.CellObjective` (whose loss is
    log(threshold) - log F: gamma is minus its gradient).  Two ligands per evaluation: the
    numpy evaluator (``backend``) beats compiling a kernel."""
    from ..cells.objective import CellObjective

    tau_b, L_b = (np.array([float(v) for v in part]) for part in model.reference_background())
    tau_c = float(model.tau_c)
    values = np.asarray(values, float)
    L_p = dilute * float(L_b.sum())
    obj = CellObjective(model, np.append(tau_b, tau_c), np.append(L_b, L_p), variable="tau",
                        threshold=1.0, backend=backend)
    x = np.repeat(obj.x0(), values.size, axis=0)
    x[:, -1] = values * tau_c
    _, grad = obj.loss_and_grad(x)
    return -grad[:, -1] / L_p


def cell_regime(model, values=CELL_VALUES, **kwargs):
    """The measured regime of one cell model: a :class:`Strongest` for its probe sweep, with
    ``regime`` ("broad"/"specialized") and ``gamma`` (the swept curve)."""
    gamma = cell_sweep(model, values, **kwargs)
    s = strongest_sensitivity(values, gamma)
    out = Strongest({k: v.item() for k, v in s.items()})
    out.regime = "specialized" if out.specialized else "broad"
    out.gamma = gamma
    return out


def calibration_models(Ns=(3, 4, 5), shp1_ms=(1, 2, 3)):
    """The calibration set: T_{N,m} for every integer m in [0, N-1] (tau_c = 3 s), SHP-1 at
    classical parameters with m in ``shp1_ms`` and adaptive sorting at its defaults."""
    from antagonism.derivations import SHP1, AdaptiveProofreading, model_spec

    models = [AdaptiveProofreading(N, m, 3.0) for N in Ns for m in range(N)]
    models += [SHP1(m=m) for m in shp1_ms]
    models.append(model_spec("adaptive-sorting").create())
    return models


class Calibration(Result):
    """Keys: rows (one per model: model, N, m, analytic_regime, measured_regime, agree,
    strongest_position (tau/tau_c), weak_share, cutoff_verdicts, rejected_ratio...),
    all_agree, rule, cutoffs."""


def calibrate(models=None, cutoffs=(CELL_CUTOFF, 1 / 32, 1 / 16), rejected=True,
              progress=False):
    """The measure on every calibration model against the analytic verdict
    (``antagonism.theory.classify(model).regime``), at each weak-end cutoff (the first
    value swept); with ``rejected`` also the weak-input ratio r on the paper's ligand set
    (the measure this one replaces) and the verdict r < 1 would give."""
    from antagonism.theory import classify

    models = calibration_models() if models is None else models
    rows = []
    eta = Progress(len(models), progress, "calibrate")
    for model in models:
        eta.step(model.label())
        main = cell_regime(model)
        by_cutoff = {f"{c:g}": cell_regime(model, np.concatenate(
            [[c], CELL_VALUES[1:][CELL_VALUES[1:] > c]])).regime for c in cutoffs}
        analytic = classify(model).regime
        params = model.parameters()
        row = {"model": model.label(), "N": _number(params.get("N")),
               "m": _number(params.get("m")), "analytic_regime": analytic,
               "measured_regime": main.regime, "agree": main.regime == analytic,
               "strongest_position_tau_over_tau_c": main.position,
               "weak_share": main.weak_share, "antagonistic": bool(main.antagonistic),
               "cutoff_verdicts": by_cutoff,
               "cutoff_stable": len(set(by_cutoff.values())) == 1}
        if rejected:
            r = cell_sensitivity(model, n_ligands=600 if params.get("N") is None
                                 or "S_T" in params else 2000).ratio
            row["rejected_weak_input_ratio"] = r
            row["rejected_verdict"] = "specialized" if r < 1 else "broad"
        rows.append(row)
    return Calibration(rows=rows, all_agree=all(r["agree"] for r in rows),
                       rule=(f"specialized iff the most negative d(log F)/d tau_p of a "
                             f"dilute probe sits at an interior tau_p and the weakest probe "
                             f"keeps < {WEAK_SHARE_MAX} of it"),
                       cutoffs=[float(c) for c in cutoffs])


def _number(value):
    return None if value is None else float(value)


# -------------------------------------------------------------------------- networks


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


def network_sweep_measures(classifier, x, y, values=PIXEL_VALUES, *, batch_size=8192):
    """The calibrated measure over every (image, pixel) curve of a classifier: the fraction
    of curves that are specialized, the mean weak share, the median position of the
    strongest antagonistic sensitivity, and the mean normalised profile gamma / max|gamma|
    (curves with no sensitivity at all are left out)."""
    g = pixel_sweep(classifier, x, y, values, batch_size=batch_size)
    top = np.abs(g).max(axis=-1)
    live = top > 1e-12
    s = strongest_sensitivity(values, g)
    ant = s.antagonistic & live
    return Result(specialized_fraction=float(np.mean(s.specialized[live])) if live.any()
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


SEED_QUANTITIES = {"specialized_fraction": (0.0, 1.0), "weak_share": (0.0, 1.0),
                   "strongest_position": (0.0, 1.0), "interior_fraction": (0.0, 1.0),
                   "top_fraction": (0.0, 1.0), "clean_accuracy": (0.0, 1.0),
                   "robust_accuracy": (0.0, 1.0)}


def seed_summary(values, bounds=(-np.inf, np.inf)):
    """Per-seed values, their mean with a Student-t and a bootstrap 95 % interval."""
    mean, lo, hi = interval(values, bounds=bounds)
    return {"per_seed": [float(v) for v in values], "mean": mean, "t_interval": [lo, hi],
            "bootstrap_interval": list(bootstrap_interval(values)), "n_seeds": len(values)}


def regime_verdict(summary):
    """specialized / broad when the seed-level 95 % t-interval of the specialized fraction
    lies above / below 1/2; undetermined otherwise (or with fewer than 2 seeds)."""
    lo, hi = summary["t_interval"]
    if lo is None or hi is None or not np.isfinite(lo) or not np.isfinite(hi):
        return "undetermined"
    return "specialized" if lo > 0.5 else "broad" if hi < 0.5 else "undetermined"


class NetworkRegimeReport(Result):
    """Regime measures of several networks over seeds.

    Keys
    ----
    networks : dict name -> {specialized_fraction, weak_share, strongest_position,
        clean_accuracy, robust_accuracy (each :func:`seed_summary`), profile (mean over
        seeds, per swept value), regime (:func:`regime_verdict`), vs_reference (paired
        comparisons with natural; absent for natural)}
    reference, seeds, eps, dataset, split_seed, n_images, values, definition
    """


def network_regime_report(names=("natural", "pgd_trained", "noise_trained", "untrained"),
                          seeds=(0, 1, 2, 3, 4), *, dataset="digits", data_dir=None,
                          limit=None, eps=0.3, quick=False, extra=None, progress=True,
                          hidden=None, train_eps=None, split_seed=0, n_images=50,
                          batch_size=8192):
    """Train (or load) the named networks for every seed, measure them and compare each
    with the natural network, paired by seed.

    Parameters
    ----------
    names : network names of :func:`~antagonism.numerics.networks.robustness.model_specs`
        ("natural" is always included: it is the reference)
    seeds : the initialisations and training orders; the train/test split is fixed by
        ``split_seed`` so every seed and network is measured on the same test images
    extra : dict name -> classifier, optional -- user models (torch modules, function
        pairs...), measured on the same test images for every seed
    hidden, train_eps : optional -- width of the MLPs and the PGD / noise training budget
    """
    from ..networks.classifier import as_classifier
    from ..networks.datasets import load_dataset
    from ..networks.robustness import trained_models

    seeds = list(seeds)
    if not seeds:
        raise InputError("need at least one seed")
    names = ["natural", *[n for n in names if n != "natural"]]
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
    for name, runs in per.items():
        row = {q: seed_summary([r[q] for r in runs], bounds)
               for q, bounds in SEED_QUANTITIES.items()}
        row["profile"] = np.nanmean([r.profile for r in runs], axis=0).tolist()
        row["regime"] = regime_verdict(row["specialized_fraction"])
        if name != "natural":
            row["vs_reference"] = {q: paired_comparison([r[q] for r in runs], reference[q])
                                   for q in ("specialized_fraction", "weak_share",
                                             "robust_accuracy")}
        report[name] = row
    return NetworkRegimeReport(
        networks=report, reference="natural", seeds=seeds, eps=eps, quick=quick,
        dataset=dataset, split_seed=split_seed, n_images=n_images,
        values=PIXEL_VALUES.tolist(),
        definition=("one pixel swept over [0, 1] at fixed context; gamma = dM/dx_i (M the "
                    "logit margin against the clean runner-up); a curve is specialized when "
                    "its most negative gamma "
                    f"sits above intensity 0 and gamma(0) keeps < {WEAK_SHARE_MAX} of it; the "
                    "unit of replication is the seed"))


def sensitivity_table(seeds=(0, 1, 2, 3, 4), widths=(64, 256, 1024), train_eps=(0.1, 0.25),
                      eps=(0.1, 0.2, 0.3), quick=False, progress=True, executor="local",
                      scheduler=None, workers=None, cache=None):
    """The PGD-trained network's specialized fraction and robust accuracy against the width,
    the training budget and the attack budget (each over the seeds, paired with natural).
    One task per (width, training budget, eps), run by :func:`~.executor.run_tasks` (same
    options)."""
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
                  specialized_fraction=row["specialized_fraction"],
                  robust_accuracy=row["robust_accuracy"],
                  natural=rep.networks["natural"]["specialized_fraction"],
                  vs_reference=row["vs_reference"]["specialized_fraction"],
                  regime=row["regime"])


# ------------------------------------------------------- the rejected weak-input ratio

WEAK = 1 / 16
BINS = np.linspace(0.0, 1.0, 17)


class SensitivityProfile(Result):
    """Keys: ratio (weak-input ratio r of each input), profile (pooled mean |dM/dx| per
    intensity bin, normalised), peak (the bin centre where it peaks), n_inputs."""


def weak_input_ratio(values, grads, weak=WEAK):
    """The rejected measure r per row: mean |grad| over entries with value < ``weak``, over
    the mean elsewhere (it reads only the sign of the small-tau exponent; see the module
    docstring)."""
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
    """The rejected weak-input ratio and pooled profile of a classifier on the correctly
    classified inputs (positions pooled)."""
    ok = classifier.predict(x) == y
    _, g = classifier.margin_and_grad(x[ok], y[ok], bpda=bpda)
    prof, peak = pooled_profile(x[ok], g)
    return SensitivityProfile(ratio=weak_input_ratio(x[ok], g), profile=prof, peak=peak,
                              n_inputs=int(ok.sum()))


def cell_sensitivity(model, n_ligands=2000, agonist_fraction=0.3, seed=0, backend="numpy"):
    """The rejected weak-input ratio of a cell on the paper's ligand set (sub-threshold
    ligands as inputs, tau/tau_c as intensity).  Returns a Result with ``ratio``,
    ``profile`` and ``peak``."""
    from ..cells.evaluator import cell_evaluator
    from ..cells.ligands import paper_ligands

    tau_c = float(model.tau_c)
    lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed)
    g = cell_evaluator(model, backend).grad_output(lig.tau, lig.L)
    sub = lig.tau < tau_c
    ratio = weak_input_ratio((lig.tau[sub] / tau_c)[None, :], g[sub][None, :])[0]
    prof, peak = pooled_profile(lig.tau[sub] / tau_c, g[sub])
    return Result(ratio=float(ratio), profile=prof, peak=peak)


# ------------------------------------------------ single-step versus iterative attacks

CELL_ATTACK_EPS = (0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6)  # seconds (L-inf in tau)


class CellAttackComparison(Result):
    """Keys: rows (one per model and set-up: model, N, m, regime (analytic), setup,
    already_off (fraction of ligand sets with T < 1 before any attack: nothing to attack),
    fgsm / pgd (success fraction over the ligand sets, per eps), fgsm_eps / pgd_eps (the
    smallest eps at which the attack succeeds on every ligand set, None if none)), eps,
    seeds, n_ligands, pgd_steps."""


def cell_attack_comparison(Ns=(3, 4, 5), eps=CELL_ATTACK_EPS, seeds=(0, 1, 2), n_ligands=400,
                           pgd_steps=40, setups=("all ligands", "self ligands only"),
                           progress=False):
    """FGSM against PGD on T_{N,m} cells (tau_c = 3 s, the paper's ligand sets) within an
    L-inf budget eps on the binding times (s), the cell's loss log(1/T) (success: T < 1).

    Set-ups: ``"all ligands"`` -- agonists may move too, so a crossing exists once eps
    reaches the agonists' distance to tau_c (about 0.5 s); ``"self ligands only"`` -- the
    paper's descent, where for several large-m cells no crossing exists at any eps.
    PGD starts from the data (no random start) with step 2.5 eps / ``pgd_steps``."""
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.theory import classify

    from ..attacks import Domain, fgsm, pgd
    from ..cells.ligands import paper_ligands
    from ..cells.objective import CellObjective

    tau_c = 3.0
    models = [AdaptiveProofreading(N, m, tau_c) for N in Ns for m in range(N)]
    rows = []
    eta = Progress(len(models) * len(setups), progress, "cell attacks")
    for model in models:
        regime = classify(model).regime
        for setup in setups:
            eta.step(f"{model.label()}, {setup}")
            hits = {"fgsm": np.zeros(len(eps)), "pgd": np.zeros(len(eps))}
            off = 0
            for seed in seeds:
                lig = paper_ligands(n_ligands, 0.3, tau_c, seed)
                obj = CellObjective(model, lig.tau, lig.L, threshold=1.0, backend="numpy")
                mask = None if setup == "all ligands" else (lig.tau < tau_c)[None, :]
                dom = Domain(lower=1e-6 * tau_c, mask=mask)
                x0 = obj.x0()
                off += bool(obj.success(x0)[0])
                for k, e in enumerate(eps):
                    hits["fgsm"][k] += bool(fgsm(obj, x0, e, domain=dom).success[0])
                    hits["pgd"][k] += bool(pgd(obj, x0, e, n_steps=pgd_steps,
                                               random_init=False, domain=dom).success[0])
            row = {"model": model.label(), "N": model.N, "m": model.m, "regime": regime,
                   "setup": setup, "already_off": off / len(seeds)}
            for attack, h in hits.items():
                frac = h / len(seeds)
                row[attack] = frac.tolist()
                full = [e for e, f in zip(eps, frac) if f == 1.0]
                row[f"{attack}_eps"] = full[0] if full else None
            rows.append(row)
    return CellAttackComparison(rows=rows, eps=list(eps), seeds=list(seeds),
                                n_ligands=n_ligands, pgd_steps=pgd_steps)
