"""Derived closed forms of T_{N,m}: sympy identity with the paper's formulas, finite
differences (scipy.differentiate) and numeric root finding."""
import numpy as np
import pytest
import sympy as sp
from helpers import EXPONENTS, T_numpy
from scipy.differentiate import derivative, hessian
from scipy.optimize import brentq

from antagonism import derivations as dv
from antagonism.derivations import symbols as sy
from antagonism.derivations.gradients import L_j, tau_j

N, m, tau_c, T = sy.N, sy.m, sy.tau_c, sy.T
S_m, S_N = sy.power_sum(m), sy.power_sum(N)
M = dv.AdaptiveProofreading()


def same(a, b):
    return sp.simplify(sp.powsimp(sp.expand(a - b), force=True)) == 0


# -- sympy identity with the formulas of Rademaker, Bengio & Francois (PRX 2019) ----------
def test_gradient_tau_matches_science_form():
    target = L_j * tau_j ** (m - 1) * (N * tau_j ** (N - m) - m * T * tau_c ** (N - m)) / (
        tau_c ** (N - m) * S_m)
    assert same(dv.gradient_tau(M).expr, target)


def test_tau_star_matches_science_form():
    assert same(dv.derive_critical_binding_time(M).expr, tau_c * (m * T / N) ** (1 / (N - m)))


def test_tau_inflection_matches_science_form():
    target = tau_c * (m * (m - 1) * T / (N * (N - 1))) ** (1 / (N - m))
    assert same(dv.derive_inflection_binding_time(M).expr, target)


def test_weight_boundary_and_fold_change_match_science_forms():
    t1, t2 = sp.symbols("tau_1 tau_2", positive=True)
    L1, L2 = sp.symbols("L_1 L_2", positive=True)
    w = lambda x: x**N - tau_c ** (N - m) * x**m
    assert same(dv.derive_linear_weight(M).expr, w(sy.tau))
    assert sp.simplify(dv.derive_decision_boundary(M).expr - L1 * w(t1) / (-w(t2))) == 0
    fc = 1 - (L2 * t2**m / (L1 * t1**m + L2 * t2**m)) * (1 - (t2 / t1) ** (N - m))
    assert sp.simplify(dv.derive_fold_change(M).expr - fc) == 0


def test_single_ligand_output_is_absolute():
    out = M.single_ligand_output()
    assert not out.has(sy.L)
    assert same(out, (sy.tau / tau_c) ** (N - m))


def test_inflection_exists_iff_m_above_one():
    from antagonism.derivations.critical_points import inflection_exists_condition

    assert inflection_exists_condition() == sp.Interval.open(1, N)


def test_structural_gradient_equals_explicit_mixture_gradient():
    """The singled-out derivation must agree with differentiating a 3-type mixture."""
    for NN, mm in [(4, 2), (sp.Rational(5, 2), sp.Rational(1, 2))]:
        model = dv.AdaptiveProofreading(NN, mm)
        expr, taus, Ls = model.mixture_output(3)
        explicit = sp.diff(expr, taus[1])
        g = dv.gradient_tau(model).expr
        sums = {sy.power_sum(model.N): sum(L * t**model.N for t, L in zip(taus, Ls)),
                sy.power_sum(model.m): sum(L * t**model.m for t, L in zip(taus, Ls))}
        structural = g.subs(T, expr).subs(sums).subs({tau_j: taus[1], L_j: Ls[1]})
        assert sp.simplify(explicit - structural) == 0


def test_derivations_print_latex_and_steps():
    d = dv.derive_critical_binding_time(M)
    assert r"\tau_{c}" in d.latex()
    md = d.markdown()
    assert md.count("$$") >= 2 * len(d.steps)
    none = dv.derive_inflection_binding_time(dv.AdaptiveProofreading(4, 1))
    assert none.latex() == r"\text{none}"


# -- finite differences ----------------------------------------------------------------------
def _lambdified(model, expr):
    S_Nm = (sy.power_sum(model.N), sy.power_sum(model.m))
    return sp.lambdify((tau_j, L_j, S_Nm[0], S_Nm[1], T, sy.tau_c), expr.subs(
        sy.tau_c, sy.tau_c), "numpy")


@pytest.mark.parametrize("NN,mm", EXPONENTS)
def test_gradients_match_finite_differences(NN, mm, rng):
    model = dv.AdaptiveProofreading(NN, mm)
    taus = rng.uniform(0.3, 4.0, 6)
    Ls = rng.uniform(1, 100, 6)
    tc = 3.0
    S = {NN: np.sum(Ls * taus**NN), mm: np.sum(Ls * taus**mm)}
    Tval = T_numpy(taus, Ls, NN, mm, tc)
    g_tau = _lambdified(model, dv.gradient_tau(model).expr)
    g_L = _lambdified(model, dv.gradient_L(model).expr)
    for j in range(len(taus)):
        def T_of_tau(x, j=j):
            tt = np.repeat(taus[:, None], np.size(x), axis=1)
            tt[j] = x
            return np.array([T_numpy(tt[:, k], Ls, NN, mm, tc) for k in range(tt.shape[1])]
                            ).reshape(np.shape(x))

        def T_of_L(x, j=j):
            ll = np.repeat(Ls[:, None], np.size(x), axis=1)
            ll[j] = x
            return np.array([T_numpy(taus, ll[:, k], NN, mm, tc) for k in range(ll.shape[1])]
                            ).reshape(np.shape(x))

        fd_tau = derivative(T_of_tau, taus[j], initial_step=taus[j] / 4).df
        fd_L = derivative(T_of_L, Ls[j]).df
        args = (taus[j], Ls[j], S[NN], S[mm], Tval, tc)
        assert g_tau(*args) == pytest.approx(fd_tau, rel=1e-7, abs=1e-12)
        assert g_L(*args) == pytest.approx(fd_L, rel=1e-7, abs=1e-12)


@pytest.mark.parametrize("NN,mm", [(3, 1), (5, 3), (2.5, 0.5), (4.5, 2.5)])
def test_hessian_matches_finite_differences(NN, mm, rng):
    model = dv.AdaptiveProofreading(NN, mm)
    H = dv.hessian_structural(model).expr
    taus = rng.uniform(0.5, 4.0, 4)
    Ls = rng.uniform(1, 50, 4)
    tc = 3.0
    j, l_ = 1, 3
    tau_l, L_l = sp.symbols("tau_l L_l", positive=True)
    values = {tau_j: taus[j], tau_l: taus[l_], L_j: Ls[j], L_l: Ls[l_], sy.tau_c: tc,
              T: T_numpy(taus, Ls, NN, mm, tc),
              sy.power_sum(model.N): np.sum(Ls * taus**NN),
              sy.power_sum(model.m): np.sum(Ls * taus**mm)}
    H_num = np.array(H.subs(values).evalf(), dtype=float)

    def f(x):  # x = (tau_j, tau_l, L_j, L_l), vectorised over trailing axes
        x = np.asarray(x)
        out = np.empty(x.shape[1:])
        for idx in np.ndindex(*x.shape[1:]):
            tt, ll = taus.copy(), Ls.copy()
            tt[j], tt[l_], ll[j], ll[l_] = x[(slice(None),) + idx]
            out[idx] = T_numpy(tt, ll, NN, mm, tc)
        return out

    fd = hessian(f, np.array([taus[j], taus[l_], Ls[j], Ls[l_]])).ddf
    np.testing.assert_allclose(H_num, fd, rtol=1e-5, atol=1e-9 * np.abs(fd).max())


# -- numeric root finding ----------------------------------------------------------------------
@pytest.mark.parametrize("NN,mm", [(NN, mm) for NN, mm in EXPONENTS if mm > 0])
def test_tau_star_is_the_root_of_the_numeric_gradient(NN, mm):
    """Find tau_j with dT/dtau_j = 0 by brentq on a finite-difference gradient of the
    independent T, then check tau_j = tau_c (m T / N)^{1/(N-m)} at that configuration."""
    tc = 3.0
    taus = np.array([3.5, 0.5, 1.0])
    Ls = np.array([400.0, 300.0, 200.0])

    def grad(x):
        def T_of(y):
            y = np.asarray(y)
            vals = [T_numpy(np.r_[taus, yy], np.r_[Ls, 100.0], NN, mm, tc) for yy in y.ravel()]
            return np.array(vals).reshape(y.shape)
        return float(derivative(T_of, x, initial_step=x / 4).df)

    root = brentq(grad, 0.05, 2 * tc, xtol=1e-13)
    T_at_root = T_numpy(np.r_[taus, root], np.r_[Ls, 100.0], NN, mm, tc)
    star = dv.derive_critical_binding_time(dv.AdaptiveProofreading(NN, mm)).expr
    assert float(star.subs({sy.tau_c: tc, T: T_at_root})) == pytest.approx(root, rel=1e-8)


def test_m_zero_has_no_critical_point():
    for NN in (1, 3, 4.5):
        assert dv.derive_critical_binding_time(dv.AdaptiveProofreading(NN, 0)).expr is None


@pytest.mark.parametrize("NN,mm", [(1, 0), (5, 3), (3.5, 1.5)])
def test_boundary_is_the_numeric_root_of_T_minus_one(NN, mm):
    """L_2* from the derived closed form equals brentq's root of T(L_2) - 1 (independent T)."""
    from antagonism.theory import decision_boundary

    tc, t1, L1, t2 = 3.0, 4.0, 100.0, 1.7
    root = brentq(lambda L2: T_numpy([t1, t2], [L1, L2], NN, mm, tc) - 1, 1e-9, 1e12,
                  xtol=1e-12, rtol=1e-14)
    model = dv.AdaptiveProofreading(NN, mm, tc)
    assert float(decision_boundary(model, t1, L1, t2)) == pytest.approx(root, rel=1e-9)
