"""The package's PGD against an independent one: torchattacks' PGD (the 'torchattacks'
extra, not in the test extra -- its wheel pulls torchvision and a CUDA torch -- so these
tests skip without it) on the same trained networks, budget, steps, step size and
restarts.  The unit is the seed: a network trained per seed, both attacks on the same
test digits, the accuracies compared by seed."""
import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("torchattacks")

SEEDS = (0, 1, 2, 3, 4)


def _trained(seed):
    from antagonism.numerics.networks.datasets import load_dataset
    from antagonism.numerics.networks.train import train
    from antagonism.numerics.networks.zoo import mlp

    data = load_dataset("digits", seed=seed)
    model = mlp(64, 10, (32,), seed=seed)
    train(model, data.x_train, data.y_train, epochs=8, patience=8, lr=3e-3, seed=seed,
          backend="torch")
    return model, data.x_test[:150], data.y_test[:150]


def _accuracies(eps, their_steps=10, restarts=3):
    from antagonism.numerics.attacks import pgd
    from antagonism.numerics.networks.objective import NetworkObjective
    from antagonism.numerics.networks.train import PIXELS
    from antagonism.numerics.regime.independent import torchattacks_pgd

    ours, theirs, clean = [], [], []
    for s in SEEDS:
        model, x, y = _trained(s)
        res = pgd(NetworkObjective(model, y), x, eps, n_steps=10, step=0.25 * eps,
                  restarts=restarts, domain=PIXELS, seed=s)
        ours.append(float(np.mean(~res.success)))
        theirs.append(float(np.mean(~torchattacks_pgd(
            model, x, y, eps, n_steps=their_steps, step=2.5 * eps / their_steps,
            restarts=restarts, seed=s))))
        clean.append(float(np.mean(model.predict(x) == y)))
    return np.array(ours), np.array(theirs), np.array(clean)


@pytest.fixture(scope="module")
def at_01():
    return _accuracies(0.1)


def test_our_pgd_agrees_with_torchattacks_by_seed(at_01):
    """Same eps 0.1, 10 steps of 0.025, 3 restarts: the paired difference's 95 % t-interval
    holds 0 and no seed differs by more than 5 digits in 150 (the attacks' random starts
    differ); both attacks are far below clean accuracy (the budget matters)."""
    from antagonism.numerics.statistics import paired_comparison

    ours, theirs, clean = at_01
    c = paired_comparison(ours, theirs)
    lo, hi = c["t_interval"]
    assert lo <= 0.0 <= hi, c
    assert np.max(np.abs(ours - theirs)) <= 5 / 150 + 1e-12
    assert np.all(ours < clean - 0.2) and np.all(theirs < clean - 0.2)


def test_the_comparison_detects_a_weaker_attack(at_01):
    """The check can fail: torchattacks' PGD cut to one step (the same budget) leaves more
    digits standing on every seed, outside the agreement above."""
    from antagonism.numerics.statistics import paired_comparison

    ours, _, _ = at_01
    _, weak, _ = _accuracies(0.1, their_steps=1, restarts=1)
    c = paired_comparison(weak, ours)
    assert c["t_interval"][0] > 0.0 and np.all(weak > ours), c


def test_torchattacks_pgd_through_bpda_breaks_a_threshold():
    """Behind the hard threshold the exact gradient is zero (torchattacks refuses the graph);
    through BPDA (the identity's gradient) its PGD breaks many digits, as many as the
    package's PGD through BPDA, within 5 digits in 150."""
    from antagonism.numerics.attacks import pgd_bpda
    from antagonism.numerics.networks.defences import HardThreshold
    from antagonism.numerics.networks.model import Sequential
    from antagonism.numerics.networks.objective import NetworkObjective
    from antagonism.numerics.networks.train import PIXELS
    from antagonism.numerics.regime.independent import torchattacks_pgd

    model, x, y = _trained(0)
    defended = Sequential([HardThreshold(), *model.layers], "threshold")
    ok = defended.predict(x) == y
    theirs = torchattacks_pgd(defended, x, y, 0.2, n_steps=10, restarts=2, bpda=True)
    ours = pgd_bpda(NetworkObjective(defended, y), x, 0.2, n_steps=10, step=0.05,
                    restarts=2, domain=PIXELS).success
    assert theirs.sum() > (~ok).sum() + 10
    assert abs(int(theirs.sum()) - int(ours.sum())) <= 5


def test_robustness_takes_independent_and_restarts_with_arch_only():
    from helpers import run_cli

    p = run_cli("robustness", "--dataset", "digits", "--independent", "--quick", "--json")
    assert p.returncode == 2 and "--arch" in p.stderr
    p = run_cli("robustness", "--dataset", "digits", "--restarts", "0", "--arch", "mlp")
    assert p.returncode == 2


def test_defence_report_compares_its_pgd_with_torchattacks_by_seed():
    """With ``independent`` the report attacks every network with torchattacks' PGD too
    (through BPDA behind the filter), counts it in the worst case, and pairs it by seed
    with the package's PGD (through BPDA behind the filter)."""
    from antagonism.numerics.networks.defences import HardThreshold
    from antagonism.numerics.networks.model import Sequential
    from antagonism.numerics.networks.zoo import mlp
    from antagonism.numerics.regime.defence import defence_report

    def networks(data, seed, names):
        natural = mlp(64, 10, (16,), seed=seed)
        nets = {"natural": natural, "pgd_trained": mlp(64, 10, (16,), seed=seed + 100),
                "threshold": Sequential([HardThreshold(), *natural.layers], "thr")}
        return {n: {"model": nets[n], "defended": n == "threshold", "train_seconds": 0.0}
                for n in names}

    rep = defence_report((0, 1), dataset="digits", eps_list=(0.2,), n_images=20,
                         n_queries=10, restarts=2, independent=True, networks=networks,
                         progress=False)
    for name, ours in (("natural", "pgd"), ("threshold", "pgd_bpda")):
        row = rep.networks[name]["0.2"]
        c = rep.independent[name]["0.2"]
        assert c["ours"] == ours
        assert c["differences"] == pytest.approx(np.subtract(
            row[ours]["per_seed"], row["torchattacks_pgd"]["per_seed"]))
        for s in range(2):
            assert row["gradient_attacks"]["per_seed"][s] <= min(
                row[ours]["per_seed"][s], row["torchattacks_pgd"]["per_seed"][s]) + 1e-12
            assert row["worst"]["per_seed"][s] <= row["gradient_attacks"]["per_seed"][s]
    assert "torchattacks PGD" in rep.to_text()
