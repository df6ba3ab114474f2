"""Assembly: an SBML model's plain data and its designations into a ReactionNetwork.

The last of three steps (after :mod:`.sbml`, which reads the document, and
:mod:`.designations`, which says which species is the ligand).  Here the caller's
overrides replace values, initial assignments are evaluated to numbers, assignment rules
are substituted where a rate law or the output uses them (rules that only define readouts
are ignored and listed in ``extra["ignored_rules"]``), kinetic laws become the rates of
change of each species in the file's own units (below), fixed species leave the
stoichiometry, and only the parameters the network uses are kept.

**Units, as SBML defines them.**  A kinetic law is an amount per time.  A species' symbol
means its concentration (amount / size of its compartment), or its amount where it has
``hasOnlySubstanceUnits``; each species' value is what its symbol means, so that the
output is stated in the file's own units.  Its rate of change is then

    d[S]/dt = sum_r n_Sr v_r / V_S       (concentration; V_S its compartment's size)
    dS/dt   = sum_r n_Sr v_r             (substance only)

as libroadrunner integrates it.  Each reaction keeps one factor on its rate
(v_r / V, with V the size shared by most of its species, the ligand's first) and puts
the rest into the stoichiometries (n_Sr V / V_S), so a network in one compartment keeps
integer stoichiometries and rates in concentration per time.  The ligand's states must
share their units (one compartment, all concentrations or all amounts): their sum is the
ligand quantity L; a file where they do not is refused naming the species and their
compartments.
"""
from __future__ import annotations

import math

import sympy as sp

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.expressions import parse_expression
from antagonism.derivations.reactions import Reaction, ReactionNetwork
from antagonism.derivations.validation import exact_number

from .expansion import check_output_size


def assemble_network(contents, spec, overrides=None):
    """A :class:`~antagonism.derivations.reactions.ReactionNetwork` from
    :class:`~.sbml.SbmlContents` and checked designations ``spec``
    (:func:`~.designations.file_designations`).

    ``overrides`` ({name: number}) replace parameter values or species' initial amounts
    before anything is checked (the command line's ``--param``); a name the file does not
    have is left to the caller (:class:`~antagonism.derivations.network_model.NetworkModel`
    takes it).
    """
    parameters, initial, unset, applied = _values(contents, overrides)
    rules = contents.rules
    rule_syms = {sp.Symbol(k): v for k, v in rules.items()}
    spec = dict(spec)
    factors, units = _unit_factors(contents, parameters)
    reactions, rule_used = _reactions(contents, parameters, rule_syms, factors,
                                      spec.get("ligand"))
    out_expr = parse_expression(spec["output"], "output designation")
    check_output_size(out_expr, contents.rule_sizes or {})  # before substituting rules
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
        raise NetworkFileError(_missing_message(missing, contents))
    parameters = {k: v for k, v in parameters.items()
                  if k in used or k == time or k in applied}
    name = spec.pop("name", None) or contents.model_id or "network"
    extra = dict(spec.pop("extra", {}))
    if ignored:
        extra["ignored_rules"] = ignored
    if len(set(units.values())) > 1:  # several compartments, or amounts: say which
        extra["species_units"] = tuple(f"{k}: {v}" for k, v in units.items())
    try:
        return ReactionNetwork(name=name, reactions=reactions, parameters=parameters,
                               initial=initial, extra=extra, **spec)
    except NetworkFileError as err:
        _refuse_mixed_ligand_units(err, reactions, spec.get("ligand"), units)
        raise


def _refuse_mixed_ligand_units(err, reactions, ligand, units):
    """Name the species and compartments when the ligand's states are in different units
    (compartments of different sizes, or amounts and concentrations): their sum is not
    conserved in the file's units, which the package does not support."""
    from types import SimpleNamespace

    from antagonism.derivations.ligand_states import _trace_ligand

    if ligand not in units or len(set(units.values())) < 2:
        return
    states = _trace_ligand(SimpleNamespace(ligand=ligand, reactions=reactions), False)
    kinds = {units[s] for s in states if s in units}
    if len(kinds) > 1:
        held = "; ".join(f"{s} ({units[s]})" for s in sorted(states) if s in units)
        raise NetworkFileError(
            f"the ligand's states are in different compartments or units: {held}.  Their "
            "sum (the ligand quantity L) is conserved only in amounts, which is not "
            "supported: put them in one compartment, all in concentrations or all with "
            "hasOnlySubstanceUnits") from err


def _missing_message(missing, contents):
    """Names used without a value: a name close to a species or a parameter of the file is
    most likely a typo ("C44 is not a species or parameter; did you mean C4?"); the others
    need a value (``--param name=value``)."""
    import difflib

    known = sorted(set(contents.initial) | set(contents.parameters) | set(contents.rules))
    typos, unset = [], []
    for name in missing:
        close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
        if close:
            typos.append(f"{name} is not a species or parameter; did you mean {close[0]}?")
        else:
            unset.append(name)
    text = " ".join(typos)
    if unset:
        text += (" " if text else "") + (f"parameter(s) {unset} have no value in the file; "
                                         "give them with --param name=value")
    return text


def _values(contents, overrides):
    """(parameters, initial, unset, applied): the file's values with the overrides it has a
    name for (``applied``) in place, then its initial assignments evaluated from them."""
    parameters, initial = dict(contents.parameters), dict(contents.initial)
    unset, assignments = set(contents.unset), contents.assignments
    overrides = dict(overrides or {})
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
        rules = {sp.Symbol(r): e for r, e in contents.rules.items()}
        for name, expr in assignments.items():
            if name in applied:
                continue
            value = expr.xreplace(rules).xreplace(known)
            if not value.is_number or not value.is_finite:
                raise NetworkFileError(f"the initial assignment of {name} ({expr}) does not "
                                       "evaluate to a number from the file's values")
            target = initial if name in initial else parameters
            target[name] = float(value)
            unset.discard(name)
    return parameters, initial, unset, applied


def _unit_factors(contents, parameters):
    """({species: factor}, {species: text}): the factor from amount per time to the rate
    of change of each species' value (1 / size of its compartment for a concentration, 1
    for a substance-only species), and its units in words.  A compartment whose size is
    set by a rule, or is not a positive finite number, is refused naming the species."""
    factors, units = {}, {}
    for species, comp in (contents.compartments or {}).items():
        if species in contents.rules:
            continue
        amount = species in contents.substance_only
        if not amount:
            size = parameters.get(comp, 1.0 if comp not in contents.rules else None)
            if comp in contents.rules or comp in contents.unset:
                raise NetworkFileError(
                    f"species {species} is in compartment {comp}, whose size is not a "
                    "constant number (an assignment rule or no value); only compartments "
                    "of constant size are supported")
            if not (math.isfinite(size) and size > 0):
                raise NetworkFileError(
                    f"species {species} is in compartment {comp} of size {size:g}: a "
                    "concentration needs a positive size (give it with --param "
                    f"{comp}=...)")
        factors[species] = sp.S.One if amount else 1 / exact_number(float(size))
        units[species] = (f"amount (compartment {comp})" if amount else
                          f"concentration in compartment {comp} of size {float(size):g}")
    return factors, units


def _reaction_factor(sides, factors, ligand):
    """The factor a reaction's rate keeps: the one shared by most of its species (the
    ligand's first), so that the stoichiometries of those stay integers."""
    seen = [factors[s] for side in sides for s in side if s in factors]
    if not seen:
        return sp.S.One
    if ligand in factors and factors[ligand] in seen:
        return factors[ligand]
    return max(seen, key=seen.count)


def _reactions(contents, parameters, rule_syms, factors, ligand):
    """(reactions, rule_used): the network's Reactions, each species' stoichiometry and
    the rate scaled to the rate of change of the species' value in the file's units (see
    the module docstring), the rules substituted, and the rules their kinetic laws use.
    Adds each reaction's local parameters to ``parameters``."""
    reactions, rule_used = [], set()
    rules = contents.rules
    for r in contents.reactions:
        parameters.update(r.local_parameters)
        rule_used |= {str(x) for x in r.rate.free_symbols} & set(rules)
        rate = r.rate.xreplace(rule_syms)
        fixed = set(parameters)
        sides = [_side(r.id, refs, rules, fixed) for refs in (r.reactants, r.products)]
        m = _reaction_factor(sides, factors, ligand)
        sides = [{s: n * factors.get(s, m) / m for s, n in side.items()} for side in sides]
        reactions.append(Reaction(sides[0], sides[1], rate * m, r.id))
    return reactions, rule_used


def _side(rid, refs, rules, fixed):
    """{species: stoichiometry} of one side of reaction ``rid``, fixed species left out."""
    side = {}
    for species, stoich in refs:
        if species in rules:
            raise NetworkFileError(
                f"species {species} is set by an assignment rule and changed "
                f"by reaction {rid}")
        if species in fixed:
            continue
        if not math.isfinite(stoich):
            raise NetworkFileError(f"reaction {rid}: the stoichiometry of "
                                   f"{species} is not set")
        side[species] = side.get(species, 0) + exact_number(stoich)
    return side
