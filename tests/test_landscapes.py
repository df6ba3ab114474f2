"""Landscapes and cell objectives, on cases with known answers."""
import numpy as np
import pytest
from scipy.differentiate import derivative

from antagonism.derivations import SHP1, AdaptiveProofreading
from antagonism.numerics.attacks import Domain
from antagonism.numerics.cells import CellObjective, paper_ligands
from antagonism.numerics.experiments.landscapes import (
    _orthogonal_random,
    agonist_and_self_types,
    objective_landscape,
)


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
