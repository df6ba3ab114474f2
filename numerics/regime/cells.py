"""The regime of a cell model, measured: the sweep of a dilute probe ligand's binding time
tau_p = v tau_c next to the model's reference agonists, gamma(v) = d log F / d tau_p, read by
:func:`~.common.strongest_sensitivity` (the criterion of Rademaker, Bengio & Francois,
PRX 9, 031012, 2019; see :mod:`antagonism.numerics.regime`).  Also the rejected weak-input
ratio (kept for the record) and FGSM against PGD on T_{N,m} cells.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result

from ..progress import Progress
from .common import Strongest, strongest_sensitivity

CELL_CUTOFF = 1e-3  # cells: the weakest probe, tau = 1e-3 tau_c (gamma may diverge at 0)
CELL_SWEEP_MAX = 3.0  # the sweep goes to 3 tau_c: past tau_c and past every model's tau*
CELL_VALUES = np.concatenate([[CELL_CUTOFF], np.arange(1, 97) / 32])  # tau/tau_c, to 3
DILUTE = 1e-4  # the probe's quantity relative to the background's: one ligand among many


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
    ``regime`` ("broad"/"specialized", by the validated rule ``Strongest.validated``) and
    ``gamma`` (the swept curve)."""
    gamma = cell_sweep(model, values, **kwargs)
    s = strongest_sensitivity(values, gamma)
    out = Strongest({k: v.item() for k, v in s.items()})
    out.regime = "specialized" if out.validated else "broad"
    out.gamma = gamma
    return out


# ------------------------------------------------------- the rejected weak-input ratio

WEAK = 1 / 16
BINS = np.linspace(0.0, 1.0, 17)


def weak_input_ratio(values, grads, weak=WEAK):
    """The rejected measure r per row: mean |grad| over entries with value < ``weak``, over
    the mean elsewhere (it reads only the sign of the small-tau exponent; see
    :mod:`antagonism.numerics.regime`)."""
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


def cell_sensitivity(model, n_ligands=2000, agonist_fraction=0.3, seed=0, backend="numpy"):
    """The rejected weak-input ratio of a cell on the paper's ligand set (sub-threshold
    ligands as inputs, tau/tau_c as intensity; binding times scaled by tau_c / 3 s).
    Returns a Result with ``ratio``, ``profile`` and ``peak``."""
    from ..cells.evaluator import cell_evaluator
    from ..cells.ligands import paper_ligands

    tau_c = float(model.tau_c)
    k = tau_c / 3.0  # the paper's set-up (tau_c = 3 s), scaled to the model's tau_c
    lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed, agonist_mean=3.5 * k,
                        agonist_sd=0.1 * k, self_sd=k / 3)
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

    def to_text(self, units=None):
        """One line per model and set-up: the smallest budget at which FGSM and PGD cross."""
        lines = [f"smallest L-inf budget on tau (s) at which each attack crosses T = 1 on "
                 f"every ligand set (eps grid {self.eps}; '-' none)"]
        for r in self.rows:
            note = "  (T < 1 before any attack)" if r["already_off"] == 1 else ""
            lines.append(f"{r['model']:<8} {r['regime']:<12} {r['setup']:<18} FGSM "
                         f"{r['fgsm_eps'] or '-':<5} PGD {r['pgd_eps'] or '-':<5}{note}")
        return "\n".join(lines)


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


# ------------------------------------- claim 11: the budget each attack needs, self only

ATTACK_BUDGET_GRID = tuple(np.round(np.arange(0.05, 3.001, 0.05), 2))  # seconds (L-inf)


class AttackBudgets(Result):
    """Keys: rows (one per m and seed: m, seed, already_off, fgsm_eps, pgd_eps (the smallest
    L-inf budget on the grid at which the attack switches the cell off; None: none up to
    the grid's end), descent_eps (the L-inf distance the magnitude-following descent moved
    the ligands when it crossed; None: it did not cross), descent_iterations), summary
    (per m: [min, max] over the seeds of each), N, agonist_fraction, n_ligands, seeds,
    eps_grid, pgd_steps, descent_step, setup."""

    def to_text(self, units=None):
        """One line per m: the budgets over the seeds."""
        def rng(v):
            return "-" if v is None else (f"{v[0]:.3g}" if v[0] == v[1] else
                                          f"{v[0]:.3g}-{v[1]:.3g}")
        lines = [f"T_{{{self.N:g},m}}, {self.setup}: smallest L-inf budget (s) that switches "
                 f"the cell off, over seeds {self.seeds}"]
        for m, s in self.summary.items():
            fails = ", ".join(f"{k[:-7]} failed on {s[k]} seed(s)" for k in
                              ("fgsm_failed", "pgd_failed", "descent_failed") if s[k])
            lines.append(f"m = {m}: FGSM {rng(s['fgsm_eps'])}  PGD {rng(s['pgd_eps'])}  "
                         f"magnitude-following descent {rng(s['descent_eps'])}"
                         + ("  (off before any attack)" if s["already_off"] else "")
                         + (f"  ({fails})" if fails else ""))
        return "\n".join(lines)


def _smallest_eps(attack, grid):
    """The first value of ``grid`` at which attack(eps) succeeds (None if none)."""
    for e in grid:
        if attack(float(e)):
            return float(e)
    return None


def attack_budgets(N=5, ms=(1, 2, 3, 4), agonist_fraction=0.05, seeds=(0, 1, 2),
                   n_ligands=1000, eps_grid=ATTACK_BUDGET_GRID, pgd_steps=40,
                   descent_step=0.2, max_iter=20000, progress=False):
    """Claim 11 on its decisive set-up: T_{N,m} (tau_c = 3 s) with a few agonists
    (``agonist_fraction``, tau ~ N(3.5, 0.1^2) s) among self ligands (|N(0, (1/3)^2)| s), only
    the self ligands movable and kept below tau_c.  For each m and seed: the smallest L-inf
    budget eps on ``eps_grid`` at which FGSM and PGD (from the data, step 2.5 eps /
    ``pgd_steps``) switch the cell off (T < 1), and the L-inf distance (between the sorted
    initial and final binding times: the smallest budget that contains the move) that the
    magnitude-following descent -- the authors' binned procedure
    (:func:`~antagonism.numerics.experiments.descent.descend_to_boundary`, variant "binned",
    step ``descent_step``, bins of 0.2 s up to 4 s so that no agonist falls out of the
    histogram) -- travels before it crosses (None when its exact output is still >= 1 where
    the binned output stopped it)."""
    from antagonism.derivations import AdaptiveProofreading

    from ..attacks import Domain, fgsm, pgd
    from ..cells.ligands import paper_ligands
    from ..cells.objective import CellObjective
    from ..experiments.descent import descend_to_boundary

    tau_c = 3.0
    rows = []
    eta = Progress(len(ms) * len(seeds), progress, "attack budgets")
    for m in ms:
        model = AdaptiveProofreading(N, m, tau_c)
        for seed in seeds:
            eta.step(f"T_{{{N},{m}}}, seed {seed}")
            lig = paper_ligands(n_ligands, agonist_fraction, tau_c, seed)
            obj = CellObjective(model, lig.tau, lig.L, threshold=1.0, backend="numpy")
            x0 = obj.x0()
            row = {"m": m, "seed": seed, "already_off": bool(obj.success(x0)[0])}
            if row["already_off"]:
                rows.append({**row, "fgsm_eps": 0.0, "pgd_eps": 0.0, "descent_eps": 0.0,
                             "descent_iterations": 0})
                continue
            self_ = (lig.tau < tau_c)[None, :]
            dom = Domain(lower=1e-6 * tau_c, upper=np.where(self_, tau_c * (1 - 1e-9), np.inf),
                         mask=self_)
            row["fgsm_eps"] = _smallest_eps(
                lambda e: bool(fgsm(obj, x0, e, domain=dom).success[0]), eps_grid)
            row["pgd_eps"] = _smallest_eps(
                lambda e: bool(pgd(obj, x0, e, n_steps=pgd_steps, random_init=False,
                                   domain=dom).success[0]), eps_grid)
            res = descend_to_boundary(model, lig.tau, lig.L, eps=descent_step,
                                      variant="binned", bin_width=0.2, bin_max=4.0,
                                      max_iter=max_iter)
            moved = float(np.max(np.abs(np.sort(res.tau) - np.sort(lig.tau))))
            row["descent_eps"] = moved if res.crossed else None
            row["descent_iterations"] = int(res.iterations)
            rows.append(row)
    summary = {}
    for m in ms:
        mine = [r for r in rows if r["m"] == m]
        summary[f"{m:g}"] = {"already_off": all(r["already_off"] for r in mine)}
        for k in ("fgsm_eps", "pgd_eps", "descent_eps"):
            hit = [r[k] for r in mine if r[k] is not None]
            summary[f"{m:g}"][k] = [min(hit), max(hit)] if hit else None
            summary[f"{m:g}"][k.replace("_eps", "_failed")] = len(mine) - len(hit)
    return AttackBudgets(rows=rows, summary=summary, N=N, agonist_fraction=agonist_fraction,
                         n_ligands=n_ligands, seeds=list(seeds), eps_grid=list(eps_grid),
                         pgd_steps=pgd_steps, descent_step=descent_step,
                         setup=f"{100 * agonist_fraction:g} % agonists, self ligands only "
                               "movable (kept below tau_c)")
