"""Assembly: an SBML model's plain data and its designations into a ReactionNetwork.

The last of three steps (after :mod:`.sbml`, which reads the document, and
:mod:`.designations`, which says which species is the ligand).  Here the caller's
overrides replace values, initial assignments are evaluated to numbers, assignment rules
are substituted where a rate law or the output uses them (rules that only define readouts
are ignored and listed in ``extra["ignored_rules"]``), kinetic laws become rates in
concentrations (kinetic law / compartment size), fixed species leave the stoichiometry,
and only the parameters the network uses are kept.
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
    reactions, rule_used = _reactions(contents, parameters, rule_syms)
    spec = dict(spec)
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
    return ReactionNetwork(name=name, reactions=reactions, parameters=parameters,
                           initial=initial, extra=extra, **spec)


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


def _reactions(contents, parameters, rule_syms):
    """(reactions, rule_used): the network's Reactions, rates per unit volume with the
    rules substituted, and the rules their kinetic laws use.  Adds each reaction's local
    parameters to ``parameters``."""
    reactions, rule_used = [], set()
    rules = contents.rules
    for r in contents.reactions:
        parameters.update(r.local_parameters)
        rule_used |= {str(x) for x in r.rate.free_symbols} & set(rules)
        rate = r.rate.xreplace(rule_syms)
        fixed = set(parameters)
        sides = [_side(r.id, refs, rules, fixed) for refs in (r.reactants, r.products)]
        reactions.append(Reaction(sides[0], sides[1], rate / exact_number(contents.volume),
                                  r.id))
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
