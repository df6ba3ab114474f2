"""The calibration of the regime measure on cells, built so that it can fail: the measured
regime of every calibration model against the analytic verdict (Rademaker, Bengio &
Francois, PRX 9, 031012, 2019), next to two trivial rules that any useful measure must beat
and the rejected weak-input ratio.

**The set** (:func:`calibration_groups`): T_{N,m} at integer m (N = 3, 4, 5), at m = 1.05,
1.1, 1.5 and 2.5 (N = 5), T_{3,1.1} and T_{1.5,1.05} (its extremum, at 0.0027 tau_c, falls
between the sweep's first two probes), at tau_c = 1 and 10 s; SHP-1 at its classical
parameters (m = 1, 2, 3) and at others (m = 4; receptors in excess, m = 1); adaptive
sorting in its linear regime (the package's constants at L = 100) and adapted (the published
parameters, ``adaptive_sorting_published.ant``); kinetic proofreading (N = 3 and McKeithan's
file).  Every probe is swept up to 3 tau_c, past every model's tau*.

**What it reports**: per row the analytic regime (``theory.regimes.gradient_regime``: an
extremum of the per-ligand gradient gamma below tau*), the measured one (the validated rule
of :func:`~.common.strongest_sensitivity`: the weak share rho < ``MEASURE_CUT`` at a v_ext
above the weakest probe, with gamma growing away from the weakest probe; the cut is the one
``antagonism regime controls`` chose), rho itself; per group the range of rho; the range of
cuts on rho that gives full agreement; and two trivial rules as ``baselines`` ("m > 1";
"the most negative gamma is interior"), with the rows where each fails.  What a row needs
from its model (the analytic regime, tau_c, its name) it asks the model: ``gradient_regime``,
``model.tau_c``, ``model.describe()``.

**Detection limit: the grid.**  The sweep's probes sit at v_lo = 10^-3 tau_c, then 1/32,
2/32, ... tau_c.  An extremum at or below the second probe (1/32 tau_c) cannot be told from
the weakest probe on this grid: such rows (T_{1.5,1.05}, extremum at 0.0027 tau_c) are
flagged ``below_detection_limit`` and left out of ``all_agree``.  The limit is the grid's; it
does not restate the rule (the earlier p_min = ln 2 / ln(v_infl / v_lo) did: it excused
exactly the rows whose weak share failed the cut).
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result

from ..progress import Progress
from .cells import CELL_CUTOFF, CELL_VALUES, cell_regime, cell_sensitivity
from .common import MEASURE_CUT, Strongest, strongest_sensitivity

NON_INTEGER_M = (1.05, 1.1, 1.5, 2.5)


def calibration_groups(Ns=(3, 4, 5), shp1_ms=(1, 2, 3)):
    """{group name: [models]}: the calibration set (see the module docstring)."""
    from antagonism.derivations import SHP1, AdaptiveProofreading, create_model, model_spec
    from antagonism.io.reaction_files import literature_files, load_model_file

    files = literature_files()
    return {
        "T_{N,m}, integer m": [AdaptiveProofreading(N, m, 3.0) for N in Ns for m in range(N)],
        "T_{N,m}, non-integer m": [AdaptiveProofreading(5, m, 3.0) for m in NON_INTEGER_M]
        + [AdaptiveProofreading(3, 1.1, 3.0), AdaptiveProofreading(1.5, 1.05, 3.0)],
        "T_{N,m}, tau_c != 3 s": [AdaptiveProofreading(5, 1, 1.0),
                                  AdaptiveProofreading(5, 3, 1.0),
                                  AdaptiveProofreading(4, 2, 10.0)],
        "SHP-1, classical parameters": [SHP1(m=m) for m in shp1_ms],
        "SHP-1, other parameters": [SHP1(m=4), SHP1(m=1, receptors_in_excess=True)],
        "adaptive sorting": [model_spec("adaptive-sorting").create(),
                             load_model_file(files["adaptive_sorting_published"])],
        "kinetic proofreading": [create_model("kpr", N=3, tau_c=3.0),
                                 load_model_file(files["mckeithan_kpr"])],
    }


def calibration_models(Ns=(3, 4, 5), shp1_ms=(1, 2, 3)):
    """The first calibration set, as one list: T_{N,m} for every integer m (tau_c = 3 s),
    SHP-1 at classical parameters with m in ``shp1_ms`` and adaptive sorting at the
    package's constants (the quick figure uses it; :func:`calibrate` uses every group of
    :func:`calibration_groups`)."""
    groups = calibration_groups(Ns, shp1_ms)
    return (groups["T_{N,m}, integer m"] + groups["SHP-1, classical parameters"]
            + groups["adaptive sorting"][:1])


def _group_of(model, groups):
    for name, models in groups.items():
        if any(model is m for m in models):
            return name
    return "given"


def model_name(model):
    """A row's name, as the model describes itself (:meth:`CellModel.describe`)."""
    return model.describe()


def detection_limit(v_infl, values=CELL_VALUES):
    """(limit, below): the sweep grid's resolution, ``values[1]`` (tau/tau_c), and whether
    the gradient's extremum ``v_infl`` lies at or below it, where the grid cannot tell it
    from the weakest probe.  The limit is the grid's, not a restatement of the rule: a
    resolved extremum may still keep a weak share above the cut (then the row disagrees).

    >>> detection_limit(0.0027), detection_limit(0.26)
    ((0.03125, True), (0.03125, False))
    """
    limit = float(values[1])
    return limit, bool(v_infl is not None and v_infl <= limit)


def _rejected_ligands(model):
    """The ligand count of the rejected ratio: 2000 where the registry says the model's
    derivations hold for symbolic parameters (the fast closed forms), 600 otherwise."""
    from antagonism.derivations import model_names, model_spec

    fast = (model.name in model_names()
            and "symbolic-parameters" in model_spec(model.name).capabilities)
    return 2000 if fast else 600


def _analytic(model):
    from antagonism.theory.regimes import gradient_regime

    g = gradient_regime(model)
    infl = g.get("tau_inflection")
    return (g["regime"], g.get("small_tau_exponent"),
            None if infl is None else float(infl) / float(model.tau_c))


def _row(model, group, cutoffs, rejected):
    main = cell_regime(model)
    gamma = main.gamma
    by_cutoff = {}
    for c in cutoffs:  # a cutoff on the main sweep's grid reuses its gamma
        on_grid = bool(np.any(np.isclose(CELL_VALUES, c, rtol=1e-12, atol=0)))
        keep = CELL_VALUES >= c * (1 - 1e-9)
        if on_grid:
            s = Strongest({k: v.item() for k, v in strongest_sensitivity(
                CELL_VALUES[keep], gamma[keep]).items()})
        else:
            s = cell_regime(model, np.r_[c, CELL_VALUES[CELL_VALUES > c]])
        by_cutoff[f"{c:g}"] = "specialized" if s.validated else "broad"
    analytic, p, v_infl = _analytic(model)
    limit, below = detection_limit(v_infl)
    params = model.parameters()
    row = {"model": model_name(model), "group": group, "N": _number(params.get("N")),
           "m": _number(params.get("m")), "tau_c": float(model.tau_c),
           "analytic_regime": analytic, "measured_regime": main.regime,
           "agree": main.regime == analytic,
           "strongest_position_tau_over_tau_c": main.position,
           "weak_share": main.weak_share, "antagonistic": bool(main.antagonistic),
           "interior": bool(main.interior), "rising": bool(main.rising),
           "small_tau_exponent": p,
           "tau_inflection_over_tau_c": v_infl, "detection_limit_tau_over_tau_c": limit,
           "below_detection_limit": below and analytic == "specialized",
           "cutoff_verdicts": by_cutoff, "cutoff_stable": len(set(by_cutoff.values())) == 1}
    if rejected:
        r = cell_sensitivity(model, n_ligands=_rejected_ligands(model)).ratio
        row["rejected_weak_input_ratio"] = r
        row["rejected_verdict"] = "specialized" if r < 1 else "broad"
    return row


def _m_rule(row):
    return "specialized" if row["m"] is not None and row["m"] > 1 else "broad"


def _interior_rule(row):
    return "specialized" if row["antagonistic"] and row["interior"] else "broad"


BASELINES = {"m > 1": _m_rule, "the most negative gamma is interior": _interior_rule}


def baselines(rows):
    """Each trivial rule's verdict against the analytic one: {rule: {agree, n, fails}}."""
    out = {}
    for name, rule in BASELINES.items():
        fails = [r["model"] for r in rows if rule(r) != r["analytic_regime"]]
        out[name] = {"agree": len(rows) - len(fails), "n": len(rows), "fails": fails}
    return out


def agreeing_cuts(rows):
    """The cuts c on the weak share for which 'antagonistic, v_ext above the weakest value
    and rho < c' gives every row's analytic verdict: {"low": exclusive, "high": inclusive}
    (None when no cut does)."""
    spec = [r for r in rows if r["analytic_regime"] == "specialized"]
    broad = [r for r in rows if r["analytic_regime"] == "broad"]
    if any(not r["antagonistic"] or r["strongest_position_tau_over_tau_c"] <= CELL_VALUES[0]
           for r in spec):
        return None
    low = max((r["weak_share"] for r in spec), default=0.0)
    high = min((r["weak_share"] for r in broad if r["antagonistic"]
                and r["strongest_position_tau_over_tau_c"] > CELL_VALUES[0]), default=1.0)
    return None if low >= high else {"low": low, "high": high}


def group_weak_shares(rows):
    """{group: {regime: [min, max] of rho over the group's rows of that analytic regime}}."""
    out = {}
    for r in rows:
        g = out.setdefault(r["group"], {})
        lo, hi = g.get(r["analytic_regime"], (np.inf, -np.inf))
        g[r["analytic_regime"]] = [min(lo, r["weak_share"]), max(hi, r["weak_share"])]
    return out


class Calibration(Result):
    """Keys: rows (one per model: model, group, N, m, tau_c, analytic_regime,
    measured_regime, agree, strongest_position_tau_over_tau_c, weak_share, interior,
    small_tau_exponent, tau_inflection_over_tau_c, detection_limit_tau_over_tau_c,
    below_detection_limit,
    cutoff_verdicts, rejected_weak_input_ratio...), all_agree (over the rows above the
    detection limit), n_agree, n_rows, below_detection_limit (the flagged rows), groups (rho
    per group and regime), cut_range (the cuts on rho giving full agreement above the
    detection limit), cut_range_with_shallow (the same with the flagged rows whose v_ext is
    interior: the cut that would resolve them), baselines
    (the trivial rules and where they fail), detection_limit, rule, cutoffs."""

    def to_text(self, units=None):
        """One line per model, then the agreement, the cut range and the baselines."""
        lines = [f"{'model':<34} {'m':>5} {'analytic':<12} {'measured':<12} {'v_ext':>6} "
                 f"{'rho':>8}  flag"]
        for r in self.rows:
            m = "" if r["m"] is None else f"{r['m']:g}"
            flag = (f"below detection (extremum <= {r['detection_limit_tau_over_tau_c']:.3g} "
                    "tau_c)"
                    if r["below_detection_limit"] else "" if r["agree"] else "DISAGREE")
            lines.append(f"{r['model'][:34]:<34} {m:>5} {r['analytic_regime']:<12} "
                         f"{r['measured_regime']:<12} "
                         f"{r['strongest_position_tau_over_tau_c']:>6.3f} "
                         f"{r['weak_share']:>8.2g}  {flag}")
        cut = self.cut_range
        lines.append(f"agree: {self.n_agree}/{self.n_rows} above the detection limit "
                     f"({len(self.below_detection_limit)} rows below it); cuts on rho giving "
                     "full agreement: " + ("none" if cut is None else
                                           f"({cut['low']:.3g}, {cut['high']:.3g}]"))
        shallow = self.cut_range_with_shallow
        if shallow is not None:
            lines.append(f"with the flagged rows whose v_ext is interior: cuts "
                         f"({shallow['low']:.3g}, {shallow['high']:.3g}]")
        for name, b in self.baselines.items():
            lines.append(f"baseline '{name}': {b['agree']}/{b['n']}, fails on "
                         + (", ".join(b["fails"]) or "none"))
        return "\n".join(lines)


def calibrate(models=None, cutoffs=(CELL_CUTOFF, 1 / 32, 1 / 16), rejected=True,
              progress=False):
    """The measure on every calibration model against the analytic verdict
    (``antagonism.theory.regimes.gradient_regime``), at each weak-end cutoff (the first
    value swept), with the detection limit, the group weak shares, the cut range and the
    baselines (see the module docstring); with ``rejected`` also the weak-input ratio r on
    the paper's ligand set (the measure this one replaces) and the verdict r < 1 gives."""
    groups = calibration_groups() if models is None else {"given": list(models)}
    models = [m for ms in groups.values() for m in ms]
    rows = []
    eta = Progress(len(models), progress, "calibrate")
    for model in models:
        eta.step(model.label())
        rows.append(_row(model, _group_of(model, groups), cutoffs, rejected))
    above = [r for r in rows if not r["below_detection_limit"]]
    n_agree = sum(r["agree"] for r in above)
    return Calibration(
        rows=rows, all_agree=n_agree == len(above), n_agree=n_agree, n_rows=len(above),
        below_detection_limit=[{"model": r["model"], "small_tau_exponent": r[
            "small_tau_exponent"], "tau_inflection_over_tau_c": r["tau_inflection_over_tau_c"],
            "weak_share": r["weak_share"],
            "measured_regime": r["measured_regime"]} for r in rows
            if r["below_detection_limit"]],
        groups=group_weak_shares(rows), cut_range=agreeing_cuts(above),
        cut_range_with_shallow=agreeing_cuts(above + [
            r for r in rows if r["below_detection_limit"] and r["antagonistic"]
            and r["interior"]]),
        baselines=baselines(rows),
        detection_limit={"weakest_probe_tau_over_tau_c": float(CELL_VALUES[0]),
                         "weak_share_cut": MEASURE_CUT,
                         "grid_limit_tau_over_tau_c": float(CELL_VALUES[1]),
                         "rule": "an extremum of the gradient at or below the grid's second "
                                 "probe cannot be told from the weakest probe"},
        rule=(f"specialized iff the most negative d(log F)/d tau_p of a dilute probe sits at "
              f"a tau_p above the weakest probe, the weakest probe keeps < {MEASURE_CUT} of it "
              "and the sensitivity grows away from the weakest probe"),
        cutoffs=[float(c) for c in cutoffs])


def _number(value):
    return None if value is None else float(value)
