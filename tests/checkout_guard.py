"""Which code the tests run: every ``antagonism`` subpackage must come from this checkout.

After a non-editable install (``pip install .``), a checkout imports a mix: the folders
under ``antagonism/`` (``_core``, ``cli``, ``io``) from the checkout, and ``derivations``,
``theory`` and ``numerics``, mapped by ``pyproject.toml``, from site-packages; editing
``theory`` and running pytest then tests the installed copy, silently.  ``conftest.py``
refuses to run the tests in that case (:func:`outside_checkout`); the remedy is an editable
install, ``python -m pip install -e ".[test]"``.

The locations are read with :func:`importlib.util.find_spec`, which imports only the parent
package (``antagonism``, a namespace package without code), never the subpackage itself.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = ("antagonism", "antagonism._core", "antagonism.cli", "antagonism.io",
               "antagonism.derivations", "antagonism.theory", "antagonism.numerics")


def locations(name):
    """The folders (packages, every portion of a namespace package) or file ``name`` is
    imported from; setuptools' editable path-hook entries, which are not folders, are left
    out."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        return []
    if spec.submodule_search_locations is not None:
        return [str(p) for p in spec.submodule_search_locations
                if not str(p).startswith("__editable__")]
    return [spec.origin]


def _inside(path, root):
    try:
        Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError:
        return False
    return True


def outside_checkout(root=ROOT, names=SUBPACKAGES):
    """[(name, where)] for every subpackage that is not importable or imports (in whole or
    in part) from outside ``root``; empty when the tests run the checkout's code."""
    problems = []
    for name in names:
        try:
            where = locations(name)
        except (ImportError, ValueError) as exc:
            problems.append((name, f"not importable ({exc})"))
            continue
        if not where:
            problems.append((name, "not importable"))
            continue
        problems.extend((name, w) for w in where if not _inside(w, root))
    return problems


def explain(problems, root=ROOT):
    """The error message for :func:`outside_checkout`'s findings."""
    lines = [f"the tests would not run this checkout's code ({root}):"]
    lines += [f"  {name} is imported from {where}" for name, where in problems]
    lines.append("install the checkout in editable mode: python -m pip install -e \".[test]\" "
                 "(and remove any other installed copy of antagonism)")
    return "\n".join(lines)
