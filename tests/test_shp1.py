"""SHP-1 and adaptive-sorting models: closed forms against ODE integration and linear solves,
implicit gradients against finite differences, regimes, and the OT-1 data."""
import json

import numpy as np
import pytest
import sympy as sp
from helpers import partial_derivative, run_cli
from scipy.differentiate import derivative

from antagonism.derivations import SHP1, AdaptiveProofreading, AdaptiveSorting, adaptive_sorting
from antagonism.derivations import shp1 as d
from antagonism.derivations import symbols as sy
from antagonism.numerics.cells.ode import integrate_adaptive_sorting, integrate_shp1
from antagonism.numerics.data import check_kondo_binding_times, compare_ot1, load_ot1
from antagonism.numerics.experiments.potential import strongest_antagonist
from antagonism.theory import classify, fold_change, model_evaluator


@pytest.fixture(scope="module")
def model():
    return SHP1()


def numbers(model):
    return {k: float(v) for k, v in model.parameters().items()}


def test_classical_parameters_have_names_and_units():
    assert d.CLASSICAL["phi"].value == 0.09 and d.CLASSICAL["phi"].unit == "1/s"
    assert float(SHP1().p["C_star"]) == 500.0
    with pytest.raises(ValueError, match="unknown"):
        SHP1(foo=1)
    with pytest.raises(ValueError, match="m must be"):
        SHP1(m=7)
    with pytest.raises(ValueError, match="N must be a positive integer"):
        SHP1(N=2.5)


def chain_linear_solve(N, tau, C_T, dd, phi):
    """Independent: the steady-state chain equations as a linear system with sum = C_T."""
    A = np.zeros((N + 1, N + 1))
    for k in range(1, N):
        A[k, k - 1], A[k, k], A[k, k + 1] = phi, -(phi + dd + 1 / tau), dd
    A[N, N - 1], A[N, N] = phi, -(dd + 1 / tau)
    A[0, :] = 1
    return np.linalg.solve(A, np.r_[C_T, np.zeros(N)])


@pytest.fixture(scope="module")
def closed_form_chain():
    """The symbolic-N closed form A r_+^n + B r_-^n as an mpmath function of
    (n, N, tau, d, phi, C_T)."""
    plus, minus = d.characteristic_roots().expr
    expr = d.chain_solution().expr.subs({d.r_plus: plus, d.r_minus: minus})
    return sp.lambdify((d.n, d.N_int, sy.tau, d.d, d.phi, d.C_T), expr, "mpmath")


@pytest.mark.parametrize("tau", [1e-3, 0.1, 3.0, 30.0])
@pytest.mark.parametrize("dd", [0.04, 0.16])
def test_chain_closed_forms_equal_linear_solve(closed_form_chain, tau, dd):
    """Both derived chain forms against numpy: the symbolic-N closed form
    A r_+^n + B r_-^n (at 30 digits) and the rational form for N = 5 that the numerics use."""
    import mpmath as mp

    N, phi, CT = 5, 0.09, 500.0
    ref = chain_linear_solve(N, tau, CT, dd, phi)
    with mp.workdps(30):
        closed = [float(mp.re(closed_form_chain(k, N, mp.mpf(tau), mp.mpf(dd), mp.mpf(phi),
                                                mp.mpf(CT)))) for k in range(N + 1)]
    np.testing.assert_allclose(closed, ref, rtol=1e-10)
    at = {sy.tau: tau, d.d: dd, d.phi: phi}
    rational = [float(f.subs(at) * CT) for f in d.chain_fractions(N).fractions]
    np.testing.assert_allclose(rational, ref, rtol=1e-12)


def test_single_type_binding_is_the_derived_quadratic_root(model):
    root = d.total_balance().steps[-1].expr
    ev = model_evaluator(model)
    for tau, L in [(3.0, 1000.0), (0.1, 5e4), (20.0, 10.0)]:
        st = ev.steady_state([tau], [L])
        expected = float(root.subs({sy.tau: tau, sy.L: L, d.R: 3e4, d.kappa: 1e-4}))
        assert st.per_ligand("C_T")[0] == pytest.approx(expected, rel=1e-10)
        assert st.value("R_free") == pytest.approx(3e4 - expected, rel=1e-10)


@pytest.mark.parametrize("tau,L,m", [([3.0], [1000.0], 1), ([10.0], [100.0], 2),
                                      ([10.0, 2.0], [100.0, 1000.0], 1),
                                      ([10.0, 4.0, 0.5], [50.0, 300.0, 3000.0], 3)])
def test_steady_state_matches_ode_integration(tau, L, m):
    model = SHP1(m=m)
    st = model_evaluator(model).steady_state(tau, L)
    ode = integrate_shp1(tau, L, numbers(model))
    chains = np.array([st.per_ligand(f"C_{k}") for k in range(6)]).T
    np.testing.assert_allclose(chains, ode.chains, rtol=1e-6, atol=1e-9)
    assert st.value("S") == pytest.approx(ode.S, rel=1e-6)
    assert st.output == pytest.approx(ode.output, rel=1e-6)


@pytest.mark.parametrize("m", [1, 3])
def test_implicit_gradients_match_finite_differences(m):
    ev = model_evaluator(SHP1(m=m))
    tau, L = np.array([10.0, 2.0, 0.7]), np.array([100.0, 1000.0, 400.0])
    g = ev.gradient(tau, L)
    for j in range(3):
        for key, base in (("tau", tau), ("L", L)):
            def f(x, j=j, key=key, base=base):
                x = np.asarray(x)
                vals = []
                for xx in x.ravel():
                    b = base.copy()
                    b[j] = xx
                    vals.append(ev.output(b, L) if key == "tau" else ev.output(tau, b))
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


def test_adaptive_sorting_model_matches_ode_and_finite_differences():
    model = AdaptiveSorting(phi=1e-4, alpha=1.0, epsilon=1e-3, K_T=1e4, tau_c=3)
    ev = model_evaluator(model)
    tau, L = np.array([5.0, 1.0, 0.3]), np.array([200.0, 800.0, 500.0])
    ss = integrate_adaptive_sorting(tau, L, 1e-4, 1.0, 1e-3, 1e4)
    st = ev.steady_state(tau, L)
    assert st.output == pytest.approx(ss.output, rel=1e-7)
    assert st.value("K") == pytest.approx(ss.K, rel=1e-7)
    g = ev.gradient(tau, L)
    for j in range(3):
        fd = partial_derivative(lambda t: ev.output(t, L), tau, j, 1e-4 * tau[j])
        assert g.tau[j] == pytest.approx(fd, rel=1e-6)


def test_s_pathway_exponent_is_m_and_competition_dominates_at_small_tau():
    for m in (1, 2):
        excess = classify(SHP1(m=m, receptors_in_excess=True))
        assert excess.small_tau_exponent == pytest.approx(m, abs=0.2)
        assert excess.effective_m_predicted == m + 1
    classical = classify(SHP1(m=2))
    assert abs(classical.small_tau_exponent) < 0.1  # receptor competition: tau^0


def test_strongest_antagonist_is_located_to_one_percent(model):
    t, fc = strongest_antagonist(model, 10.0, 100.0, 1000.0)
    grid = np.geomspace(0.05, 10.0, 400)
    dense = fold_change(model, 10.0, 100.0, grid, 1000.0)
    assert t == pytest.approx(grid[np.argmin(dense)], rel=0.02)
    assert fc <= dense.min() + 1e-9 and fc < 1


def test_ot1_table_and_kondo_relation():
    table = load_ot1()
    assert list(table["peptide"]) == ["N4", "A2", "Y3", "Q4", "T4", "Q7", "V4", "G4", "E1"]
    assert check_kondo_binding_times(table)
    assert table["tau_fitted"][table["peptide"] == "E1"][0]
    assert set(table["peptide"][table["antagonist_panel"]]) == {"Q4", "T4", "V4", "G4", "E1"}


def test_compare_ot1_with_adaptive_proofreading():
    model = AdaptiveProofreading(5, 3, 3)
    res = compare_ot1(lambda t1, t2: float(fold_change(model, t1, 100.0, t2, 1000.0)), 3.0)
    assert res.peptides == ["Q4", "T4", "V4", "G4", "E1"]
    # the paper's fold-change formula, written out
    x = lambda t2: 1000 * t2**3 / (100 * 10.0**3 + 1000 * t2**3)  # noqa: E731
    expected = [1 - x(t) * (1 - (t / 10.0) ** 2) for t in res.tau_s]
    np.testing.assert_allclose(res.fc, expected, rtol=1e-12)
    assert res.strongest == res.peptides[int(np.argmin(expected))]


def test_cli_steady_contract(model):
    p = run_cli("steady", "--model", "shp1", "--tau", "3", "--L", "1000", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    st = model_evaluator(model).steady_state([3.0], [1000.0])
    assert out["C_N"] == pytest.approx(st.output) and out["S"] == pytest.approx(st.value("S"))
    assert out["C_T"] == pytest.approx(st.per_ligand("C_T")[0])
    assert out["C_m"] == pytest.approx(st.per_ligand("C_1")[0])
    assert out["R_free"] == pytest.approx(3e4 - out["C_T"])
    q = json.loads(run_cli("steady", "--tau", "3", "--L", "1000", "--param", "S_T=1e5",
                           "--json").stdout)
    assert q["S"] < out["S"]


def test_cli_fold_change_contract():
    p = run_cli("fold-change", "--model", "shp1", "--tau1", "10", "--L1", "100", "--L2", "1000",
                "--m", "1", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert len(out["tau2"]) == len(out["fc"]) and out["parameters"]["m"] == 1
    assert out["fc_min"] <= min(out["fc"]) + 1e-12


def test_cli_data_ot1():
    out = json.loads(run_cli("data", "ot1", "--json").stdout)
    assert [r["peptide"] for r in out["peptides"]][0] == "N4" and "Kondo" in out["sources"]


def test_cli_classify_shp1():
    p = run_cli("classify", "--model", "shp1", "--m", "1", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    direct = classify(SHP1(m=1))
    assert out["regime"] == direct.regime and out["parameters"]["m"] == 1
    assert out["tau_star"] == pytest.approx(direct.tau_star)
    # relative to the model's parameter tau_c (3 s), not to the agonists the probe sits next to
    assert out["parameters"]["tau_c"] == 3.0 and out["tau_star_over_tau_c"] == pytest.approx(
        out["tau_star"] / 3.0)
    assert out["effective_m_predicted"] == 2 and out["parameters"]["receptors_in_excess"] == 0
    assert "tau_c" not in out and "receptors_in_excess" not in out  # no key repeats another
    # the default level: the reference dose's response at tau_c, crossed there at tau_c
    thr = out["threshold"]
    ev = model_evaluator(SHP1(m=1))
    assert thr["level"] == pytest.approx(ev.output([3.0], [100.0]), rel=1e-12)
    assert thr["tau"] == pytest.approx(3.0, rel=1e-9) and thr["level_kind"] == "default"
    assert out["tau_star_over_tau_threshold"] == pytest.approx(out["tau_star"] / thr["tau"])
    # the done-when: the band of levels at which SHP-1 discriminates absolutely (its numbers
    # against an independent solver: tests/test_threshold_levels.py)
    lo, hi = thr["absolute_discrimination_levels"]
    assert lo < 0.126 and 0.2 < hi and not thr["absolute_discrimination"]["holds"]
    assert out["tau_star_at"].startswith("a dilute probe") and out["effective_m_note"]
    assert out["verdict"] == "specialized antagonism" and out["strength"]["strength"] < 0.1


def test_fold_change_argmin_is_labelled_and_tends_to_tau_star_for_a_dilute_dose():
    """The finite-dose argmin of FC is not tau*; it tends to tau* as L2 -> 0."""
    model = SHP1(m=1)
    star = classify(model).tau_star
    t_finite, _ = strongest_antagonist(model, 10.0, 100.0, 1000.0)
    t_dilute, _ = strongest_antagonist(model, 10.0, 100.0, 1e-3)
    assert t_finite < 0.8 * star and t_dilute == pytest.approx(star, rel=0.02)
    out = json.loads(run_cli("fold-change", "--L2", "1000", "--points", "5", "--json").stdout)
    assert "finite dose L2 = 1000" in out["tau2_argmin_at"] and "tau*" in out["note"]
