"""Stored answers (antagonism.numerics.answers): a command asked again is read from the
verified cache without sympy, prints exactly what the first run printed, and any change of
what the answer depends on (a parameter, an option, the model file's bytes, the code, the
libraries) computes it again."""
from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

from antagonism._core.result import Result, to_json
from antagonism.numerics import answers, cache

HEAVY = ("sympy", "scipy", "numba", "matplotlib")


def _env(tmp_path):
    return {**os.environ, "ANTAGONISM_CACHE_DIR": str(tmp_path / "cache")}


# what a fresh interpreter runs: the command line in this process, then the heavy libraries
# it holds and what it printed
WARM = """
import contextlib, io, json, sys
from antagonism.cli import main
out = io.StringIO()
with contextlib.redirect_stdout(out):
    try:
        code = main(sys.argv[1:])
    except SystemExit as exc:
        code = exc.code
print(json.dumps({"code": code, "stdout": out.getvalue(),
                  "heavy": [m for m in HEAVY if m in sys.modules]}))
""".replace("HEAVY", repr(HEAVY))


def _in_fresh_interpreter(args, env):
    run = subprocess.run([sys.executable, "-c", WARM, *map(str, args)], capture_output=True,
                         text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout)


@pytest.mark.parametrize("args", [
    ("classify", "--model", "adaptive", "--N", "5", "--m", "3", "--json"),
    ("steady", "--model-file", "mckeithan_kpr", "--tau", "1:10:3", "--L", "10"),
], ids=["classify-T53-json", "steady-file-scan-text"])
def test_a_warm_command_imports_no_sympy_and_prints_the_cold_answer(tmp_path, args):
    env = _env(tmp_path)
    cold = subprocess.run([sys.executable, "-m", "antagonism", *args], capture_output=True,
                          text=True, env=env, timeout=600)
    assert cold.returncode == 0, cold.stderr
    assert list((tmp_path / "cache" / "answers").glob("*.json.json")), "nothing was stored"
    warm = _in_fresh_interpreter(args, env)
    assert warm["code"] == 0
    assert warm["heavy"] == []
    assert warm["stdout"] == cold.stdout


@pytest.mark.parametrize("args", [("--help",), ("classify", "--help"), ("steady", "--help")])
def test_help_imports_no_heavy_library(tmp_path, args):
    run = _in_fresh_interpreter(args, _env(tmp_path))
    assert run["code"] == 0 and "usage: antagonism" in run["stdout"]
    assert run["heavy"] == []


# -- every input is in the key --------------------------------------------------------------
def _parsed(argv):
    from antagonism.cli import build_parser

    return build_parser(argv).parse_args(argv)


class _Asked(BaseException):  # not an Exception: the command line does not catch it
    pass


@pytest.fixture
def asked(monkeypatch):
    """The question a command line asks the store of answers (nothing is computed)."""
    from antagonism.cli import main

    def capture(request, compute):
        raise _Asked(request() if callable(request) else request)

    def ask(argv):
        with monkeypatch.context() as m:
            m.setattr(answers, "stored_answer", capture)
            m.setattr(answers, "stored_rows", capture)
            with pytest.raises(_Asked) as caught:
                main([str(a) for a in argv])
        return caught.value.args[0]

    return ask


FILE = ["--model-file", "mckeithan_kpr", "--N", None, "--m", None]
#: per command, an argument list and, for every option the parser has, a change of it
#: that must change the answer (options that cannot change it are listed as exempt)
CHANGES = {
    "classify": (["--model", "adaptive", "--N", "5", "--m", "3"], {
        "model": ["--model", "kpr"], "N": ["--N", "6"], "m": ["--m", "2"],
        "tau_c": ["--tau-c", "2"], "param": ["--param", "tau_c=4"],
        "tolerance": ["--tolerance", "0.8"], "dose_factor": ["--dose-factor", "10"],
        "level": ["--level", "0.5"], "model_file": FILE, "ligand": [*FILE, "--ligand", "R"],
        "output": [*FILE, "--output", "C4"], "bound_states": [*FILE, "--bound-states", "C0"],
        "binding_time": [*FILE, "--binding-time", "t"], "off_rate": [*FILE, "--off-rate", "k"],
    }),
    "steady": (["--model-file", "mckeithan_kpr", "--tau", "2", "--L", "10"], {
        "model": None, "N": None, "m": None,  # apply to --model, checked above
        "model_file": ["--model-file", "shp1"], "tau_c": ["--tau-c", "2"],
        "param": ["--param", "phi=0.1"], "tau": ["--tau", "3"], "L": ["--L", "11"],
        "ligand": ["--ligand", "R"], "output": ["--output", "C4"],
        "bound_states": ["--bound-states", "C0"], "binding_time": ["--binding-time", "t"],
        "off_rate": ["--off-rate", "k"],
    }),
    "regimes": (["--max-N", "2"], {"max_N": ["--max-N", "3"], "tau_c": ["--tau-c", "2"]}),
}
EXEMPT = {"help", "json", "time_budget", "func", "command"}


def _changed(base, change):
    """``base`` with the options of ``change`` set (a value None drops the option)."""
    argv = list(base)
    for flag, value in zip(change[::2], change[1::2]):
        if flag in argv:
            i = argv.index(flag)
            del argv[i:i + 2]
        if value is not None:
            argv += [flag, value]
    return argv


@pytest.mark.parametrize("command", sorted(CHANGES))
def test_every_option_is_part_of_the_question(command, asked):
    base, changes = CHANGES[command]
    parser_dests = set(vars(_parsed([command, *base]))) - EXEMPT
    assert parser_dests <= set(changes), ("options the stored answer does not know about: "
                                          f"{sorted(parser_dests - set(changes))}")
    keys = {answers.answer_key(asked([command, *base]))}
    assert answers.answer_key(asked([command, *base, "--json"])) in keys
    for change in (c for c in changes.values() if c is not None):
        keys.add(answers.answer_key(asked([command, *_changed(base, change)])))
    assert len(keys) == 1 + sum(c is not None for c in changes.values())


def test_the_model_file_bytes_and_path_the_code_and_the_libraries_are_part_of_the_key(
        tmp_path, monkeypatch, asked):
    from antagonism.io.shipped import literature_files

    text = literature_files()["mckeithan_kpr"].read_text()
    first, second = tmp_path / "a.ant", tmp_path / "b.ant"
    first.write_text(text)
    second.write_text(text)
    argv = ["classify", "--model-file", str(first)]
    key = answers.answer_key(asked(argv))
    assert answers.answer_key(asked(argv)) == key
    assert answers.answer_key(asked(["classify", "--model-file", str(second)])) != key
    first.write_text(text + "\n")  # one byte more
    assert answers.answer_key(asked(argv)) != key
    first.write_text(text)
    monkeypatch.setattr(cache, "code_version", lambda *packages: "another version")
    assert answers.answer_key(asked(argv)) != key
    monkeypatch.undo()
    assert answers.answer_key(asked(argv)) == key
    monkeypatch.setattr(answers, "library_versions", lambda: {"numpy": "0.0"})
    assert answers.answer_key(asked(argv)) != key


def test_a_linked_or_oversized_model_file(tmp_path, asked):
    from antagonism.io.file_limits import MAX_MODEL_FILE_BYTES
    from antagonism.io.shipped import literature_files

    link = tmp_path / "link.ant"
    link.symlink_to(literature_files()["mckeithan_kpr"])
    request = asked(["classify", "--model-file", link])
    assert request["file"] == str(link) and len(request["sha256"]) == 64
    big = tmp_path / "big.ant"
    big.write_text(" " * (MAX_MODEL_FILE_BYTES + 1))
    assert asked(["classify", "--model-file", big]) is None  # the reader refuses it


def test_a_question_that_changed_while_it_was_computed_stores_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    state = {"bytes": "old"}

    def compute():  # the file is edited while it is read
        state["bytes"] = "new"
        return Result(x=1)

    answers.stored_answer(lambda: {"command": "test", "file": state["bytes"]}, compute)
    assert not list((tmp_path / "answers").glob("*.json"))
    rows = list(answers.stored_rows(lambda: {"command": "test", "file": state["bytes"]},
                                    lambda: iter([state.update(bytes="newer"), {"x": 1}][1:])))
    assert rows == [{"x": 1}] and not list((tmp_path / "answers").glob("*.json"))


def test_library_versions_are_those_importlib_metadata_reads():
    from importlib.metadata import PackageNotFoundError, version

    for name, found in answers.library_versions().items():
        try:
            expected = version(name)
        except PackageNotFoundError:
            expected = None
        assert found == expected, name


def test_the_code_version_covers_every_layer():
    from test_layers import LAYERS

    layers = {p for p in LAYERS if p != "antagonism.__main__"}
    assert set(answers.PACKAGES) == layers


def test_a_model_a_user_registered_is_computed_every_time(monkeypatch, asked):
    from antagonism.derivations import registry
    from antagonism.derivations.kinetic import KineticProofreading

    assert asked(["classify", "--model", "kpr"]) is not None
    assert asked(["classify", "--model", "adaptive_sorting"])["model"] == "adaptive-sorting"
    # a copy of the registry, restored when the test ends: the models registered here do not
    # leak into later tests
    monkeypatch.setattr(registry, "_REGISTRY", dict(registry._REGISTRY))
    registry.register_model("kpr", KineticProofreading,
                            parameters=registry.model_spec("kpr").parameters)
    assert asked(["classify", "--model", "kpr"]) is None
    registry.register_model("mine", KineticProofreading)
    assert asked(["classify", "--model", "mine"]) is None


def test_the_catalog_names_models_as_the_registry_does():
    from antagonism._core.catalog import BUILTIN_MODELS, builtin_model_names, builtin_name
    from antagonism.derivations import model_names, model_spec
    from antagonism.derivations.registry import is_builtin

    assert set(builtin_model_names()) <= set(model_names())
    for name in builtin_model_names():
        for alias in (name, name.replace("-", "_"), f" {name} "):
            assert builtin_name(alias) == model_spec(alias).name == name
            assert is_builtin(alias)
        assert dict(model_spec(name).parameters) == dict(BUILTIN_MODELS[name])
    assert builtin_name("nope") is None and not is_builtin("nope")


def test_a_changed_model_file_is_computed_again(tmp_path):
    from helpers import run_cli

    from antagonism.io.shipped import literature_files

    text = literature_files()["mckeithan_kpr"].read_text()
    path = tmp_path / "kpr.ant"
    path.write_text(text)
    argv = ["steady", "--model-file", path, "--tau", "5", "--L", "100", "--json"]
    first = run_cli(*argv).stdout
    assert "  R = 3e4\n" in text
    path.write_text(text.replace("  R = 3e4\n", "  R = 6e4\n"))  # twice the receptors
    second = run_cli(*argv).stdout
    assert json.loads(second)["output"] != json.loads(first)["output"]
    path.write_text(text)
    assert run_cli(*argv).stdout == first


# -- what is stored comes back exactly --------------------------------------------------------
class Counting:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_encoding_keeps_the_types(tmp_path):
    from antagonism.theory.result import RegimeResult

    value = RegimeResult(model="m", pair=(1, 2.5), rows=[{"a": None, "b": True}],
                         nested=Result(x=float("nan"), y=-math.inf), f=np.float64(0.1),
                         derivations={"not": "serialised"})
    back = answers.decode(json.loads(json.dumps(answers.encode(value))))
    assert type(back) is RegimeResult and "derivations" not in back
    assert back.pair == (1, 2.5) and type(back.pair) is tuple
    assert back.rows == [{"a": None, "b": True}] and type(back.rows[0]["b"]) is bool
    assert type(back.nested) is Result and math.isnan(back.nested.x) and back.nested.y == -math.inf
    assert type(back.f) is float and back.f == 0.1
    assert to_json(back) == to_json(value)
    for bad in (np.arange(3), np.int64(1), {1: 2}, object()):
        with pytest.raises(answers.NotStorable):
            answers.encode(Result(x=bad))
    for forged in (["r", "os:system", {}], ["r", "antagonism._core.errors:InputError", {}],
                   ["x", 1], {"a": 1}):
        with pytest.raises((ValueError, AttributeError)):
            answers.decode(forged)


def test_an_answer_is_computed_once_and_read_back(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    compute = Counting(Result(x=1.5, rows=[1, 2]))
    request = {"command": "test", "a": 1}
    assert answers.stored_answer(request, compute) == compute.value
    again = answers.stored_answer(request, compute)
    assert compute.calls == 1 and again == compute.value and type(again) is Result
    answers.stored_answer({"command": "test", "a": 2}, compute)
    answers.stored_answer(None, compute)  # no request: computed, not stored
    assert compute.calls == 3
    rows = Counting([{"x": 1}, {"x": 2}])
    for _ in range(2):
        assert list(answers.stored_rows(request, lambda: iter(rows()))) == rows.value
    assert rows.calls == 1
    stopped = Counting([{"x": 1}, {"x": 2}])
    next(answers.stored_rows({"command": "stopped"}, lambda: iter(stopped())))
    list(answers.stored_rows({"command": "stopped"}, lambda: iter(stopped())))
    assert stopped.calls == 2  # a scan stopped early stored nothing


def test_an_answer_that_would_not_come_back_exactly_is_not_stored(tmp_path, monkeypatch):
    from antagonism.theory.result import RegimeResult

    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))

    class Local(Result):
        pass

    # its text reads a key that is not serialised: the copy would print differently
    monkeypatch.setattr(RegimeResult, "to_text",
                        lambda self, units=None: str(self.get("derivations")))
    for i, value in enumerate((Result(x=np.arange(3)), Result(x=np.int64(3)), Local(x=1),
                               RegimeResult(x=1, derivations=2))):
        compute = Counting(value)
        for _ in range(2):
            answers.stored_answer({"command": "test", "case": i}, compute)
        assert compute.calls == 2, value
    assert not list((tmp_path / "answers").glob("*.json"))


def test_an_edited_answer_is_refused_and_computed_again(tmp_path, monkeypatch):
    monkeypatch.setenv("ANTAGONISM_CACHE_DIR", str(tmp_path))
    request = {"command": "test", "edited": True}
    compute = Counting(Result(x=1.5))
    answers.stored_answer(request, compute)
    path = tmp_path / "answers" / f"{answers.answer_key(request)}.json"
    path.write_text(path.read_text().replace("1.5", "2.5"))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert answers.stored_answer(request, compute).x == 1.5
    assert compute.calls == 2
    assert any(issubclass(w.category, cache.CacheWarning) and "refused" in str(w.message)
               for w in caught)
    assert list((tmp_path / "answers" / "corrupt").iterdir())


def test_the_command_line_benchmark_runs():
    """The harness of benchmarks/cli.py (not its timings): fresh interpreters, a floor, JSON."""
    from pathlib import Path

    script = Path(__file__).resolve().parents[1] / "benchmarks" / "cli.py"
    run = subprocess.run([sys.executable, str(script), "--only", "help", "--repeats", "2",
                          "--json"], capture_output=True, text=True, timeout=600)
    out = json.loads(run.stdout)
    assert run.returncode == (0 if out["targets_met"] else 1), run.stderr
    row, floor = out["commands"]["help"], out["floor_s"]
    assert row["target"] == 2 and len(row["warm"]) == 2 and row["cold_s"] > 0
    for stats in (row["warm_s"], floor):
        assert 0 < stats["min"] <= stats["median"] <= stats["max"]
    assert row["warm_ratio"] == pytest.approx(row["warm_s"]["median"] / floor["median"])
    assert row["meets_target"] == (row["warm_ratio"] <= 2)
