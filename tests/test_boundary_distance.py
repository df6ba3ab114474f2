"""Claim 14's quantity: q, the signed L-inf distance of a point to the decision boundary
over the attack budget (:func:`~antagonism.numerics.regime.boundary.boundary_distance`).

Known truth: for a two-class linear classifier without bounds the L-inf distance of x to
the boundary w.x + b = 0 is |w.x + b| / ||w||_1 (Hoelder), on either side; the strongest
L-inf perturbation of size eps moves the point exactly eps closer (q_attack = q_clean - 1),
while a random +-eps perturbation moves it by |w.r| / ||w||_1, much less.  A signed distance
is 1-Lipschitz: no perturbation of size eps changes q by more than 1."""
import numpy as np
import pytest

from antagonism.numerics.networks.objective import NetworkObjective
from antagonism.numerics.regime.boundary import boundary_distance, network_boundary


def _linear(seed=0, dim=20):
    rng = np.random.default_rng(seed)
    w, b = rng.normal(size=dim), 0.3
    W = np.stack([w / 2, -w / 2], axis=1)  # z_0 - z_1 = w.x + b
    bias = np.array([b / 2, -b / 2])

    return (lambda x: np.asarray(x) @ W + bias, lambda x, g: np.asarray(g) @ W.T), w, b, rng


def test_distance_of_a_linear_classifier_is_hoelders():
    clf, w, b, rng = _linear()
    x = rng.normal(size=(60, w.size)) * 0.2
    exact = np.abs(x @ w + b) / np.abs(w).sum()
    y = np.zeros(len(x), int)  # class 0 wherever w.x + b > 0: the rest start past the boundary
    d, censored = boundary_distance(NetworkObjective(clf, y), x, 2.0, bisections=12)
    resolution = 2.0 / 2**12
    assert not censored.any()
    assert np.all(np.sign(d) == np.sign(x @ w + b))  # past the boundary: negative
    assert np.abs(d) == pytest.approx(exact, abs=2 * resolution)
    assert np.all(np.abs(d) >= exact - 1e-12)  # a certificate: never below the truth


def test_strongest_perturbation_walks_straight_to_the_boundary_random_does_not():
    """The control with known truth: aimed (PGD) against random, same L-inf size."""
    from antagonism.numerics.networks.classifier import as_classifier

    clf, w, b, rng = _linear(1, dim=64)
    x = rng.uniform(0.3, 0.7, size=(40, w.size))
    y = (x @ w + b < 0).astype(int)  # every point classified correctly
    eps = 0.25 * np.min(np.abs(x @ w + b) / np.abs(w).sum())  # no point crosses
    out = network_boundary(as_classifier(clf), x, y, eps, bisections=12)
    q_clean, q_att, q_rand = (np.array(out[k]["q"]) for k in ("clean", "attack", "random"))
    tol = 2 * (1.0 / 2**12) / eps  # the bisection's resolution on [0, 1], in budgets
    assert out["attack_success"] == 0.0
    assert q_att == pytest.approx(q_clean - 1.0, abs=tol)
    assert out["attack"]["median_approach"] == pytest.approx(1.0, abs=tol)
    assert np.median(np.abs(q_rand - q_clean)) < 0.3  # ~ sqrt(d)/d of the budget
    for q in (q_att, q_rand):  # 1-Lipschitz, to the bisection's resolution
        assert np.all(np.abs(q - q_clean) <= 1.0 + tol)


def test_a_cell_is_measured_by_the_same_quantity():
    """Claim 11's T_{5,2} cell at 0.5 s: PGD on the binding times switches it off (q < 0)
    after walking the whole budget toward the boundary (q_clean - q_attack = 1, the
    Lipschitz bound, as for a linear classifier); the random move of the same size does not
    switch it off and moves it less."""
    from antagonism.numerics.regime.boundary import cell_boundary

    rows = cell_boundary(ms=(2,), seeds=(0,), eps=0.5, bisections=8)["rows"]
    r = rows[0]
    assert r["q_attack"] < 0 < r["q_random"] < r["q_clean"]
    assert r["q_clean"] - r["q_attack"] == pytest.approx(1.0, abs=0.05)


def test_boundary_report_on_injected_networks():
    """Plumbing on small digit MLPs (no training): per seed and network the medians are the
    medians of the q values, the paired comparison the per-seed differences, and no q moves
    by more than the budget (1-Lipschitz)."""
    from antagonism.numerics.networks.zoo import mlp
    from antagonism.numerics.regime.boundary import boundary_report

    def networks(data, seed, names):
        nets = {"natural": mlp(64, 10, (16,), seed=seed),
                "pgd_trained": mlp(64, 10, (16,), seed=seed + 100)}
        return {n: {"model": nets[n], "defended": False, "train_seconds": 0.0} for n in names}

    rep = boundary_report((0, 1), dataset="digits", eps=0.1, n_images=30, cells=False,
                          networks=networks, progress=False)
    row = rep.networks["natural"]
    d = np.subtract(row["median_abs_q_attack"]["per_seed"],
                    row["median_abs_q_random"]["per_seed"])
    assert rep.vs_random["natural"]["median_abs_q"]["differences"] == pytest.approx(d)
    assert "median q" in rep.to_text()
    assert set(rep.to_dict()) >= {"networks", "vs_random", "eps", "definition"}


def test_regime_boundary_refuses_a_budget_past_the_pixel_range():
    from helpers import run_cli

    p = run_cli("regime", "boundary", "--eps", "1.5", "--quick", "--no-cells", "--json")
    assert p.returncode == 2 and "--eps" in p.stderr
