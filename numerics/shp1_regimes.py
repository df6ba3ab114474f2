"""Regimes of the SHP-1 model: effective m, numeric classification, strongest antagonist.

Analytic argument (small tau): an unsaturated receptor binds C_T ~ kappa R_f L tau, and each
proofreading step multiplies by ~ phi tau, so a weak ligand's C_m ~ kappa R_f L tau (phi tau)^m
~ tau^(m+1).  Its antagonism acts through S, proportional to C_m, so the per-ligand gradient
scales as tau^m: the SHP-1 model behaves like T_{N,m} with an effective m_eff = m + 1.
The numeric classification checks this with the theory's classifier for arbitrary outputs.
"""
from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar

from antagonism.theory.general import classify_gradient
from antagonism.theory.result import Result

from .shp1 import SHP1Model


def probe_gradient(model, tau_probe, tau_agonist=10.0, L_agonist=100.0, L_probe=1e-3):
    """gamma(tau) = (d output/d tau_p) / L_p for a dilute probe next to the agonists."""
    g = model.gradient([tau_agonist, tau_probe], [L_agonist, L_probe])
    return float(g.tau[1] / L_probe)


def classify_shp1(m=1, tau_agonist=10.0, L_agonist=100.0, receptors_in_excess=False,
                  **params):
    """Classify the SHP-1 model with feedback step m (classical parameters otherwise).

    With ``receptors_in_excess`` the receptor number is multiplied and kappa divided by 1e4
    (same kappa R, so the same binding of each ligand, but no competition for receptors):
    this isolates the S pathway, whose exponent is p = m (m_eff = m + 1).  With the classical
    R the probe also competes for receptors, a tau^0 term that dominates as tau -> 0.
    """
    if receptors_in_excess:
        base = SHP1Model(**params).p
        params = {**params, "R": base["R"] * 1e4, "kappa": base["kappa"] / 1e4}
    model = SHP1Model(m=m, **params)
    res = classify_gradient(lambda t: probe_gradient(model, t, tau_agonist, L_agonist),
                            tau_c=tau_agonist, tau_min_fraction=1e-3 if receptors_in_excess
                            else 1e-4, grid_points=300)
    res.receptors_in_excess = receptors_in_excess
    res.model = "shp1"
    res.m = float(m)
    res.effective_m_predicted = float(m + 1)
    return res


def strongest_antagonist(model, tau1=10.0, L1=100.0, L2=1000.0, bounds=(0.05, 10.0)):
    """argmin over tau_2 of FC(tau_2), located by a grid then a bounded minimiser (1 % or
    better in tau_2); returns (tau2_argmin, fc_min)."""
    grid = np.geomspace(bounds[0], bounds[1], 60)
    fc = model.fold_change(tau1, L1, grid, L2)
    i = int(np.argmin(fc))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, len(grid) - 1)]
    f = lambda t: float(model.fold_change(tau1, L1, [t], L2)[0])  # noqa: E731
    res = minimize_scalar(f, bounds=(lo, hi), method="bounded", options={"xatol": 1e-4 * lo})
    return float(res.x), float(res.fun)


def shp1_regime_report(m_values=(1, 2, 3, 4), doses=(100.0, 1000.0, 10000.0), tau1=10.0,
                       L1=100.0, **params):
    """Per m: regime, effective m, strongest antagonist per dose and whether some near-
    threshold ligands *enhance* the response (FC > 1), unlike T_{N,m}."""
    rows = []
    for m in m_values:
        model = SHP1Model(m=m, **params)
        cls = classify_shp1(m, tau1, L1, **params)
        s_path = classify_shp1(m, tau1, L1, receptors_in_excess=True, **params)
        argmins = [strongest_antagonist(model, tau1, L1, L2) for L2 in doses]
        grid = np.geomspace(0.05, tau1, 80)
        fc = model.fold_change(tau1, L1, grid, doses[-1])
        rows.append(Result(m=m, regime=cls.regime, small_tau_exponent=cls.small_tau_exponent,
                           s_pathway_exponent=s_path.small_tau_exponent,
                           effective_m=cls.effective_m, tau_star=cls.tau_star,
                           tau_inflection=cls.tau_inflection, escape=cls.escape,
                           doses=list(doses), tau2_argmin=[a for a, _ in argmins],
                           fc_min=[f for _, f in argmins], fc_max=float(fc.max()),
                           tau2_at_fc_max=float(grid[np.argmax(fc)]),
                           enhancement=bool(fc.max() > 1 + 1e-9)))
    return rows
