"""Results render themselves: a derivation is a Result, invalid model parameters are a
ModelError, integer parameters stay integers, and every JSON result names the package
version and the model."""
from __future__ import annotations

import json
import pickle
from importlib.metadata import version

import pytest
import sympy as sp
from helpers import run_cli, tau_star

from antagonism._core.errors import InputError, ModelError
from antagonism._core.result import Result, package_version, stamped
from antagonism.derivations import create_model, derive, model_spec
from antagonism.derivations.derivation import Derivation

VERSION = version("antagonism")


# -- Derivation is a Result -------------------------------------------------------------
def test_a_derivation_is_a_result_that_records_what_was_asked():
    d = derive(create_model("adaptive", N=5, m=3, tau_c=3), "tau-star")
    assert isinstance(d, Result) and isinstance(d, Derivation)
    data = d.to_dict()
    assert (data["quantity"], data["name"], data["model"]) == ("tau-star", "tau*", "adaptive")
    assert data["parameters"] == {"N": 5, "m": 3, "tau_c": 3.0}
    # the expression, read back by sympy, is tau* = tau_c (m T / N)^(1/(N - m))
    T = sp.Symbol("T", positive=True)
    expr = sp.sympify(data["expr"], locals={"T": T})
    for t in (0.5, 1.0, 2.0):
        assert float(expr.subs(T, t)) == pytest.approx(tau_star(5, 3, 3.0, t), rel=1e-12)
    assert data["latex"] == sp.latex(d.expr) and len(data["steps"]) == len(d.steps)
    assert all(set(s) == {"description", "expr", "latex"} for s in data["steps"])
    assert d.to_text() == str(d.expr)
    assert d.exists is not False  # parts stay readable as attributes


def test_the_cached_derivation_is_not_changed_by_asking():
    """derive() adds what was asked to a copy: the cached derivation, shared by every
    caller, keeps no model or quantity."""
    from antagonism.derivations.critical_points import derive_critical_binding_time

    model = create_model("adaptive", N=5, m=3, tau_c=3)
    cached = derive_critical_binding_time(model)
    asked = derive(model, "tau-star")
    assert "quantity" not in cached and "model" not in cached
    assert asked.expr == cached.expr and asked is not cached
    again = pickle.loads(pickle.dumps(asked))
    assert again.to_dict() == asked.to_dict() and again.parts.keys() == asked.parts.keys()


def test_derive_json_and_text_come_from_the_result():
    model = model_spec("adaptive").factory(N=5, m=3)  # the command leaves tau_c a symbol
    d = derive(model, "tau-star")
    assert d.parameters == {"N": 5, "m": 3, "tau_c": "tau_c"}
    p = run_cli("derive", "--model", "adaptive", "--N", "5", "--m", "3", "--quantity",
                "tau-star", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == {**d.to_dict(), "version": VERSION}
    text = run_cli("derive", "--model", "adaptive", "--N", "5", "--m", "3", "--quantity",
                   "tau-star").stdout
    assert text.strip() == d.to_text()
    none = derive(create_model("kpr"), "tau-star")
    assert none.expr is None and none.to_text().startswith("none: ")
    p = run_cli("derive", "--model", "kpr", "--quantity", "tau-star", "--json")
    assert json.loads(p.stdout)["expr"] is None


# -- ModelError -------------------------------------------------------------------------
@pytest.mark.parametrize("name,params,needle", [
    ("adaptive", {"N": 2, "m": 3}, "m must be smaller than N"),
    ("adaptive", {"tau_c": -1}, "tau_c must be positive"),
    ("shp1", {"gamma": -1e-6}, "gamma must be non-negative"),
    ("shp1", {"N": 2.5}, "N must be a positive integer"),
    ("kpr", {"phi": 0}, "phi must be positive"),
    ("adaptive-sorting", {"K_T": -5}, "K_T must be positive"),
    ("adaptive", {"bogus": 1}, "unknown parameter"),
])
def test_invalid_model_parameters_raise_model_error(name, params, needle):
    with pytest.raises(ModelError, match=needle) as info:
        create_model(name, **params)
    assert isinstance(info.value, InputError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("argv", [
    ["classify", "--model", "kpr", "--param", "phi=-1"],
    ["classify", "--model", "shp1", "--param", "gamma=-1"],
    ["derive", "--model", "adaptive", "--tau-c", "-2", "--quantity", "tau-star"],
])
def test_the_command_line_exits_2_on_a_model_error(argv):
    p = run_cli(*argv)
    assert p.returncode == 2, (p.stdout, p.stderr)
    assert p.stderr.startswith("antagonism: error: ") and len(p.stderr.strip().splitlines()) == 1


# -- integers stay integers, every JSON names the version and the model -----------------------
def test_plain_parameters_keep_integers_and_flags():
    assert create_model("shp1").plain_parameters()["N"] == 5
    shp1 = create_model("shp1").plain_parameters()
    assert type(shp1["N"]) is int and type(shp1["m"]) is int
    assert type(shp1["receptors_in_excess"]) is bool and type(shp1["R"]) is float
    adaptive = create_model("adaptive", N=4.5, m=2.5).plain_parameters()
    assert adaptive == {"N": 4.5, "m": 2.5, "tau_c": 3.0}
    assert type(adaptive["tau_c"]) is float


def test_stamped_adds_the_version_and_the_model():
    assert package_version() == VERSION
    assert stamped({"x": 1}, model="kpr") == {"x": 1, "model": "kpr", "version": VERSION}
    assert stamped({"model": "shp1"}, model="kpr")["model"] == "shp1"
    assert stamped([{"a": 1}, {"a": 2}]) == [{"a": 1, "version": VERSION},
                                              {"a": 2, "version": VERSION}]


@pytest.mark.parametrize("argv,model", [
    (["classify", "--model", "adaptive", "--N", "5", "--m", "3"], "adaptive"),
    (["derive", "--model", "adaptive", "--N", "4", "--m", "2", "--quantity", "gradient"],
     "adaptive"),
    (["steady", "--model", "kpr", "--tau", "5", "--L", "100"], "kpr"),
    (["fold-change", "--model", "adaptive", "--points", "3"], "adaptive"),
    (["gamma", "--model", "adaptive", "--tau", "lin:0.5:2:3"], "adaptive"),
])
def test_every_json_result_names_the_version_and_the_model(argv, model):
    p = run_cli(*argv, "--json")
    assert p.returncode == 0, p.stderr
    data = json.loads(p.stdout)
    assert data["version"] == VERSION and data["model"] == model
    params = data.get("parameters", {})
    for k in ("N", "m"):
        if k in params:
            assert type(params[k]) is int, (k, params[k])


def test_json_rows_of_scans_and_tables_carry_the_version():
    rows = [json.loads(line) for line in run_cli("steady", "--model", "kpr", "--tau",
                                                 "log:1:10:2", "--L", "100",
                                                 "--json").stdout.splitlines()]
    assert len(rows) == 2 and all(r["version"] == VERSION and r["model"] == "kpr"
                                  for r in rows)
    table = json.loads(run_cli("regimes", "--max-N", "2", "--json").stdout)
    assert all(r["version"] == VERSION and r["model"] == "adaptive" for r in table)
    assert [(r["parameters"]["N"], r["parameters"]["m"]) for r in table] == [(1, 0), (2, 0),
                                                                              (2, 1)]
    assert all(type(r["parameters"]["N"]) is int for r in table)


def test_fold_change_comes_from_a_result_checked_against_the_definition():
    """The command prints fold_change_scan's result; its fold changes are T_{N,m} of the
    mixture over T_{N,m} of the agonists alone, from the definition (helpers.T_numpy)."""
    import numpy as np
    from helpers import T_numpy

    from antagonism.numerics.experiments.potential import fold_change_scan

    model = create_model("adaptive")
    grid = np.geomspace(0.05, 10.0, 4)
    scan = fold_change_scan(model, 10.0, 100.0, 1000.0, grid)
    expected = [T_numpy([10.0, t], [100.0, 1000.0], 5, 3, 3.0) / T_numpy([10.0], [100.0], 5,
                                                                           3, 3.0)
                for t in grid]
    assert scan.fc == pytest.approx(expected, rel=1e-10)
    assert scan.fc_min <= min(scan.fc) and scan.fc_min == pytest.approx(
        T_numpy([10.0, scan.tau2_argmin], [100.0, 1000.0], 5, 3, 3.0)
        / T_numpy([10.0], [100.0], 5, 3, 3.0), rel=1e-9)
    p = run_cli("fold-change", "--model", "adaptive", "--points", "4", "--json")
    assert json.loads(p.stdout) == {**scan.to_dict(), "version": VERSION}
    text = run_cli("fold-change", "--model", "adaptive", "--points", "4").stdout.strip()
    assert text == scan.to_text()
