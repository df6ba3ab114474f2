"""The regime measure against cases of known truth (``antagonism regime controls``): the
power layer's derivation against finite differences, each control's verdict, the stored
quick run (the docs' numbers come from it) and the command's shape and errors."""
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from helpers import run_cli

from antagonism.derivations.power_layer import derive_power_layer, power_layer_regime
from antagonism.numerics.networks.datasets import load_digits
from antagonism.numerics.networks.layers import Power
from antagonism.numerics.regime.common import MEASURE_CUT
from antagonism.numerics.regime.controls import (
    CHOOSE,
    CUTS,
    measure_network,
    network_cases,
    specialized_fractions,
)

ROOT = Path(__file__).resolve().parent.parent
STORED = Path(__file__).parent / "data" / "regime_controls_quick.json"


@pytest.mark.parametrize("power", [0.5, 1.0, 1.5, 2.0, 3.0])
def test_power_layer_exponent_is_p_minus_1_by_finite_differences(power):
    """The log-slope of dh/dx at small x, dh/dx itself from central differences of
    h(x) = x^p (s = 0), against the derivation's exponent p - 1."""
    h = lambda x: x**power  # noqa: E731
    d = lambda x, e=1e-7: (h(x + e * x) - h(x - e * x)) / (2 * e * x)  # noqa: E731
    x1, x2 = 1e-4, 2e-4
    slope = math.log(d(x2) / d(x1)) / math.log(x2 / x1)
    exponent = derive_power_layer().exponent.subs(sp.Symbol("p", positive=True), power)
    assert slope == pytest.approx(float(exponent), abs=1e-5)
    assert slope == pytest.approx(power - 1, abs=1e-5)


def test_power_layer_weak_share_and_regime():
    d = derive_power_layer()
    p, s, v = (sp.Symbol(n, positive=True) for n in "psv")
    # the weak share against finite differences of h at s = 1/256, v = 1/2, p = 2.5
    vals = {p: 2.5, s: 1 / 256, v: 0.5}
    h = lambda x: (x + 1 / 256) ** 2.5 - (1 / 256) ** 2.5  # noqa: E731
    fd = lambda x, e=1e-7: (h(x + e) - h(max(x - e, 0.0))) / (x + e - max(x - e, 0.0))  # noqa
    assert float(d.weak_share.subs(vals)) == pytest.approx(fd(0.0) / fd(0.5), rel=1e-4)
    assert d.limits == {"p > 1": 0, "p = 1": 1, "p < 1": sp.oo}
    assert [power_layer_regime(q) for q in (0.5, 1, 1.01, 2)] == [
        "broad", "broad", "specialized", "specialized"]


def test_power_layer_backward_is_the_derivative_of_forward():
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, (3, 5))
    for power in (0.5, 2.0):
        layer = Power(power)
        y0 = layer.forward(x)
        g = layer.backward(np.ones_like(x))
        e = 1e-6
        fd = (Power(power).forward(x + e) - Power(power).forward(x - e)) / (2 * e)
        np.testing.assert_allclose(g, fd, rtol=1e-6)
        assert y0[x == 0].size == 0 or np.all(y0[x == 0] == 0)
    with pytest.raises(ValueError, match="p > 0"):
        Power(0)


def test_specialized_fractions_count_antagonistic_curves_only():
    v = np.linspace(0, 1, 5)
    curves = np.array([[0.0, -1, -2, -3, -4],    # specialized (vanishes at 0)
                       [-4.0, -4, -4, -4, -4],   # broad (constant)
                       [1.0, 2, 3, 4, 5],        # never antagonistic: left out
                       [-3.0, -3.5, -5, -2, 0],  # rho = 0.6: specialized only at cuts > 0.6
                       [-3.0, -2, -5, -2, 0]])   # rho = 0.6, but falls first: broad
    out, n = specialized_fractions(v, curves, (0.5, 0.7))
    assert n == 4
    assert out == {0.5: pytest.approx(1 / 4), 0.7: pytest.approx(2 / 4)}


def test_case_truths_come_from_the_exponent():
    cases = network_cases()
    for name, case in cases.items():
        first = case["first"]
        if case["truth"] == "none":
            assert case["training"] in ("none", "shuffled") and first is None
        elif first is None:
            assert case["truth"] == "broad"  # the identity: p = 1
        else:
            assert case["truth"] == ("specialized" if first[1] > 1 else "broad"), name
    known = [n for n, c in cases.items() if c["truth"] != "none"]
    assert len(known) >= 8 and set(CHOOSE) <= set(cases)


@pytest.fixture(scope="module")
def digits():
    return load_digits(seed=0)


@pytest.mark.parametrize("name", ["logistic regression", "x^2 -> linear", "x^0.5 -> MLP",
                                  "untrained x^2 -> MLP", "untrained MLP",
                                  "shuffled-label MLP"])
def test_each_control_gets_its_truth(name, digits):
    """Two seeds, fewer images than the command (the command's own run is the stored JSON
    and its slow re-run): the fraction of antagonistic curves called specialized at the
    cut the quick run chose lies on the truth's side of 1/2 for both seeds."""
    case = network_cases()[name]
    cut = json.loads(STORED.read_text())["cut"]
    fr = [measure_network(case, seed, digits, (cut,), epochs=10, n_images=10)["fractions"][cut]
          for seed in (0, 1)]
    if case["truth"] == "specialized":
        assert min(fr) > 0.5
    else:  # broad, and the negative controls ("none"): not specialized
        assert max(fr) < 0.5


def test_stored_quick_run_passes_its_controls():
    out = json.loads(STORED.read_text())
    rows = out["rows"]
    assert {"rows", "summary", "cut", "split", "seeds"} <= set(out)
    for r in rows:
        assert {"name", "kind", "truth", "verdict", "correct", "split"} <= set(r)
        assert r["kind"] in ("cell", "network") and r["truth"] in ("broad", "specialized",
                                                                   "none")
        assert r["verdict"] in ("broad", "specialized", "undetermined")
        if r["kind"] == "network":
            f = r["specialized_fraction"]
            assert len(f["per_seed"]) == len(out["seeds"])
            lo, hi = f["t_interval"]
            assert lo <= f["mean"] <= hi
            want = ("specialized" if lo > 0.5 else "broad" if hi < 0.5 else "undetermined")
            assert r["verdict"] == want
    nets = [r for r in rows if r["kind"] == "network"]
    assert sum(r["truth"] != "none" for r in nets) >= 8
    # none is called the opposite regime; the negative controls are not specialized
    opposite = {"broad": "specialized", "specialized": "broad", "none": "specialized"}
    assert not [r["name"] for r in rows if r["verdict"] == opposite[r["truth"]]]
    # the summary, recounted here from the rows of the test split
    test = [r for r in rows if r["split"] == "test"]
    ok = lambda t, v: v != "specialized" if t == "none" else v == t  # noqa: E731
    s = out["summary"]
    assert s["measure"] == {"correct": sum(ok(r["truth"], r["verdict"]) for r in test),
                            "total": len(test)}
    base = s["baselines"]
    assert base["always broad"]["correct"] == sum(r["truth"] != "specialized" for r in test)
    assert base["always specialized"]["correct"] == sum(r["truth"] == "specialized"
                                                        for r in test)
    assert len(base) >= 3
    assert all(s["measure"]["correct"] >= b["correct"] for b in base.values())
    assert out["cut"] == MEASURE_CUT  # the cut the network reports and calibrate use
    assert out["cut"] in CUTS and set(r["name"] for r in rows if r["split"] == "choose"
                                      and r["kind"] == "network") == set(CHOOSE)


@pytest.mark.slow
def test_stored_quick_run_is_what_the_command_prints():
    p = run_cli("regime", "controls", "--quick", "--json")
    assert p.returncode == 0, p.stderr
    now, stored = json.loads(p.stdout), json.loads(STORED.read_text())
    assert now["cut"] == stored["cut"] and now["summary"] == stored["summary"]
    for a, b in zip(now["rows"], stored["rows"]):
        assert (a["name"], a["verdict"]) == (b["name"], b["verdict"])
        if a["kind"] == "network":
            np.testing.assert_allclose(a["specialized_fraction"]["per_seed"],
                                       b["specialized_fraction"]["per_seed"], atol=1e-9)


@pytest.mark.parametrize("args,message", [
    (("--seeds", "3"), "at least 2 seeds"),
    (("--seeds", "a"), "--seeds"),
    (("--seeds", "2:1"), "a <= b"),
    (("--seeds", "-1:2"), "--seeds"),
])
def test_bad_input_exits_2(args, message):
    p = run_cli("regime", "controls", *args, "--json")
    assert p.returncode == 2 and message in p.stderr and p.stdout == ""
    assert p.stderr.startswith("antagonism: error:") and p.stderr.count("\n") <= 1


def test_docs_controls_table_is_the_stored_run():
    """Every row of the controls table in docs/regime_measure.md states the stored quick
    run's verdict and its specialized fraction [t-interval] (networks) or weak share
    (cells), and the summary line its counts."""
    out = json.loads(STORED.read_text())
    text = (ROOT / "docs" / "regime_measure.md").read_text()
    table = text.split("<!-- controls table -->")[1].split("<!-- end controls table -->")[0]
    lines = {line.split("|")[1].strip(): line for line in table.splitlines()
             if line.startswith("| ") and not line.startswith("| case")}
    for r in out["rows"]:
        line = lines[r["name"]]
        cells = [c.strip() for c in line.split("|")[1:-1]]
        assert cells[1:5] == [r["kind"], r["split"], r["truth"], r["verdict"]], r["name"]
        if r["kind"] == "network":
            f = r["specialized_fraction"]
            lo, hi = f["t_interval"]
            assert cells[5] == f"{f['mean']:.3f} [{lo:.3f}, {hi:.3f}]", r["name"]
        else:
            assert cells[5] == f"ρ = {r['weak_share']:.3g}", r["name"]
    s = out["summary"]
    text = " ".join(text.split())  # the prose wraps lines
    summary = re.search(r"on the test split the measure gets (\d+) of (\d+)", text)
    assert summary and [int(g) for g in summary.groups()] == [s["measure"]["correct"],
                                                              s["measure"]["total"]]
    for name, b in s["baselines"].items():
        key = name.split(" (")[0]
        assert f"{key}: {b['correct']} of {b['total']}" in text, name
    assert f"cut {out['cut']:g}" in text


@pytest.mark.parametrize("args,message", [
    (("--width", "0"), "positive integer"),
    (("--arch", "cnn", "--width", "8"), "--width sets the digits MLPs"),
])
def test_regime_networks_width_bad_input_exits_2(args, message):
    p = run_cli("regime", "networks", *args, "--json")
    assert p.returncode == 2 and message in p.stderr and p.stdout == ""


DATA = Path(__file__).parent / "data"
W256 = DATA / "regime_digits_w256.json"
W1024 = DATA / "regime_digits_w1024.json"
W256_ARGS = ("regime", "networks", "--network", "natural,pgd_trained,noise_trained,untrained",
             "--dataset", "digits", "--width", "256", "--seeds", "0,1,2,3,4")


def _interval(x):
    lo, hi = x["t_interval"]
    return f"{x['mean']:.3f} [{lo:.3f}, {hi:.3f}]"


def _difference(v):
    lo, hi = v["t_interval"]
    return f"{v['mean_difference']:+.3f} [{lo:+.3f}, {hi:+.3f}]"


@pytest.mark.parametrize("stored,width", [(W256, "256"), (W1024, "1024")])
def test_claim_13_and_the_docs_state_the_stored_runs(stored, width):
    """Claim 13's numbers (docs/claims.md) and the validated tables of the regime page are
    the stored output of ``antagonism regime networks ... [--width 256] --json``; the
    verdict of each network is its t-interval's side of 1/2."""
    nets = json.loads(stored.read_text())["networks"]
    claims = (ROOT / "docs" / "claims.md").read_text()
    row = next(line for line in claims.splitlines() if line.startswith("| 13 |"))
    part = row.split(f"Width {width}:")[1].split("Width ")[0]
    for name, label in (("pgd_trained", "PGD-trained"), ("natural", "natural"),
                        ("untrained", "untrained"), ("noise_trained", "noise-trained")):
        share = nets[name]["specialized_share"]
        assert f"{label} {_interval(share)}" in part, name
        lo, hi = share["t_interval"]
        assert nets[name]["regime"] == ("specialized" if lo > 0.5 else "broad" if hi < 0.5
                                        else "undetermined")
    pgd = nets["pgd_trained"]
    diff = _difference(pgd["vs_reference"]["specialized_share"]).replace("-", "−")  # prose
    assert f"PGD − natural {diff}" in part
    page = (ROOT / "docs" / "regime_measure.md").read_text()
    for name, r in nets.items():
        assert (f"| {name} | {_interval(r['specialized_share'])} | "
                f"{_interval(r['specialized_share_background'])} | "
                f"{_interval(r['specialized_share_on_digit'])} | {r['regime']} |") in page, name


@pytest.mark.slow
def test_stored_width_256_run_is_what_the_command_prints():
    p = run_cli(*W256_ARGS, "--json")
    assert p.returncode == 0, p.stderr
    now, stored = json.loads(p.stdout)["networks"], json.loads(W256.read_text())["networks"]
    for name in stored:
        np.testing.assert_allclose(now[name]["specialized_share"]["per_seed"],
                                   stored[name]["specialized_share"]["per_seed"], atol=1e-9)
