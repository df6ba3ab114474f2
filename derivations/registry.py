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

from antagonism._core.errors import InputError

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
            raise InputError(f"unknown parameter(s) {sorted(unknown)} for model {self.name!r};"
                             f" known: {', '.join(self.parameters) or 'none'}")
        values = {k: p.value for k, p in self.parameters.items()}
        values.update({k: v for k, v in overrides.items() if v is not None})
        return self.factory(**values)


_REGISTRY: dict[str, ModelSpec] = {}


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
    raise InputError(f"unknown model {name!r}; {hint}known models: {', '.join(_REGISTRY)}")


def create_model(name, **parameters) -> CellModel:
    """Create the registered model ``name`` with its default parameters overridden."""
    return model_spec(name).create(**parameters)


def model_names():
    return tuple(_REGISTRY)


def _register_builtins():
    from .adaptive import AdaptiveProofreading
    from .adaptive_sorting import AdaptiveSorting
    from .kinetic import KineticProofreading
    from .shp1 import CLASSICAL, SHP1

    register_model("adaptive", AdaptiveProofreading, parameters={
        "N": Parameter(5, "", "proofreading steps"),
        "m": Parameter(3, "", "feedback step, 0 <= m < N"),
        "tau_c": Parameter(3.0, "s", "threshold binding time (T = 1 at tau_c, every dose)")},
        capabilities={"symbolic-parameters", "sum-form", "absolute-threshold"})
    register_model("kpr", KineticProofreading, parameters={
        "N": Parameter(3, "", "proofreading steps"),
        "phi": Parameter(0.09, "1/s", "phosphorylation rate"),
        "kappa": Parameter(1e-4, "1/(s molecule)", "binding rate"),
        "R": Parameter(3e4, "molecules", "receptors (in excess)"),
        "tau_c": Parameter(3.0, "s", "threshold binding time at the reference dose")},
        capabilities={"symbolic-parameters", "sum-form"})
    register_model("shp1", SHP1, parameters={
        **CLASSICAL, "receptors_in_excess": Parameter(
            False, "", "fix R_f = R: no competition for receptors (isolates the S pathway)")},
                   capabilities={"sum-form", "shared-variables", "ode"})
    register_model("adaptive-sorting", AdaptiveSorting, parameters={
        "phi": Parameter(1e-4, "1/(s molecule)", "phosphorylation rate per kinase"),
        "alpha": Parameter(1.0, "1/s", "kinase reactivation rate"),
        "epsilon": Parameter(1e-3, "1/(s molecule)", "kinase inactivation by C_0"),
        "K_T": Parameter(1e4, "molecules", "total kinase"),
        "tau_c": Parameter(3.0, "s", "threshold binding time at the reference dose")},
        capabilities={"sum-form", "shared-variables", "ode"})


_register_builtins()
