"""The package's layers, read from its source: every import points down the layers, the
numerics sub-packages import in one direction, there is no import loop, no module is over
500 lines, and the numpy-only modules load neither sympy nor numba.

Layers, lowest first: ``antagonism._core`` (with ``antagonism.errors``) <
``antagonism.derivations`` < ``antagonism.io`` < ``antagonism.theory`` <
``antagonism.numerics`` < ``antagonism.cli`` (with ``antagonism.__main__``).  Every import
counts, including those inside functions."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
#: source folder -> the dotted name it is installed as (pyproject's package-dir)
FOLDERS = {"antagonism": "antagonism", "derivations": "antagonism.derivations",
           "theory": "antagonism.theory", "numerics": "antagonism.numerics"}
LAYERS = {"antagonism._core": 0, "antagonism.errors": 0, "antagonism.derivations": 1,
          "antagonism.io": 2, "antagonism.theory": 3, "antagonism.numerics": 4,
          "antagonism.cli": 5, "antagonism.__main__": 5}
#: within numerics: a sub-package may not import any of these
NUMERICS_FORBIDDEN = {
    "experiments": ("figures",),
    "regime": ("figures",),
    "networks": ("experiments", "regime", "figures"),
    "cells": ("experiments", "regime", "figures"),
    "attacks": ("experiments", "regime", "figures", "networks", "cells"),
    "executor": ("experiments", "regime", "figures"),
}
MAX_LINES = 500
NUMPY_ONLY = ("antagonism.numerics.attacks", "antagonism.numerics.cache",
              "antagonism.theory.validation", "antagonism._core.result", "antagonism.errors",
              "antagonism.numerics.networks.layers", "antagonism.numerics.statistics",
              "antagonism.numerics.answers", "antagonism._core.catalog",
              "antagonism.io.shipped")


def _modules():
    """Dotted module name -> (path, is_package) for every Python file of the package."""
    out = {}
    for folder, dotted in FOLDERS.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = path.relative_to(ROOT / folder).with_suffix("").parts
            package = parts[-1] == "__init__"
            name = ".".join((dotted, *(parts[:-1] if package else parts)))
            out[name] = (path, package)
    return out


MODULES = _modules()


def _imports(name):
    """The modules ``name`` imports (relative imports resolved; ``from X import Y`` counts as
    X.Y when that is a module of the package, else X), with line numbers, all scopes."""
    path, package = MODULES[name]
    base = name.split(".") if package else name.split(".")[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = base[:len(base) - node.level + 1]
                target = ".".join([*stem, *([node.module] if node.module else [])])
            else:
                target = node.module
            for a in node.names:
                sub = f"{target}.{a.name}"
                found.append((sub if sub in MODULES else target, node.lineno))
    return found


def _layer(name):
    """The layer of a dotted name under ``antagonism`` (None outside the package)."""
    best = None
    for prefix, layer in LAYERS.items():
        if name == prefix or name.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    return None if best is None else best[1]


def _numerics_part(name):
    parts = name.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["antagonism", "numerics"] else None


def test_every_module_has_a_layer():
    assert len(MODULES) > 50
    assert [m for m in MODULES if _layer(m) is None] == []


def test_no_import_points_up_the_layers():
    up = [f"{name}:{line} imports {target}" for name in MODULES
          for target, line in _imports(name)
          if _layer(target) is not None and _layer(target) > _layer(name)]
    assert up == []


def test_numerics_subpackages_import_one_way():
    bad = []
    for name in MODULES:
        forbidden = NUMERICS_FORBIDDEN.get(_numerics_part(name), ())
        bad += [f"{name}:{line} imports {target}" for target, line in _imports(name)
                if _numerics_part(target) in forbidden]
    assert bad == []


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        out.append(sorted(component))
    return out


def test_cycle_finder_finds_loops():
    assert _cycles({"a": ["b"], "b": ["c"], "c": ["a"], "d": ["a"]}) == [["a", "b", "c"]]
    assert _cycles({"a": ["b"], "b": [], "c": ["c"]}) == []


def test_no_import_loops():
    graph = {name: sorted({t for t, _ in _imports(name) if t in MODULES and t != name})
             for name in MODULES}
    assert _cycles(graph) == []


def test_no_module_is_over_500_lines():
    long = {str(path.relative_to(ROOT)): n for path, _ in MODULES.values()
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("module", NUMPY_ONLY)
def test_numpy_only_modules_load_neither_sympy_nor_numba(module):
    code = (f"import sys, {module}\n"
            "print(','.join(m for m in ('sympy', 'numba') if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stdout.strip() == "", f"importing {module} loads {run.stdout.strip()}"
