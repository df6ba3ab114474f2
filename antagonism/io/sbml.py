"""Reading an SBML document into plain data, through python-libsbml (the ``sbml`` extra).

:func:`read_sbml` is the first of three steps from a file to a
:class:`~antagonism.derivations.reactions.ReactionNetwork`: it reads what the document
holds (species, parameters, compartments, assignment rules, initial assignments,
reactions, notes) into an :class:`SbmlContents`, its math read from libsbml's syntax tree
by the package's whitelisting reader (:func:`~antagonism.derivations.expressions.sbml_math`,
never evaluated).  Which species is the ligand comes next (:mod:`.designations`), and the
network is put together last (:mod:`.assembly`).

Supported: compartments of any constant sizes, species in concentrations or, with
``hasOnlySubstanceUnits``, in amounts (each species' value is what its symbol means in the
file's math, as SBML defines it), global and local parameters, species (boundary or
constant ones become parameters), function definitions (expanded), initial assignments
and assignment rules.  Refused, naming the element: rate rules, algebraic rules, events,
delays, time-dependent math, compartments whose size is not a positive constant number
(named with their species), conversion factors.

Before libsbml sees the text, it is read by a streaming parser that refuses deep nesting
and external model definitions (:mod:`.guards`); before any expression is built, the size
of every expression once functions and rules are expanded is computed and limited
(:mod:`.expansion`).
"""
from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass

import sympy as sp

from antagonism._core.errors import NetworkFileError
from antagonism._core.text import printable
from antagonism.derivations.expressions import sbml_function_definitions, sbml_math

from .expansion import check_expanded_sizes
from .file_limits import MAX_MODEL_TEXT, check_sbml_counts
from .guards import check_xml, refuse_external_models


@dataclass(frozen=True)
class SbmlReaction:
    """A reaction as the file states it.

    Attributes
    ----------
    id : str
    reactants, products : tuple of (species, stoichiometry) -- stoichiometries as floats,
        NaN where the file sets none; repeated species are listed as often as the file does
    rate : sympy.Expr -- the kinetic law (amount per time), local parameters renamed
        ``<reaction>_<parameter>``, assignment rules not yet substituted
    local_parameters : tuple of (name, value) -- under their new names
    """

    id: str
    reactants: tuple
    products: tuple
    rate: sp.Expr
    local_parameters: tuple


@dataclass(frozen=True)
class SbmlContents:
    """What an SBML model holds, as plain data (no designation, no override applied).

    Attributes
    ----------
    model_id : str
    notes : str -- the model's notes as text, one line per paragraph (tags removed)
    rules : dict name -> sympy.Expr -- assignment rules, each in terms of non-rule symbols
    parameters : dict name -> float -- global parameters with a finite value, boundary and
        constant species (at their initial value, in the file's units), then compartment
        sizes
    unset : frozenset -- global parameters without a (finite) value
    initial : dict species -> float -- initial values of the other species, in the file's
        own units: a concentration, or an amount for a species with
        ``hasOnlySubstanceUnits`` (what the species' symbol means in the math)
    compartments : dict species -> str -- each species' compartment (every species, fixed
        ones included)
    substance_only : frozenset -- the species whose symbol is an amount
        (``hasOnlySubstanceUnits``, or a compartment of zero dimensions)
    assignments : dict name -> sympy.Expr -- initial assignments, not yet evaluated
    reactions : tuple of :class:`SbmlReaction`
    rule_sizes : dict name -> int -- each assignment rule's expanded size (nodes), for the
        limit on the output (:mod:`.expansion`)
    """

    model_id: str
    notes: str
    rules: dict
    parameters: dict
    unset: frozenset
    initial: dict
    compartments: dict
    substance_only: frozenset
    assignments: dict
    reactions: tuple
    rule_sizes: dict = None


def libsbml_module():
    """The ``libsbml`` module, or a NetworkFileError saying how to install it."""
    try:
        import libsbml
    except ImportError:
        raise NetworkFileError("reading SBML needs python-libsbml: pip install "
                               '"antagonism[sbml]"') from None
    return libsbml


def read_sbml(sbml):
    """Read an SBML string into :class:`SbmlContents`; refuses a document libsbml reports
    errors in, one without a model, events, rate and algebraic rules, conversion factors,
    compartments whose size is set by a rule and reactions without a rate law."""
    libsbml = libsbml_module()
    model = _model(sbml, libsbml)
    functions = sbml_function_definitions(model, libsbml)
    rule_sizes = check_expanded_sizes(model, functions, libsbml)  # before building any

    def read(math_, where, renames=None):
        return sbml_math(math_, where, functions=functions, renames=renames,
                         libsbml=libsbml)

    rules = _assignment_rules(model, libsbml, read)
    notes = (libsbml.XMLNode.convertXMLNodeToString(model.getNotes())
             if model.isSetNotes() else "")
    parameters, unset, initial, compartments, substance_only = _amounts(model, rules)
    assignments = {}
    for k in range(model.getNumInitialAssignments()):
        a = model.getInitialAssignment(k)
        assignments[a.getSymbol()] = read(a.getMath(), f"initial assignment of "
                                                       f"{a.getSymbol()}")
    return SbmlContents(
        model_id=model.getId(), notes=html.unescape(re.sub(r"<[^>]+>", "\n", notes)),
        rules=rules, parameters=parameters, unset=frozenset(unset), initial=initial,
        compartments=compartments, substance_only=frozenset(substance_only),
        assignments=assignments, reactions=_reactions(model, read),
        rule_sizes=rule_sizes)


def _model(sbml, libsbml):
    """The document's model, once libsbml reports no error and the model has no event."""
    if len(sbml) > MAX_MODEL_TEXT:
        raise NetworkFileError(f"the SBML text is longer than {MAX_MODEL_TEXT} characters")
    check_xml(refuse_external_models(sbml))  # depth, well-formedness: before libsbml
    check_sbml_counts(sbml)  # species, reactions, modules: parsed in a capped child first
    doc = libsbml.readSBMLFromString(sbml)
    if doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) or doc.getNumErrors(
            libsbml.LIBSBML_SEV_FATAL):
        for k in range(doc.getNumErrors()):
            if doc.getError(k).getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
                message = printable(doc.getError(k).getMessage().strip())[:500]
                raise NetworkFileError(f"SBML: {message}")
    comp = doc.getPlugin("comp")
    if comp is not None and comp.getNumExternalModelDefinitions():
        refuse_external_models("<externalModelDefinition")
    model = doc.getModel()
    if model is None:
        raise NetworkFileError("SBML: the document has no model")
    for k in range(model.getNumEvents()):
        e = model.getEvent(k)
        raise NetworkFileError(f"SBML event {e.getId() or k + 1!s} is not supported: events "
                               "change the network in time; a steady state has none")
    return model


def _assignment_rules(model, libsbml, read):
    """{variable: expression} of the assignment rules, resolved; other rules refused."""
    rules = {}
    for k in range(model.getNumRules()):
        rule = model.getRule(k)
        if rule.isRate():
            raise NetworkFileError(f"SBML rate rule for {rule.getVariable()} is not "
                                   "supported: write it as reactions")
        if rule.isAlgebraic():
            formula = libsbml.formulaToL3String(rule.getMath()) if rule.isSetMath() else ""
            raise NetworkFileError(f"SBML algebraic rule {formula[:80]!r} is not supported")
        var = rule.getVariable()
        rules[var] = read(rule.getMath(), f"assignment rule for {var}")
    return resolve_rules(rules)


def resolve_rules(rules):
    """Assignment rules with every rule variable in their right-hand sides substituted
    (rules may use each other); a cycle is refused."""
    syms = {sp.Symbol(k): v for k, v in rules.items()}
    resolved = dict(syms)
    for _ in range(len(syms) + 1):
        changed = False
        for k, v in resolved.items():
            new = v.xreplace(resolved)
            if new != v:
                resolved[k] = new
                changed = True
        if not changed:
            return {str(k): v for k, v in resolved.items()}
    raise NetworkFileError("SBML assignment rules refer to each other in a cycle: "
                           f"{', '.join(sorted(rules))}")


def _amounts(model, rules):
    """(parameters, unset, initial, compartments, substance_only): parameter values, fixed
    species and compartment sizes; parameters without a value; the other species' initial
    values in the file's units (a concentration, amount / size where only an amount is
    set; an amount for a substance-only species, concentration x size where only a
    concentration is set); each species' compartment; the substance-only species."""
    parameters, unset = {}, set()
    for k in range(model.getNumParameters()):
        p = model.getParameter(k)
        if p.getId() in rules:
            continue
        value = p.getValue()
        if p.isSetValue() and math.isfinite(value):
            parameters[p.getId()] = value
        else:
            unset.add(p.getId())
    if model.isSetConversionFactor():
        raise NetworkFileError(f"SBML conversion factor {model.getConversionFactor()} of the "
                               "model is not supported")
    sizes, dims = {}, {}
    for k in range(model.getNumCompartments()):
        c = model.getCompartment(k)
        sizes[c.getId()] = c.getSize() if c.isSetSize() else 1.0  # unset: 1, as roadrunner
        dims[c.getId()] = c.getSpatialDimensions()
    initial, compartments, substance_only = {}, {}, set()
    for k in range(model.getNumSpecies()):
        s = model.getSpecies(k)
        sid, comp = s.getId(), s.getCompartment()
        if s.isSetConversionFactor():
            raise NetworkFileError(f"SBML conversion factor {s.getConversionFactor()} of "
                                   f"species {sid} is not supported")
        compartments[sid] = comp
        amount = s.getHasOnlySubstanceUnits() or dims.get(comp) == 0
        if amount:
            substance_only.add(sid)
        if sid in rules:
            continue
        size = sizes.get(comp, 1.0)
        if s.isSetInitialConcentration():
            value = s.getInitialConcentration() * (size if amount else 1.0)
        else:
            value = s.getInitialAmount() / (1.0 if amount else size)
        value = 0.0 if math.isnan(value) else value
        if s.getBoundaryCondition() or s.getConstant():
            parameters[sid] = value  # fixed species are parameters
            continue
        initial[sid] = value
    parameters.update({c: v for c, v in sizes.items() if math.isfinite(v)})
    return parameters, unset, initial, compartments, substance_only


def _reactions(model, read):
    """The reactions as :class:`SbmlReaction`, their kinetic laws read."""
    out = []
    for k in range(model.getNumReactions()):
        r = model.getReaction(k)
        rid = r.getId()
        if not r.isSetKineticLaw() or not r.getKineticLaw().isSetMath():
            raise NetworkFileError(f"reaction {rid} has no rate law")
        law = r.getKineticLaw()
        renames, local = {}, []
        for j in range(law.getNumParameters()):  # local parameters: prefixed by the reaction
            lp = law.getParameter(j)
            renames[lp.getId()] = f"{rid}_{lp.getId()}"
            local.append((f"{rid}_{lp.getId()}", lp.getValue()))
        rate = read(law.getMath(), f"kinetic law of reaction {rid}", renames)
        sides = tuple(tuple((x.getSpecies(), x.getStoichiometry()) for x in refs)
                      for refs in (r.getListOfReactants(), r.getListOfProducts()))
        out.append(SbmlReaction(rid, sides[0], sides[1], rate, tuple(local)))
    return tuple(out)
