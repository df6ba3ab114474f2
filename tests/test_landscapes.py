"""Landscapes, response curves and the regime measures, on cases with known answers."""
import numpy as np
import pytest
from scipy.differentiate import derivative

from antagonism.numerics.attacks import Domain
from antagonism.numerics.cell_objective import CellObjective, SHP1CellObjective
from antagonism.numerics.landscapes import (
    _orthogonal_random,
    objective_landscape,
    response_curve,
    shp1_ligands,
)
from antagonism.numerics.ligands import paper_ligands
from antagonism.numerics.regime_compare import cell_measures
from antagonism.theory import classify_regime, inflection_binding_time


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
    obj = CellObjective(lig.tau, lig.L, 4, 1, 3.0)
    dom = Domain(lower=1e-6, upper=3.0 * (1 - 1e-12), mask=(lig.tau < 3.0)[None, :])
    ls = objective_landscape(obj, obj.x0(), [0.0, 1.0], [0.0], seed=0, domain=dom)
    assert ls.loss[0, 0] == pytest.approx(obj.loss_and_grad(obj.x0())[0][0])
    assert ls.loss[1, 0] > ls.loss[0, 0]  # the gradient-sign step raises the attack loss


def test_shp1_objective_gradient_matches_finite_differences():
    tau, L = shp1_ligands(4, seed=1)
    obj = SHP1CellObjective(tau, L, tau < 5.0, m=2)
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
    assert obj.success(obj.x0())[0] == (np.exp(-loss[0]) < obj.threshold)


@pytest.mark.parametrize("N,m", [(4, 1), (5, 3)])
def test_cell_measures_follow_the_theory(N, m):
    r = cell_measures(N, m, n_ligands=400)
    assert r.regime == classify_regime("adaptive", N, m).regime
    if r.critical_point_score:
        # the most sensitive tau of the response curve is the theory's tau_infl at the
        # ensemble's T (dilute limit: one ligand of 400; grid step 0.25 % of tau_c)
        lig = paper_ligands(400, 0.3, 3.0, seed=0)
        T0 = np.exp(CellObjective(lig.tau, lig.L, N, m, 3.0).log_output(lig.tau[None, :])[0])
        infl = inflection_binding_time(N, m, 3.0, T0) / 3.0
        assert r.strongest_inputs == pytest.approx(infl, rel=0.02)
