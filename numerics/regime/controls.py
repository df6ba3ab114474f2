"""The regime measure against cases whose regime is known, with baselines it must beat on
cases it was not tuned on (Rademaker, Bengio & Francois, PRX 9, 031012, 2019, for the
criterion; see :mod:`antagonism.numerics.regime`).

**Cases of known truth.**

- *Cells* (kind ``"cell"``): quick, T_{5,m} (m = 0, 1, 1.05, 1.5, 2, 3), T_{2,1.2} and
  kinetic proofreading; otherwise every calibration cell (T_{N,m}, SHP-1, adaptive sorting,
  kinetic proofreading) and T_{2,1.2}; the truth is what the model's derivation gives
  (``theory.regimes.gradient_regime``: an extremum of the per-ligand gradient below tau*),
  asked through the model protocol, never guessed from the model's name.
- *Networks built so that their regime is known* (kind ``"network"``): a fixed first layer
  x -> (x + s)^p - s^p (:class:`~antagonism.numerics.networks.layers.Power`) or the Hill
  filter x^4 / (x^4 + 0.5^4) (a smooth threshold), then a linear or a one-hidden-layer ReLU
  readout trained on scikit-learn's 8x8 digits.  The gradient of a weak input scales as
  x^(p - 1) whatever the readout (``antagonism.derivations.power_layer``): p <= 1 broad,
  p > 1 specialized; the Hill filter's gradient scales as x^3 near 0: specialized.  An
  untrained readout behind x^2 is specialized too: the truth is the first layer's.
- *Negative controls*: logistic regression (the identity first layer, p = 1: the gradient
  is constant, **broad**); ReLU MLPs untrained or trained on shuffled labels, truth
  **"none"**: nothing was learnt, so no regime is claimed and the measure passes if it does
  not call them specialized (the argument gives exponent 0 at a weak input, broad, except
  where a ReLU unit's kink sits between the grid's first values).

**The measure.**  Per curve (one pixel of one test digit swept over 0, 1/16, ..., 1, the
margin against the clean runner-up; for cells the dilute probe of :func:`~.cells.cell_sweep`)
the weak share rho = max(0, -gamma(v_lo)) / |gamma(v_ext)| of :func:`~.common.
strongest_sensitivity`; a curve is specialized when it is antagonistic somewhere
(gamma(v_ext) < 0), v_ext is above the weakest value, rho < ``cut`` and its antagonistic
sensitivity grows away from the weakest input (:func:`~.common.weak_end_rising`: the
weak-input exponent p - 1 of the argument is positive, or the gradient is zero up to a
threshold).  The last condition is the argument itself; without it a ReLU network's
piecewise-constant gamma, whose weak-input exponent is 0, comes out specialized wherever a
kink makes it steeper higher up (untrained MLPs at about 1/2 at cut 0.8).  A network's
statistic is the **fraction of its antagonistic curves** that are specialized (curves that
are nowhere antagonistic say nothing about where antagonism sits: counting them as broad,
as the earlier fraction of all curves did, puts every network built with p > 1 at about
1/2, its share of curves of the sign that lowers the margin), one number per seed; the
verdict is specialized / broad when its Student-t 95 % interval over seeds lies above /
below 1/2, undetermined otherwise.  A cell is one deterministic curve: specialized when the
curve is.

**Detection limits come from the noise of the measurement, never from the failure
condition**: for a network, the half-width of the seed interval (a fraction closer to 1/2
than that is undetermined); for a cell, the grid: an extremum at or below the second probe
(1/32 tau_c) cannot be told from the weakest probe (``below_grid``).

**The split.**  The cut on rho is chosen from ``CUTS`` on the ``"choose"`` rows (every cell
and four networks, ``CHOOSE``): the cut with the most correct verdicts there, the smallest
among ties.  The baselines' thresholds are fit on the same rows.  ``summary`` scores the
measure and every baseline on the ``"test"`` rows only.  Baselines: always broad, always
specialized, and the best single-threshold rule (either direction) on one of: robust
accuracy (PGD-20 at eps = 0.1, 200 test digits), clean accuracy, the RMS of the first
trained weight matrix, or the share of the input gradient on intensities below 1/3.
A verdict is correct when it equals the truth; for truth "none", when it is not
"specialized".
"""
from __future__ import annotations

import numpy as np

from antagonism._core.errors import InputError
from antagonism._core.result import Result

from ..progress import Progress
from ..statistics import interval
from .cells import CELL_VALUES, cell_regime
from .common import strongest_sensitivity
from .networks import PIXEL_VALUES, pixel_sweep

#: the cuts on the weak share rho the choosing split picks from
CUTS = (0.5, 0.6, 0.7, 0.8, 0.9)
#: the network cases of the choosing split (every cell is in it too)
CHOOSE = ("x^0.5 -> linear", "x^2 -> linear", "x^3 -> MLP", "untrained MLP")
HIDDEN = 32
EPOCHS = 20
N_IMAGES = 30
ROBUST_EPS = 0.1


def network_cases():
    """The networks of known truth: {name: {first, hidden, training, truth, why}}; the truth
    of a power or Hill first layer comes from :func:`~antagonism.derivations.power_layer.
    power_layer_regime` (the weak-input exponent p - 1; the Hill filter x^n / (x^n +
    theta^n) has the small-x exponent of x^n)."""
    from antagonism.derivations.power_layer import power_layer_regime

    cases = {"logistic regression": {"first": None, "hidden": (), "training": "labels",
                                     "truth": power_layer_regime(1),
                                     "why": "identity first layer (p = 1): constant gradient"}}
    for p in (0.5, 1.5, 2, 3):
        cases[f"x^{p:g} -> linear"] = {"first": ("power", p), "hidden": (),
                                       "training": "labels", "truth": power_layer_regime(p),
                                       "why": f"weak-input gradient ~ x^{p - 1:g}"}
    cases["hill -> linear"] = {"first": ("hill", 4), "hidden": (), "training": "labels",
                               "truth": power_layer_regime(4),
                               "why": "smooth threshold at 1/2: gradient ~ x^3 near 0"}
    for p in (0.5, 2, 3):
        cases[f"x^{p:g} -> MLP"] = {"first": ("power", p), "hidden": (HIDDEN,),
                                    "training": "labels", "truth": power_layer_regime(p),
                                    "why": f"weak-input gradient ~ x^{p - 1:g} times the "
                                           "readout's bounded derivative"}
    cases["hill -> MLP"] = {"first": ("hill", 4), "hidden": (HIDDEN,), "training": "labels",
                            "truth": power_layer_regime(4),
                            "why": "smooth threshold at 1/2: gradient ~ x^3 near 0"}
    for p in (0.5, 2):
        cases[f"untrained x^{p:g} -> MLP"] = {
            "first": ("power", p), "hidden": (HIDDEN,), "training": "none",
            "truth": power_layer_regime(p),
            "why": f"the first layer's exponent {p - 1:g} holds for any readout"}
    cases["untrained MLP"] = {"first": None, "hidden": (HIDDEN,), "training": "none",
                              "truth": "none", "why": "negative control: nothing learnt"}
    cases["untrained MLP (64 units)"] = {"first": None, "hidden": (64,), "training": "none",
                                         "truth": "none",
                                         "why": "negative control: nothing learnt"}
    cases["shuffled-label MLP"] = {"first": None, "hidden": (HIDDEN,), "training": "shuffled",
                                   "truth": "none",
                                   "why": "negative control: labels carry no information"}
    return cases


def control_cells(quick=False):
    """The cells of known truth: quick, seven T_{N,m} and kinetic proofreading;
    otherwise every cell of :func:`~.calibration.calibration_groups` and T_{2,1.2}."""
    from antagonism.derivations import AdaptiveProofreading, create_model

    if not quick:
        from .calibration import calibration_groups

        return [m for ms in calibration_groups().values() for m in ms] + [
            AdaptiveProofreading(2, 1.2, 3.0)]
    return [AdaptiveProofreading(5, m, 3.0) for m in (0, 1, 1.05, 1.5, 2, 3)] + [
        AdaptiveProofreading(2, 1.2, 3.0), create_model("kpr", N=3, tau_c=3.0)]


def build_network(case, seed, n_pixels=64, n_classes=10):
    """The network of one case, initialised from ``seed`` (untrained)."""
    from ..networks.defences import SmoothFilter
    from ..networks.layers import Power
    from ..networks.zoo import mlp

    first = case["first"]
    layer = (None if first is None else Power(first[1]) if first[0] == "power"
             else SmoothFilter(0.5, float(first[1])))
    return mlp(n_pixels, n_classes, case["hidden"], seed, preprocess=layer)


def specialized_fractions(values, gamma, cuts=CUTS, rising=True):
    """{cut: fraction of the antagonistic curves of ``gamma[..., k]`` (at ``values[k]``)
    that are specialized at that cut}, and the number of antagonistic curves.  With
    ``rising=False`` the rule without its third condition (the ablation the report
    shows)."""
    s = strongest_sensitivity(values, gamma)
    ant = s.antagonistic & (np.abs(gamma).max(axis=-1) > 1e-12)
    n = int(ant.sum())
    out = {}
    for c in cuts:
        flag = (s.position > values[0]) & (s.weak_share < c) & (s.rising if rising else True)
        out[c] = float(np.mean(flag[ant])) if n else 0.0
    return out, n


def _weak_gradient_share(model, x, y):
    _, g = model.loss_and_input_grad(x, y)
    g = np.abs(g)
    return float(g[x < 1 / 3].sum() / g.sum()) if g.sum() > 0 else float("nan")


def _first_weight_rms(model):
    for layer in model.layers:
        if "W" in layer.params:
            return float(np.sqrt(np.mean(layer.params["W"] ** 2)))
    return float("nan")


def measure_network(case, seed, data, cuts=CUTS, epochs=EPOCHS, n_images=N_IMAGES):
    """One seed of one network case: its specialized fractions per cut and the baselines'
    features (robust and clean accuracy, first-layer weight RMS, weak gradient share)."""
    from ..attacks import Domain, pgd
    from ..networks.objective import NetworkObjective
    from ..networks.train import train

    model = build_network(case, seed, data.x_train.shape[1], data.n_classes)
    if case["training"] != "none":
        y = data.y_train
        if case["training"] == "shuffled":
            y = np.random.default_rng(10_000 + seed).permutation(y)
        train(model, data.x_train, y, epochs=epochs, patience=epochs, lr=2e-3, batch=32,
              seed=seed)
    x, y = data.x_test[:n_images], data.y_test[:n_images]
    gamma = pixel_sweep(model, x, y)
    fractions, n_ant = specialized_fractions(PIXEL_VALUES, gamma, cuts)
    ablation = specialized_fractions(PIXEL_VALUES, gamma, cuts, rising=False)[0]
    live = np.abs(gamma).max(axis=-1) > 1e-12
    earlier = strongest_sensitivity(PIXEL_VALUES, gamma).specialized[live]
    xa, ya = data.x_test[:200], data.y_test[:200]
    res = pgd(NetworkObjective(model, ya), xa, ROBUST_EPS, n_steps=20,
              domain=Domain(0.0, 1.0), seed=seed)
    return {"fractions": fractions, "without_rising": ablation,
            "earlier_rule_fraction": float(np.mean(earlier)) if earlier.size else 0.0,
            "n_antagonistic_curves": n_ant,
            "robust_accuracy": float(np.mean(~res.success)),
            "clean_accuracy": model.accuracy(data.x_test, data.y_test),
            "first_weight_rms": _first_weight_rms(model),
            "weak_gradient_share": _weak_gradient_share(model, xa, ya)}


def _verdict_from_seeds(values):
    mean, lo, hi = interval(values, bounds=(0.0, 1.0))
    if not (np.isfinite(lo) and np.isfinite(hi)):
        verdict = "undetermined"
    else:
        verdict = "specialized" if lo > 0.5 else "broad" if hi < 0.5 else "undetermined"
    return verdict, mean, [lo, hi]


def _correct(truth, verdict):
    return verdict != "specialized" if truth == "none" else verdict == truth


def _cell_row(model, cuts):
    from antagonism.theory.regimes import gradient_regime

    g = gradient_regime(model)
    tau_c = float(model.tau_c)  # the model's own scale, through the protocol
    infl = g.get("tau_inflection")
    v_infl = None if infl is None else float(infl) / tau_c
    main = cell_regime(model)
    verdicts = {c: "specialized" if (main.antagonistic and main.position > CELL_VALUES[0]
                                     and main.weak_share < c and main.rising) else "broad"
                for c in cuts}
    return {"name": model.label(), "kind": "cell", "truth": g["regime"], "split": "choose",
            "why": "the model's derivation (an extremum of the per-ligand gradient below "
                   "tau*)", "parameters": {k: float(v) for k, v in model.parameters().items()},
            "tau_c": tau_c, "weak_share": float(main.weak_share),
            "strongest_position": float(main.position),
            "tau_inflection_over_tau_c": v_infl,
            "below_grid": v_infl is not None and v_infl <= CELL_VALUES[1],
            "_verdicts": verdicts}


def _network_row(name, case, runs, cuts):
    verdicts, fraction, ablation = {}, {}, {}
    for c in cuts:
        per_seed = [r["fractions"][c] for r in runs]
        v, mean, ci = _verdict_from_seeds(per_seed)
        verdicts[c] = v
        fraction[c] = {"per_seed": per_seed, "mean": mean, "t_interval": ci}
        per_seed = [r["without_rising"][c] for r in runs]
        v, mean, ci = _verdict_from_seeds(per_seed)
        ablation[c] = {"per_seed": per_seed, "mean": mean, "t_interval": ci, "verdict": v}
    feats = {}
    for key in ("robust_accuracy", "clean_accuracy", "first_weight_rms",
                "weak_gradient_share", "earlier_rule_fraction"):
        vals = [r[key] for r in runs]
        mean, lo, hi = interval(vals)
        feats[key] = {"per_seed": vals, "mean": mean, "t_interval": [lo, hi]}
    return {"name": name, "kind": "network", "truth": case["truth"],
            "split": "choose" if name in CHOOSE else "test", "why": case["why"],
            "first_layer": ("identity" if case["first"] is None else
                            f"{case['first'][0]} {case['first'][1]:g}"),
            "readout": "linear" if not case["hidden"] else f"MLP {case['hidden'][0]}",
            "training": case["training"],
            "n_antagonistic_curves": [r["n_antagonistic_curves"] for r in runs],
            "_fractions": fraction, "_ablation": ablation, "_verdicts": verdicts, **feats}


BASELINE_FEATURES = ("robust_accuracy", "clean_accuracy", "first_weight_rms",
                     "weak_gradient_share")


def _fit_threshold(rows):
    """The best single-threshold rule on one network feature, fit on ``rows``: (feature,
    direction, threshold, correct)."""
    best = None
    for feat in BASELINE_FEATURES:
        vals = sorted({r[feat]["mean"] for r in rows})
        cands = [vals[0] - 1] + [(a + b) / 2 for a, b in zip(vals[:-1], vals[1:])]
        for t in cands:
            for above in (True, False):
                ok = sum(_correct(r["truth"], _rule(r, feat, above, t)) for r in rows)
                if best is None or ok > best[3]:
                    best = (feat, above, t, ok)
    return best


def _rule(row, feat, above, t):
    if row["kind"] != "network":
        return "broad"
    x = row[feat]["mean"]
    return "specialized" if (x > t) == above else "broad"


class Controls(Result):
    """Keys: rows (one per case: name, kind, truth, verdict, correct, split, the measure's
    values: for networks the specialized fraction of antagonistic curves per seed with its
    t-interval and the detection limit from the seeds' spread, and without_rising (the
    same share without the rule's third condition: the ablation), earlier_rule_fraction (the
    earlier rule: every curve, cut 1/2, no third condition); for cells the weak share, the
    strongest position and below_grid; the baselines' features), summary (on the test
    split: measure and baselines {correct, total}), cut (chosen on the choosing split),
    cut_scores, split, seeds, definition."""

    def to_text(self, units=None):
        lines = [f"cut on the weak share chosen on the choosing split: {self.cut:g} "
                 f"(scores {self.cut_scores}); seeds {self.seeds}",
                 f"{'case':<26} {'kind':<8} {'split':<7} {'truth':<12} {'verdict':<13} value"]
        for r in self.rows:
            if r["kind"] == "network":
                f = r["specialized_fraction"]
                lo, hi = f["t_interval"]
                value = f"{f['mean']:.3f} [{lo:.3f}, {hi:.3f}]"
            else:
                value = f"rho {r['weak_share']:.3g}"
            flag = ("  (below the grid: not scored)" if r.get("below_grid")
                    else "" if r["correct"] else "  WRONG")
            lines.append(f"{r['name'][:26]:<26} {r['kind']:<8} {r['split']:<7} "
                         f"{r['truth']:<12} {r['verdict']:<13} {value}{flag}")
        s = self.summary
        lines.append(f"test split: measure {s['measure']['correct']}/{s['measure']['total']}; "
                     + "; ".join(f"{k} {v['correct']}/{v['total']}"
                                 for k, v in s["baselines"].items()))
        return "\n".join(lines)


def regime_controls(seeds=(0, 1, 2, 3, 4), quick=False, progress=False, cuts=CUTS):
    """The measure on every case of known truth, the cut chosen on the choosing split, and
    the measure and the baselines scored on the test split (see the module docstring).
    ``antagonism regime controls --quick --json`` is ``regime_controls((0, 1, 2), True)``;
    at least 2 distinct seeds (a t-interval over seeds).  Networks are trained on
    scikit-learn's digits, split with seed 0 (the package's ``load_digits``).
    """
    from ..networks.datasets import load_digits

    seeds = [int(s) for s in seeds]
    if len(seeds) < 2:
        raise InputError("the controls need at least 2 seeds (a t-interval over seeds)")
    if len(set(seeds)) != len(seeds):
        raise InputError(f"the seeds repeat: {seeds}")
    data = load_digits(seed=0)
    cases = network_cases()
    cells = control_cells(quick)
    eta = Progress(len(cells) + len(cases) * len(seeds), progress, "controls")
    rows = []
    for model in cells:
        eta.step(model.label())
        rows.append(_cell_row(model, cuts))
    for name, case in cases.items():
        runs = []
        for seed in seeds:
            eta.step(f"{name} seed {seed}")
            runs.append(measure_network(case, seed, data, cuts))
        rows.append(_network_row(name, case, runs, cuts))
    choose = [r for r in rows if r["split"] == "choose" and not r.get("below_grid")]
    scores = {c: sum(_correct(r["truth"], r["_verdicts"][c]) for r in choose) for c in cuts}
    cut = min(c for c in cuts if scores[c] == max(scores.values()))
    for r in rows:
        r["verdict"] = r.pop("_verdicts")[cut]
        r["correct"] = _correct(r["truth"], r["verdict"])
        if r["kind"] == "network":
            frac = r.pop("_fractions")
            r["specialized_fraction"] = frac[cut]
            lo, hi = frac[cut]["t_interval"]
            r["detection_limit"] = (hi - lo) / 2 if np.isfinite(hi - lo) else None
            r["specialized_fraction_by_cut"] = {f"{c:g}": frac[c]["mean"] for c in cuts}
            r["without_rising"] = r.pop("_ablation")[cut]
    test = [r for r in rows if r["split"] == "test" and not r.get("below_grid")]
    feat, above, t, fit_ok = _fit_threshold([r for r in choose if r["kind"] == "network"])
    rules = {"always broad": lambda r: "broad", "always specialized": lambda r: "specialized",
             f"best threshold rule ({feat} {'>' if above else '<='} {t:.3g} -> specialized)":
             lambda r: _rule(r, feat, above, t)}
    summary = {"measure": {"correct": sum(r["correct"] for r in test), "total": len(test)},
               "baselines": {k: {"correct": sum(_correct(r["truth"], f(r)) for r in test),
                                 "total": len(test)} for k, f in rules.items()},
               "choosing_split": {"correct": scores[cut], "total": len(choose)}}
    return Controls(
        rows=rows, summary=summary, cut=cut, cut_scores={f"{c:g}": s for c, s in
                                                        scores.items()},
        best_threshold_rule={"feature": feat, "specialized_when": "above" if above else
                             "at or below", "threshold": t, "correct_on_choosing_split": fit_ok},
        split={"choose": "every cell and the networks " + ", ".join(CHOOSE) + " (the cut on "
               "the weak share and the baselines' thresholds are fit here)",
               "test": "every other network (summary is scored here only)"},
        seeds=seeds, quick=quick, n_images=N_IMAGES, epochs=EPOCHS, values=PIXEL_VALUES.tolist(),
        definition=("a curve is specialized when it is antagonistic somewhere, its most "
                    "negative gamma sits above the weakest value and the weakest value keeps "
                    "less than the cut of it; a network is specialized / broad when the "
                    "t-interval over seeds of the fraction of its antagonistic curves that are "
                    "specialized lies above / below 1/2; correct for truth 'none' means not "
                    "specialized"))
