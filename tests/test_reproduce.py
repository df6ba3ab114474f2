"""The authors' procedures next to the exact methods; gamma(tau); the command-line papercuts
(--version, python -m antagonism, derive --json, text output with units)."""
import json
import subprocess
import sys

import numpy as np
import pytest
from helpers import T_numpy, run_cli

from antagonism.derivations import AdaptiveProofreading, create_model
from antagonism.theory import gamma, model_evaluator


def test_gamma_of_T_matches_a_finite_difference_of_a_dilute_probe():
    N, m, tau_c = 5, 3, 3.0
    taus = np.array([0.3, 1.0, 2.0, 2.9])
    r = gamma(AdaptiveProofreading(N, m, tau_c), taus)
    Lp, h = 1e-5, 1e-3
    for t, g in zip(taus, r.gamma):
        up = T_numpy(np.array([tau_c, t + h]), np.array([1.0, Lp]), N, m, tau_c)
        down = T_numpy(np.array([tau_c, t - h]), np.array([1.0, Lp]), N, m, tau_c)
        assert (up - down) / (2 * h) / Lp == pytest.approx(g, rel=1e-3, abs=1e-9)


def test_gamma_of_shp1_matches_a_finite_difference_with_a_background():
    model = create_model("shp1")
    background = ([10.0], [100.0])
    r = gamma(model, [1.0, 3.0], background)
    ev = model_evaluator(model)
    Lp, h = 1e-4, 1e-4
    for t, g in zip(r.tau, r.gamma):
        f = lambda x: ev.output(np.array([10.0, x]), np.array([100.0, Lp]))  # noqa: E731
        assert (f(t + h) - f(t - h)) / (2 * h) / Lp == pytest.approx(g, rel=2e-3)


def test_gamma_rejects_bad_binding_times():
    from antagonism._core.errors import InputError

    with pytest.raises(InputError):
        gamma(AdaptiveProofreading(4, 2, 3.0), [-1.0])


def test_gamma_and_derive_json_are_strict_json():
    p = run_cli("gamma", "--N", "4", "--m", "2", "--tau-c", "3", "--tau", "0.5,1", "--json")
    out = json.loads(p.stdout)
    assert out["tau"] == [0.5, 1.0] and len(out["gamma"]) == 2
    d = json.loads(run_cli("derive", "--quantity", "tau-star", "--json").stdout)
    assert d["expr"] and d["latex"] and d["steps"] and d["quantity"] == "tau-star"


def test_version_and_python_dash_m():
    from importlib.metadata import version

    p = subprocess.run([sys.executable, "-m", "antagonism", "--version"], capture_output=True,
                       text=True, timeout=120)
    assert p.returncode == 0 and p.stdout.strip() == f"antagonism {version('antagonism')}"


def test_text_output_has_units_and_no_dict_reprs_or_repeated_keys():
    from antagonism._core.result import format_fields as format_text

    payload = {"model": "adaptive", "parameters": {"N": 4.0, "m": 2.0, "tau_c": 3.0},
               "N": 4.0, "m": 2.0, "tau_c": 3.0, "tau_min": 1.8673063, "L1": 4000.0,
               "T_min": 0.77485}
    text = format_text(payload, units={"tau_c": "s"})
    lines = text.splitlines()
    keys = [ln.split(":")[0].strip() for ln in lines]
    assert "{" not in text and len(keys) == len(set(keys))
    assert keys == ["model", "parameters", "tau_min", "L1", "T_min"]
    assert lines[1].endswith("N = 4, m = 2, tau_c = 3 s")
    assert lines[2].endswith("1.86731 s") and lines[3].endswith("4000 molecules")
    steady = run_cli("steady", "--tau", "5", "--L", "100").stdout
    assert steady.count("C_N") == 1 and "C_5 = C_N" in steady and "{" not in steady


def test_immune_boundary_procedure_agrees_with_the_closed_form():
    from antagonism.numerics.experiments.reproduce import reproduce

    r = reproduce("immune_boundary", quick=True).by_name("immune_boundary")
    assert len(r.table["rows"]) == 4
    assert all(v["max_abs_difference_elsewhere"] < 1e-9 for v in r.package.values())


def test_reproduce_rejects_unknown_names_and_prints_a_table():
    assert run_cli("reproduce", "nope").returncode == 2
    p = run_cli("reproduce", "immune_boundary", "--quick")
    assert p.returncode == 0 and "why they differ" in p.stdout
    assert "authors'" in p.stdout


def test_reproduce_shows_progress_and_none_under_json():
    p = run_cli("reproduce", "immune_boundary_points")
    assert p.returncode == 0 and p.stderr.startswith("[reproduce]")
    assert "[reproduce] 1/1 immune_boundary_points" in p.stderr
    p = run_cli("reproduce", "immune_boundary_points", "--json")
    assert p.returncode == 0 and "[reproduce]" not in p.stderr
    out = json.loads(p.stdout)
    assert out["commit"].startswith("71e093d") and len(out["rows"]) == 1
    row = out["rows"][0]
    assert row["target"] == "immune_boundary_points" and "arrays" not in row
    assert {"authors", "package", "differences"} <= set(row)


@pytest.mark.slow
def test_reproduce_prints_its_first_progress_line_within_five_seconds():
    import time

    start = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "antagonism.cli", "reproduce",
                             "immune_boundary_points"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    first = proc.stderr.readline()
    waited = time.monotonic() - start
    proc.communicate(timeout=300)
    assert proc.returncode == 0 and first.startswith("[reproduce]") and waited < 5, (first,
                                                                                     waited)


@pytest.mark.slow
def test_reproduce_everything_quick():
    from antagonism.numerics.experiments.authors import TARGET_NAMES

    p = run_cli("reproduce", "--quick", "--json")
    out = json.loads(p.stdout)
    assert [row["target"] for row in out["rows"]] == list(TARGET_NAMES)  # one per procedure
    picture = next(row for row in out["rows"] if row["target"] == "picture_attack")
    assert len(picture["authors"]) == 10  # N = 2..5, m = 1..4, m < N
    assert all(d["test"].startswith("tests/test_authors.py::") for row in out["rows"]
               for d in row["differences"])
