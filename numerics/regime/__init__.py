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
**The validated rule** (``Strongest.validated``): a curve is specialized when γ(v_ext) < 0,
v_ext is above the weakest value, ρ < ``MEASURE_CUT`` (0.8) and the antagonistic
sensitivity grows away from the weakest input (:func:`~.common.weak_end_rising`: the
weak-input exponent p - 1 is positive, as for T_{N,m} with m > 1 or a network whose first
layer is x^p with p > 1).  A network's statistic is the *specialized share*, the fraction
of its antagonistic curves that are specialized.  The rule and its cut were checked on
cases of known regime (:mod:`.controls`: cells, networks whose first layer x -> x^p fixes
their regime, logistic regression, untrained and shuffled-label networks; the cut is chosen
on one split, the measure and the baselines scored on the other).  The earlier rule
(``Strongest.specialized``: every curve counted, ρ < 1/2, no growth condition) is kept in
the outputs for the record; it fails those controls.  Detection limits come from noise:
the seeds' interval for networks, the sweep grid for cells (:func:`~.calibration.
detection_limit`).

**Networks over seeds.**  The unit of replication is the seed (the initialisation and the
training order); every network of a seed is measured on the same test images, so the
comparisons with the natural network and with the untrained initialisation are paired by
seed: mean difference with a Student-t interval, effect size d_z and the exact sign-flip test
over seeds (:func:`~antagonism.numerics.statistics.paired_comparison`; no percentile
bootstrap below 10 seeds).  Background pixels (value 0 in the clean image: the self-like
inputs) are measured apart from on-digit pixels.  Nothing pools inputs.

**Rejected** (kept for the record, :func:`weak_input_ratio`): the weak-input ratio r (the
mean sensitivity on inputs below 1/16 over the mean on the others) reads only the sign of
the small-τ exponent: it calls T_{N,0} and SHP-1 specialized and depends on its cutoff.

**Modules.**  :mod:`.common` (the measure, :func:`strongest_sensitivity`), :mod:`.cells`
(probe sweeps, the rejected ratio, FGSM against PGD on cells), :mod:`.calibration` (the
measure against the analytic verdict on cells), :mod:`.controls` (cases of known regime)
and :mod:`.networks` (pixel sweeps, seeds,
the sensitivity table).  Their public names are re-exported here.
"""
from __future__ import annotations

from .calibration import Calibration, calibrate, calibration_groups, calibration_models
from .cells import (
    ATTACK_BUDGET_GRID,
    CELL_ATTACK_EPS,
    CELL_CUTOFF,
    CELL_SWEEP_MAX,
    CELL_VALUES,
    DILUTE,
    AttackBudgets,
    CellAttackComparison,
    attack_budgets,
    cell_attack_comparison,
    cell_regime,
    cell_sensitivity,
    cell_sweep,
    pooled_profile,
    weak_input_ratio,
)
from .common import (
    MEASURE_CUT,
    WEAK_SHARE_MAX,
    Strongest,
    strongest_sensitivity,
    weak_end_rising,
)
from .controls import Controls, regime_controls
from .networks import (
    PIXEL_VALUES,
    SEED_QUANTITIES,
    NetworkRegimeReport,
    measure_classifier,
    network_regime_report,
    network_sweep_measures,
    pixel_sweep,
    regime_verdict,
    seed_summary,
    sensitivity_row,
    sensitivity_table,
)

__all__ = [
    "ATTACK_BUDGET_GRID", "CELL_ATTACK_EPS", "CELL_CUTOFF", "CELL_SWEEP_MAX", "CELL_VALUES",
    "DILUTE", "MEASURE_CUT", "PIXEL_VALUES", "SEED_QUANTITIES", "WEAK_SHARE_MAX", "AttackBudgets",
    "Calibration", "CellAttackComparison", "Controls", "NetworkRegimeReport", "Strongest",
    "attack_budgets", "calibrate", "calibration_groups", "calibration_models",
    "cell_attack_comparison", "cell_regime", "cell_sensitivity", "cell_sweep",
    "measure_classifier", "network_regime_report", "network_sweep_measures", "pixel_sweep",
    "pooled_profile", "regime_controls", "regime_verdict", "seed_summary", "sensitivity_row",
    "sensitivity_table", "strongest_sensitivity", "weak_end_rising", "weak_input_ratio",
]
