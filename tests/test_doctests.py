"""The ``>>>`` examples in the docstrings run, as written, by doctest.

Modules are imported by their installed names (``antagonism.theory...``), so the examples
see the package as a user does.
"""
import doctest
import importlib
import pkgutil

import pytest

import antagonism._core
import antagonism.numerics.attacks
import antagonism.theory

PACKAGES = (antagonism._core, antagonism.theory, antagonism.numerics.attacks)
MODULES = sorted(
    ["antagonism.errors"]
    + [f"{pkg.__name__}.{info.name}" for pkg in PACKAGES
       for info in pkgutil.iter_modules(pkg.__path__)]
    + [pkg.__name__ for pkg in PACKAGES])


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {name}"
