"""Antagonism strength and threshold binding time against independent implementations:
the closed-form T_{N,m} fold change minimised with scipy, McKeithan's two-type steady state
solved by hand (a scalar root for the free receptors), and ODE integration (SHP-1)."""
import json

import numpy as np
import pytest
from helpers import run_cli
from scipy.optimize import brentq, minimize_scalar

from antagonism._core.errors import InputError
from antagonism.derivations import SHP1, AdaptiveProofreading
from antagonism.io.reaction_files import literature_files, load_model_file
from antagonism.numerics.cells.ode import integrate_shp1
from antagonism.theory import classify
from antagonism.theory.strength import antagonism_strength
from antagonism.theory.threshold import threshold_binding_time


def fc_tnm(t2, L2, t1, L1, N, m):
    """FC = 1 - [L2 t2^m/(L1 t1^m + L2 t2^m)][1 - (t2/t1)^(N-m)] (the paper's fold change)."""
    w = L2 * t2**m / (L1 * t1**m + L2 * t2**m)
    return 1 - w * (1 - (t2 / t1) ** (N - m))


def independent_min_tnm(N, m, t1, L1, lo, L_max):
    """min over tau_2 in [lo, t1] and L_2 in (0, L_max]: a dense grid then scipy's bounded
    minimiser along tau_2 at every grid dose."""
    best = np.inf
    for L2 in np.geomspace(L_max * 1e-4, L_max, 41):
        grid = np.geomspace(lo, t1, 400)
        k = int(np.argmin(fc_tnm(grid, L2, t1, L1, N, m)))
        a, b = grid[max(k - 1, 0)], grid[min(k + 1, len(grid) - 1)]
        r = minimize_scalar(lambda t: fc_tnm(t, L2, t1, L1, N, m), bounds=(a, b),
                            method="bounded", options={"xatol": 1e-10})
        best = min(best, r.fun, fc_tnm(lo, L2, t1, L1, N, m))
    return best


@pytest.mark.parametrize("N,m", [(1, 0), (3, 0), (4, 1), (5, 3), (2.5, 1.5)])
def test_tnm_strength_matches_the_closed_form_minimised_independently(N, m):
    model = AdaptiveProofreading(N, m, tau_c=3)
    s = antagonism_strength(model)
    t1, L1 = 3.0, 1.0  # the reference agonists: one type at tau_c, L = 1
    assert s.reference_agonist["tau"] == [t1] and s.reference_agonist["L"] == [L1]
    assert s.budget["max_dose"] == 100.0 and s.budget["receptor_number"] is None
    expected = independent_min_tnm(N, m, t1, L1, 3e-3, 100.0)
    assert s.strength == pytest.approx(expected, rel=1e-6, abs=1e-9)
    assert fc_tnm(s.tau, s.dose, t1, L1, N, m) == pytest.approx(s.strength, rel=1e-9)
    assert s.antagonism is True


@pytest.mark.parametrize("N", [1, 2, 3, 5])
def test_m_zero_antagonises_through_the_weakest_ligands(N):
    """T_{N,0} is the quantity-weighted mean of (tau/tau_c)^N: any weaker ligand lowers it,
    the infimum L_1/(L_1 + L_2) is approached as tau_2 -> 0 at the largest dose."""
    r = classify(AdaptiveProofreading(N, 0, tau_c=3))
    s = r.strength
    assert r.strength.antagonism is True and r.verdict == "broad antagonism"
    assert r.gradient_antagonistic is False and r.tau_star is None
    assert s.at_budget_edge == ["weakest ligands", "largest dose"]
    assert s.strength == pytest.approx(fc_tnm(3e-3, 100.0, 3.0, 1.0, N, 0), rel=1e-9)
    assert s.strength < 1 / 101 + 1e-2
    assert r.threshold.tau == pytest.approx(3.0, rel=1e-9)


def kpr_two_types(taus, Ls, kappa=1e-4, phi=0.09, R=3e4, N=5):
    """McKeithan KPR with shared receptors, written out: C_T,i = kappa tau_i R_f L_i /
    (1 + kappa tau_i R_f) and R_f + sum C_T,i = R (a scalar root); output sum C_N,i."""
    taus, Ls = np.asarray(taus, float), np.asarray(Ls, float)

    def bound(Rf):
        return kappa * taus * Rf * Ls / (1 + kappa * taus * Rf)

    Rf = brentq(lambda x: x + bound(x).sum() - R, 0.0, R, xtol=1e-12, rtol=1e-14)
    return float(np.sum((phi * taus / (1 + phi * taus)) ** N * bound(Rf)))


MCKEITHAN = literature_files()["mckeithan_kpr"]


def test_mckeithan_has_no_antagonism_within_the_budget():
    r = classify(load_model_file(MCKEITHAN))
    s = r.strength
    alone = kpr_two_types([10.0], [100.0])
    scan = min(kpr_two_types([10.0, t], [100.0, q]) / alone
               for t in np.geomspace(0.01, 10, 50) for q in np.geomspace(1, 1e4, 13))
    assert s.strength == pytest.approx(scan, abs=2e-4)  # the scan is coarser
    assert kpr_two_types([10.0, s.tau], [100.0, s.dose]) / alone == pytest.approx(
        s.strength, rel=1e-9)
    assert 0.99 < s.strength < 1 and not s.antagonism and r.verdict == "no antagonism"
    assert s.budget == {"max_dose": 1e4, "dose_factor": 100.0, "receptor_number": 3e4,
                        "limited_by": "dose factor", "tau_range": [0.01, 10.0],
                        "label": "100x the reference agonists' dose (L_2 <= 10000, limited "
                                 "by the dose factor)"}
    assert "receptor competition" in r.cause
    # no dose-independent threshold: F(tau, 10 L) > F(tau, L) at every tau
    ratios = [kpr_two_types([t], [1000.0]) / kpr_two_types([t], [100.0])
              for t in np.geomspace(0.1, 100, 30)]
    assert min(ratios) > 1
    by = dict(zip(r.threshold.dose_grid, r.threshold.tau_cross))
    lo, hi = by[100.0], by[1000.0]  # the level F(3 s, 100) is crossed earlier at L = 1000
    level = kpr_two_types([3.0], [100.0])
    assert r.threshold.level == pytest.approx(level, rel=1e-9)
    assert lo == pytest.approx(3.0, rel=1e-9) == r.threshold.tau
    assert kpr_two_types([hi], [1000.0]) == pytest.approx(level, rel=1e-8) and hi < 2.0


def test_receptor_number_caps_the_budget():
    model = load_model_file(MCKEITHAN)
    s = antagonism_strength(model, dose_factor=1000.0, grid=(6, 4))
    assert s.budget["max_dose"] == 3e4 and s.budget["limited_by"] == "receptor number"
    assert s.dose <= 3e4 * (1 + 1e-12)


def test_bad_budget_input():
    model = AdaptiveProofreading(3, 1, tau_c=3)
    for kw in ({"tolerance": 0}, {"tolerance": 1.5}, {"dose_factor": -1},
               {"tau_range": (2.0, 1.0)}):
        with pytest.raises(InputError):
            antagonism_strength(model, **kw)


def test_shp1_threshold_and_strength_against_ode():
    model = SHP1(m=1)
    p = {k: float(v) for k, v in model.parameters().items()}
    th = threshold_binding_time(model, levels=False)
    # the default level: the reference dose's response at tau_c = 3 s, crossed there
    assert th.level == pytest.approx(integrate_shp1([3.0], [100.0], p).output, rel=1e-6)
    assert th.tau == pytest.approx(3.0, rel=1e-9)
    for q, t in zip(th.dose_grid[::4], th.tau_cross[::4]):  # every crossing, by ODE
        assert integrate_shp1([t], [q], p).output == pytest.approx(th.level, rel=1e-6)
    s = antagonism_strength(model)
    alone = integrate_shp1([10.0], [100.0], p).output
    fc = integrate_shp1([10.0, s.tau], [100.0, s.dose], p).output / alone
    assert fc == pytest.approx(s.strength, rel=1e-6) and s.strength < 0.1
    for t in (0.8 * s.tau, 1.25 * s.tau):  # a minimum in tau_2 (the dose is at its cap)
        assert integrate_shp1([10.0, t], [100.0, s.dose], p).output / alone > fc


def test_cli_done_when_adaptive_1_0():
    out = json.loads(run_cli("classify", "--model", "adaptive", "--N", "1", "--m", "0",
                             "--json").stdout)
    assert out["strength"]["antagonism"] is True and out["strength"]["strength"] < 0.02
    assert out["strength"]["budget"]["max_dose"] == 100.0


def test_cli_tolerance_option():
    out = json.loads(run_cli("classify", "--model", "adaptive", "--N", "5", "--m", "3",
                             "--tolerance", "0.2", "--json").stdout)
    s = out["strength"]
    assert s["strength"] > 0.2 and s["antagonism"] is False
    assert out["verdict"] == "no antagonism" and s["tolerance"] == 0.2
    assert out["regime"] == "specialized"  # the gradient's shape, whatever the verdict
    assert run_cli("classify", "--tolerance", "0").returncode == 2
