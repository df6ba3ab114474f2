"""Regimes of the SHP-1 model across feedback steps m: the numbers of docs/models.md.

Analytic argument (small tau): an unsaturated receptor binds C_T ~ kappa R_f L tau, and each
proofreading step multiplies by ~ phi tau, so a weak ligand's C_m ~ tau^(m+1).  Its
antagonism acts through S, proportional to C_m, so the per-ligand gradient scales as tau^m:
the SHP-1 model behaves like T_{N,m} with an effective m_eff = m + 1.  With receptors shared
by all ligand types, a dilute probe also takes receptors from the agonists: a tau^0 term.
"""
from __future__ import annotations

import numpy as np

from antagonism._core.result import Result
from antagonism.derivations import SHP1
from antagonism.theory import classify, fold_change

from .potential import strongest_antagonist


def shp1_regime_report(m_values=(1, 2, 3, 4), doses=(100.0, 1000.0, 10000.0), tau1=10.0,
                       L1=100.0, **params):
    """Per m: regime, small-tau exponents (shared receptors, and receptors in excess: the S
    pathway alone), strongest antagonist per dose, and whether some near-threshold ligands
    *enhance* the response (FC > 1), unlike T_{N,m}."""
    rows = []
    for m in m_values:
        model = SHP1(m=m, **params)
        cls = classify(model)
        s_path = classify(SHP1(m=m, receptors_in_excess=True, **params))
        argmins = [strongest_antagonist(model, tau1, L1, L2) for L2 in doses]
        grid = np.geomspace(0.05, tau1, 80)
        fc = fold_change(model, tau1, L1, grid, doses[-1])
        rows.append(Result(m=m, regime=cls.regime, small_tau_exponent=cls.small_tau_exponent,
                           s_pathway_exponent=s_path.small_tau_exponent,
                           effective_m=cls.effective_m,
                           effective_m_predicted=cls.get("effective_m_predicted"),
                           verdict=cls.verdict, antagonism_strength=cls.strength.strength,
                           threshold_binding_time=cls.threshold.tau,
                           tau_star_over_tau_threshold=cls.tau_star_over_tau_threshold,
                           tau_star=cls.tau_star, tau_star_at=cls.tau_star_at,
                           tau_inflection=cls.tau_inflection, escape=cls.escape,
                           doses=list(doses), tau2_argmin=[a for a, _ in argmins],
                           fc_min=[f for _, f in argmins], fc_max=float(fc.max()),
                           tau2_at_fc_max=float(grid[np.argmax(fc)]),
                           enhancement=bool(fc.max() > 1 + 1e-9)))
    return rows
