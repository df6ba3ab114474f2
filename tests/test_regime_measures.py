"""The theory-derived regime measures: on cells (where the theory gives the answer), on
classifiers with known sensitivity profiles, and on trained networks over seeds, for numpy
networks, torch models and plain functions; the statistics and the command line."""
import json

import numpy as np
import pytest
import torch
from helpers import run_cli, write_idx
from scipy import stats

from antagonism.derivations import AdaptiveProofreading
from antagonism.numerics.experiments.regime_measures import (
    cell_sensitivity,
    compare,
    network_regime_report,
    path_exponents,
    pooled_profile,
    sensitivity_profile,
    weak_input_ratio,
)
from antagonism.numerics.networks.classifier import FunctionClassifier, as_classifier
from antagonism.numerics.statistics import interval


def test_weak_input_ratio_and_profile_on_known_arrays():
    values = np.array([[0.0, 0.0, 0.5, 1.0]])
    grads = np.array([[1.0, 3.0, -4.0, 8.0]])
    assert weak_input_ratio(values, grads)[0] == pytest.approx(2.0 / 6.0)
    prof, peak = pooled_profile(values, grads)
    assert prof[0] == pytest.approx(2.0 / 8.0) and prof[-1] == 1.0 and peak == 1 - 1 / 32


@pytest.mark.parametrize("N", [4, 6])
def test_on_cells_the_ratio_falls_with_m_and_crosses_one_at_m_one(N):
    """The theory: gamma ~ tau^(m-1) near 0, so weak ligands are more sensitive than the
    others for m < 1, as sensitive for m = 1, and less (-> 0) for m > 1."""
    ms = [0.5, 1.0, 1.5, 2.0, 3.0]
    r = [cell_sensitivity(AdaptiveProofreading(N, m, 3.0), n_ligands=800).ratio for m in ms]
    assert all(a > b for a, b in zip(r, r[1:]))
    assert r[0] > 1.5 and r[1] == pytest.approx(1.0, abs=0.1) and r[-1] < 0.15
    assert cell_sensitivity(AdaptiveProofreading(N, 3, 3.0), n_ligands=800).peak > 0.2
    assert cell_sensitivity(AdaptiveProofreading(N, 0.5, 3.0), n_ligands=800).peak < 0.1


def power_classifier(k, n_pix=16, seed=0):
    """Two classes: z_0 = sum_i w_i x_i^k, z_1 = 1 -- a sensitivity profile k x^(k-1)."""
    w = np.random.default_rng(seed).uniform(0.5, 1.5, n_pix)

    def logits(x):
        s = (w * x.reshape(len(x), -1) ** k).sum(1)
        return np.stack([s, np.ones_like(s)], axis=1)

    def vjp(x, g):
        flat = x.reshape(len(x), -1)
        return (g[:, :1] * w * k * flat ** (k - 1)).reshape(x.shape)

    return FunctionClassifier(logits, vjp, name=f"x^{k}")


def test_known_profiles_give_the_theory_answers():
    rng = np.random.default_rng(1)
    x = np.where(rng.uniform(size=(300, 1, 4, 4)) < 0.4, 0.0, rng.uniform(0.3, 1, (300, 1, 4, 4)))
    y = np.zeros(300, int)
    linear = sensitivity_profile(power_classifier(1), x, y)
    cubic = sensitivity_profile(power_classifier(3), x, y)
    # linear: the gradient does not depend on the intensity -- r = 1 up to the weights
    assert np.median(linear.ratio) == pytest.approx(1.0, abs=0.15)
    assert np.all(cubic.ratio == 0) and cubic.peak > 0.9  # x^3: flat at 0, rises to 1


@pytest.mark.parametrize("k", [1, 2])
def test_path_exponent_is_the_power_of_the_margin_drop(k):
    """M = 1 - (sum_i x_i)^k from x ~ 0: along signed-gradient steps sum x grows linearly,
    so the margin drops like s^k (a start at exactly 0 would have a zero gradient)."""
    n = 16

    def logits(x):
        s = x.reshape(len(x), -1).sum(1)
        return np.stack([1 - s**k + 1.0, np.ones_like(s)], axis=1)

    def vjp(x, g):
        s = x.reshape(len(x), -1).sum(1)
        return np.repeat((-g[:, 0] * k * s ** (k - 1))[:, None], n, 1).reshape(x.shape)

    clf = FunctionClassifier(logits, vjp)
    q = path_exponents(clf, np.full((3, 1, 4, 4), 1e-5), np.zeros(3, int), step=0.001)
    np.testing.assert_allclose(q, k, atol=0.03)


def test_interval_and_comparison_statistics():
    mean, lo, hi = interval([1.0, 2.0, 3.0, 4.0, 5.0])
    half = stats.t.ppf(0.975, 4) * np.std([1, 2, 3, 4, 5], ddof=1) / np.sqrt(5)
    assert (mean, lo, hi) == pytest.approx((3.0, 3.0 - half, 3.0 + half))
    # an accuracy near 0: the t-interval would reach below 0, the clipped one stops there
    mean, lo, hi = interval([0.0, 0.0, 0.01], bounds=(0.0, 1.0))
    assert lo == 0.0 and hi == pytest.approx(
        0.01 / 3 + stats.t.ppf(0.975, 2) * np.std([0, 0, 0.01], ddof=1) / np.sqrt(3))
    rng = np.random.default_rng(0)
    nat = rng.normal(1.0, 0.1, 400)
    seeds_nat = [1.0, 1.02, 0.98, 1.01, 0.99]
    low = compare(rng.normal(0.5, 0.1, 400), nat, [0.5, 0.52, 0.48, 0.51, 0.49], seeds_nat)
    same = compare(rng.normal(1.0, 0.1, 400), nat, seeds_nat[::-1], seeds_nat)
    high = compare(rng.normal(1.5, 0.1, 400), nat, [1.5, 1.52, 1.48, 1.51, 1.49], seeds_nat)
    assert low["verdict"] == "specialized relative to natural" and low["p_pooled_less"] < 1e-10
    assert same["verdict"] == "no difference from natural"
    assert high["verdict"] == "broader than natural"


@pytest.fixture(scope="module")
def quick_report():
    return network_regime_report(("natural", "pgd_trained", "hill"), (0, 1), quick=True,
                                 progress=False)


def test_report_over_seeds(quick_report):
    nets = quick_report.networks
    assert set(nets) == {"natural", "pgd_trained", "hill"} and quick_report.seeds == [0, 1]
    for row in nets.values():
        r = row["weak_input_ratio"]
        assert len(r["per_seed_median"]) == 2 and r["ci95"][0] <= r["mean_of_seed_medians"]
        assert 0 <= row["clean_accuracy"]["mean"] <= 1
        assert len(row["robust_accuracy"]["per_seed"]) == 2
    assert nets["natural"]["verdict"] == "reference"
    # adversarial training removes the sensitivity to the background (Madry's thresholding)
    pgd = nets["pgd_trained"]
    assert pgd["weak_input_ratio"]["median"] < nets["natural"]["weak_input_ratio"]["median"]
    assert pgd["verdict"] == "specialized relative to natural"
    assert pgd["comparison"]["p_pooled_less"] < 1e-6
    assert len(pgd["verdict_per_seed"]) == 2
    # the Hill filter x^4/(x^4 + theta^4) has zero slope at 0: weak pixels are ignored
    assert nets["hill"]["weak_input_ratio"]["median"] == 0.0


def test_cli_regime_contract_and_a_torch_model(quick_report, tmp_path):
    from antagonism.numerics.networks.datasets import load_digits
    from antagonism.numerics.networks.robustness import trained_models
    from antagonism.numerics.networks.torch_bridge import to_torch_mlp

    natural, _ = trained_models(load_digits(seed=0), 0, quick=True, progress=False,
                                names=["natural"])["natural"]
    path = tmp_path / "copy.pt"
    torch.save(to_torch_mlp(natural).state_dict(), str(path))  # weights, not a pickle
    p = run_cli("regime", "--network", "natural,pgd_trained", "--torch-model", path,
                "--dataset", "digits", "--seeds", "0,1", "--quick", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    nets = out["networks"]
    assert set(nets) == {"natural", "pgd_trained", "copy"}
    assert nets["pgd_trained"]["comparison"]["p_pooled_two_sided"] < 1e-6
    assert nets["pgd_trained"]["weak_input_ratio"] == quick_report.to_dict()["networks"][
        "pgd_trained"]["weak_input_ratio"]
    # the torch copy has the natural MLP's weights: the same measures on seed 0
    assert nets["copy"]["weak_input_ratio"]["per_seed_median"][0] == pytest.approx(
        nets["natural"]["weak_input_ratio"]["per_seed_median"][0], rel=1e-9)
    assert nets["copy"]["verdict"] == "no difference from natural"


def test_any_classifier_wraps():
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(4, 2))
    clf = as_classifier(net)
    x = np.random.default_rng(0).uniform(size=(5, 1, 2, 2))
    M, g = clf.margin_and_grad(x, np.zeros(5, int))
    W = net[1].weight.detach().double().numpy()
    np.testing.assert_allclose(g.reshape(5, 4), np.tile(W[0] - W[1], (5, 1)), rtol=1e-6)
    with pytest.raises(TypeError, match="cannot use"):
        as_classifier(42)


def test_mnist_from_idx_files_and_a_clear_error_without_them(tmp_path):
    p = run_cli("regime", "--dataset", "mnist", "--data-dir", tmp_path / "nowhere", "--quick")
    assert p.returncode == 2 and "Nothing is downloaded" in p.stderr
    (tmp_path / "mnist").mkdir()
    p = run_cli("robustness", "--dataset", "mnist", "--data-dir", tmp_path / "mnist")
    assert p.returncode == 2 and "train-images-idx3-ubyte" in p.stderr
    # tiny MNIST-format files: digits upscaled to 16x16, as 0..255 bytes
    from antagonism.numerics.networks.datasets import load_digits

    d = load_digits(seed=0)
    up = lambda x: np.kron(x[:, 0], np.ones((2, 2))) * 255  # noqa: E731
    for part, x, y in (("train", d.x_train[:400], d.y_train[:400]),
                       ("t10k", d.x_test[:100], d.y_test[:100])):
        write_idx(tmp_path / "mnist" / f"{part}-images-idx3-ubyte.gz", up(x))
        write_idx(tmp_path / "mnist" / f"{part}-labels-idx1-ubyte.gz", y)
    p = run_cli("regime", "--dataset", "mnist", "--data-dir", tmp_path / "mnist", "--quick",
                "--networks", "natural", "--seeds", "0", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["dataset"] == "mnist" and out["networks"]["natural"]["clean_accuracy"]["mean"] > 0.5
