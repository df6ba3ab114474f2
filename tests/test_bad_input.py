"""The bad-input catalogue: every command, given bad, hostile or oversized input, exits with
status 2 and one line naming the problem -- no traceback, no hang, no output on stdout."""
from pathlib import Path

import pytest
from helpers import run_cli

FIT_EXAMPLE = str(Path(__file__).resolve().parents[1] / "docs" / "fitting_example.csv")

CASES = [
    # classify / derive: numbers, symbols, limits
    (["classify", "--N", "5.123456", "--m", "3.1"], "three decimal places"),
    (["classify", "--N", "5.1234", "--m", "3.1"], "three decimal places"),
    (["classify", "--N", "5", "--m", "1/3000"], "three decimal places"),
    (["classify", "--N", "nan", "--m", "0"], "finite"),
    (["classify", "--N", "1e5000", "--m", "0"], "exponent"),
    (["classify", "--N", "2000", "--m", "1"], "at most 1000"),
    (["classify", "--N", "-3", "--m", "0"], "positive"),
    (["classify", "--N", "3", "--m", "5"], "smaller than N"),
    (["classify", "--N", "N", "--m", "1"], "number"),
    (["classify", "--N", "0x10"], "number"),
    (["classify", "--N", "1" * 60], "longer than"),
    (["classify", "--model", "nope"], "nope"),
    (["classify", "--param", "k"], "name=value"),
    (["classify", "--param", "tau_c=1+1"], "number"),
    (["classify", "--model-file", "/nonexistent/model.ant"], "no model file"),
    (["classify", "--time-budget", "0"], "positive"),
    (["derive", "--N", "__import__('os')", "--quantity", "tau-star"], "number"),
    (["derive", "--N", "N-1", "--quantity", "tau-star"], "plain symbol"),
    (["derive", "--quantity", "bogus"], "invalid choice"),
    (["derive", "--param", "x.y=1", "--quantity", "tau-star"], "identifier"),
    # regimes
    (["regimes", "--max-N", "0"], "positive integer"),
    (["regimes", "--max-N", "-3"], "positive integer"),
    (["regimes", "--max-N", "200"], "at most"),
    (["regimes", "--max-N", "abc"], "positive integer"),
    (["regimes", "--tau-c", "0"], "positive"),
    (["regimes", "--tau-c", "inf"], "finite"),
    # cells
    (["descend", "--ligands", "0"], "positive integer"),
    (["descend", "--ligands", "-5"], "positive integer"),
    (["descend", "--ligands", "10000000000000000"], "memory"),
    (["descend", "--eps", "-1"], "positive"),
    (["descend", "--max-iter", "0"], "positive integer"),
    (["descend", "--seed", "-1"], "non-negative"),
    (["descend", "--agonist-fraction", "2"], "[0, 1]"),
    (["potential", "--R", "0"], "positive"),
    (["potential", "--R", "nan"], "finite"),
    (["potential", "--agonist-fraction", "-0.1"], "[0, 1]"),
    (["steady", "--tau", "-1", "--L", "1"], "positive"),
    (["steady", "--tau", "1", "--L", "nan"], "finite"),
    (["steady", "--tau", "1e400", "--L", "1"], "finite"),
    (["steady", "--tau", "1e401", "--L", "1"], "exponent"),
    (["steady", "--tau", "1e-400", "--L", "1"], "from '1e-400' (below the smallest double"),
    (["fold-change", "--L2", "-1"], "positive"),
    (["fold-change", "--points", "1"], "at least 2"),
    (["fold-change", "--points", "0"], "positive integer"),
    (["fold-change", "--tau2-max", "0"], "positive"),
    # networks
    (["robustness", "--networks", ""], "empty"),
    (["robustness", "--networks", " , "], "empty"),
    (["robustness", "--queries", "-1"], "positive integer"),
    (["robustness", "--limit", "-5"], "positive integer"),
    (["robustness", "--eps", "2"], "[0, 1]"),
    (["robustness", "--eps", ""], "empty"),
    (["robustness", "--seeds", ""], "empty"),
    (["robustness", "--seeds", "a"], "integers"),
    (["robustness", "--seeds", "-1"], "integers"),
    (["robustness", "--dataset", "foo"], "invalid choice"),
    (["robustness", "--torch-model", "/nonexistent.pt"], "no torch model"),
    (["regime", "--eps", "0"], "positive"),
    (["regime", "--networks", ""], "empty"),
    # gamma, sweep, reproduce
    (["gamma", "--points", "0"], "positive integer"),
    (["gamma", "--tau", "-1"], "positive"),
    (["gamma", "--tau", ""], "empty"),
    (["gamma", "--background", "3:x"], "numbers"),
    (["gamma", "--plot", "/nonexistent/dir/x.png"], "cannot write"),
    (["sweep", "--N", "1:100000000"], "at most"),
    (["sweep", "--N", "a"], "number"),
    (["sweep", "--N", "3", "--executor", "threads"], "invalid choice"),
    (["sweep", "--N", "3", "--workers", "0"], "positive"),
    (["sweep", "--N", "3", "--param", "__import__=1"], "unknown parameter"),
    (["sweep"], "at least one parameter"),
    (["reproduce", "bogus"], "invalid choice"),
    (["reproduce", "--seed", "-1"], "non-negative"),
    (["reproduce", "picture_attack", "--quick", "--image", "/nonexistent.png"], "cannot read"),
    # fit (its data file: tests/test_fit.py)
    (["fit", "/nonexistent/data.csv"], "no data file"),
    (["fit", FIT_EXAMPLE, "--steps", "0"], "positive integer"),
    (["fit", FIT_EXAMPLE, "--prior", "m=uniform:3:1"], "need lo < hi"),
    (["fit", FIT_EXAMPLE, "--plot", "/nonexistent/dir/x.png"], "cannot write"),
    # the rest
    (["figures", "--out", "x", "--seed", "-1"], "non-negative"),
    (["figures", "--out", "x", "--only", ","], "empty"),
    (["data", "bogus"], "invalid choice"),
    (["cache", "bogus"], "invalid choice"),
    (["cache", "info", "--kind", "bogus"], "invalid choice"),
    (["models", "--json", "extra"], "unrecognized arguments"),
    (["nonexistent-command"], "invalid choice"),
]


@pytest.mark.parametrize("argv,fragment", CASES, ids=[" ".join(a)[:60] for a, _ in CASES])
def test_bad_input_is_refused_in_one_line(argv, fragment):
    p = run_cli(*argv)
    assert p.returncode == 2, (p.returncode, p.stdout, p.stderr)
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("antagonism: error:"), p.stderr
    assert "Traceback" not in p.stderr and p.stdout == ""
    assert fragment in lines[0], lines[0]


def test_every_command_is_in_the_catalogue():
    from antagonism.cli import COMMANDS, build_parser

    build_parser()
    covered = {a[0] for a, _ in CASES}
    assert set(COMMANDS) - {"docs", "literature"} <= covered  # those two take no numbers


def test_symbolic_work_runs_out_of_its_time_budget_with_a_clear_message():
    p = run_cli("classify", "--model", "shp1", "--N", "30", "--time-budget", "1")
    assert p.returncode == 2 and "ran out of its time budget of 1 s" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("text,fragment", [
    ("species " + ", ".join(f"S{i}" for i in range(150)) + "\n", "150 species"),
    ("".join(f"J{i}: A -> B; k*A\n" for i in range(500)), "500 reactions"),
    ("; ".join(f"J{i}: A -> B; k*A" for i in range(500)) + "\n", "500 reactions"),
    ("// padding\n" * 40000, "kB"),
])
def test_model_files_beyond_the_limits_are_refused(tmp_path, text, fragment):
    """Counted once parsed: one reaction a line or all on one line alike."""
    path = tmp_path / "big.ant"
    path.write_text(text)
    p = run_cli("classify", "--model-file", path)
    assert p.returncode == 2 and fragment in p.stderr and "limit" in p.stderr, p.stderr


def test_the_shipped_models_are_within_the_limits():
    from antagonism.io.file_limits import check_model_file_limits, check_sbml_counts
    from antagonism.io.reaction_files import antimony_to_sbml, literature_files

    for path in literature_files().values():
        assert check_model_file_limits(path) == path
        counts = check_sbml_counts(antimony_to_sbml(path.read_text()))
        assert 0 < counts["species"] <= 100 and counts["instances"] == 0


def test_the_time_budget_stops_work_and_refires_if_swallowed():
    import time

    from antagonism._core.budget import time_budget
    from antagonism._core.errors import LimitError

    start = time.monotonic()
    swallowed = 0
    with pytest.raises(LimitError, match="time budget of 0.2 s"):
        with time_budget(0.2, "the loop"):
            while True:
                try:
                    while True:
                        pass
                except BaseException:  # the alarm is a BaseException (not a ValueError)
                    swallowed += 1  # a library swallowing the first stop meets the next one
                    if swallowed == 2:
                        raise
    assert 1.0 < time.monotonic() - start < 10


def test_reproduce_refuses_a_file_that_is_not_an_image(tmp_path):
    path = tmp_path / "fake.png"
    path.write_text("not an image")
    p = run_cli("reproduce", "picture_attack", "--quick", "--image", path)
    assert p.returncode == 2 and "cannot read the image" in p.stderr, p.stderr
    assert len(p.stderr.strip().splitlines()) == 1


def test_derive_reports_an_internal_key_error_as_itself(monkeypatch):
    """Only a quantity name derive() does not know is 'unknown'; a KeyError raised inside a
    derivation is a failure of that derivation and keeps its type."""
    from antagonism import derivations as dv
    from antagonism._core.errors import InputError

    def broken(model):
        return {}["inside the derivation"]

    monkeypatch.setitem(dv.QUANTITIES, "tau-star", broken)
    with pytest.raises(KeyError, match="inside the derivation"):
        dv.derive(dv.AdaptiveProofreading(), "tau-star")
    with pytest.raises(InputError, match="unknown quantity 'bogus'"):
        dv.derive(dv.AdaptiveProofreading(), "bogus")
    p = run_cli("derive", "--quantity", "tau-star")
    assert p.returncode == 1 and "unknown quantity" not in p.stderr and "KeyError" in p.stderr


def test_exponents_with_three_decimals_are_accepted_and_exact():
    import json

    from helpers import tau_inflection, tau_star

    p = run_cli("classify", "--N", "5.125", "--m", "3.1", "--tau-c", "3", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["tau_star"] == pytest.approx(tau_star(5.125, 3.1, 3.0, 1.0), rel=1e-12)
    assert out["tau_inflection"] == pytest.approx(tau_inflection(5.125, 3.1, 3.0, 1.0),
                                                  rel=1e-12)
