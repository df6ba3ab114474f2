"""The literature models (shipped Antimony files) side by side: one row per model with its
verdict (antagonism by its size: ``theory.strength``), the threshold binding time derived
from its steady state (``theory.threshold``), tau* and tau_infl relative to it, the regime
of its gradient, escape class, and the structural cause of the verdict, each cross-checked
against the package's own closed form where one exists (the file's ``check`` directive).

- ``built-in NAME``: the registered model NAME is the same model, derived by hand-written
  sympy: the steady state of a three-type mixture must agree to 1e-8 (relative), and so must
  the regime and tau*;
- ``kpr-closed-form``: McKeithan's derived steady state C_N = (phi tau/(1 + phi tau))^N R_b,
  R_b the physical root of kappa tau (L - R_b)(R - R_b) = R_b (one ligand type).
"""
from __future__ import annotations

from functools import lru_cache

from antagonism._core.errors import InputError
from antagonism._core.result import Result
from antagonism.derivations import KineticProofreading, create_model
from antagonism.derivations import symbols as sy
from antagonism.derivations.validation import exact_number
from antagonism.io.reaction_files import literature_files, load_model_file
from antagonism.theory import classify, model_evaluator

from ..executor import run_tasks

MIXTURE = ([10.0, 2.0, 0.5], [100.0, 1000.0, 3000.0])  # agonists, antagonists, self

#: what each shipped network's structure does to a weak ligand (by file stem); the verdict's
#: numbers come from the model, these sentences name the mechanism behind them
def _check_built_in(model, name, result=None):
    """The registered model ``name`` against the network: steady state, regime, tau*."""
    built_in = create_model(name)
    a = model_evaluator(model).output(*MIXTURE)
    b = model_evaluator(built_in).output(*MIXTURE)
    ra = classify(model, dose_response=False) if result is None else result
    rb = classify(built_in, dose_response=False)
    diff = abs(a - b) / abs(b)
    star = (ra.tau_star is None and rb.tau_star is None) or (
        ra.tau_star is not None and rb.tau_star is not None
        and abs(ra.tau_star - rb.tau_star) <= 1e-6 * rb.tau_star)
    ok = diff <= 1e-8 and ra.regime == rb.regime and star
    return ok, (f"built-in `{name}`: steady state of a 3-type mixture "
                f"{'within 1e-8' if diff <= 1e-8 else f'off by {diff:.1e}'}, regime "
                f"{rb.regime}, tau* {'equal' if star else 'different'}")


def _check_kpr_closed_form(model):
    """McKeithan's derived single-type steady state against the network's."""
    p = {k: float(v) for k, v in model.parameters().items()}
    N = len([s for s in model.network.species if s.startswith("C")]) - 1
    kpr = KineticProofreading(N, phi=p["phi"], kappa=p["kappa"], R=model.network.initial["R"])
    worst = 0.0
    for tau, L in ((3.0, 1000.0), (0.3, 5e4), (20.0, 10.0)):
        closed = float((kpr.chain_steady_state().expr * kpr.bound_receptors().expr)
                       .subs({sy.tau: exact_number(tau), sy.L: exact_number(L)}))
        net = model_evaluator(model).output([tau], [L])
        worst = max(worst, abs(net - closed) / closed)
    return worst <= 1e-10, ("KPR closed form (one ligand type) "
                            + ("within 1e-10" if worst <= 1e-10 else f"off by {worst:.1e}"))


def cross_check(model, result=None):
    """(passed, description) for the model's ``check`` directive, or (None, "–");
    ``result``: the model's classification, when already computed."""
    check = model.network.extra.get("check")
    if check is None:
        return None, "–"
    kind, _, arg = check.partition(" ")
    if kind == "built-in":
        return _check_built_in(model, arg.strip(), result)
    if kind == "kpr-closed-form":
        return _check_kpr_closed_form(model)
    raise InputError(f"unknown check {check!r}")


def literature_row(stem, path=None):
    """One row of the table (a Result) for the shipped model ``stem`` (a task of the sweep
    layer: without ``path`` the worker finds the file in its own installed package)."""
    if path is None:
        path = literature_files().get(stem)
        if path is None:
            raise InputError(f"no shipped literature model {stem!r}")
    model = load_model_file(path)
    r = classify(model)
    passed, text = cross_check(model, r)
    s = r.strength
    thr = r.threshold
    tau_c = float(model.tau_c)
    return Result(
        name=model.network.name, file=f"{stem}.ant", source=model.network.source,
        verdict=r.verdict, verdict_budget=s.budget["label"], antagonism=s.antagonism,
        antagonism_strength=s.strength,
        strength_tau=s.tau, strength_dose=s.dose, budget=s.budget,
        strength_curve=r.strength_curve, potency=r.potency,
        reference_agonist=s.reference_agonist, reference_agonists=r.reference_agonists,
        weak_ligand_fold_change=s.weak_ligand_fold_change,
        threshold_binding_time=thr.tau, threshold=thr,
        tau_min=thr.tau_min, tau_max=thr.tau_max, spread_ratio=thr.spread_ratio,
        absolute_discrimination=thr.absolute_discrimination,
        absolute_discrimination_levels=thr.absolute_discrimination_levels,
        tau_star_over_tau_threshold_range=r.tau_star_over_tau_threshold_range,
        strongest_antagonist=r.strongest_antagonist,
        regime=r.regime, tau_c=tau_c,
        tau_star=r.tau_star, tau_star_at=r.tau_star_at,
        tau_inflection=r.tau_inflection,
        tau_star_over_tau_threshold=r.tau_star_over_tau_threshold,
        tau_inflection_over_tau_threshold=r.tau_inflection_over_tau_threshold,
        tau_star_over_tau_c=r.tau_star_over_tau_c,
        tau_inflection_over_tau_c=None if r.tau_inflection is None
        else r.tau_inflection / tau_c,
        escape=r.escape, small_tau_exponent=r.small_tau_exponent,
        structure=r.get("structure", "–"), paper=r.get("paper", "–"), cause=r.cause,
        cross_check=text, cross_check_passed=passed)


@lru_cache(maxsize=1)
def literature_table(executor="local", scheduler=None, workers=None, cache=None,
                     progress=False):
    """One Result per shipped model (a tuple, computed once per process): name, file,
    source; verdict and verdict_budget, antagonism, antagonism_strength with strength_tau and
    strength_dose (the argmin within the budget), budget, strength_curve (the strength at
    1x, 10x, 100x, 1000x and the receptor number) and potency, reference_agonist(s) (where
    they sit), weak_ligand_fold_change; threshold_binding_time (tau_cross at the reference
    dose) and threshold (its level and definition, tau_cross over doses), tau_min, tau_max,
    spread_ratio, absolute_discrimination and absolute_discrimination_levels; regime (the
    gradient's shape), tau_c (the parameter), tau_star and tau_inflection (at tau_star_at),
    both relative to the threshold binding time and to tau_c; escape, small_tau_exponent;
    structure (the mechanism), paper (the source's statement), cause; cross_check,
    cross_check_passed.  One task per model, run by
    :func:`~antagonism.numerics.executor.run_tasks` (same options)."""
    run = run_tasks(literature_row, [{"stem": stem} for stem in literature_files()],
                    executor=executor, scheduler=scheduler, workers=workers, cache=cache,
                    progress=progress, label="literature")
    return tuple(Result(row) for row in run.results)


def _curve_text(curve):
    by = {p["budget"]: p["strength"] for p in curve or ()}
    return " / ".join("–" if by.get(b) is None else f"{by[b]:.3g}"
                      for b in ("10x", "100x", "receptor number"))


def _discrimination_text(r):
    ad = r.absolute_discrimination
    if ad["dose_range"] is None:
        return "none"
    lo, hi = ad["dose_range"]
    word = "**yes**" if ad["holds"] else "no"
    return f"{word}: {lo:.3g}–{hi:.3g} ({ad['decades']:.2g} decades)"


def _levels_text(r):
    band = r.get("absolute_discrimination_levels")
    if band is None:
        return "none"
    edge = r.threshold["level_scan"]["band_open"]
    return (f"{band[0]:.3g}–{band[1]:.3g}" + (" (open below)" if edge["low"] else "")
            + (" (open above)" if edge["high"] else ""))


def literature_markdown(rows=None):
    """The generated docs page of the literature table."""
    rows = literature_table() if rows is None else rows
    fmt = (lambda v: "–" if v is None else f"{v:.3g}")  # noqa: E731
    lines = [
        "# Literature models: their verdicts", "",
        "Computed by the package (`antagonism literature`) from the Antimony files "
        "shipped in `antagonism/io/models/`.  Each model is read by the antimony and "
        "libsbml libraries, its steady state for a mixture of ligand types is derived by "
        "`antagonism.derivations.network_model`, and it is classified by `theory.classify` "
        "exactly like the built-in models.  The words are defined once in "
        "[regimes](regimes.md#vocabulary).", "",
        "- **strength**: the smallest fold change of the reference agonists' response (τ = "
        "10 s, L = 100) that antagonists of one binding time τ₂ ∈ [0.01, 10] s reach within "
        "the **100× budget** (L₂ ≤ 100 × 100, never more than the receptor number); at "
        "(τ₂, L₂), the argmin within that budget.  **Antagonism** iff strength < 0.9.  One "
        "strength is one budget: the next column gives it at 10×, 100× and the receptor "
        "number (10⁶ molecules cap without receptors: –).",
        "- **threshold**: at the default level of every model, the reference dose's "
        "response at τ_c = 3 s, F(τ_c, L = 100), τ_cross(L) is the binding time at which "
        "one ligand type at dose L crosses it, on a log grid from L = 10 to the receptor "
        "number (10⁶ without receptors).  **τ_thr** is τ_cross at the reference dose (τ_c, "
        "by the level's definition); the τ_cross column gives its range over the doses; "
        "**absolute discrimination**: the widest dose range over which τ_cross varies by "
        "less than 10 % at that level (yes: at least one decade); **levels**: the band of "
        "levels at which it holds (none: at no level; open: an edge of the scanned levels).",
        "- τ* (of a dilute probe) and τ_infl: zero and critical point of the per-ligand "
        "gradient γ(τ) of a dilute probe next to the reference agonists, relative to τ_thr; "
        "p: γ ~ τ^p as τ → 0.", "",
        "| model | verdict (100× budget) | strength (τ₂, L₂) | strength at 10× / 100× / R | "
        "τ_thr (s) | τ_cross over doses (s) | absolute discrimination (doses) | levels | "
        "τ*/τ_thr | τ_infl/τ_thr | regime | p | escape | structure | cross-check | source |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        check = r.cross_check + ("" if r.cross_check_passed is None
                                 else (" ✓" if r.cross_check_passed else " **failed**"))
        lines.append(
            f"| {r.name} (`{r.file}`) | **{r.verdict}** | {r.antagonism_strength:.3f} "
            f"({r.strength_tau:.3g} s, {r.strength_dose:.3g}) | {_curve_text(r.strength_curve)} "
            f"| {fmt(r.threshold_binding_time)} | {fmt(r.tau_min)}–{fmt(r.tau_max)} | "
            f"{_discrimination_text(r)} | {_levels_text(r)} | "
            f"{fmt(r.tau_star_over_tau_threshold)} | "
            f"{fmt(r.tau_inflection_over_tau_threshold)} | {r.regime} | "
            f"{r.small_tau_exponent:g} | {r.escape} | {r.structure} | {check} | {r.source} |")
    lines += ["", "## Against the source papers", "",
              "| model | source says | here |", "|---|---|---|"]
    for r in rows:
        ad = r.absolute_discrimination
        where = ("inside" if r.reference_agonists["inside_absolute_discrimination"] else
                 "outside" if ad["holds"] else "no range")
        lines.append(f"| {r.name} | {r.paper} | {r.verdict}: strength "
                     f"{r.antagonism_strength:.3f} (100×), weakest ligands at the largest dose "
                     f"FC = {r.weak_ligand_fold_change:.4f}; absolute discrimination "
                     f"{_discrimination_text(r)} at the default level; levels at which it "
                     f"holds: {_levels_text(r)}; agonists' dose {where} |")
    lines += ["", "With receptors shared by every ligand type, a dilute probe takes receptors "
              "from the agonists: a τ⁰ term in γ(τ) (p = 0).  Its sign is antagonistic but its "
              "size is a trace: it is never the verdict's cause.  Only a feedback that weak "
              "ligands can trigger (SHP-1 and the Lever-type negative feedback, activated by "
              "C1) or a mean over ligands (adaptive sorting) antagonises by a measurable "
              "amount.  Adaptive sorting discriminates absolutely only where its kinase is "
              "adapted: with the published parameters from about L = 20 up (its agonists at "
              "L = 100 inside), with the package's own constants (`adaptive_sorting.ant`) "
              "only from 10⁴ up, so at L = 100 it runs in its linear regime.", ""]
    return "\n".join(lines)
