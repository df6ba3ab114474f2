"""Landscapes, response curves and the regime measures, on cases with known answers."""
import numpy as np
import pytest
from helpers import tau_inflection
from scipy.differentiate import derivative

from antagonism.derivations import SHP1, AdaptiveProofreading
from antagonism.numerics.attacks import Domain
from antagonism.numerics.cells import CellObjective, paper_ligands
from antagonism.numerics.experiments.landscapes import (
    _orthogonal_random,
    agonist_and_self_types,
    objective_landscape,
    response_curve,
)
from antagonism.numerics.experiments.regime_measures import cell_measures


def test_response_curve_interior_peak_and_weak_end():
    v = np.linspace(0, 1, 401)
    # loss rises like a sigmoid centred at 0.4 up to its maximum at 0.8: steepest at 0.4
    sig = response_curve(lambda x: np.tanh(10 * (x - 0.4)) - 2 * max(x - 0.8, 0) ** 2, v)
    assert sig.interior and sig.argmax_abs_gradient == pytest.approx(0.4, abs=0.01)
    assert sig.argmax == pytest.approx(0.8, abs=0.01)
    # concave rise: steepest at the weak end
    conc = response_curve(lambda x: np.sqrt(x + 1e-3), v)
    assert not conc.interior and conc.argmax_abs_gradient == 0.0


def test_orthogonal_random_direction():
    rng = np.random.default_rng(0)
    d = np.sign(rng.normal(size=(3, 50)))
    r = _orthogonal_random(d, rng)
    np.testing.assert_allclose((r * d).sum(axis=1), 0, atol=1e-10)
    np.testing.assert_allclose(np.linalg.norm(r, axis=1), np.linalg.norm(d, axis=1))


def test_landscape_origin_is_the_unattacked_loss_and_frozen_inputs_stay():
    lig = paper_ligands(300, 0.3, 3.0, seed=0)
    obj = CellObjective(AdaptiveProofreading(4, 1, 3.0), lig.tau, lig.L)
    dom = Domain(lower=1e-6, upper=3.0 * (1 - 1e-12), mask=(lig.tau < 3.0)[None, :])
    ls = objective_landscape(obj, obj.x0(), [0.0, 1.0], [0.0], seed=0, domain=dom)
    assert ls.loss[0, 0] == pytest.approx(obj.loss_and_grad(obj.x0())[0][0])
    assert ls.loss[1, 0] > ls.loss[0, 0]  # the gradient-sign step raises the attack loss


def test_shp1_objective_gradient_matches_finite_differences():
    tau, L = agonist_and_self_types(4, seed=1)
    obj = CellObjective(SHP1(m=2), tau, L)
    loss, grad = obj.loss_and_grad(obj.x0())
    for j in range(len(tau)):
        def f(x, j=j):
            x = np.asarray(x)
            out = []
            for xx in x.ravel():
                row = tau.copy()
                row[j] = xx
                out.append(obj.loss(row[None, :])[0])
            return np.array(out).reshape(x.shape)
        fd = derivative(f, tau[j], initial_step=0.01 * tau[j]).df
        assert grad[0, j] == pytest.approx(fd, rel=1e-6, abs=1e-12)
    assert obj.success(obj.x0())[0] == (loss[0] > 0)
    # no absolute threshold: half the agonist's output alone (the only type above tau_c)
    alone = obj.evaluator.output(tau[:1], L[:1])
    assert obj.threshold == pytest.approx(0.5 * alone)


@pytest.mark.parametrize("N,m", [(4, 1), (5, 3)])
def test_cell_measures_follow_the_theory(N, m):
    model = AdaptiveProofreading(N, m, 3.0)
    r = cell_measures(model, n_ligands=400)
    assert r.regime == ("specialized" if m > 1 else "broad")  # SCIENCE.md: iff m > 1
    if r.critical_point_score:
        # the most sensitive tau of the response curve is tau_infl at the ensemble's T
        # (dilute limit: one ligand of 400; grid step 0.25 % of tau_c)
        lig = paper_ligands(400, 0.3, 3.0, seed=0)
        T0 = np.exp(CellObjective(model, lig.tau, lig.L).log_output(lig.tau[None, :])[0])
        assert r.strongest_inputs == pytest.approx(tau_inflection(N, m, 3.0, T0) / 3.0,
                                                   rel=0.02)
