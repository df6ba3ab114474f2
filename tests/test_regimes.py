"""Regime classification: the table for N = 1..6, non-integer exponents, escape classes
confirmed by integrating the gradient flow, and the inflection by high-precision numerics."""
import math

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from helpers import EXPONENTS, T_mpmath
from scipy.integrate import solve_ivp

from antagonism import derivations as dv
from antagonism.theory import (
    classify_output,
    classify_regime,
    critical_binding_time,
    inflection_binding_time,
    regime_table,
)


def expected_escape(m):
    # Rademaker et al. 2019: finite-time for m < 2, exponential at m = 2, frozen for m > 2;
    # m = 0 has no critical point and every ligand is pushed to tau -> 0
    if m == 0:
        return "pushed-to-zero"
    return "finite-time" if m < 2 else ("exponential" if m == 2 else "frozen")


@pytest.mark.slow  # default: the per-model tests and docs' N <= 2
def test_regime_table_N_1_to_6():
    rows = regime_table(range(1, 7), tau_c=3.0)
    assert len(rows) == sum(range(1, 7))
    for r in rows:
        N, m = r.parameters["N"], r.parameters["m"]
        assert r.regime == ("specialized" if m > 1 else "broad"), (N, m)
        assert r.gradient_critical_point == (m > 1)
        assert (r.tau_star is None) == (m == 0)
        assert r.escape == expected_escape(m)
        if r.tau_star is not None:
            assert r.tau_star == pytest.approx(3.0 * (m / N) ** (1 / (N - m)), rel=1e-12)
            assert 0 < r.tau_star < 3.0
        if r.tau_inflection is not None:
            assert 0 < r.tau_inflection < r.tau_star


@pytest.mark.parametrize("NN,mm", EXPONENTS)
def test_non_integer_exponents_classify_like_the_rule(NN, mm):
    r = classify_regime("adaptive", N=NN, m=mm, tau_c=2.0)
    assert r.regime == ("specialized" if mm > 1 else "broad")
    assert r.escape == expected_escape(mm)


@pytest.mark.parametrize("NN,mm", [(3, 2), (5, 3), (4.5, 2.5), (2.2, 1.7), (6, 5)])
def test_inflection_is_root_of_second_derivative_mpmath(NN, mm):
    """The gradient's extremum for a dilute probe ligand, found by mpmath at 40 digits."""
    mp.mp.dps = 40
    tc = 3.0
    background_t, background_L = [3.0, 0.7], [400, 600]
    eps = mp.mpf("1e-25")

    def dT_dL(x):  # dT/dL_probe at L_probe = 0: the dilute probe's response
        base = T_mpmath(background_t, background_L, NN, mm, tc)
        return (T_mpmath(background_t + [x], background_L + [eps], NN, mm, tc) - base) / eps

    T0 = float(T_mpmath(background_t, background_L, NN, mm, tc))
    # each has a single sign change on (0, 2 tau_c): bracketed solver
    from scipy.optimize import brentq
    star = brentq(lambda x: float(mp.diff(dT_dL, x, 1)), 0.01 * tc, 2 * tc, xtol=1e-15)
    infl = brentq(lambda x: float(mp.diff(dT_dL, x, 2)), 0.01 * tc, 2 * tc, xtol=1e-15)
    model = dv.AdaptiveProofreading(NN, mm, tc)
    assert critical_binding_time(model, T0) == pytest.approx(float(star), rel=1e-10)
    assert inflection_binding_time(model, T0) == pytest.approx(float(infl), rel=1e-10)


def _escape_time(m, tau0, A=1.0, target=1.0):
    """Time for d tau/ds = A tau^(m-1) to carry tau from tau0 to target (solve_ivp)."""
    hit = lambda s, y: y[0] - target
    hit.terminal = True
    sol = solve_ivp(lambda s, y: A * y ** (m - 1), (0, 1e12), [tau0], events=hit,
                    method="LSODA", rtol=1e-10, atol=1e-14)
    return sol.t_events[0][0]


@pytest.mark.parametrize("mm", [0.5, 1.0, 1.5, 2.0, 2.5, 3.0])
def test_escape_classes_match_integrated_gradient_flow(mm):
    r = classify_regime("adaptive", N=mm + 2, m=mm, tau_c=1.0)
    t_a, t_b, t_c = _escape_time(mm, 1e-3), _escape_time(mm, 1e-6), _escape_time(mm, 1e-9)
    if r.escape == "finite-time":
        assert t_b / t_a < 1.1  # converges as tau0 -> 0
    elif r.escape == "exponential":
        assert t_b - t_a == pytest.approx(math.log(1e3), rel=1e-4)
    else:  # frozen: the escape time grows like a power tau0^-(m-2)
        assert np.log(t_c / t_b) / np.log(1e3) == pytest.approx(mm - 2, rel=1e-3)
    assert r.escape == expected_escape(mm)


def test_kinetic_proofreading_has_no_antagonism():
    r = classify_regime("kpr", N=3, tau_c=3.0)
    assert r.strength.antagonism is False and r.tau_star is None and r.tau_inflection is None
    assert r.escape == "pushed-to-zero"
    assert r.regime == "broad"  # a regime word for every model, whatever the verdict
    # by its size: every added ligand raises the output or takes a trace of receptors
    assert r.verdict == "no antagonism" and r.strength.strength > 0.999
    thr = r.threshold  # the default level F(tau_c, L_ref) is crossed at tau_c at L_ref...
    assert thr.tau == pytest.approx(3.0, rel=1e-9) and thr.reference_dose == 1.0
    by = dict(zip(thr.dose_grid, thr.tau_cross))  # ... and earlier at larger doses
    assert by[10.0] < 0.5 * by[1.0] and not thr.absolute_discrimination["holds"]
    assert thr.absolute_discrimination_levels is None  # at no level


def test_verdicts_of_T_Nm_follow_the_gradient_critical_point_and_the_strength():
    """m = 0 antagonises through the weakest ligands (no tau*), m >= 1 near tau*; every
    verdict has a size, and specialized iff the gradient has its critical point (m > 1)."""
    for N, m in [(1, 0), (2, 0), (3, 1), (4, 2), (5, 4)]:
        r = classify_regime("adaptive", N=N, m=m, tau_c=3.0)
        assert r.strength.antagonism is True and r.strength.strength < 0.9
        assert r.verdict == ("specialized" if m > 1 else "broad") + " antagonism"
        assert r.threshold.tau == pytest.approx(3.0, rel=1e-9)
        if r.tau_star is not None:
            assert r.tau_star_over_tau_threshold == pytest.approx(r.tau_star / 3.0)
        assert r.tau_star_at == "the decision boundary (output = 1)"


@pytest.mark.parametrize("NN,mm", [(1, 0), (3, 1), (4, 2), (5, 3), (3.5, 1.5), (2.5, 0.5)])
def test_general_classifier_agrees_with_analytic_on_T_Nm(NN, mm):
    model = dv.AdaptiveProofreading(NN, mm, 3)
    expr, t, L = model.mixture_output(2)
    analytic = classify_regime("adaptive", N=NN, m=mm, tau_c=3.0)
    for method in ("symbolic", "numeric"):
        r = classify_output(expr, t[1], L[1], {t[0]: 3, L[0]: 4000}, tau_c=3.0, method=method)
        assert r.regime == analytic.regime and r.escape == analytic.escape, method
        for key in ("tau_star", "tau_inflection"):
            if analytic[key] is None:
                assert r[key] is None
            else:
                assert r[key] == pytest.approx(analytic[key], rel=1e-8)


def test_general_classifier_on_output_without_explicit_exponents():
    """A user output whose feedback term is a Hill-like sinh: effective m = 3 near tau = 0."""
    t1, t2, L1, L2 = sp.symbols("t1 t2 L1 L2", positive=True)
    w = lambda t: sp.sinh(t) ** 3
    F = (L1 * t1**5 + L2 * t2**5) / (L1 * w(t1) + L2 * w(t2))
    r = classify_output(F, t2, L2, {t1: 3, L1: 1}, tau_c=3.0, method="numeric")
    assert r.small_tau_exponent == pytest.approx(2.0, abs=1e-3)
    assert r.escape == "frozen" and r.regime == "specialized"
    # independent check of tau*: root of d/dtau [tau^5 - F0 sinh(tau)^3] (dilute probe)
    F0 = 3**5 / math.sinh(3) ** 3
    from scipy.optimize import brentq
    # the minimum of F in tau lies where the bracket changes sign from - to +
    root = brentq(lambda x: 5 * x**4 - F0 * 3 * math.sinh(x) ** 2 * math.cosh(x), 0.05, 1.0)
    assert r.tau_star == pytest.approx(root, rel=1e-9)


@pytest.mark.parametrize("bad", [dict(N=3, m=3), dict(N=3, m=-1), dict(N=-1, m=0),
                                 dict(N=float("nan"), m=1), dict(N=4, m=2, tau_c=-1)])
def test_bad_parameters_are_rejected(bad):
    with pytest.raises(ValueError):
        classify_regime("adaptive", **bad)
