"""The model protocol: a new model defined here, through the public protocol alone, gets
derive, classify, potential, descend, a figure and the command line -- without touching the
package.  Every number is checked against plain numpy written in this file."""
import json

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from helpers import partial_derivative, run_cli
from scipy.optimize import brentq

from antagonism.derivations import (
    CellModel,
    Parameter,
    SumForm,
    derive,
    model_spec,
    register_model,
    unregister_model,
)
from antagonism.derivations import symbols as sy
from antagonism.numerics.cells import CellObjective, cell_evaluator, paper_ligands
from antagonism.numerics.experiments.descent import descend_to_boundary
from antagonism.numerics.experiments.potential import antagonism_potential
from antagonism.numerics.figures import make_figures
from antagonism.theory import classify, model_evaluator

N, M, TAU_C, TAU_S, K = 4, 2, 3.0, 10.0, 50.0


def weight(t, k, tau_c=TAU_C, tau_s=TAU_S):
    """Limited signalling: a complex past step k signals like (t/tau_c)^k, damped by
    1/(1 + t/tau_s) for long-lived complexes that stop signalling."""
    return (t / tau_c) ** k / (1 + t / tau_s)


def toy_numpy(taus, Ls):
    """The toy output, written independently in numpy: signalling C_N over a negative
    feedback term driven by C_m."""
    taus, Ls = np.asarray(taus, float), np.asarray(Ls, float)
    return np.sum(Ls * weight(taus, N)) / (K + np.sum(Ls * weight(taus, M)))


class FeedbackKPR(CellModel):
    """KPR with limited signalling and negative feedback (a toy): output only."""

    name = "toy-feedback-kpr"
    title = "toy: limited-signalling KPR with a negative feedback term"

    def __init__(self, N=N, m=M, tau_c=TAU_C, tau_s=TAU_S, K=K):
        self.set_parameters(N=N, m=m, tau_c=tau_c, tau_s=tau_s, K=K)

    def w(self, t, k):
        return (t / self.tau_c) ** k / (1 + t / self.tau_s)

    def output(self, taus, Ls):
        signal = sum(L * self.w(t, self.N) for t, L in zip(taus, Ls))
        feedback = sum(L * self.w(t, self.m) for t, L in zip(taus, Ls))
        return signal / (self.K + feedback)


class FeedbackKPRSums(FeedbackKPR):
    """The same toy with its sum form: the fast route."""

    name = "toy-feedback-kpr-sums"

    def sum_form(self):
        A, B = sp.symbols("A B", positive=True)
        return SumForm(terms={A: sy.L * self.w(sy.tau, self.N), B: sy.L * self.w(sy.tau, self.m)},
                       output=A / (self.K + B))


BACKGROUND = ([3.0], [1.0])  # the default reference background: one agonist at tau_c, L = 1


def numeric_gamma(x):
    """d/dtau of dF/dL_probe at L_probe = 0: the dilute probe's gradient per molecule,
    by mpmath's numerical differentiation (40 digits) of the toy output."""
    with mp.workdps(40):
        def F(t, Lp):
            w = lambda u, k: (u / TAU_C) ** k / (1 + u / TAU_S)  # noqa: E731
            t0, L0 = mp.mpf(BACKGROUND[0][0]), mp.mpf(BACKGROUND[1][0])
            return (L0 * w(t0, N) + Lp * w(t, N)) / (K + L0 * w(t0, M) + Lp * w(t, M))
        response = lambda t: mp.diff(lambda Lp: F(t, Lp), 0)  # noqa: E731
        return float(mp.diff(response, mp.mpf(x)))


@pytest.fixture(scope="module", params=[FeedbackKPR, FeedbackKPRSums])
def toy(request):
    return request.param()


def test_output_and_gradient_match_numpy(toy):
    ev = model_evaluator(toy)
    tau, L = np.array([3.5, 0.4, 1.7, 2.9]), np.array([30.0, 100.0, 20.0, 5.0])
    assert ev.output(tau, L) == pytest.approx(toy_numpy(tau, L), rel=1e-12)
    g = ev.gradient(tau, L)
    for j in range(tau.size):
        fd = partial_derivative(lambda t: toy_numpy(t, L), tau, j, 1e-6 * tau[j])
        assert g.tau[j] == pytest.approx(fd, rel=1e-6)


def test_derive_gives_the_gradient(toy):
    d = derive(toy, "gradient")
    assert d.route == ("sum form" if toy.sum_form() else "explicit mixture")
    assert derive(toy, "tau-star").closed_form is False  # no closed form: numerics decide


def test_classify_finds_the_numeric_critical_points(toy):
    r = classify(toy)
    star = brentq(numeric_gamma, 0.1, 2.99, xtol=1e-12)  # gamma changes sign from - to +
    assert r.tau_star == pytest.approx(star, rel=1e-5)
    assert r.small_tau_exponent == pytest.approx(M - 1, abs=1e-6)  # gamma ~ -tau^(m-1)
    # the regime is the gradient's shape, whatever the verdict (never None)
    assert r.regime == "specialized" and r.escape == "exponential"
    assert r.verdict == ("specialized antagonism" if r.strength.antagonism
                         else "no antagonism")
    # the inflection: where gamma itself is extremal below tau*
    dgamma = lambda x: (numeric_gamma(x * 1.0001) - numeric_gamma(x * 0.9999)) / (2e-4 * x)  # noqa
    assert r.tau_inflection == pytest.approx(brentq(dgamma, 0.05, star), rel=1e-3)


def test_potential_minimum_is_the_numeric_one(toy):
    res = antagonism_potential(toy, n_points=200)
    L1, L2 = res.L1, res.L2
    dT = lambda t2: (toy_numpy([TAU_C, t2 * 1.000001], [L1, L2])  # noqa: E731
                     - toy_numpy([TAU_C, t2 * 0.999999], [L1, L2])) / (2e-6 * t2)
    assert res.tau_min == pytest.approx(brentq(dT, 0.1, 2.99, xtol=1e-12), rel=1e-6)
    assert res.T_min == pytest.approx(toy_numpy([TAU_C, res.tau_min], [L1, L2]), rel=1e-12)


def test_descend_moves_weak_ligands_to_the_strongest_antagonist(toy):
    lig = paper_ligands(120, 0.3, TAU_C, seed=2)
    res = descend_to_boundary(toy, lig.tau, lig.L, eps=0.5, max_iter=3000)
    assert res.status in ("crossed", "fixed-point") and res.converged
    assert res.T_final < res.T_initial
    assert res.threshold == pytest.approx(0.5 * toy_numpy(lig.tau[lig.agonist],
                                                          lig.L[lig.agonist]))
    moved = res.tau[res.movable]
    assert np.all(moved >= lig.tau[res.movable] - 1e-12)  # antagonists move up, not down


def test_both_routes_agree():
    tau, L = np.array([3.5, 0.4, 1.7]), np.array([30.0, 100.0, 20.0])
    a, b = cell_evaluator(FeedbackKPR()), cell_evaluator(FeedbackKPRSums())
    np.testing.assert_allclose(a.grad_output(tau, L), b.grad_output(tau, L), rtol=1e-10)
    obj = CellObjective(FeedbackKPRSums(), tau, L)
    assert obj.loss(obj.x0())[0] == pytest.approx(np.log(obj.threshold)
                                                  - np.log(toy_numpy(tau, L)))


def test_a_figure_of_the_new_model(tmp_path):
    meta = make_figures(tmp_path, quick=True, only=["antagonism_potential"], progress=False,
                        options={"antagonism_potential": {"models": [FeedbackKPRSums()]}})
    summary = meta["antagonism_potential"]["summary"][FeedbackKPRSums().label()]
    assert summary["tau_min"] == pytest.approx(
        antagonism_potential(FeedbackKPRSums(), n_points=120).tau_min)
    assert (tmp_path / "antagonism_potential.png").stat().st_size > 0


@pytest.fixture
def registered():
    spec = register_model("toy", FeedbackKPRSums, parameters={
        "N": Parameter(N, "", "proofreading steps"), "m": Parameter(M, "", "feedback step"),
        "tau_c": Parameter(TAU_C, "s", "threshold"), "tau_s": Parameter(TAU_S, "s", "decay"),
        "K": Parameter(K, "molecules", "feedback constant")}, capabilities={"sum-form"})
    yield spec
    unregister_model("toy")


def test_the_command_line_knows_a_registered_model(registered):
    assert model_spec("toy") is registered
    out = json.loads(run_cli("classify", "--model", "toy", "--json").stdout)
    assert out["tau_star"] == pytest.approx(brentq(numeric_gamma, 0.1, 2.99, xtol=1e-12),
                                            rel=1e-5)
    p = run_cli("descend", "--model", "toy", "--ligands", "100", "--eps", "0.5", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["model"] == "toy-feedback-kpr-sums"


def test_registered_capabilities_are_what_the_models_provide():
    from antagonism.derivations import model_names

    for name in model_names():
        spec = model_spec(name)
        model = spec.create()
        form = model.sum_form()
        assert ("sum-form" in spec.capabilities) == (form is not None), name
        assert ("shared-variables" in spec.capabilities) == bool(form and form.shared), name
        assert ("absolute-threshold" in spec.capabilities) == (model.threshold is not None)
