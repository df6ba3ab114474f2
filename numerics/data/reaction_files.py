"""Reaction networks from files: Antimony text and SBML, through the maintained libraries
``antimony`` and ``python-libsbml`` (the optional ``sbml`` extra).

A file says which species is the free ligand, which species (or expression) is the output
and which parameter is the binding time with *directives*: lines ``antagonism: key = value``
in Antimony comments (``// antagonism: ligand = L``) or in the SBML model's notes.  Keyword
arguments override them.  Keys: ``ligand``, ``output``, ``binding_time`` or ``off_rate``,
``tau_c``, ``agonist`` ("tau, L" of the reference agonists), ``name``, ``description``,
``source`` and ``check`` (how the literature table cross-checks the model: ``built-in NAME``
for a registered model that is the same model, ``kpr-closed-form``).

:func:`load_model_file` returns a :class:`~antagonism.derivations.reactions.NetworkModel`;
:func:`literature_models` the models shipped in ``data/models``.
"""
from __future__ import annotations

import math
import re
from importlib.resources import files
from pathlib import Path

import sympy as sp

from antagonism.derivations.reactions import (
    NetworkError,
    NetworkModel,
    Reaction,
    ReactionNetwork,
    read_expression,
)
from antagonism.derivations.validation import exact_number

DIRECTIVE = re.compile(r"antagonism:\s*(\w+)\s*=\s*(.+?)\s*$")
KEYS = ("ligand", "output", "binding_time", "off_rate", "tau_c", "agonist", "name",
        "description", "source", "check")


def directives(text):
    """{key: value} from ``antagonism: key = value`` lines; repeated keys are joined."""
    out = {}
    for line in text.splitlines():
        m = DIRECTIVE.search(line)
        if m:
            key, value = m.group(1), m.group(2)
            if key not in KEYS:
                raise NetworkError(f"unknown directive {key!r}; known: {', '.join(KEYS)}")
            out[key] = f"{out[key]} {value}" if key in out else value
    return out


def _libsbml():
    try:
        import libsbml
    except ImportError:
        raise NetworkError("reading SBML needs python-libsbml: pip install "
                           '"antagonism[sbml]"') from None
    return libsbml


def antimony_to_sbml(text):
    """Convert Antimony text to an SBML string with the antimony library."""
    try:
        import antimony
    except ImportError:
        raise NetworkError('reading Antimony needs the antimony package: pip install '
                           '"antagonism[sbml]"') from None
    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise NetworkError(f"Antimony: {antimony.getLastError().strip()}")
    main = antimony.getMainModuleName()
    return antimony.getSBMLString(main)


def _rate(libsbml, law, reaction_id):
    formula = libsbml.formulaToL3String(law.getMath())
    expr = read_expression(formula.replace("^", "**"), f"rate law of reaction {reaction_id}")
    renames = {}
    for k in range(law.getNumParameters()):  # local parameters: prefix with the reaction
        p = law.getParameter(k)
        renames[sp.Symbol(p.getId())] = sp.Symbol(f"{reaction_id}_{p.getId()}")
    return expr.subs(renames), {f"{reaction_id}_{law.getParameter(k).getId()}":
                                law.getParameter(k).getValue()
                                for k in range(law.getNumParameters())}


def network_from_sbml(sbml, **designations):
    """A ReactionNetwork from an SBML string (one compartment; mass-action or any rate laws
    in species concentrations; no rules or events)."""
    libsbml = _libsbml()
    doc = libsbml.readSBMLFromString(sbml)
    if doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        raise NetworkError(f"SBML: {doc.getError(0).getMessage().strip()}")
    model = doc.getModel()
    if model is None:
        raise NetworkError("SBML: the document has no model")
    if model.getNumRules() or model.getNumEvents():
        raise NetworkError("SBML rules and events are not supported: write them as "
                           "reactions or parameters")
    notes = (libsbml.XMLNode.convertXMLNodeToString(model.getNotes())
             if model.isSetNotes() else "")
    found = directives(re.sub(r"<[^>]+>", "\n", notes))  # one directive per paragraph
    found.update({k: v for k, v in designations.items() if v is not None})
    parameters = {model.getParameter(k).getId(): model.getParameter(k).getValue()
                  for k in range(model.getNumParameters())}
    sizes = {model.getCompartment(k).getId(): model.getCompartment(k).getSize()
             for k in range(model.getNumCompartments())}
    initial, volume = {}, set()
    for k in range(model.getNumSpecies()):
        s = model.getSpecies(k)
        value = s.getInitialConcentration() if s.isSetInitialConcentration() else (
            s.getInitialAmount() / sizes.get(s.getCompartment(), 1.0))
        if s.getBoundaryCondition() or s.getConstant():
            parameters[s.getId()] = value  # fixed species are parameters
            continue
        initial[s.getId()] = 0.0 if math.isnan(value) else value
        volume.add(sizes.get(s.getCompartment(), 1.0))
    if len(volume) > 1:
        raise NetworkError("species in compartments of different sizes are not supported")
    V = volume.pop() if volume else 1.0
    parameters.update({c: v for c, v in sizes.items() if v == v})
    reactions = []
    for k in range(model.getNumReactions()):
        r = model.getReaction(k)
        if not r.isSetKineticLaw():
            raise NetworkError(f"reaction {r.getId()} has no rate law")
        rate, local = _rate(libsbml, r.getKineticLaw(), r.getId())
        parameters.update(local)
        fixed = set(parameters)
        reactants = {x.getSpecies(): exact_number(x.getStoichiometry())
                     for x in r.getListOfReactants() if x.getSpecies() not in fixed}
        products = {x.getSpecies(): exact_number(x.getStoichiometry())
                    for x in r.getListOfProducts() if x.getSpecies() not in fixed}
        reactions.append(Reaction(reactants, products, rate / V, r.getId()))
    used = {str(s) for r in reactions for s in r.rate.free_symbols} | {
        str(s) for s in read_expression(found.get("output", "0"), "output").free_symbols}
    time = found.get("off_rate") or found.get("binding_time", "tau")
    parameters = {k: v for k, v in parameters.items() if k in used or k == time}
    name = found.pop("name", None) or model.getId() or "network"
    for key in ("ligand", "output"):
        if key not in found:
            raise NetworkError(f"say which species is the {key}: a directive "
                               f"'antagonism: {key} = ...' or the {key}= argument")
    extra = {"extra": {"check": found.pop("check")}} if "check" in found else {}
    if "tau_c" in found:
        extra["tau_c"] = float(found.pop("tau_c"))
    if "agonist" in found:
        extra["agonist"] = tuple(float(v) for v in found.pop("agonist").split(","))
    if "off_rate" in found:
        extra["binding_time"] = None
    return ReactionNetwork(name=name, reactions=reactions, parameters=parameters,
                           initial=initial, **found, **extra)


def network_from_antimony(text, **designations):
    """A ReactionNetwork from Antimony text (directives in ``// antagonism:`` comments)."""
    found = directives(text)
    found.update({k: v for k, v in designations.items() if v is not None})
    return network_from_sbml(antimony_to_sbml(text), **found)


def load_model_file(path, **designations):
    """A NetworkModel from an Antimony (.ant, .txt) or SBML (.xml, .sbml) file."""
    path = Path(path)
    if not path.exists():
        raise NetworkError(f"no model file {path}")
    from .file_limits import check_model_file_limits

    check_model_file_limits(path)  # size, species, reactions: before any parser
    text = path.read_text()
    if path.suffix.lower() in (".xml", ".sbml") or text.lstrip().startswith("<?xml"):
        network = network_from_sbml(text, **designations)
    else:
        network = network_from_antimony(text, **designations)
    return NetworkModel(network)


def literature_files():
    """{name: path} of the Antimony models shipped with the package."""
    folder = files("antagonism.numerics.data").joinpath("models")
    return {Path(str(p)).stem: Path(str(p)) for p in sorted(folder.iterdir(),
                                                            key=lambda p: p.name)
            if str(p).endswith(".ant")}


def literature_models():
    """{name: NetworkModel} of the shipped literature models."""
    return {name: load_model_file(path) for name, path in literature_files().items()}
