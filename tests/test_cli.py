"""The command-line contract of issue 2."""
import json
import subprocess
import sys

import pytest


def run(*args):
    return subprocess.run([sys.executable, "-m", "antagonism.numerics.cli", *args],
                          capture_output=True, text=True, timeout=300)


def test_classify_adaptive_json():
    p = run("classify", "--model", "adaptive", "--N", "5", "--m", "3", "--tau-c", "3", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["regime"] == "specialized" and out["gradient_critical_point"] is True
    assert out["tau_star"] == pytest.approx(3 * (3 / 5) ** 0.5)
    assert out["tau_inflection"] == pytest.approx(3 * (6 / 20) ** 0.5)
    assert out["escape"] == "frozen"


def test_classify_broad_has_null_inflection():
    out = json.loads(run("classify", "--N", "4", "--m", "1", "--tau-c", "3", "--json").stdout)
    assert out["regime"] == "broad" and out["tau_inflection"] is None
    assert out["escape"] == "finite-time"


def test_classify_kpr_json():
    p = run("classify", "--model", "kpr", "--N", "3", "--json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["tau_star"] is None and out["antagonism"] is False
    assert out["escape"] == "pushed-to-zero"


@pytest.mark.parametrize("quantity", ["gradient", "hessian", "tau-star", "tau-inflection",
                                      "boundary", "fold-change"])
def test_derive_latex(quantity):
    p = run("derive", "--model", "adaptive", "--N", "N", "--m", "m", "--quantity", quantity,
            "--latex")
    assert p.returncode == 0, p.stderr
    assert "\\" in p.stdout and "tau" in p.stdout


@pytest.mark.parametrize("args,needle", [
    (["classify", "--N", "3", "--m", "3"], "m"),
    (["classify", "--N", "-2", "--m", "0"], "N=-2"),
    (["classify", "--model", "shp2"], "shp2"),
    (["derive", "--N", "-1", "--quantity", "gradient"], "-1"),
    (["derive", "--model", "nope", "--quantity", "gradient"], "nope"),
    (["classify", "--N", "nan", "--m", "0"], "nan"),
])
def test_bad_input_one_line_no_traceback(args, needle):
    p = run(*args)
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and needle in lines[0]
