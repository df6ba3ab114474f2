"""The built-in models by name, as data: their parameters (default, unit, meaning) and
capabilities, readable without sympy.

The model registry (:mod:`antagonism.derivations.registry`) binds each name declared here to
its sympy class and registers it; the command line reads this module directly, so that its
help, and a command answered from the cache, import no sympy.  A model is declared here once
(name, parameters, capabilities) and its class once, in ``derivations``.

>>> builtin_model_names()
('adaptive', 'kpr', 'shp1', 'adaptive-sorting')
>>> BUILTIN_MODELS["adaptive"]["N"]
Parameter(value=5, unit='', description='proofreading steps')
>>> builtin_name("adaptive_sorting")
'adaptive-sorting'
"""
from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Parameter:
    """A model parameter with its unit and meaning (for documentation and the CLI)."""

    value: object
    unit: str = ""
    description: str = ""


#: the SHP-1 feedback model's classical parameters (François et al., PNAS 110, E888, 2013)
SHP1_CLASSICAL = MappingProxyType({
    "phi": Parameter(0.09, "1/s", "phosphorylation rate of each proofreading step"),
    "b": Parameter(0.04, "1/s", "basal dephosphorylation rate"),
    "gamma": Parameter(1.2e-6, "1/(s molecule)", "dephosphorylation rate per active SHP-1"),
    "kappa": Parameter(1e-4, "1/(s molecule)", "ligand-receptor binding rate"),
    "N": Parameter(5, "", "number of proofreading steps"),
    "m": Parameter(1, "", "step that activates SHP-1"),
    "S_T": Parameter(6e5, "molecules", "total SHP-1"),
    "C_star": Parameter(500.0, "molecules", "C_m giving half-maximal SHP-1 activation"),
    "R": Parameter(3e4, "molecules", "receptors"),
    "tau_c": Parameter(3.0, "s", "threshold binding time at the reference dose L = 100"),
})

#: name -> {parameter name: Parameter} of every built-in model, in the registry's order
BUILTIN_MODELS = MappingProxyType({
    "adaptive": MappingProxyType({
        "N": Parameter(5, "", "proofreading steps"),
        "m": Parameter(3, "", "feedback step, 0 <= m < N"),
        "tau_c": Parameter(3.0, "s", "threshold binding time (T = 1 at tau_c, every dose)")}),
    "kpr": MappingProxyType({
        "N": Parameter(3, "", "proofreading steps"),
        "phi": Parameter(0.09, "1/s", "phosphorylation rate"),
        "kappa": Parameter(1e-4, "1/(s molecule)", "binding rate"),
        "R": Parameter(3e4, "molecules", "receptors (in excess)"),
        "tau_c": Parameter(3.0, "s", "threshold binding time at the reference dose")}),
    "shp1": MappingProxyType({
        **SHP1_CLASSICAL, "receptors_in_excess": Parameter(
            False, "", "fix R_f = R: no competition for receptors (isolates the S pathway)")}),
    "adaptive-sorting": MappingProxyType({
        "phi": Parameter(1e-4, "1/(s molecule)", "phosphorylation rate per kinase"),
        "alpha": Parameter(1.0, "1/s", "kinase reactivation rate"),
        "epsilon": Parameter(1e-3, "1/(s molecule)", "kinase inactivation by C_0"),
        "K_T": Parameter(1e4, "molecules", "total kinase"),
        "tau_c": Parameter(3.0, "s", "threshold binding time at the reference dose")}),
})

#: name -> the capabilities (names of ``antagonism.derivations.registry.CAPABILITIES``) each
#: built-in model declares
BUILTIN_CAPABILITIES = MappingProxyType({
    "adaptive": frozenset({"symbolic-parameters", "sum-form", "absolute-threshold"}),
    "kpr": frozenset({"symbolic-parameters", "sum-form"}),
    "shp1": frozenset({"sum-form", "shared-variables", "ode"}),
    "adaptive-sorting": frozenset({"sum-form", "shared-variables", "ode"}),
})


def builtin_model_names():
    """The names of the built-in models, in the registry's order."""
    return tuple(BUILTIN_MODELS)


def builtin_name(name):
    """The built-in model ``name`` refers to (``adaptive_sorting`` is ``adaptive-sorting``,
    as :func:`antagonism.derivations.registry.model_spec` reads it), or None."""
    text = str(name)
    if text in BUILTIN_MODELS:
        return text
    alias = text.strip().replace("_", "-")
    return alias if alias in BUILTIN_MODELS else None


__all__ = ["BUILTIN_CAPABILITIES", "BUILTIN_MODELS", "SHP1_CLASSICAL", "Parameter",
           "builtin_model_names", "builtin_name"]
