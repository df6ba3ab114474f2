"""Every name in ``antagonism.numerics.attacks.__all__``, as torchattacks tests all its attacks:
each attack runs on a small network, returns an AttackResult whose inputs stay in the eps-ball,
the box and the mask, and gives the same result for the same seed; every other name exists
and is documented."""
import inspect

import numpy as np
import pytest

from antagonism._core.errors import InputError
from antagonism.numerics import attacks
from antagonism.numerics.attacks import AttackResult, Domain
from antagonism.numerics.networks.defences import SmoothFilter
from antagonism.numerics.networks.objective import NetworkObjective
from antagonism.numerics.networks.zoo import mlp

# attack -> keyword arguments that keep it small (every attack takes objective, x, eps)
ATTACKS = {"fgsm": {}, "pgd": {"n_steps": 10, "restarts": 2}, "pgd_bpda": {"n_steps": 10},
           "square": {"n_queries": 60}}
NORMS = {"fgsm": ("inf", "2"), "pgd": ("inf", "2"), "pgd_bpda": ("inf", "2"),
         "square": ("inf",)}
OTHERS = {"AttackResult", "BPDAObjective", "Domain", "project", "random_start"}
N_FEATURES, EPS = 16, {"inf": 0.3, "2": 1.0}
CASES = [(name, norm) for name in ATTACKS for norm in NORMS[name]]


@pytest.fixture(scope="module")
def setting():
    """A small MLP behind a smooth filter (a defence BPDA sees through), inputs in [0, 1]
    labelled by the network itself, and a domain that freezes the first four features."""
    model = mlp(n_pixels=N_FEATURES, n_classes=3, hidden=(8,), seed=0, preprocess=SmoothFilter())
    x = np.random.default_rng(1).uniform(size=(6, N_FEATURES))
    mask = np.arange(N_FEATURES) >= 4
    return NetworkObjective(model, model.predict(x)), x, Domain(0.0, 1.0, mask)


def run(name, objective, x, eps, norm="inf", domain=None, seed=None):
    kwargs = dict(ATTACKS[name], domain=domain)
    if name != "square":
        kwargs["norm"] = norm
    if seed is not None and name != "fgsm":  # fgsm is deterministic and takes no seed
        kwargs["seed"] = seed
    return getattr(attacks, name)(objective, x, eps, **kwargs)


def test_every_name_is_covered():
    assert set(attacks.__all__) == set(ATTACKS) | OTHERS
    assert sorted(attacks.__all__) == list(attacks.__all__)


@pytest.mark.parametrize("name", sorted(attacks.__all__))
def test_every_name_exists_and_is_documented(name):
    obj = getattr(attacks, name)
    assert len(inspect.getdoc(obj) or "") > 40, f"{name} has no docstring"
    if name in ATTACKS:
        assert ">>>" in obj.__doc__, f"{name} has no example"


@pytest.mark.parametrize("name,norm", CASES)
def test_attack_stays_in_ball_box_and_mask(name, norm, setting):
    objective, x, domain = setting
    eps = EPS[norm]
    res = run(name, objective, x, eps, norm, domain, seed=3)
    assert isinstance(res, AttackResult) and res.attack == name
    assert res.eps == eps and res.norm == norm
    assert res.x_adv.shape == x.shape and np.all(np.isfinite(res.x_adv))
    d = (res.x_adv - x).reshape(len(x), -1)
    size = np.abs(d).max(axis=1) if norm == "inf" else np.linalg.norm(d, axis=1)
    assert np.all(size <= eps * (1 + 1e-12))
    assert res.x_adv.min() >= 0.0 and res.x_adv.max() <= 1.0
    np.testing.assert_array_equal(res.x_adv[:, :4], x[:, :4])  # frozen by the mask
    # the reported outcome is the objective's at x_adv
    np.testing.assert_array_equal(res.success, objective.success(res.x_adv))
    np.testing.assert_allclose(res.loss, objective.loss(res.x_adv), rtol=1e-12)
    assert res.loss_history.shape[1] == len(x)
    assert res.success.any(), f"{name} flipped no decision at eps={eps}"
    res.to_dict()  # serialisable


@pytest.mark.parametrize("name,norm", CASES)
def test_attack_is_reproducible_with_the_same_seed(name, norm, setting):
    objective, x, domain = setting
    a = run(name, objective, x, EPS[norm], norm, domain, seed=7)
    b = run(name, objective, x, EPS[norm], norm, domain, seed=7)
    np.testing.assert_array_equal(a.x_adv, b.x_adv)
    np.testing.assert_array_equal(a.loss_history, b.loss_history)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_with_zero_budget_changes_nothing(name, setting):
    objective, x, _ = setting
    res = run(name, objective, x, 0.0, seed=0)
    np.testing.assert_array_equal(res.x_adv, x)
    assert not res.success.any()


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attack_refuses_a_negative_budget(name, setting):
    objective, x, _ = setting
    with pytest.raises(InputError, match="eps"):
        run(name, objective, x, -0.1)


@pytest.mark.parametrize("norm", ["inf", "2"])
def test_random_start_and_project_stay_in_ball_and_domain(norm):
    x0 = np.random.default_rng(0).uniform(size=(5, 3))
    domain = Domain(0.0, 1.0, np.array([True, True, False]))
    start = attacks.random_start(x0, 0.2, norm, domain, rng=4)
    far = attacks.project(x0 + 10.0, x0, 0.2, norm, domain)
    for x in (start, far):
        d = x - x0
        size = np.abs(d).max(axis=1) if norm == "inf" else np.linalg.norm(d, axis=1)
        assert np.all(size <= 0.2 * (1 + 1e-12)) and x.min() >= 0 and x.max() <= 1
        np.testing.assert_array_equal(x[:, 2], x0[:, 2])
    np.testing.assert_array_equal(start, attacks.random_start(x0, 0.2, norm, domain, rng=4))
    with pytest.raises(InputError, match="norm"):
        attacks.project(x0, x0, 0.2, norm="1")
