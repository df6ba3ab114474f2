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

import html
import math
import re
from importlib.resources import files
from pathlib import Path

import sympy as sp

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.expressions import (
    parse_expression,
    sbml_function_definitions,
    sbml_math,
    symbol,
)
from antagonism.derivations.reactions import NetworkModel, Reaction, ReactionNetwork
from antagonism.derivations.validation import exact_number

DIRECTIVE = re.compile(r"antagonism:\s*(\w+)\s*=\s*(.+?)\s*$")
KEYS = ("ligand", "output", "binding_time", "off_rate", "bound_states", "tau_c", "agonist",
        "name", "description", "source", "check")
#: the largest model file read (characters)
MAX_FILE = 5_000_000


def directives(text):
    """{key: value} from ``antagonism: key = value`` lines; repeated keys are joined.
    Values stay text here; :func:`check_designations` reads them (never evaluating)."""
    out = {}
    for line in text.splitlines():
        m = DIRECTIVE.search(line)
        if m:
            key, value = m.group(1), m.group(2)
            if key not in KEYS:
                raise NetworkFileError(f"unknown directive {key!r}; known: "
                                       f"{', '.join(KEYS)}")
            out[key] = f"{out[key]} {value}" if key in out else value
    return out


def _finite(text, what):
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise NetworkFileError(f"{what} must be a number, got {str(text)[:80]!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise NetworkFileError(f"{what} must be a positive finite number, got {text!r}")
    return value


def check_designations(found):
    """Read the designations (directives or arguments) without evaluating anything:
    ``ligand``, ``binding_time``, ``off_rate`` are names, ``bound_states`` a comma-separated
    list of names, ``output`` an expression (safe parser), ``tau_c`` and ``agonist``
    numbers.  Returns the keyword arguments of :class:`ReactionNetwork`."""
    out = dict(found)
    for key in ("ligand", "binding_time", "off_rate"):
        if out.get(key) is not None:
            out[key] = str(out[key]).strip()
            symbol(out[key], f"the {key} designation")
    if out.get("bound_states") is not None:
        value = out["bound_states"]
        names = (tuple(x.strip() for x in value.split(",") if x.strip())
                 if isinstance(value, str) else tuple(value))
        for name in names:
            symbol(name, "the bound_states designation")
        out["bound_states"] = names
    if out.get("output") is not None:
        out["output"] = str(out["output"]).strip()
        parse_expression(out["output"], "output designation")
    extra = {}
    if "check" in out:
        extra["check"] = out.pop("check")
    if "tau_c" in out:
        out["tau_c"] = _finite(out["tau_c"], "tau_c")
    if "agonist" in out:
        parts = str(out["agonist"]).split(",")
        if len(parts) != 2:
            raise NetworkFileError(f"agonist must be 'tau, L', got {out['agonist']!r}")
        out["agonist"] = tuple(_finite(v, "agonist") for v in parts)
    if out.get("off_rate"):
        out["binding_time"] = None
    if extra:
        out["extra"] = extra
    return out


def _merge(found, designations):
    """Arguments override directives; a binding time given replaces an off rate and back."""
    given = {k: v for k, v in designations.items() if v is not None}
    if "binding_time" in given:
        found.pop("off_rate", None)
    if "off_rate" in given:
        found.pop("binding_time", None)
    found.update(given)
    return found


def _libsbml():
    try:
        import libsbml
    except ImportError:
        raise NetworkFileError("reading SBML needs python-libsbml: pip install "
                               '"antagonism[sbml]"') from None
    return libsbml


def antimony_to_sbml(text):
    """Convert Antimony text to an SBML string with the antimony library."""
    try:
        import antimony
    except ImportError:
        raise NetworkFileError('reading Antimony needs the antimony package: pip install '
                               '"antagonism[sbml]"') from None
    if len(text) > MAX_FILE:
        raise NetworkFileError(f"the Antimony text is longer than {MAX_FILE} characters")
    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise NetworkFileError(f"Antimony: {antimony.getLastError().strip()[:500]}")
    main = antimony.getMainModuleName()
    return antimony.getSBMLString(main)


def _resolve_rules(rules):
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


def network_from_sbml(sbml, overrides=None, **designations):
    """A ReactionNetwork from an SBML string, its math read from libsbml's syntax tree.

    Supported: one compartment size (rates in concentrations: kinetic law / volume),
    global and local parameters, species (boundary or constant ones become parameters),
    function definitions (expanded), initial assignments that evaluate to numbers, and
    assignment rules (substituted where a rate law or the output uses them; rules that
    only define readouts are ignored and listed in ``extra["ignored_rules"]``).  Refused,
    naming the element: rate rules, algebraic rules, events, delays, time-dependent math.

    ``overrides`` ({name: number}) replace parameter values or species' initial amounts
    before anything is checked (the command line's ``--param``); designations
    (``ligand=``, ``output=``...) override the file's directives.
    """
    libsbml = _libsbml()
    if len(sbml) > MAX_FILE:
        raise NetworkFileError(f"the SBML text is longer than {MAX_FILE} characters")
    doc = libsbml.readSBMLFromString(sbml)
    if doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR) or doc.getNumErrors(
            libsbml.LIBSBML_SEV_FATAL):
        for k in range(doc.getNumErrors()):
            if doc.getError(k).getSeverity() >= libsbml.LIBSBML_SEV_ERROR:
                raise NetworkFileError(f"SBML: {doc.getError(k).getMessage().strip()[:500]}")
    model = doc.getModel()
    if model is None:
        raise NetworkFileError("SBML: the document has no model")
    for k in range(model.getNumEvents()):
        e = model.getEvent(k)
        raise NetworkFileError(f"SBML event {e.getId() or k + 1!s} is not supported: events "
                               "change the network in time; a steady state has none")
    functions = sbml_function_definitions(model, libsbml)

    def read(math_, where, renames=None):
        return sbml_math(math_, where, functions=functions, renames=renames,
                         libsbml=libsbml)

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
    rules = _resolve_rules(rules)

    notes = (libsbml.XMLNode.convertXMLNodeToString(model.getNotes())
             if model.isSetNotes() else "")
    found = directives(html.unescape(re.sub(r"<[^>]+>", "\n", notes)))  # one per paragraph
    found = _merge(found, designations)

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
    sizes = {model.getCompartment(k).getId(): model.getCompartment(k).getSize()
             for k in range(model.getNumCompartments())}
    initial, volume, species_ids = {}, set(), set()
    for k in range(model.getNumSpecies()):
        s = model.getSpecies(k)
        species_ids.add(s.getId())
        if s.getId() in rules:
            continue
        value = s.getInitialConcentration() if s.isSetInitialConcentration() else (
            s.getInitialAmount() / sizes.get(s.getCompartment(), 1.0))
        value = 0.0 if math.isnan(value) else value
        if s.getBoundaryCondition() or s.getConstant():
            parameters[s.getId()] = value  # fixed species are parameters
            continue
        initial[s.getId()] = value
        volume.add(sizes.get(s.getCompartment(), 1.0))
    if len(volume) > 1:
        raise NetworkFileError("species in compartments of different sizes are not supported")
    V = volume.pop() if volume else 1.0
    if not (math.isfinite(V) and V > 0):
        V = 1.0
    parameters.update({c: v for c, v in sizes.items() if math.isfinite(v)})

    # initial assignments: numbers from the file's values (after the overrides)
    overrides = dict(overrides or {})
    assignments = {}
    for k in range(model.getNumInitialAssignments()):
        a = model.getInitialAssignment(k)
        assignments[a.getSymbol()] = read(a.getMath(), f"initial assignment of "
                                                       f"{a.getSymbol()}")
    applied = {k: v for k, v in overrides.items() if k in parameters or k in initial
               or k in unset or k in assignments}
    for k, v in applied.items():
        if k in initial:
            initial[k] = v
        else:
            parameters[k] = v
            unset.discard(k)
    if assignments:
        known = {sp.Symbol(k): exact_number(float(v)) for k, v in {**parameters,
                                                                   **initial}.items()}
        for name, expr in assignments.items():
            if name in applied:
                continue
            value = expr.xreplace({sp.Symbol(r): e for r, e in rules.items()}).xreplace(known)
            if not value.is_number or not value.is_finite:
                raise NetworkFileError(f"the initial assignment of {name} ({expr}) does not "
                                       "evaluate to a number from the file's values")
            target = initial if name in initial else parameters
            target[name] = float(value)
            unset.discard(name)

    reactions, rule_used = [], set()
    rule_syms = {sp.Symbol(k): v for k, v in rules.items()}
    for k in range(model.getNumReactions()):
        r = model.getReaction(k)
        rid = r.getId()
        if not r.isSetKineticLaw() or not r.getKineticLaw().isSetMath():
            raise NetworkFileError(f"reaction {rid} has no rate law")
        law = r.getKineticLaw()
        renames = {}
        for j in range(law.getNumParameters()):  # local parameters: prefixed by the reaction
            lp = law.getParameter(j)
            renames[lp.getId()] = f"{rid}_{lp.getId()}"
            parameters[f"{rid}_{lp.getId()}"] = lp.getValue()
        rate = read(law.getMath(), f"kinetic law of reaction {rid}", renames)
        rule_used |= {str(x) for x in rate.free_symbols} & set(rules)
        rate = rate.xreplace(rule_syms)
        fixed = set(parameters)
        sides = []
        for refs in (r.getListOfReactants(), r.getListOfProducts()):
            side = {}
            for x in refs:
                if x.getSpecies() in rules:
                    raise NetworkFileError(
                        f"species {x.getSpecies()} is set by an assignment rule and changed "
                        f"by reaction {rid}")
                if x.getSpecies() in fixed:
                    continue
                stoich = x.getStoichiometry()
                if not math.isfinite(stoich):
                    raise NetworkFileError(f"reaction {rid}: the stoichiometry of "
                                           f"{x.getSpecies()} is not set")
                side[x.getSpecies()] = side.get(x.getSpecies(), 0) + exact_number(stoich)
            sides.append(side)
        reactions.append(Reaction(sides[0], sides[1], rate / exact_number(V), rid))

    for key in ("ligand", "output"):
        if key not in found:
            raise NetworkFileError(f"say which species is the {key}: a directive "
                                   f"'antagonism: {key} = ...' or the {key}= argument "
                                   f"(--{key} on the command line)")
    spec = check_designations(found)
    out_expr = parse_expression(spec["output"], "output designation")
    out_rules = {str(x) for x in out_expr.free_symbols} & set(rules)
    if out_rules:
        rule_used |= out_rules
        spec["output"] = str(out_expr.xreplace(rule_syms))
    # rules used by used rules count as used
    ignored = tuple(sorted(set(rules) - rule_used - {
        str(x) for u in rule_used for x in sp.Symbol(u).xreplace(rule_syms).free_symbols}))

    used = {str(s) for r in reactions for s in r.rate.free_symbols} | {
        str(s) for s in parse_expression(spec["output"], "output").free_symbols}
    time = spec.get("off_rate") or spec.get("binding_time") or "tau"
    missing = sorted((used | {time}) & unset)
    if missing:
        raise NetworkFileError(f"parameter(s) {missing} have no value in the file; give "
                               "them with --param name=value")
    parameters = {k: v for k, v in parameters.items()
                  if k in used or k == time or k in applied}
    name = spec.pop("name", None) or model.getId() or "network"
    extra = dict(spec.pop("extra", {}))
    if ignored:
        extra["ignored_rules"] = ignored
    return ReactionNetwork(name=name, reactions=reactions, parameters=parameters,
                           initial=initial, extra=extra, **spec)


def network_from_antimony(text, overrides=None, **designations):
    """A ReactionNetwork from Antimony text (directives in ``// antagonism:`` comments),
    converted to SBML by the antimony library and read like any SBML file."""
    found = _merge(directives(text), designations)
    return network_from_sbml(antimony_to_sbml(text), overrides, **found)


def load_model_file(path, overrides=None, **designations):
    """A NetworkModel from an Antimony (.ant, .txt) or SBML (.xml, .sbml) file.

    ``overrides`` ({name: number}): parameter values or species' initial amounts, applied
    before anything is checked; names the file does not have are passed on to
    :class:`NetworkModel`.  ``designations``: ``ligand``, ``output``, ``binding_time``,
    ``off_rate``, ``bound_states``, ``tau_c``... override the file's directives."""
    path = Path(path)
    if not path.is_file():
        raise NetworkFileError(f"no model file {path}")
    from .file_limits import check_model_file_limits

    check_model_file_limits(path)  # size, species, reactions: before any parser
    try:
        text = path.read_text()
    except UnicodeDecodeError:
        raise NetworkFileError(f"model file {path} is not text (UTF-8)") from None
    overrides = dict(overrides or {})
    if path.suffix.lower() in (".xml", ".sbml") or text.lstrip().startswith("<?xml"):
        network = network_from_sbml(text, overrides, **designations)
    else:
        network = network_from_antimony(text, overrides, **designations)
    rest = {k: v for k, v in overrides.items()
            if k not in network.parameters and k not in network.species}
    return NetworkModel(network, **rest)


def literature_files():
    """{name: path} of the Antimony models shipped with the package."""
    folder = files("antagonism.io").joinpath("models")
    return {Path(str(p)).stem: Path(str(p)) for p in sorted(folder.iterdir(),
                                                            key=lambda p: p.name)
            if str(p).endswith(".ant")}


def literature_models():
    """{name: NetworkModel} of the shipped literature models."""
    return {name: load_model_file(path) for name, path in literature_files().items()}
