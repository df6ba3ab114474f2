"""The command-line contract: classify, derive, regimes, bad input, the entry point."""
import json

import pytest
from helpers import run_cli, run_cli_process, tau_inflection, tau_star


def test_classify_adaptive_json():
    p = run_cli("classify", "--model", "adaptive", "--N", "5", "--m", "3", "--tau-c", "3",
                "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["regime"] == "specialized" and out["gradient_critical_point"] is True
    assert out["tau_star"] == pytest.approx(tau_star(5, 3, 3.0, 1.0))
    assert out["tau_inflection"] == pytest.approx(tau_inflection(5, 3, 3.0, 1.0))
    assert out["escape"] == "frozen" and out["parameters"]["N"] == 5
    assert out["parameters"]["m"] == 3 and "N" not in out


def test_classify_broad_has_null_inflection():
    out = json.loads(run_cli("classify", "--N", "4", "--m", "1", "--tau-c", "3",
                             "--json").stdout)
    assert out["regime"] == "broad" and out["tau_inflection"] is None
    assert out["escape"] == "finite-time"


def test_classify_kpr_json():
    p = run_cli("classify", "--model", "kpr", "--N", "3", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["tau_star"] is None and out["strength"]["antagonism"] is False
    assert out["escape"] == "pushed-to-zero"
    # a regime word for every model: KPR's gradient is broad, and there is no antagonism
    assert out["regime"] == "broad" and out["verdict"] == "no antagonism"
    assert "broad" in " ".join(out["reasons"])


@pytest.mark.parametrize("quantity", ["gradient", "hessian", "tau-star", "tau-inflection",
                                      "boundary", "fold-change"])
def test_derive_latex(quantity):
    p = run_cli("derive", "--model", "adaptive", "--N", "N", "--m", "m", "--quantity", quantity,
                "--latex")
    assert p.returncode == 0, p.stderr
    assert "\\" in p.stdout and "tau" in p.stdout


def test_derive_numeric_model_and_a_quantity_that_does_not_exist():
    p = run_cli("derive", "--N", "5", "--m", "3", "--tau-c", "3", "--quantity", "tau-star")
    assert p.returncode == 0 and "sqrt(15)" in p.stdout  # 3 (3 T / 5)^(1/2)
    p = run_cli("derive", "--model", "kpr", "--quantity", "tau-star")
    assert p.returncode == 0 and p.stdout.startswith("none:") and "positive" in p.stdout


def test_regimes_table():
    p = run_cli("regimes", "--max-N", "3", "--json")
    rows = json.loads(p.stdout)
    assert [(r["parameters"]["N"], r["parameters"]["m"], r["regime"]) for r in rows] == [
        (1, 0, "broad"), (2, 0, "broad"), (2, 1, "broad"), (3, 0, "broad"), (3, 1, "broad"),
        (3, 2, "specialized")]


@pytest.mark.parametrize("args,needle", [
    (["classify", "--N", "3", "--m", "3"], "m"),
    (["classify", "--N", "-2", "--m", "0"], "N=-2"),
    (["classify", "--model", "shp2"], "shp2"),
    (["derive", "--N", "-1", "--quantity", "gradient"], "-1"),
    (["derive", "--model", "nope", "--quantity", "gradient"], "nope"),
    (["classify", "--N", "nan", "--m", "0"], "nan"),
    (["classify", "--param", "foo=1"], "foo"),
    (["classify", "--param", "oops"], "name=value"),
    (["descend", "--seed", "-1"], "seed"),
])
def test_bad_input_one_line_no_traceback(args, needle):
    p = run_cli(*args)
    assert p.returncode == 2
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]


def test_entry_point_runs_in_a_fresh_interpreter():
    p = run_cli_process("classify", "--N", "5", "--m", "3", "--json")
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout)["regime"] == "specialized"
    p = run_cli_process("classify", "--N", "3", "--m", "3")
    assert p.returncode == 2 and "Traceback" not in p.stderr


def test_help_of_every_command_renders():
    """argparse formats help strings with %: a stray percent sign breaks --help."""
    from antagonism.cli import COMMANDS, main

    for args in [["--help"], *[[name, "--help"] for name in COMMANDS]]:
        with pytest.raises(SystemExit) as exit_info:
            main(args)
        assert exit_info.value.code == 0, args


def test_every_option_says_what_it_is_and_shows_its_default(capsys):
    from antagonism.cli import build_parser, main

    sub = next(a for a in build_parser()._actions if a.choices and "classify" in a.choices)
    for name, parser in sub.choices.items():
        for action in parser._actions:
            assert action.help, f"{name} {action.option_strings or action.dest} has no help"
    with pytest.raises(SystemExit):
        main(["descend", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "step size (default: 0.2)" in text and "(default: None)" not in text
