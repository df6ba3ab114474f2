"""The safe expression parser: every name is a plain symbol, only a whitelist is accepted,
nothing is ever run (checked with a marker file that hostile text tries to create), and
random text either parses or is refused with a NetworkFileError."""
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from antagonism._core.errors import InputError, NetworkFileError
from antagonism.derivations.expressions import parse_expression

# names that sympy's own parser would read as functions or constants
SYMPY_NAMES = ["Si", "Ci", "li", "Li", "ff", "rf", "Shi", "Chi", "E1", "re", "im", "ln",
               "beta", "gamma", "zeta", "S", "N", "I", "E", "Q", "O", "pi", "lambda",
               "exp_", "sqrt_", "Max", "Abs", "oo", "zoo", "nan", "in", "is", "None"]


@pytest.mark.parametrize("name", SYMPY_NAMES)
def test_every_name_is_a_plain_symbol(name):
    e = parse_expression(f"2*{name}*x + {name}", "rate law")
    sym = sp.Symbol(name)
    assert e == 2 * sym * sp.Symbol("x") + sym
    assert all(type(s) is sp.Symbol for s in e.free_symbols)


def test_arithmetic_functions_and_precedence():
    x, y, K = sp.symbols("x y K")
    cases = {
        "x^2/(K + x)": x**2 / (K + x),  # ^ is a power and binds tighter than /
        "x**2/(K + x)": x**2 / (K + x),
        "-x^2": -x**2,
        "2^3^2": sp.Integer(512),  # right-associative
        "exp(-x)*pow(y, 2)": sp.exp(-x) * y**2,
        "log(x) + ln(y) + log10(K)": sp.log(x) + sp.log(y) + sp.log(K, 10),
        "sqrt(x)": sp.sqrt(x),
        "1e-4*x": sp.Rational(1, 10000) * x,  # exact
        "+x - -y": x + y,
        "ln*x": sp.Symbol("ln") * x,  # a name is a function only where it is called
    }
    for text, expected in cases.items():
        assert sp.simplify(parse_expression(text, "t") - expected) == 0, text


HOSTILE = [
    "__import__('os').system('touch {f}')",
    "__import__(\"os\").system(\"touch {f}\")",
    "(lambda: __import__('os').system('touch {f}'))()",
    "exp.__globals__['os'].system('touch {f}')",
    "x.__class__.__bases__[0].__subclasses__()",
    "[c for c in ().__class__.__bases__[0].__subclasses__()]",
    "eval(\"__import__('os').system('touch {f}')\")",
    "exec('import os')",
    "open('{f}', 'w')",
    "getattr(x, 'system')",
    "x[0]",
    "__builtins__",
    "exp(x, base=2)",
    "exp(*x)",
    "min(x, y)",
    "abs(x)",
    "sin(x)",
    "Function('f')(x)",
    "x if y else z",
    "x < y",
    "x and y",
    "'touch {f}'",
    "x; import os",
    "x\nimport os",
    "1j*x",
    "9**9**9",
    "(" * 300 + "x" + ")" * 300,
    "x" + "+x" * 3000,
    "-" * 5000 + "x",
    "x" * 30000,
    "1" * 100 + "*x",
]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_text_never_runs(template, tmp_path):
    marker = tmp_path / "ran"
    text = template.format(f=marker)
    with pytest.raises(NetworkFileError) as info:
        parse_expression(text, "rate law of reaction J0")
    assert not marker.exists()
    message = str(info.value)
    assert "rate law of reaction J0" in message and len(message) < 600


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=80))
def test_random_text_parses_or_is_refused(text):
    try:
        e = parse_expression(text, "fuzz")
    except NetworkFileError:
        return
    assert isinstance(e, sp.Expr)
    assert all(type(s) is sp.Symbol for s in e.free_symbols)


TOKENS = st.sampled_from(["x", "y", "Si", "lambda", "1", "2.5e-3", "+", "-", "*", "/", "**",
                          "^", "(", ")", ",", "exp(", "log(", "pow(", "sqrt(", "__import__",
                          ".", "[", "]", "'os'", "lambda:", " ", "0"])


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(TOKENS, max_size=25))
def test_random_token_soup_parses_or_is_refused(tokens):
    """Near-valid input: sequences of the grammar's own tokens and hostile ones."""
    try:
        e = parse_expression("".join(tokens), "fuzz")
    except (NetworkFileError, InputError):
        return
    assert all(type(s) is sp.Symbol for s in e.free_symbols)


def test_symbolic_parameter_text_is_never_run(tmp_path):
    """Parameters given as text (``--param N=...`` of ``derive``) go through the same
    parser: the package's names are its symbols, nothing runs."""
    from helpers import run_cli

    from antagonism.derivations import symbols
    from antagonism.derivations.validation import as_parameter

    assert as_parameter("N", "m") == symbols.N  # a plain identifier is a symbol
    with pytest.raises(InputError, match="plain symbol"):  # expressions are not accepted
        as_parameter("N - 1", "m")
    marker = tmp_path / "ran"
    with pytest.raises(InputError):
        as_parameter(f"__import__('os').system('touch {marker}')", "N")
    p = run_cli("derive", "--model", "adaptive", "--quantity", "gradient", "--param",
                f"N=__import__('os').system('touch {marker}')")
    assert p.returncode == 2 and "N" in p.stderr and "Traceback" not in p.stderr
    assert not marker.exists()
