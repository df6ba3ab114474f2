"""Nothing a user passes runs code: the source holds no evaluator of text, CLI values are
parsed strictly, and hostile values are refused without side effects."""
import ast
from pathlib import Path

import pytest
import sympy as sp
from helpers import run_cli
from hypothesis import given
from hypothesis import strategies as st

from antagonism._core.errors import InputError, LimitError
from antagonism.derivations.validation import as_parameter, parse_number, parse_value

ROOT = Path(__file__).resolve().parents[1]
PACKAGE_DIRS = ("derivations", "theory", "numerics")
# functions that evaluate text (sympify, eval, exec, sympy's parser) or unpickle objects
FORBIDDEN_NAMES = {"sympify", "eval", "exec", "parse_expr", "S"}


def _call_name(func):
    if isinstance(func, ast.Name):
        return func.id, None
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else None
        return func.attr, owner
    return None, None


def _violations(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and any(
                a.name in ("sympify", "parse_expr") for a in node.names):
            found.append((node.lineno, "imports " + ",".join(a.name for a in node.names)))
        if not isinstance(node, ast.Call):
            continue
        name, owner = _call_name(node.func)
        keywords = {k.arg: k.value for k in node.keywords}
        if name in ("eval", "exec") and isinstance(node.func, ast.Name):  # not module.eval()
            found.append((node.lineno, f"{name}()"))
        elif name in ("sympify", "parse_expr"):
            found.append((node.lineno, f"{name}()"))
        elif name == "S" and owner in ("sp", "sympy"):
            found.append((node.lineno, "sp.S() (sympify)"))
        elif owner in ("pickle", "cPickle", "dill", "joblib") and name in ("load", "loads"):
            found.append((node.lineno, f"{owner}.{name}()"))
        elif owner == "torch" and name == "load":
            wo = keywords.get("weights_only")
            if not (isinstance(wo, ast.Constant) and wo.value is True):
                found.append((node.lineno, "torch.load() without weights_only=True"))
        elif name == "load" and owner in ("np", "numpy"):
            ap = keywords.get("allow_pickle")
            if ap is not None and not (isinstance(ap, ast.Constant) and ap.value is False):
                found.append((node.lineno, "np.load(allow_pickle=...)"))
    return found


#: the one place that runs code: a generated kernel module of the cache, compiled from bytes
#: whose signed manifest was checked just before (numerics/codegen/store.py, import_module)
ALLOWED = {"numerics/codegen/store.py": [(None, "exec()")]}


def test_no_text_evaluator_or_unpickler_in_the_package():
    files = [f for d in PACKAGE_DIRS for f in sorted((ROOT / d).rglob("*.py"))]
    assert len(files) > 50
    bad = {str(f.relative_to(ROOT)): v for f in files if (v := _violations(f))}
    for name, allowed in ALLOWED.items():
        found = [what for _, what in bad.pop(name, [])]
        assert found == [what for _, what in allowed], (name, found)
    assert bad == {}, f"code that evaluates text or unpickles: {bad}"


def test_the_scanner_finds_what_it_looks_for(tmp_path):
    f = tmp_path / "bad.py"
    f.write_text("import sympy as sp\nimport torch, pickle\nsp.sympify('x')\neval('1')\n"
                 "torch.load('f')\ntorch.load('f', weights_only=False)\n"
                 "torch.load('f', weights_only=True)\npickle.loads(b'')\nsp.S('x')\n"
                 "from sympy.parsing.sympy_parser import parse_expr\n")
    lines = sorted(line for line, _ in _violations(f))
    assert lines == [3, 4, 5, 6, 8, 9, 10]


@pytest.mark.parametrize("option", ["--N", "--m", "--tau-c"])
def test_derive_refuses_code_in_a_parameter(tmp_path, monkeypatch, option):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "X"
    p = run_cli("derive", option, f"__import__('os').system('touch {marker}')",
                "--quantity", "tau-star")
    assert p.returncode == 2 and not marker.exists()
    assert "number" in p.stderr and "Traceback" not in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["derive", "--quantity", "tau-star"], ["classify"],
                                     ["steady", "--tau", "1", "--L", "1"]])
def test_param_refuses_code(tmp_path, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "X"
    model = ["--model", "shp1"] if command[0] == "steady" else []
    p = run_cli(*command, *model, "--param",
                f"tau_c=__import__('os').system('touch {marker}')")
    assert p.returncode == 2 and not marker.exists(), p.stderr
    assert "Traceback" not in p.stderr


def test_param_name_must_be_an_identifier():
    p = run_cli("derive", "--quantity", "tau-star", "--param", "__class__.x=1")
    assert p.returncode == 2 and "identifier" in p.stderr


def test_symbols_are_plain_identifiers_only():
    assert parse_value("N") == sp.Symbol("N", positive=True)
    assert parse_value("k_on") == sp.Symbol("k_on")
    for text in ("N-1", "N**2", "x.y", "f(x)", "lambda: 0", "__import__", "_x", "1+1"):
        with pytest.raises(InputError):
            parse_value(text, "N")
    with pytest.raises(InputError):
        as_parameter("exp(1)", "tau_c")


def test_parse_number_examples():
    assert parse_number("7/2") == sp.Rational(7, 2)
    assert parse_number("-3") == -3
    assert parse_number("0.1") == sp.Rational(1, 10)
    assert parse_number("1e-3") == sp.Rational(1, 1000)
    assert parse_number(" 2.5E+2 ") == 250
    for text in ("nan", "inf", "-Infinity", "1/0", "0x10", "1_000", "", "1e", "--1", "½", "٣",
                 "1 000"):
        with pytest.raises(InputError):
            parse_number(text, "x")
    with pytest.raises(LimitError):
        parse_number("1e100000", "x")
    with pytest.raises(LimitError):
        parse_number("1" * 60, "x")


@given(st.integers(min_value=-10**17, max_value=10**17))
def test_parse_number_reads_every_integer(n):
    assert parse_number(str(n)) == n


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_parse_number_reads_every_float_exactly(x):
    assert float(parse_number(repr(x))) == x


@given(st.integers(-10**6, 10**6), st.integers(1, 10**6))
def test_parse_number_reads_fractions(a, b):
    assert parse_number(f"{a}/{b}") == sp.Rational(a, b)


@given(st.text(max_size=30))
def test_parse_value_never_evaluates_and_raises_only_input_errors(text):
    try:
        v = parse_value(text, "x")
    except InputError:
        return
    # a number or a symbol named exactly by the text, nothing else
    assert v.is_Rational or (v.is_Symbol and v.name == text.strip())


def test_as_parameter_never_calls_sympify(monkeypatch):
    import sys

    module = sys.modules["sympy.core.sympify"]
    real = module.sympify

    def refuse(a, *args, **kwargs):
        if isinstance(a, str):
            raise AssertionError(f"sympify called on the text {a!r}")
        return real(a, *args, **kwargs)

    monkeypatch.setattr(sp, "sympify", refuse)
    monkeypatch.setattr(module, "sympify", refuse)
    assert as_parameter("2.5", "N") == sp.Rational(5, 2)
    assert as_parameter("N", "N") == sp.Symbol("N", positive=True)
    assert as_parameter(" 7/2 ", "tau_c") == sp.Rational(7, 2)


@given(st.text(max_size=25))
def test_cli_integer_options_accept_only_positive_integers(text):
    import argparse

    from antagonism.cli.options import count

    try:
        value = count(text)
    except argparse.ArgumentTypeError:
        return
    assert isinstance(value, int) and value >= 1 and str(value) == text.strip().lstrip("+0")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_cli_number_options_read_floats_exactly(x):
    from antagonism.cli.options import finite_float

    assert finite_float(repr(x)) == x
