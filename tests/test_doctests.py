"""The ``>>>`` examples in the docstrings run, as written, by doctest.

Modules are imported by their installed names (``antagonism.theory...``), so the examples
see the package as a user does.
"""
import doctest
import importlib
import inspect
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


# every public function of the theory and of the attacks shows a ``>>>`` example, which the
# test above runs where the function is defined
EXAMPLED = (antagonism.theory, antagonism.numerics.attacks)
FUNCTIONS = sorted(f"{pkg.__name__}.{name}" for pkg in EXAMPLED for name in pkg.__all__
                   if callable(getattr(pkg, name)) and not inspect.isclass(getattr(pkg, name)))


@pytest.mark.parametrize("qualified", FUNCTIONS)
def test_public_function_has_an_example(qualified):
    package, name = qualified.rsplit(".", 1)
    function = getattr(importlib.import_module(package), name)
    home = importlib.import_module(function.__module__)
    assert ">>>" in (function.__doc__ or ""), f"{qualified} has no >>> example"
    found = {t.name.rsplit(".", 1)[-1] for t in doctest.DocTestFinder().find(home) if t.examples}
    assert name in found, f"doctest does not find the example of {qualified} in {home.__name__}"
