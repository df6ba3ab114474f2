"""Descent to the boundary, attacks in ligand space, antagonism curves: cross-checks against
the theory and an independent numpy reference."""
import json
import subprocess
import sys

import numpy as np
import pytest
from helpers import T_numpy, run_cli, tau_star
from scipy.differentiate import derivative

from antagonism.derivations import AdaptiveProofreading
from antagonism.numerics.attacks import Domain, fgsm, pgd
from antagonism.numerics.cells import CellObjective, paper_ligands
from antagonism.numerics.experiments.descent import (
    DescentStatus,
    descend_to_boundary,
)
from antagonism.numerics.experiments.potential import antagonism_potential
from antagonism.numerics.experiments.sweep import adaptive_grid, sweep_descent
from antagonism.theory import fold_change

TAU_C = 3.0


def T(N, m):
    """T_{N,m} at the figure scripts' tau_c = 3."""
    return AdaptiveProofreading(N, m, TAU_C)


@pytest.fixture(scope="module")
def descents(paper):
    """The paper's descent for every (N, m) these tests look at, computed once."""
    pairs = [(5, 3), (4, 3), (5, 2), (4, 1), (5, 1), (4, 2)]
    return {p: descend_to_boundary(T(*p), paper.tau, paper.L, max_iter=20000) for p in pairs}


@pytest.fixture(scope="module")
def paper():
    return paper_ligands(101**2, 0.3, TAU_C, seed=0)


def test_paper_ligands_are_seeded_and_split(paper):
    again = paper_ligands(101**2, 0.3, TAU_C, seed=0)
    np.testing.assert_array_equal(paper.tau, again.tau)
    assert paper.agonist.sum() == round(0.3 * 101**2)
    assert np.all(paper.tau[paper.agonist] >= TAU_C) and np.all(paper.tau[~paper.agonist] < TAU_C)
    assert not np.array_equal(paper.tau, paper_ligands(101**2, 0.3, TAU_C, seed=1).tau)


def numpy_reference_descent(tau, L, N, m, tau_c, eps, iters):
    """Plain textbook loop: g_j = (sum L / L_j) dT/dtau_j for tau_j < tau_c."""
    tau = tau.copy()
    for _ in range(iters):
        S_N, S_m = np.sum(L * tau**N), np.sum(L * tau**m)
        T = S_N / (tau_c ** (N - m) * S_m)
        g = L.sum() * tau ** (m - 1) * (N * tau ** (N - m) - m * T * tau_c ** (N - m)) / (
            tau_c ** (N - m) * S_m)
        move = tau < tau_c
        tau[move] = np.clip(tau[move] - eps * g[move], 1e-9 * tau_c, tau_c * (1 - 1e-12))
    return tau


@pytest.mark.parametrize("N,m", [(5, 3), (4, 1), (3.5, 1.5)])
def test_exact_descent_matches_numpy_reference(N, m):
    lig = paper_ligands(500, 0.3, TAU_C, seed=3)
    res = descend_to_boundary(T(N, m), lig.tau, lig.L, max_iter=5, ftol=0)
    ref = numpy_reference_descent(lig.tau, lig.L, N, m, TAU_C, 0.2, res.iterations)
    np.testing.assert_allclose(res.tau, ref, rtol=1e-10)


@pytest.mark.parametrize("N,m", [(5, 3), (4, 3), (5, 2)])
def test_large_m_piles_up_at_theory_tau_star(descents, N, m):
    res = descents[(N, m)]
    # the paper's set-up: moving self ligands alone cannot switch the cell off here
    assert res.status == "fixed-point" and not res.crossed and 1 < res.T_final < 1.1
    assert res.status is DescentStatus.FIXED_POINT and "robust" in res.message
    star = tau_star(N, m, TAU_C, res.T_final)  # the paper's formula, at the final T
    assert res.tau_star_predicted == pytest.approx(star, rel=1e-12)
    assert res.moved_tau_median == pytest.approx(star, rel=1e-6)
    assert res.fraction_near_tau_star > 0.95


def test_m_5_3_stalls_near_1_05(descents):
    assert descents[(5, 3)].T_final == pytest.approx(1.05, abs=0.01)  # "about 1.05"


@pytest.mark.parametrize("N,m", [(4, 1), (5, 1), (4, 2)])
def test_small_m_crosses_quickly(descents, N, m):
    res = descents[(N, m)]
    assert res.crossed and res.status == "crossed" and res.iterations < 100


@pytest.mark.parametrize("N", [4, 5])
def test_broad_attack_spreads_over_self_ligands(paper, descents, N):
    """m = 1: when the boundary is crossed every self ligand has moved and they are spread
    out, not piled at tau*; m = 3 at the same iteration has moved the weak ones hardly."""
    broad = descents[(N, 1)]
    self_ = ~paper.agonist
    shift = broad.tau[self_] - paper.tau[self_]
    assert np.all(shift > 0)
    assert broad.fraction_near_tau_star < 0.05
    q75, q25 = np.percentile(broad.tau[self_], [75, 25])
    assert q75 - q25 > 0.05  # spread out (a pile-up at tau* has an IQR of ~0)
    special = descend_to_boundary(T(N, 3), paper.tau, paper.L, max_iter=broad.iterations,
                                  ftol=0)
    weak = self_ & (paper.tau < 0.1)
    moved_weak = special.tau[weak] - paper.tau[weak]
    assert np.median(moved_weak) < 1e-2 * np.median(shift[paper.tau[self_] < 0.1])


def _authors_binned(tau, N, m, eps, n_iter):
    """An independent numpy transcription of the authors' binned procedure: 17 bins on
    [0, 3.5], gradients at linspace(0.1, 3.4, 17) with L = counts, tau < 0 reset to 0.1.
    Returns the binned T before each step."""
    tau = np.sort(tau.copy())
    edges, centres = np.linspace(0, 3.5, 18), np.linspace(0.1, 3.4, 17)
    history = []
    for _ in range(n_iter):
        counts, _ = np.histogram(tau, edges)
        T_b = T_numpy(centres, counts, N, m, TAU_C)
        history.append(T_b)
        S_m = counts @ centres**m
        g = counts * centres ** (m - 1) * (N * centres ** (N - m)
                                           - m * T_b * TAU_C ** (N - m)) / (
            TAU_C ** (N - m) * S_m)
        idx = np.clip(np.searchsorted(edges, tau, side="right") - 1, 0, 16)
        new = tau - np.where((tau < TAU_C) & (tau < 3.5), eps * g[idx], 0.0)
        tau = np.sort(np.where(new < 0, 0.1, new))
    return np.array(history)


def test_binned_procedure_is_the_authors(paper):
    res = descend_to_boundary(T(5, 3), paper.tau, paper.L, max_iter=3000, variant="binned")
    reference = _authors_binned(paper.tau, 5, 3, 0.2, 40)
    assert np.allclose(res.T_history[:40], reference, rtol=1e-10)
    assert np.sum(paper.tau > 3.5) > 0.3 * paper.agonist.sum()  # many agonists fall out
    # the quirk lets the binned run report a crossing that the exact T does not confirm
    assert res.status == "crossed" and res.T_final > 1
    # one step late: the binned output was already below 1 one step before the end
    assert res.T_history[-2] < 1 and res.T_history[-3] >= 1


def test_binned_procedure_has_no_false_fixed_point():
    """While no ligand changes bin the binned output stays the same; the procedure must go
    on (the authors' loop does), not stop on ftol."""
    from antagonism.numerics.experiments.descent import run_descent

    class Stuck:  # the output does not change although the ligands move
        output = 2.0

        def step(self):
            return 1e-3

    it, status, _, _ = run_descent(Stuck(), 1.0, 50, None)
    assert (it, status) == (50, DescentStatus.MAX_ITER)

    class Still(Stuck):  # nothing moves: a true fixed point
        def step(self):
            return 0.0

    it, status, _, _ = run_descent(Still(), 1.0, 50, None)
    assert (it, status) == (1, DescentStatus.FIXED_POINT)


@pytest.mark.slow
def test_binned_5_4_crosses_as_the_authors_script():
    p = run_cli("descend", "--N", "5", "--m", "4", "--variant", "binned", "--json")
    out = json.loads(p.stdout)
    assert out["status"] == "crossed" and out["T_binned"] < 1 and out["iterations"] > 5000


def test_fgsm_flips_m1_at_small_eps_but_not_large_m(paper):
    mask = (paper.tau < TAU_C)[None, :]
    dom = Domain(lower=1e-9, upper=TAU_C * (1 - 1e-12), mask=mask)
    eps = 0.7  # < tau_c / 4
    flips = {}
    for N, m in [(4, 1), (3, 1), (5, 3), (4, 3), (5, 4)]:
        obj = CellObjective(T(N, m), paper.tau, paper.L)
        flips[(N, m)] = bool(fgsm(obj, obj.x0(), eps, domain=dom).success[0])
    assert flips == {(4, 1): True, (3, 1): True, (5, 3): False, (4, 3): False, (5, 4): False}


@pytest.mark.parametrize("N,m", [(5, 3), (4, 3)])
def test_no_attack_crosses_where_theory_says_no_crossing_exists(paper, descents, N, m):
    """Paper set-up, m = 3: the descent's fixed point (every self ligand at tau*(T)) keeps
    T > 1, so neither FGSM at any eps nor PGD with the whole range as budget may succeed."""
    fixed = descents[(N, m)]
    assert fixed.status == "fixed-point" and fixed.T_final > 1
    obj = CellObjective(T(N, m), paper.tau, paper.L)
    dom = Domain(lower=1e-9, upper=TAU_C * (1 - 1e-12), mask=(paper.tau < TAU_C)[None, :])
    for eps in np.arange(0.1, 3.01, 0.1):
        assert not fgsm(obj, obj.x0(), eps, domain=dom).success[0]
    p = pgd(obj, obj.x0(), TAU_C, step=0.05, n_steps=300, random_init=False, domain=dom)
    assert not p.success[0]
    assert np.exp(-p.loss[0]) >= fixed.T_final * (1 - 1e-3)


def test_pgd_succeeds_where_fgsm_fails_when_a_crossing_exists():
    """20 % agonists: moving the self ligands to tau* crosses the boundary (the descent shows
    it), PGD finds it, FGSM fails at every small eps and at the full budget."""
    lig = paper_ligands(101**2, 0.2, TAU_C, seed=0)
    assert descend_to_boundary(T(5, 3), lig.tau, lig.L, max_iter=20000).crossed
    obj = CellObjective(T(5, 3), lig.tau, lig.L)
    dom = Domain(lower=1e-9, upper=TAU_C * (1 - 1e-12), mask=(lig.tau < TAU_C)[None, :])
    for eps in np.arange(0.1, 1.01, 0.1):
        assert not fgsm(obj, obj.x0(), eps, domain=dom).success[0]
    assert not fgsm(obj, obj.x0(), TAU_C, domain=dom).success[0]
    p = pgd(obj, obj.x0(), TAU_C, step=0.05, n_steps=300, random_init=False, domain=dom)
    assert p.success[0]
    moved = p.x_adv[0][lig.tau < TAU_C]
    T_adv = np.exp(-p.loss[0])
    assert np.median(moved) == pytest.approx(tau_star(5, 3, TAU_C, T_adv), rel=0.05)


def test_pgd_random_restarts_are_seeded(paper):
    obj = CellObjective(T(4, 1), paper.tau[:300], paper.L[:300])
    dom = Domain(lower=1e-9, upper=TAU_C, mask=(paper.tau[:300] < TAU_C)[None, :])
    a = pgd(obj, obj.x0(), 0.3, n_steps=5, restarts=2, domain=dom, seed=7)
    b = pgd(obj, obj.x0(), 0.3, n_steps=5, restarts=2, domain=dom, seed=7)
    np.testing.assert_array_equal(a.x_adv, b.x_adv)
    assert a.seed == 7


@pytest.mark.parametrize("N,m", [(4, 2), (5, 3), (4, 1), (6, 4)])
def test_potential_minimum_and_inflection(N, m):
    res = antagonism_potential(T(N, m))
    # the minimum is the self-consistent strongest antagonist tau*(T_min) of the theory
    assert res.tau_min == pytest.approx(tau_star(N, m, TAU_C, res.T_min), rel=1e-9)
    L1, L2 = res.L1, res.L2
    T_of = lambda t: np.array([T_numpy([TAU_C, x], [L1, L2], N, m, TAU_C)
                               for x in np.ravel(t)]).reshape(np.shape(t))
    assert derivative(T_of, res.tau_min, initial_step=0.01).df == pytest.approx(0, abs=1e-9)
    assert (res.tau_inflection is not None) == (m > 1)  # the paper: iff m > 1
    if res.tau_inflection is not None:
        d2 = lambda t: derivative(lambda y: derivative(T_of, y, initial_step=1e-3).df, t,
                                  initial_step=1e-2).df
        t = res.tau_inflection
        assert d2(0.99 * t) < 0 < d2(1.01 * t)  # finite differences change sign there
        assert abs(d2(t)) < 1e-3 * max(abs(d2(0.9 * t)), abs(d2(1.1 * t)))
    np.testing.assert_allclose(res.fc, fold_change(T(N, m), TAU_C, L1, res.tau2, L2),
                               rtol=1e-10)


def test_sweep_over_grid():
    out = sweep_descent([T(4, 1), T(5, 3)], n_ligands=2000, seed=0, progress=False,
                        max_iter=20000)
    assert [r["status"] for r in out] == ["crossed", "fixed-point"]
    assert [(m.N, m.m) for m in adaptive_grid([2, 3])] == [(2, 0), (2, 1), (3, 0), (3, 1),
                                                             (3, 2)]


def test_cli_descend_contract():
    p = run_cli("descend", "--model", "adaptive", "--N", "5", "--m", "3", "--tau-c", "3",
                "--agonist-fraction", "0.3", "--ligands", "10201", "--seed", "0", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    for key in ("converged", "iterations", "T_final", "tau_star_predicted", "moved_tau_median",
                "moved_tau_iqr", "fraction_near_tau_star"):
        assert key in out
    assert out["converged"] and out["T_final"] > 1
    assert out["moved_tau_median"] == pytest.approx(out["tau_star_predicted"], rel=1e-6)
    assert out["fraction_near_tau_star"] > 0.95


def test_cli_potential_contract():
    p = run_cli("potential", "--model", "adaptive", "--N", "4", "--m", "2", "--tau-c", "3",
                "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["tau_min"] == pytest.approx(tau_star(4, 2, 3.0, out["T_min"]))
    assert 0 < out["tau_inflection"] < out["tau_min"]
    broad = json.loads(run_cli("potential", "--N", "4", "--m", "1", "--json").stdout)
    assert broad["tau_inflection"] is None


@pytest.mark.slow
def test_benchmark_script_runs(tmp_path):
    """The benchmark harness itself (not its timings): runs on a small size, prints JSON."""
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "ligand_descent.py"
    p = subprocess.run([sys.executable, str(script), "--sizes", "2000", "--iters", "5",
                        "--repeats", "2", "--json"], capture_output=True, text=True,
                       timeout=600, check=True)
    out = json.loads(p.stdout)
    assert out["cpu_count"] >= 1 and len(out["kernels"]) == 4
    for block in out["kernels"].values():
        row = block["sizes"]["2000"]
        assert {"ns_per_ligand_iter", "speedup_vs_numpy", "ratio_to_floor", "load_average",
                "repeats"} <= set(row) and row["repeats"] == 2
        for stats in (row["ratio_to_floor"], *row["ns_per_ligand_iter"].values()):
            assert 0 < stats["min"] <= stats["median"] <= stats["max"]
        assert block["warm_start_s"] > 0


def test_parallel_sweep_matches_serial():
    pairs = [T(4, 1), T(3, 2)]
    serial = sweep_descent(pairs, n_ligands=600, seed=1, progress=False, max_iter=3000)
    parallel = sweep_descent(pairs, n_ligands=600, seed=1, progress=False, max_iter=3000,
                             workers=2)
    for a, b in zip(serial, parallel):
        assert a["status"] == b["status"] and a["iterations"] == b["iterations"]
        np.testing.assert_allclose(a["tau"], b["tau"], rtol=1e-12)
