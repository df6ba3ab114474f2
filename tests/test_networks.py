"""Networks: data, exact gradients (finite differences), attacks against an independent PGD,
training targets on the real digits, defences evaluated with BPDA and a gradient-free attack."""
import json
import os
import struct

import numpy as np
import pytest
from helpers import partial_derivative, run_cli, run_cli_process, write_idx

from antagonism.numerics.attacks import Domain, fgsm, pgd, square
from antagonism.numerics.networks.datasets import load_digits, load_mnist_idx, read_idx
from antagonism.numerics.networks.defences import HardThreshold, ProofreadingLayer, SmoothFilter
from antagonism.numerics.networks.model import softmax_cross_entropy
from antagonism.numerics.networks.objective import NetworkObjective
from antagonism.numerics.networks.tilting import boundary_tilting
from antagonism.numerics.networks.zoo import logistic_regression, mlp, small_cnn

PIXELS = Domain(lower=0.0, upper=1.0)
try:
    import torch
except ImportError:  # torch is optional (the torch extra); .ci/lowest runs without it
    torch = None
needs_torch = pytest.mark.skipif(torch is None, reason="torch is not installed")


@pytest.fixture(scope="module")
def digits():
    return load_digits(seed=0)


def test_digits_are_real_scaled_and_split_reproducibly(digits):
    from sklearn.datasets import load_digits as sk_digits

    assert digits.x_train.shape[1:] == (64,) and digits.image_shape == (1, 8, 8)
    # a row is the image read row by row: the first test image is an sklearn image
    raw = sk_digits()
    first = digits.images("test")[0, 0]
    matches = np.all(raw.images / 16.0 == first, axis=(1, 2))
    assert matches.any() and digits.y_test[0] == raw.target[matches][0]
    assert len(digits.y_train) + len(digits.y_test) == 1797
    assert digits.x_train.min() == 0 and digits.x_train.max() == 1
    again = load_digits(seed=0)
    np.testing.assert_array_equal(digits.y_test, again.y_test)
    assert not np.array_equal(load_digits(seed=1).y_test, digits.y_test)


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_mnist_idx_loader_on_tiny_files(tmp_path, suffix):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (5, 4, 4)).astype(np.uint8)
    labs = np.array([3, 1, 4, 1, 5], dtype=np.uint8)
    paths = {}
    for part in ("train", "test"):
        paths[f"{part}_images"] = tmp_path / f"{part}-images{suffix}"
        paths[f"{part}_labels"] = tmp_path / f"{part}-labels{suffix}"
        write_idx(paths[f"{part}_images"], imgs, 0x08)
        write_idx(paths[f"{part}_labels"], labs, 0x08)
    np.testing.assert_array_equal(read_idx(paths["train_images"]), imgs)
    d = load_mnist_idx(**paths)
    np.testing.assert_allclose(d.x_test, imgs.reshape(5, 16) / 255.0)
    assert d.image_shape == (1, 4, 4)
    np.testing.assert_allclose(d.images("train")[:, 0], imgs / 255.0)
    np.testing.assert_array_equal(d.y_train, labs)
    assert d.n_classes == 6


def test_idx_loader_rejects_bad_files(tmp_path):
    bad = tmp_path / "bad"
    bad.write_bytes(b"\x01\x02\x08\x01\x00\x00\x00\x02ab")
    with pytest.raises(ValueError, match="magic"):
        read_idx(bad)
    short = tmp_path / "short"
    short.write_bytes(bytes([0, 0, 8, 1]) + struct.pack(">I", 10) + b"abc")
    with pytest.raises(ValueError, match="expected 10 items"):
        read_idx(short)


def finite_difference_input_grad(model, x, y, idx, h=1e-6):
    def loss(xv):
        return softmax_cross_entropy(model.forward(xv), y)[0].sum()

    return np.array([partial_derivative(loss, x, i, h) for i in idx])


@pytest.mark.parametrize("make", [
    lambda: logistic_regression(seed=1), lambda: mlp(hidden=(32, 16), seed=1),
    lambda: small_cnn(seed=1), lambda: mlp(hidden=(16,), seed=1, preprocess=SmoothFilter()),
    lambda: mlp(hidden=(16,), seed=1, preprocess=ProofreadingLayer(3.5, 1.5)),
])
def test_input_and_parameter_gradients_match_finite_differences(make, digits):
    model = make()
    x = np.clip(digits.x_test[:3] + 0.05, 0.05, 0.95)  # away from kinks of the filters
    y = digits.y_test[:3]
    loss, g = model.loss_and_input_grad(x, y)
    idx = np.random.default_rng(0).choice(x.size, 12, replace=False)
    np.testing.assert_allclose(g.flat[idx], finite_difference_input_grad(model, x, y, idx),
                               rtol=1e-5, atol=1e-8)
    # parameter gradients of the first parametrised layer
    layer = next(layer for layer in model.layers if layer.params)
    _, gl = softmax_cross_entropy(model.forward(x), y)
    model.backward(gl)
    W, dW = layer.params["W"], layer.grads["W"].copy()
    for i in np.random.default_rng(1).choice(W.size, 5, replace=False):
        old = W.flat[i]
        W.flat[i] = old + 1e-6
        up = softmax_cross_entropy(model.forward(x), y)[0].sum()
        W.flat[i] = old - 1e-6
        down = softmax_cross_entropy(model.forward(x), y)[0].sum()
        W.flat[i] = old
        assert dW.flat[i] == pytest.approx((up - down) / 2e-6, rel=1e-5, abs=1e-8)


def test_threshold_masks_gradients_and_bpda_sees_through(digits):
    model = mlp(hidden=(16,), seed=0, preprocess=HardThreshold(0.5))
    x, y = digits.x_test[:10], digits.y_test[:10]
    _, g = model.loss_and_input_grad(x, y)
    assert np.all(g == 0)
    _, g_bpda = model.loss_and_input_grad(x, y, bpda=True)
    assert np.abs(g_bpda).sum() > 0


def independent_pgd(W1, b1, W2, b2, x, y, eps, step, n_steps):
    """Plain PGD on a one-hidden-layer ReLU MLP, written from scratch."""
    xa = x.copy()
    for _ in range(n_steps):
        h = xa @ W1 + b1
        a = np.maximum(h, 0)
        z = a @ W2 + b2
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        grad = ((p @ W2.T) * (h > 0)) @ W1.T
        xa = np.clip(np.clip(xa + step * np.sign(grad), x - eps, x + eps), 0, 1)
    return xa


def test_pgd_matches_independent_reimplementation(digits):
    model = mlp(hidden=(20,), seed=3)
    x, y = digits.x_test[:50], digits.y_test[:50]
    res = pgd(NetworkObjective(model, y), x, 0.1, step=0.01, n_steps=25, random_init=False,
              domain=PIXELS)
    d1, d2 = model.layers[1], model.layers[3]
    ref = independent_pgd(d1.params["W"], d1.params["b"], d2.params["W"], d2.params["b"],
                          x.reshape(50, -1), y, 0.1, 0.01, 25)
    np.testing.assert_allclose(res.x_adv.reshape(50, -1), ref, rtol=0, atol=1e-12)


@needs_torch
def test_gradients_match_torch_autograd(digits):
    model = mlp(hidden=(32,), seed=0)
    x, y = digits.x_test[:8], digits.y_test[:8]
    _, g = model.loss_and_input_grad(x, y)
    d1, d2 = model.layers[1], model.layers[3]
    xt = torch.tensor(x.reshape(8, -1), requires_grad=True)
    z = torch.relu(xt @ torch.tensor(d1.params["W"]) + torch.tensor(d1.params["b"]))
    z = z @ torch.tensor(d2.params["W"]) + torch.tensor(d2.params["b"])
    torch.nn.functional.cross_entropy(z, torch.tensor(y), reduction="sum").backward()
    np.testing.assert_allclose(g.reshape(8, -1), xt.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_square_attack_is_monotone_and_seeded(digits):
    model = mlp(hidden=(32,), seed=0)
    from antagonism.numerics.networks.train import train
    train(model, digits.x_train, digits.y_train, seed=0, epochs=30)
    obj = NetworkObjective(model, digits.y_test[:40])
    a = square(obj, digits.x_test[:40], 0.2, n_queries=100, domain=PIXELS, seed=5)
    b = square(obj, digits.x_test[:40], 0.2, n_queries=100, domain=PIXELS, seed=5)
    np.testing.assert_array_equal(a.x_adv, b.x_adv)
    assert np.all(np.diff(a.loss_history, axis=0) >= 0)
    assert np.max(np.abs(a.x_adv - digits.x_test[:40])) <= 0.2 + 1e-12
    assert a.success.mean() > 0.5


@pytest.fixture(scope="module")
def quick_report():
    """The robustness pipeline on small, briefly trained networks (seconds, not minutes)."""
    from antagonism.numerics.networks.robustness import robustness_report

    return robustness_report(eps_list=(0.2,), seed=0, progress=False, quick=True,
                             n_queries=100)


@pytest.mark.slow  # six networks; default: the CLI runs below
def test_robustness_report_structure_and_masking(quick_report):
    rep = quick_report
    assert set(rep.models) == {"natural", "pgd_trained", "threshold", "hill", "proofreading",
                               "cnn"}
    for name in ("threshold", "hill", "proofreading"):
        row = rep.models[name]["0.2"]
        assert {"fgsm", "pgd", "pgd_bpda", "gradient_free", "worst"} <= set(row)
        assert row["worst"] <= min(row["pgd_bpda"], row["gradient_free"], row["pgd"])
    assert "pgd_bpda" not in rep.models["natural"]["0.2"]
    assert rep.masked_gradient_flags["threshold"]["zero_gradient_fraction"] == 1.0
    assert rep.masked_gradient_flags["threshold"]["flagged"]
    assert rep.models["natural"]["clean_accuracy"] > 0.9


@pytest.mark.slow
def test_robustness_targets_on_digits():
    """The README's numbers: full-size networks (about a minute of training)."""
    from antagonism.numerics.networks.robustness import robustness_report

    rep = robustness_report(eps_list=(0.2,), seed=0, progress=False)
    nat, adv = rep.models["natural"], rep.models["pgd_trained"]
    assert nat["clean_accuracy"] >= 0.95
    assert nat["0.2"]["pgd"] < 0.20
    assert adv["0.2"]["worst"] >= 0.60
    assert not rep.masked_gradient_flags["natural"]["flagged"]


@pytest.mark.slow  # by default: the CLI run of test_robustness_writes_nothing_outside...
def test_cli_robustness_contract(quick_report):
    p = run_cli("robustness", "--dataset", "digits", "--eps", "0.2", "--seed", "0", "--quick",
                "--queries", "100", "--networks", "natural,hill", "--json")
    assert p.returncode == 0, p.stderr
    assert "[robustness]" not in p.stderr  # silent under --json
    out = json.loads(p.stdout)
    assert set(out["models"]) == {"natural", "hill"}
    assert "masked_gradient_flags" in out and out["seeds"] == [0]
    assert out["models"]["hill"]["0.2"] == quick_report.models["hill"]["0.2"]  # cached nets
    assert "pgd_bpda" not in out["models"]["natural"]["0.2"]


def test_robustness_over_seeds_gives_means_and_intervals():
    from antagonism.numerics.networks.robustness import robustness_report

    rep = robustness_report(eps_list=(0.1,), seeds=(0, 1), quick=True, progress=False,
                            n_queries=20, names=["natural"])
    row = rep.models["natural"]
    per_seed = [s["clean_accuracy"] for s in row["per_seed"]]
    assert row["clean_accuracy"] == pytest.approx(np.mean(per_seed))
    lo, hi = row["ci95"]["clean_accuracy"]
    assert lo <= row["clean_accuracy"] <= hi and rep.seeds == [0, 1]


def test_robustness_writes_nothing_outside_the_cache_dir(tmp_path):
    """ANTAGONISM_CACHE_DIR=X antagonism robustness ... writes only under X (not in its
    parent, not in the home folder, not in the working folder)."""
    cache, home, work = tmp_path / "X", tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = dict(os.environ, ANTAGONISM_CACHE_DIR=str(cache), HOME=str(home))
    p = run_cli_process("robustness", "--eps", "0.1", "--quick", "--queries", "20",
                        "--networks", "natural,hill", "--json", env=env, cwd=work)
    assert p.returncode == 0, p.stderr
    assert sorted(x.name for x in tmp_path.iterdir()) == ["X", "home", "work"]
    assert not any(home.rglob("*")) and not any(work.rglob("*"))
    assert len(list((cache / "models").glob("*.npz"))) == 2


def test_digit_boundary_tilting():
    r = boundary_tilting(classes=(3, 8), seed=0)
    assert r.accuracy_natural[0] > 0.9
    assert r.accuracy_natural[np.isclose(r.eps, 0.3)][0] < 0.2  # the tilted boundary is crossed
    assert np.all(r.accuracy_adversarial[(r.eps >= 0.1) & (r.eps <= 0.3)] > 0.9)


@needs_torch
def test_torch_bridge_attacks_match_numpy(digits):
    from antagonism.numerics.networks.torch_bridge import to_torch_mlp

    model = mlp(hidden=(32,), seed=2)
    x, y = digits.x_test[:30], digits.y_test[:30]
    ours = pgd(NetworkObjective(model, y), x, 0.1, n_steps=10, domain=PIXELS, seed=4)
    theirs = pgd(NetworkObjective(to_torch_mlp(model), y), x, 0.1, n_steps=10, domain=PIXELS,
                 seed=4)
    np.testing.assert_allclose(ours.x_adv, theirs.x_adv, atol=1e-12)
    np.testing.assert_array_equal(ours.success, theirs.success)


def test_l2_pgd_stays_in_ball_and_beats_fgm(digits):
    model = mlp(hidden=(32,), seed=0)
    obj = NetworkObjective(model, digits.y_test[:60])
    x = digits.x_test[:60]
    res = pgd(obj, x, 1.0, norm="2", n_steps=20, domain=PIXELS, seed=0)
    norms = np.linalg.norm((res.x_adv - x).reshape(60, -1), axis=1)
    assert np.all(norms <= 1.0 + 1e-9)
    one = fgsm(obj, x, 1.0, norm="2", domain=PIXELS)
    assert res.loss.mean() >= one.loss.mean()


def test_gradient_free_attack_on_a_cell():
    """The same attack code on a binary scalar decision: the cell's margin -log T."""
    from antagonism.derivations import AdaptiveProofreading
    from antagonism.numerics.cells import CellObjective, paper_ligands

    lig = paper_ligands(400, 0.3, 3.0, seed=0)
    obj = CellObjective(AdaptiveProofreading(4, 1, 3.0), lig.tau, lig.L)
    dom = Domain(lower=1e-9, upper=3.0 * (1 - 1e-12), mask=(lig.tau < 3.0)[None, :])
    res = square(obj, obj.x0(), 0.7, n_queries=200, domain=dom, seed=0)
    x0_loss = obj.loss(obj.x0())
    assert res.loss[0] >= x0_loss[0]
    np.testing.assert_array_equal(res.x_adv[0][lig.tau >= 3.0], lig.tau[lig.tau >= 3.0])


def test_square_attack_on_rows_uses_image_squares(digits):
    """Rows with their image shape get the same search as the images themselves."""
    model = mlp(hidden=(16,), seed=0)
    x, y = digits.x_test[:6], digits.y_test[:6]
    rows = square(NetworkObjective(model, y), x, 0.2, n_queries=30, domain=PIXELS, seed=1,
                  image_shape=digits.image_shape)
    imgs = square(NetworkObjective(model, y), digits.images("test")[:6], 0.2, n_queries=30,
                  domain=PIXELS, seed=1)
    np.testing.assert_array_equal(rows.x_adv, imgs.x_adv.reshape(6, -1))
    np.testing.assert_array_equal(rows.success, imgs.success)


def test_cnn_takes_rows_and_images_alike(digits):
    cnn = small_cnn(seed=0)
    np.testing.assert_allclose(cnn.logits(digits.x_test[:5]),
                               cnn.logits(digits.images("test")[:5]), rtol=0, atol=0)


def test_controls_untrained_and_noise_trained(digits):
    from antagonism.numerics.networks.store import model_specs, trained_models
    from antagonism.numerics.networks.train import noisy, train

    rng = np.random.default_rng(0)
    x = np.full((200, 10), 0.5)
    z = noisy(x, 0.25, rng) - x
    assert set(np.unique(np.round(z, 12))) == {-0.25, 0.25} and abs(z.mean()) < 0.02
    assert np.all(noisy(np.zeros((3, 4)), 0.25, rng) >= 0)  # clipped to the pixel range
    specs = model_specs(digits, 0, quick=True)
    assert specs["noise_trained"][1]["noise"] == {"eps": 0.25}
    assert specs["pgd_trained"][1]["adversarial"]["eps"] == 0.25  # the same budget
    models = trained_models(digits, 0, quick=True, progress=False,
                            names=["untrained", "natural"])
    untrained, _ = models["untrained"]
    fresh = specs["untrained"][0]()  # the initialisation of seed 0, never trained
    np.testing.assert_array_equal(untrained.logits(digits.x_test[:5]),
                                  fresh.logits(digits.x_test[:5]))
    assert models["natural"][0].accuracy(digits.x_test, digits.y_test) > 0.9
    assert untrained.accuracy(digits.x_test, digits.y_test) < 0.35
    # noise training moves the weights away from natural training of the same seed
    a, b = mlp(hidden=(16,), seed=0), mlp(hidden=(16,), seed=0)
    train(a, digits.x_train, digits.y_train, seed=0, epochs=2)
    train(b, digits.x_train, digits.y_train, seed=0, epochs=2, noise={"eps": 0.25})
    assert not np.allclose(a.layers[1].params["W"], b.layers[1].params["W"])


def test_training_progress_names_network_seed_epoch_and_eta(digits, capsys):
    from antagonism.numerics.networks.train import train, training_progress

    with training_progress("natural seed 7"):
        train(mlp(hidden=(8,), seed=0), digits.x_train, digits.y_train, seed=0, epochs=2)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and err[0].startswith("[train natural seed 7] epoch 1/2")
    assert "ETA" in err[0] and "elapsed" in err[1]
    train(mlp(hidden=(8,), seed=0), digits.x_train, digits.y_train, seed=0, epochs=1)
    assert capsys.readouterr().err == ""  # silent outside a progress block


@needs_torch
def test_torch_classifier_batches_device_and_own_input_shape(digits):
    """A torch CNN that insists on (n, 1, 8, 8) images, fed the data sets' rows in batches
    of 7: the same logits and input gradients as one pass on the images."""
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Conv2d(1, 3, 3), torch.nn.Flatten(),
                              torch.nn.Linear(3 * 6 * 6, 10)).double()
    from antagonism.numerics.networks.classifier import as_classifier

    clf = as_classifier(net, device="cpu", batch_size=7, input_shape=digits.image_shape)
    x, y = digits.x_test[:20], digits.y_test[:20]
    t = torch.tensor(digits.images("test")[:20], requires_grad=True)
    z = net(t)
    np.testing.assert_allclose(clf.logits(x), z.detach().numpy(), rtol=1e-12)
    M, g = clf.margin_and_grad(x, y)
    w = np.zeros((20, 10))
    zs = z.detach().numpy().copy()
    zs[np.arange(20), y] = -np.inf
    w[np.arange(20), y], w[np.arange(20), zs.argmax(1)] = 1.0, -1.0
    (z * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(g, t.grad.numpy().reshape(20, -1), rtol=1e-10, atol=1e-14)
    from antagonism._core.errors import InputError

    with pytest.raises(InputError, match="device"):
        as_classifier(net, device="nonsense")
    with pytest.raises(InputError, match="batch_size"):
        as_classifier(net, batch_size=0)
