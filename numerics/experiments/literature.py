"""The literature models (shipped Antimony files) side by side: one row per model with its
regime, tau*/tau_c, tau_infl/tau_c and escape class, each cross-checked against the
package's own closed form where one exists (the file's ``check`` directive).

- ``built-in NAME``: the registered model NAME is the same model, derived by hand-written
  sympy: the steady state of a three-type mixture must agree to 1e-8 (relative), and so must
  the regime and tau*;
- ``kpr-closed-form``: McKeithan's derived steady state C_N = (phi tau/(1 + phi tau))^N R_b,
  R_b the physical root of kappa tau (L - R_b)(R - R_b) = R_b (one ligand type).
"""
from __future__ import annotations

from functools import lru_cache

from antagonism.derivations import KineticProofreading, create_model
from antagonism.derivations import symbols as sy
from antagonism.derivations.errors import InputError
from antagonism.derivations.validation import exact_number
from antagonism.theory import classify, model_evaluator
from antagonism.theory.result import Result

from ..data.reaction_files import literature_files, load_model_file
from .executor import run_tasks

MIXTURE = ([10.0, 2.0, 0.5], [100.0, 1000.0, 3000.0])  # agonists, antagonists, self


def _check_built_in(model, name):
    """The registered model ``name`` against the network: steady state, regime, tau*."""
    built_in = create_model(name)
    a = model_evaluator(model).output(*MIXTURE)
    b = model_evaluator(built_in).output(*MIXTURE)
    ra, rb = classify(model), classify(built_in)
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


def cross_check(model):
    """(passed, description) for the model's ``check`` directive, or (None, "–")."""
    check = model.network.extra.get("check")
    if check is None:
        return None, "–"
    kind, _, arg = check.partition(" ")
    if kind == "built-in":
        return _check_built_in(model, arg.strip())
    if kind == "kpr-closed-form":
        return _check_kpr_closed_form(model)
    raise InputError(f"unknown check {check!r}")


@lru_cache(maxsize=1)
def literature_table(executor="local", scheduler=None, workers=None, cache=None,
                     progress=False):
    """One Result per shipped model (a tuple, computed once per process): name, file,
    source, regime, tau_c, tau_star_over_tau_c, tau_inflection_over_tau_c (both relative
    to the model's threshold binding time tau_c), escape, small_tau_exponent, cross_check,
    cross_check_passed.  One task per model, run by :func:`~.executor.run_tasks` (same
    options)."""
    run = run_tasks(literature_row, [{"stem": stem} for stem in literature_files()],
                    executor=executor, scheduler=scheduler, workers=workers, cache=cache,
                    progress=progress, label="literature")
    return tuple(Result(row) for row in run.results)


def literature_row(stem):
    """The literature table's row of the shipped model ``stem`` (a task of the sweep layer:
    the worker finds the file in its own installed copy of the package)."""
    for stem_, path in literature_files().items():
        if stem_ != stem:
            continue
        model = load_model_file(path)
        r = classify(model)
        passed, text = cross_check(model)
        return Result(
            name=model.network.name, file=f"{stem}.ant", source=model.network.source,
            regime=r.regime, tau_c=r.tau_c, tau_star_over_tau_c=r.tau_star_over_tau_c,
            tau_inflection_over_tau_c=None if r.tau_inflection is None
            else r.tau_inflection / r.tau_c,
            escape=r.escape, small_tau_exponent=r.small_tau_exponent,
            cross_check=text, cross_check_passed=passed)
    raise InputError(f"no shipped literature model {stem!r}")


def literature_markdown(rows=None):
    """The generated docs page of the literature table."""
    rows = literature_table() if rows is None else rows
    fmt = (lambda v: "–" if v is None else f"{v:.3f}")  # noqa: E731
    lines = [
        "# Literature models: their regimes", "",
        "Generated by `antagonism docs` (or `antagonism literature`) from the Antimony files "
        "shipped in `numerics/data/models/`.  Each model is read by the antimony and "
        "libsbml libraries, its steady state for a mixture of ligand types is derived by "
        "`antagonism.derivations.reactions`, and it is classified by `theory.classify` "
        "exactly like the built-in models.  τ* and τ_infl are the critical points of the "
        "per-molecule gradient γ(τ) of a dilute probe next to the model's reference "
        "agonists (τ = 10 s, L = 100), sought up to the agonists' binding time and given "
        "relative to the model's threshold binding time τ_c.  The small-τ exponent p is "
        "that of γ(τ) ~ τ^p.", "",
        "| model | file | regime | τ_c (s) | τ*/τ_c | τ_infl/τ_c | p | escape | cross-check "
        "| source |",
        "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        check = r.cross_check + ("" if r.cross_check_passed is None
                                 else (" ✓" if r.cross_check_passed else " **failed**"))
        lines.append(f"| {r.name} | `{r.file}` | {r.regime} | {r.tau_c:g} | "
                     f"{fmt(r.tau_star_over_tau_c)} | "
                     f"{fmt(r.tau_inflection_over_tau_c)} | {r.small_tau_exponent:g} | "
                     f"{r.escape} | {check} | {r.source} |")
    lines += ["", "With receptors shared by every ligand type, a dilute probe takes receptors "
              "from the agonists: a τ⁰ term in γ(τ) (p = 0) that makes every receptor-sharing "
              "model antagonistic at small τ.  Only a feedback that grows faster than that "
              "competition near threshold (SHP-1) gives the gradient an interior extremum: "
              "the specialized regime.", ""]
    return "\n".join(lines)
