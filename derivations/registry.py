"""The model registry: name -> factory, parameters and capabilities.

This is the one place that knows the models by name.  The theory (``classify_regime``),
the numerics and the command line look models up here; nothing else branches on a model's
name.  A user's model joins with :func:`register_model` and then works everywhere a name is
accepted (``antagonism classify --model NAME``...).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import MappingProxyType

from antagonism._core.catalog import BUILTIN_CAPABILITIES, BUILTIN_MODELS
from antagonism._core.errors import InputError, ModelError

from .model import CellModel, Parameter

CAPABILITIES = MappingProxyType({
    "symbolic-parameters": "derivations hold for symbolic parameters (closed forms in N, m)",
    "sum-form": "the output is written through sums over ligand types",
    "shared-variables": "ligand types share variables fixed by an implicit steady state",
    "absolute-threshold": "the cell decides against a fixed threshold (T > 1)",
    "ode": "an ODE integration checks the steady state (antagonism.numerics.cells.ode)",
})


@dataclass(frozen=True)
class ModelSpec:
    """A registered model.

    Attributes
    ----------
    name : str
    factory : callable(**parameters) -> CellModel
    title : str
    parameters : mapping name -> Parameter (default value, unit, description); the defaults
        make a concrete, numeric model
    capabilities : frozenset of names from ``CAPABILITIES``
    """

    name: str
    factory: Callable[..., CellModel]
    title: str
    parameters: dict = field(default_factory=dict)
    capabilities: frozenset = frozenset()

    def create(self, **overrides):
        """The model with the registered defaults, ``overrides`` applied (None = default)."""
        unknown = set(overrides) - set(self.parameters)
        if unknown:
            raise ModelError(f"unknown parameter(s) {sorted(unknown)} for model {self.name!r};"
                             f" known: {', '.join(self.parameters) or 'none'}")
        values = {k: p.value for k, p in self.parameters.items()}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return self.factory(**values)


_REGISTRY: dict[str, ModelSpec] = {}
_BUILTIN: dict[str, ModelSpec] = {}  # the specs the package registered itself


def register_model(name, factory, *, title=None, parameters=None, capabilities=()):
    """Register (or replace) a model under ``name``; returns its ModelSpec."""
    unknown = set(capabilities) - set(CAPABILITIES)
    if unknown:
        raise InputError(f"unknown capabilities {sorted(unknown)}; known: "
                         f"{', '.join(CAPABILITIES)}")
    params = {k: p if isinstance(p, Parameter) else Parameter(p)
              for k, p in (parameters or {}).items()}
    spec = ModelSpec(name, factory, title or getattr(factory, "title", name),
                     MappingProxyType(params), frozenset(capabilities))
    _REGISTRY[name] = spec
    return spec


def unregister_model(name):
    """Remove a registered model (a user's; the built-ins can be replaced, not removed)."""
    model_spec(name)
    del _REGISTRY[name]


def model_spec(name) -> ModelSpec:
    """The registered model ``name`` (``adaptive_sorting`` is ``adaptive-sorting``), with an
    error naming the known ones and the nearest (difflib)."""
    import difflib

    if name in _REGISTRY:
        return _REGISTRY[name]
    alias = str(name).strip().replace("_", "-")
    if alias in _REGISTRY:
        return _REGISTRY[alias]
    close = difflib.get_close_matches(alias, list(_REGISTRY), n=1, cutoff=0.6)
    hint = f"did you mean {close[0]}? " if close else ""
    raise ModelError(f"unknown model {name!r}; {hint}known models: {', '.join(_REGISTRY)}")


def create_model(name, **parameters) -> CellModel:
    """Create the registered model ``name`` with its default parameters overridden."""
    return model_spec(name).create(**parameters)


def model_names():
    return tuple(_REGISTRY)


def _register_builtins():
    """Register the built-in models: their parameters and capabilities as declared in
    :mod:`antagonism._core.catalog` (sympy-free, read by the command line too), bound here to
    their classes."""
    from .adaptive import AdaptiveProofreading
    from .adaptive_sorting import AdaptiveSorting
    from .kinetic import KineticProofreading
    from .shp1 import SHP1

    classes = {"adaptive": AdaptiveProofreading, "kpr": KineticProofreading, "shp1": SHP1,
               "adaptive-sorting": AdaptiveSorting}
    for name, parameters in BUILTIN_MODELS.items():
        _BUILTIN[name] = register_model(name, classes[name], parameters=parameters,
                                        capabilities=BUILTIN_CAPABILITIES[name])


def is_builtin(name):
    """Whether ``name`` is a built-in model as the package registered it (not replaced by a
    user's :func:`register_model`): its answers depend on the package's code alone."""
    try:
        spec = model_spec(name)
    except InputError:
        return False
    return _BUILTIN.get(spec.name) is spec


_register_builtins()
