"""The checkout is what gets tested: conftest refuses to run when an ``antagonism``
subpackage resolves outside it (``checkout_guard``)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from checkout_guard import ROOT, SUBPACKAGES, explain, outside_checkout

TESTS = Path(__file__).resolve().parent


def _stale_copy(tmp_path):
    """A folder shaped like a site-packages with an older antagonism.theory in it."""
    theory = tmp_path / "site" / "antagonism" / "theory"
    theory.mkdir(parents=True)
    (theory / "__init__.py").write_text("STALE = True\n")
    return tmp_path / "site"


def test_this_checkout_is_what_gets_tested():
    assert outside_checkout() == []


def test_another_root_reports_every_subpackage(tmp_path):
    """Negative control: against a folder that holds none of the code, every subpackage is
    reported, and the message names the remedy."""
    problems = outside_checkout(root=tmp_path)
    assert {name for name, _ in problems} == set(SUBPACKAGES)
    assert 'pip install -e ".[test]"' in explain(problems)


def test_a_subpackage_shadowed_from_elsewhere_is_reported(tmp_path):
    """With a stale copy of antagonism.theory ahead of the checkout on sys.path (what a
    non-editable install leaves behind), the guard names it and where it comes from."""
    site = _stale_copy(tmp_path)
    code = ("import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; "
            "from checkout_guard import outside_checkout; "
            "import antagonism.theory as t; "
            "print(json.dumps([outside_checkout(), getattr(t, 'STALE', False)]))")
    out = subprocess.run([sys.executable, "-c", code, str(site), str(TESTS)], cwd=tmp_path,
                         capture_output=True, text=True, timeout=60, check=True)
    problems, stale = json.loads(out.stdout)
    assert stale  # the shadowing is real: the stale module is what gets imported
    where = dict((name, w) for name, w in problems)
    assert Path(where["antagonism.theory"]) == site / "antagonism" / "theory"
    assert "antagonism.derivations" not in where


def test_pytest_refuses_to_run_a_shadowed_checkout(tmp_path):
    """pytest itself stops before collecting, with the message, and a non-zero status."""
    site = _stale_copy(tmp_path)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [
        str(site), os.environ.get("PYTHONPATH", "")]))}
    out = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "-p", "no:xdist", f"{TESTS / 'test_checkout_guard.py'}"
                          "::test_this_checkout_is_what_gets_tested"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0
    text = out.stdout + out.stderr
    assert "would not run this checkout's code" in text
    assert "antagonism.theory is imported from" in text and str(site) in text
