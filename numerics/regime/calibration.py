"""The calibration of the regime measure on cells: the measured regime of every
calibration model (T_{N,m} for every m, SHP-1, adaptive sorting) against the analytic
verdict, at several weak-end cutoffs, next to the rejected weak-input ratio (Rademaker,
Bengio & Francois, PRX 9, 031012, 2019)."""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result

from ..progress import Progress
from .cells import CELL_CUTOFF, CELL_VALUES, cell_regime, cell_sensitivity
from .common import WEAK_SHARE_MAX


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

    def to_text(self, units=None):
        """One line per model: analytic and measured regime, v_ext, rho, cut-off stability
        and the rejected measure; then whether every row agrees."""
        lines = [f"{'model':<20} {'m':>4} {'analytic':<12} {'measured':<12} {'v_ext':>6} "
                 f"{'rho':>8}  cutoffs stable  rejected r"]
        for r in self.rows:
            m = "" if r["m"] is None else f"{r['m']:g}"
            lines.append(f"{r['model']:<20} {m:>4} {r['analytic_regime']:<12} "
                         f"{r['measured_regime']:<12} "
                         f"{r['strongest_position_tau_over_tau_c']:>6.3f} "
                         f"{r['weak_share']:>8.2g}  {str(r['cutoff_stable']):<14} "
                         f"{r['rejected_weak_input_ratio']:.3g} ({r['rejected_verdict']})")
        lines.append(f"agree with the analytic verdict on every model: {self.all_agree}  "
                     f"(v_ext in tau/tau_c; rho: weak share; rule: {self.rule})")
        return "\n".join(lines)


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
