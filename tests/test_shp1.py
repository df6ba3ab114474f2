"""SHP-1 and adaptive-sorting models: closed forms against ODE integration and linear solves,
implicit gradients against finite differences, regimes, and the OT-1 data."""
import json
import subprocess
import sys

import numpy as np
import pytest
import sympy as sp
from scipy.differentiate import derivative

from antagonism.derivations import adaptive_sorting
from antagonism.derivations import symbols as sy
from antagonism.numerics.experimental import check_kondo_binding_times, compare_ot1, load_ot1
from antagonism.numerics.ode import integrate_adaptive_sorting, integrate_shp1
from antagonism.numerics.shp1 import SHP1Model, shp1_parameters
from antagonism.numerics.shp1_regimes import classify_shp1, strongest_antagonist


@pytest.fixture(scope="module")
def model():
    return SHP1Model()


def test_classical_parameters_have_names_and_units():
    from antagonism.derivations.shp1 import CLASSICAL

    assert CLASSICAL["phi"].value == 0.09 and CLASSICAL["phi"].unit == "1/s"
    assert shp1_parameters()["C_star"] == 500.0
    with pytest.raises(ValueError, match="unknown"):
        shp1_parameters(foo=1)
    with pytest.raises(ValueError, match="m must be"):
        shp1_parameters(m=7)


def chain_linear_solve(N, tau, C_T, d, phi):
    """Independent: the steady-state chain equations as a linear system with sum = C_T."""
    A = np.zeros((N + 1, N + 1))
    for k in range(1, N):
        A[k, k - 1], A[k, k], A[k, k + 1] = phi, -(phi + d + 1 / tau), d
    A[N, N - 1], A[N, N] = phi, -(d + 1 / tau)
    A[0, :] = 1
    return np.linalg.solve(A, np.r_[C_T, np.zeros(N)])


@pytest.mark.parametrize("tau", [1e-3, 0.1, 3.0, 30.0])
@pytest.mark.parametrize("S", [0.0, 1e5])
def test_chain_closed_form_equals_linear_solve(model, tau, S):
    d = 0.04 + 1.2e-6 * S
    closed = [model.chain_value(k, tau, 500.0, S) for k in range(6)]
    np.testing.assert_allclose(closed, chain_linear_solve(5, tau, 500.0, d, 0.09), rtol=1e-10)


def test_single_type_binding_is_the_derived_quadratic_root(model):
    from antagonism.derivations.shp1 import R, kappa, total_balance

    root = total_balance().steps[-1].expr
    for tau, L in [(3.0, 1000.0), (0.1, 5e4), (20.0, 10.0)]:
        st = model.steady_state([tau], [L])
        expected = float(root.subs({sy.tau: tau, sy.L: L, R: 3e4, kappa: 1e-4}))
        assert st.C_T[0] == pytest.approx(expected, rel=1e-10)


@pytest.mark.parametrize("tau,L,m", [([3.0], [1000.0], 1), ([10.0], [100.0], 2),
                                      ([10.0, 2.0], [100.0, 1000.0], 1),
                                      ([10.0, 4.0, 0.5], [50.0, 300.0, 3000.0], 3)])
def test_steady_state_matches_ode_integration(tau, L, m):
    model = SHP1Model(m=m)
    st = model.steady_state(tau, L)
    ode = integrate_shp1(tau, L, model.p)
    np.testing.assert_allclose(st.chains, ode.chains, rtol=1e-6, atol=1e-9)
    assert st.S == pytest.approx(ode.S, rel=1e-6)


@pytest.mark.parametrize("m", [1, 3])
def test_implicit_gradients_match_finite_differences(m):
    model = SHP1Model(m=m)
    tau, L = np.array([10.0, 2.0, 0.7]), np.array([100.0, 1000.0, 400.0])
    g = model.gradient(tau, L)
    for j in range(3):
        for key, base in (("tau", tau), ("L", L)):
            def f(x, j=j, key=key, base=base):
                x = np.asarray(x)
                vals = []
                for xx in x.ravel():
                    b = base.copy()
                    b[j] = xx
                    vals.append(model.output(b, L) if key == "tau" else model.output(tau, b))
                return np.array(vals).reshape(x.shape)
            fd = derivative(f, base[j], initial_step=0.01 * base[j]).df
            assert g[key][j] == pytest.approx(fd, rel=1e-6, abs=1e-14)


def test_adaptive_sorting_reduces_to_T_1_0():
    taus, Ls = sy.ligand_symbols(3)
    target = sum(L * t for t, L in zip(taus, Ls)) / (sy.tau_c * sum(Ls))  # T_{1,0}
    assert sp.simplify(adaptive_sorting.strong_feedback_limit(3).expr - target) == 0
    # and numerically: the ODE steady state at strong feedback approaches the same value
    tau, L = np.array([5.0, 1.0]), np.array([200.0, 800.0])
    lam, K_T, phi = 1.0, 1e6, 1e-5
    alpha, eps = 1.0, 1.0 * K_T / lam
    ss = integrate_adaptive_sorting(tau, L, phi, alpha, eps, K_T)
    T10 = np.sum(L * tau) / np.sum(L)  # with tau_c = 1
    assert ss.output / (phi * lam) == pytest.approx(T10, rel=1e-3)


def test_s_pathway_exponent_is_m_and_competition_dominates_at_small_tau():
    for m in (1, 2):
        excess = classify_shp1(m, receptors_in_excess=True)
        assert excess.small_tau_exponent == pytest.approx(m, abs=0.2)
    classical = classify_shp1(2)
    assert abs(classical.small_tau_exponent) < 0.1  # receptor competition: tau^0


def test_strongest_antagonist_is_located_to_one_percent(model):
    t, fc = strongest_antagonist(model, 10.0, 100.0, 1000.0)
    grid = np.geomspace(0.05, 10.0, 2000)
    dense = model.fold_change(10.0, 100.0, grid, 1000.0)
    assert t == pytest.approx(grid[np.argmin(dense)], rel=0.01)
    assert fc <= dense.min() + 1e-9 and fc < 1


def test_ot1_table_and_kondo_relation():
    table = load_ot1()
    assert list(table["peptide"]) == ["N4", "A2", "Y3", "Q4", "T4", "Q7", "V4", "G4", "E1"]
    assert check_kondo_binding_times(table)
    assert table["tau_fitted"][table["peptide"] == "E1"][0]
    assert set(table["peptide"][table["antagonist_panel"]]) == {"Q4", "T4", "V4", "G4", "E1"}


def test_compare_ot1_with_adaptive_proofreading():
    from antagonism.theory import fold_change

    res = compare_ot1(lambda t1, t2: float(fold_change(t1, 100.0, t2, 1000.0, 5, 3)), 3.0)
    assert res.peptides == ["Q4", "T4", "V4", "G4", "E1"]
    expected = [float(fold_change(10.0, 100.0, t, 1000.0, 5, 3)) for t in res.tau_s]
    np.testing.assert_allclose(res.fc, expected)
    assert res.strongest == res.peptides[int(np.argmin(expected))]


def run(*args):
    return subprocess.run([sys.executable, "-m", "antagonism.numerics.cli", *args],
                          capture_output=True, text=True, timeout=300)


def test_cli_steady_contract(model):
    p = run("steady", "--model", "shp1", "--tau", "3", "--L", "1000", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    st = model.steady_state([3.0], [1000.0])
    assert out["C_N"] == pytest.approx(st.C_N[0]) and out["S"] == pytest.approx(st.S)
    assert out["C_T"] == pytest.approx(st.C_T[0])
    q = json.loads(run("steady", "--tau", "3", "--L", "1000", "--param", "S_T=1e5",
                       "--json").stdout)
    assert q["S"] < out["S"]


def test_cli_fold_change_contract():
    p = run("fold-change", "--model", "shp1", "--tau1", "10", "--L1", "100", "--L2", "1000",
            "--m", "1", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert len(out["tau2"]) == len(out["fc"])
    assert out["fc_min"] <= min(out["fc"]) + 1e-12


def test_cli_data_ot1():
    out = json.loads(run("data", "ot1", "--json").stdout)
    assert [r["peptide"] for r in out["peptides"]][0] == "N4" and "Kondo" in out["sources"]


def test_cli_classify_shp1():
    p = run("classify", "--model", "shp1", "--m", "1", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    direct = classify_shp1(1)
    assert out["regime"] == direct.regime
    assert out["tau_star"] == pytest.approx(direct.tau_star)


def test_compiled_closed_forms_match_numpy_fallback(tmp_path):
    """The numba-compiled chain (generated module) and the numpy lambdify fallback agree."""
    import os

    script = ("import json; from antagonism.numerics.shp1 import SHP1Model; M = SHP1Model(m=2);"
              "g = M.gradient([10.0, 2.0], [100.0, 1000.0]);"
              "print(json.dumps({'out': g.steady_state.output, 'g': list(g.tau) + list(g.L),"
              "'kind': type(M.f['C']).__name__}))")
    runs = {}
    for flag in ("0", "1"):
        env = dict(os.environ, ANTAGONISM_DISABLE_NUMBA=flag, ANTAGONISM_CACHE_DIR=str(tmp_path))
        runs[flag] = json.loads(subprocess.run([sys.executable, "-c", script], env=env,
                                               check=True, capture_output=True,
                                               text=True).stdout)
    assert runs["0"]["kind"] == "DUFunc" and runs["1"]["kind"] == "function"
    assert runs["0"]["out"] == pytest.approx(runs["1"]["out"], rel=1e-12)
    np.testing.assert_allclose(runs["0"]["g"], runs["1"]["g"], rtol=1e-9)
