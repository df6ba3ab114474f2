"""Cell models from reaction networks: from reactions to a sum form, for any ligand mixture.

A :class:`ReactionNetwork` is a list of reactions with rate laws, parameter values, initial
amounts, and three designations: the free **ligand** species, the **output** (a species or
an expression of species), and the parameter that is the ligand's **binding time** (or its
inverse, the off rate).  :class:`NetworkModel` turns it into a cell model:

1. *Ligand states* are found by tracing the ligand moiety through the reactions: a product
   holds the ligand when its reaction consumes a ligand state.  Their sum must be conserved
   (the ligand quantity L of a type); every other species is *shared* by all ligand types.
2. For a mixture, every ligand type i has its own copy of the ligand states.  Their steady
   state, given the shared species y, solves the ligand states' own equations with
   sum = L; where these are linear (chains, receptors as parameters) sympy solves them in
   closed form, f_X(tau, L, y); otherwise they are solved numerically per type (Newton),
   with gradients by the implicit-function theorem.
3. The shared species are fixed by the conservation laws of the network (receptors:
   R_T = R + sum of bound states over every type) and by their own steady-state equations,
   in which every rate that involves ligand states becomes a sum over the types (a new
   aggregate whose per-type term is that rate).  The conservation laws are the left null
   space of the stoichiometric matrix, and their totals come from every species' initial
   amount, bound states included (:func:`conserved_moieties`), as in roadrunner and COPASI.

The result is a :class:`~antagonism.derivations.model.SumForm` with shared variables, so the
generic machinery derives gradients, critical points and the regime.  Rates are in units of
the network (s^-1 for first order); binding times in s.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache, reduce
from types import MappingProxyType

import numpy as np
import sympy as sp
from sympy.solvers.solveset import NonlinearError

from antagonism._core.errors import NetworkFileError

from . import symbols as sy
from .derivation import Derivation, Step, derived
from .expressions import parse_expression, symbol
from .model import CellModel, SharedVariable, SumForm
from .validation import exact_number

#: the error of a network that cannot be a cell model (kept under its former name)
NetworkError = NetworkFileError


@dataclass(frozen=True)
class Reaction:
    """One reaction: stoichiometries of reactants and products, and its rate law (a sympy
    expression in species and parameter symbols)."""

    reactants: dict
    products: dict
    rate: sp.Expr
    name: str = ""

    def net(self, species):
        return self.products.get(species, 0) - self.reactants.get(species, 0)

    def describe(self):
        """``name (A + B -> C)``, for messages."""
        side = lambda d: " + ".join(f"{'' if c == 1 else f'{c} '}{s}"  # noqa: E731
                                    for s, c in d.items()) or "(nothing)"
        text = f"{side(self.reactants)} -> {side(self.products)}"
        return f"{self.name} ({text})" if self.name else text


_REACTION = re.compile(r"^\s*(?:(?P<name>\w+)\s*:)?\s*(?P<lhs>[^-=>;]*?)\s*(?:->|=>)\s*"
                       r"(?P<rhs>[^;]*?)\s*;\s*(?P<rate>.+?)\s*;?\s*$")


def _side(text, where):
    out = {}
    for term in filter(None, (t.strip() for t in text.split("+"))):
        m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s*\*?\s*)?([A-Za-z_]\w*)", term)
        if not m:
            raise NetworkFileError(f"cannot read {term!r} in reaction {where!r}")
        symbol(m.group(2), f"reaction {where!r}")
        out[m.group(2)] = out.get(m.group(2), 0) + exact_number(float(m.group(1) or 1))
    return out


def parse_reaction(text):
    """Parse ``"name: A + 2 B -> C; k*A*B"`` (Antimony's reaction syntax); the rate law is
    read by the safe parser (:func:`~.expressions.parse_expression`), never evaluated."""
    if not isinstance(text, str) or len(text) > 20_000:
        raise NetworkFileError("a reaction must be text of at most 20000 characters")
    m = _REACTION.match(text)
    if not m:
        raise NetworkFileError(f"cannot read reaction {text[:80]!r}: expected "
                               "'A + B -> C; rate'")
    where = m.group("name") or text[:80]
    rate = read_expression(m.group("rate"), f"rate law of reaction {where}")
    return Reaction(_side(m.group("lhs"), text), _side(m.group("rhs"), text), rate,
                    m.group("name") or "")


def read_expression(text, what):
    """A rate law or output expression as sympy, every name a plain symbol (``S``, ``N``,
    ``gamma``, ``Si``, ``E1``... are species or parameters here, not sympy's objects).
    The text is parsed by a whitelisted syntax-tree walk, never evaluated
    (:func:`~.expressions.parse_expression`); anything else is a NetworkFileError."""
    return parse_expression(text, what)


#: parameter names that would clash with the model's own threshold binding time
RESERVED_PARAMETERS = ("tau_c",)


@dataclass(frozen=True)
class ReactionNetwork:
    """A reaction network with the designations that make it a cell model.

    Attributes
    ----------
    name : str
    reactions : tuple of Reaction
    parameters : mapping name -> number (finite, >= 0; a reaction whose rate is zero
        drops out of the model, see :class:`NetworkModel`)
    initial : mapping species -> initial amount (sets the totals of conserved moieties)
    ligand : str -- the free ligand species
    output : str -- a species or an expression of species (summed over ligand types)
    binding_time : str -- the parameter that is the ligand's binding time tau (s), or
    off_rate : str -- alternatively, the parameter that is 1/tau
    tau_c : float -- threshold binding time (s)
    agonist : (tau, L) -- the reference agonists for the numeric classification
    bound_states : tuple of str or None -- optionally, the species that hold the ligand
        besides the free ligand; checked against what the reactions say
    description, source : str
    extra : dict -- what the reader reports (``ignored_rules``...) and other notes
    """

    name: str
    reactions: tuple
    parameters: dict
    initial: dict
    ligand: str
    output: str
    binding_time: str | None = "tau"
    off_rate: str | None = None
    tau_c: float = 3.0
    agonist: tuple = (10.0, 100.0)
    description: str = ""
    source: str = ""
    extra: dict = field(default_factory=dict)
    bound_states: tuple | None = None

    def __post_init__(self):
        object.__setattr__(self, "reactions", tuple(self.reactions))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "initial", MappingProxyType(dict(self.initial)))
        if isinstance(self.bound_states, str):
            object.__setattr__(self, "bound_states", tuple(
                s.strip() for s in self.bound_states.split(",") if s.strip()))
        elif self.bound_states is not None:
            object.__setattr__(self, "bound_states", tuple(self.bound_states))
        self.check()

    @classmethod
    def from_reactions(cls, reactions, parameters, initial, **designations):
        """Build a network from reaction strings (``"L + R -> C0; kon*L*R"``)."""
        return cls(reactions=tuple(parse_reaction(r) if isinstance(r, str) else r
                                   for r in reactions),
                   parameters=parameters, initial=initial,
                   **{"name": "network", **designations})

    @property
    def species(self):
        names = list(self.initial)
        for r in self.reactions:
            for s in (*r.reactants, *r.products):
                if s not in names:
                    names.append(s)
        return tuple(names)

    def check(self):
        """Reject what cannot be a cell model, with a message naming the element at fault:
        unknown symbols, invalid or clashing names, negative or non-finite numbers, a
        ligand or output not in the network, no reaction binding the ligand, a reaction
        that creates or destroys the ligand, an output the ligand cannot reach."""
        if not self.reactions:
            raise NetworkFileError(f"network {self.name!r} has no reactions")
        species = set(self.species)
        for name in (*species, *self.parameters):
            symbol(name, f"network {self.name!r}")
        both = species & set(self.parameters)
        if both:
            raise NetworkFileError(f"{sorted(both)} named both as species and as "
                                   "parameters")
        reserved = set(RESERVED_PARAMETERS) & set(self.parameters)
        if reserved:
            raise NetworkFileError(f"a parameter may not be named {sorted(reserved)[0]!r} "
                                   "(the threshold binding time of the cell; give it with "
                                   "the tau_c directive)")
        known = species | set(self.parameters)
        for r in self.reactions:
            unknown = {str(s) for s in r.rate.free_symbols} - known
            if unknown:
                raise NetworkFileError(f"reaction {r.describe()}: unknown symbol(s) "
                                       f"{sorted(unknown)} in the rate law {r.rate}")
        for name, value in self.parameters.items():
            _check_amount(value, f"parameter {name}")
        for s, value in self.initial.items():
            _check_amount(value, f"initial amount of {s}")
        if not (isinstance(self.tau_c, (int, float)) and math.isfinite(self.tau_c)
                and self.tau_c > 0):
            raise NetworkFileError(f"tau_c must be a positive number of seconds, got "
                                   f"{self.tau_c!r}")
        if self.ligand not in species:
            raise NetworkFileError(f"the ligand species {self.ligand!r} is not in the "
                                   f"network (species: {', '.join(sorted(species))})")
        out = read_expression(self.output, "output")
        missing = {str(s) for s in out.free_symbols} - known
        if missing:
            raise NetworkFileError(f"output species {sorted(missing)} not in the network "
                                   f"(species: {', '.join(sorted(species))})")
        time = self.off_rate or self.binding_time
        if time is None or time not in self.parameters:
            raise NetworkFileError(
                f"the binding-time parameter {time!r} is not a parameter of the network "
                f"(parameters: {', '.join(sorted(self.parameters))})")
        states = _check_ligand(self)
        _check_reachable(self, out, states)


def _check_amount(value, what):
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise NetworkFileError(f"{what} = {value!r} is not a number") from None
    if not math.isfinite(x):
        raise NetworkFileError(f"{what} = {x!r} is not finite")
    if x < 0:
        raise NetworkFileError(f"{what} = {x:g} is negative (rates, amounts and binding "
                               "times are positive; zero is allowed)")


def _trace_ligand(network, keep_partners_apart=True):
    """Ligand states by moiety tracing from the free ligand: a reaction that consumes a
    ligand state passes the ligand on to its new products, unless one of them already holds
    it (unbinding C -> L + R).  With ``keep_partners_apart`` a reactant that meets a ligand
    state in a reaction (the receptor R in L + R -> C0) never receives the ligand, so a
    reaction returning only the receptor is caught as the one that destroys the ligand."""
    states, partners = {network.ligand}, set()
    changed = True
    while changed:
        changed = False
        for r in network.reactions:
            if not any(r.net(s) < 0 for s in states):
                continue
            new_partners = {s for s in r.reactants if s not in states} - partners
            if keep_partners_apart and new_partners:
                partners |= new_partners
                changed = True
            made = [p for p in r.products if r.net(p) > 0]
            if any(p in states for p in made):
                continue  # the moiety returns to a known state (unbinding: C -> L + R)
            made = [p for p in made if p not in partners]
            if set(made) - states:
                states.update(made)
                changed = True
    return states


def _check_ligand(network):
    """Check that a reaction binds the ligand and that every reaction conserves the ligand
    (the sum of the ligand states); name the reaction that does not.  Returns the states."""
    lig = network.ligand
    if not any(r.net(lig) < 0 for r in network.reactions):
        raise NetworkFileError(f"no reaction binds the ligand {lig}: no reaction consumes "
                               f"it (reactions: "
                               f"{'; '.join(r.describe() for r in network.reactions)})")
    states = _trace_ligand(network)
    if network.bound_states is not None:
        declared = set(network.bound_states) | {lig}
        unknown = declared - set(network.species)
        if unknown:
            raise NetworkFileError(f"bound states {sorted(unknown)} are not species of "
                                   "the network")
        if declared != states:
            raise NetworkFileError(
                f"the declared bound states ({', '.join(sorted(declared - {lig}))}) are not "
                f"the species the reactions pass the ligand to "
                f"({', '.join(sorted(states - {lig}))})")
    for r in network.reactions:
        change = sum(r.net(s) for s in states)
        if change == 0:
            continue
        consumed = [s for s in r.reactants if s in states]
        if len(consumed) > 1 and change < 0:
            raise NetworkFileError(
                f"reaction {r.describe()} joins {len(consumed)} ligand-holding species "
                f"({', '.join(consumed)}): a complex must hold one ligand")
        if change < 0:
            raise NetworkFileError(
                f"reaction {r.describe()} destroys the ligand: it consumes "
                f"{', '.join(consumed)} and none of its products holds the ligand (an "
                f"unbinding must return it, e.g. C -> {lig} + R); the ligand is not "
                "conserved")
        raise NetworkFileError(
            f"reaction {r.describe()} creates the ligand from nothing that holds it; the "
            "ligand is not conserved")
    return states


def _check_reachable(network, out, states):
    """The output must depend on the ligand: some chain of reactions (through their
    stoichiometry or their rate laws) leads from the ligand to a species of the output."""
    species = set(network.species)
    in_output = {str(s) for s in out.free_symbols} & species
    if not in_output:
        raise NetworkFileError(f"the output {network.output!r} contains no species")
    reached = set(states)
    changed = True
    while changed:
        changed = False
        for r in network.reactions:
            inputs = set(r.reactants) | {str(s) for s in r.rate.free_symbols}
            if inputs & reached:
                new = {s for s in species if r.net(s) != 0} - reached
                if new:
                    reached |= new
                    changed = True
    if not in_output & reached:
        raise NetworkFileError(
            f"the output {network.output!r} is not reachable from the ligand "
            f"{network.ligand}: no chain of reactions leads from it to "
            f"{', '.join(sorted(in_output))}")


def ligand_states(network):
    """The species that hold the ligand: moiety tracing from the free ligand (a reaction
    that consumes a ligand state passes the ligand on to its new products, unless one of
    them already holds it, as in unbinding C -> L + R).  Checks that their sum is conserved
    by every reaction."""
    states = _trace_ligand(network, keep_partners_apart=False)
    for r in network.reactions:
        if sum(r.net(s) for s in states) != 0:
            raise NetworkError(f"reaction {r.name or r} creates or destroys ligand states "
                               f"({', '.join(sorted(states))}): the ligand is not conserved")
    return tuple(s for s in network.species if s in states)


def _conservation_laws(network, states):
    """Conservation laws other than the ligand's, with zero weight on the free ligand: a
    list of {species: coefficient} (integers), one per independent conserved moiety.

    As roadrunner and COPASI do, the laws span the left null space of the stoichiometric
    matrix N (species x reactions): vectors c with c^T N = 0, so that c . x is constant in
    time.  They are computed exactly (sympy, rational arithmetic), the ligand's own law is
    taken out, and the rest is brought to reduced row-echelon form with the shared species
    first: each law then has its own leading shared species (its coefficient 1), which the
    law fixes and after which it is named (the receptors' law R + C_0 + ... leads with R)."""
    species = network.species
    Nmat = sp.Matrix([[r.net(s) for r in network.reactions] for s in species])
    lig = sp.Matrix([1 if s in states else 0 for s in species])
    order = ([s for s in species if s not in states] + [s for s in species if s in states])
    rows = []
    for v in Nmat.T.nullspace():
        v = v - v[species.index(network.ligand)] * lig
        if any(c != 0 for c in v):
            rows.append([v[species.index(s)] for s in order])
    if not rows:
        return []
    reduced, pivots = sp.Matrix(rows).rref()
    laws = []
    for k in range(len(pivots)):
        row = list(reduced.row(k))
        scale = reduce(sp.ilcm, [sp.fraction(c)[1] for c in row if c != 0], 1)  # lcm
        laws.append({s: c * scale for s, c in zip(order, row) if c != 0})
    return laws


@dataclass(frozen=True)
class ConservedMoiety:
    """A conserved moiety of a reaction network: sum_s c_s [s] is constant in time.

    Attributes
    ----------
    name : str -- ``<species>_T`` after the law's leading shared species (``R_T`` for the
        receptors), or ``<species>_total`` if that name is taken by a parameter or species
    coefficients : mapping species -> integer c_s
    species : str -- the shared species the law fixes at steady state
    total : float -- c . x(0), from the initial amounts (every species, bound states
        included: receptors that all start bound count), unless set by name
    """

    name: str
    coefficients: dict
    species: str
    total: float


def conserved_moieties(network, initial=None, totals=None):
    """The network's conserved moieties other than the ligand's (see
    :func:`_conservation_laws`), each with its total: ``c . initial`` (the network's initial
    amounts, updated by ``initial``), or the value ``totals`` gives for its name.

    Returns a tuple of :class:`ConservedMoiety`."""
    states = ligand_states(network)
    amounts = {**network.initial, **(initial or {})}
    totals = dict(totals or {})
    taken = set(network.species) | set(network.parameters)
    out = []
    for law in _conservation_laws(network, states):
        lead = next((s for s in network.species if s in law and s not in states), None)
        if lead is None:
            continue
        name = f"{lead}_T" if f"{lead}_T" not in taken else f"{lead}_total"
        total = totals.pop(name) if name in totals else sum(
            float(c) * float(amounts.get(s, 0.0)) for s, c in law.items())
        out.append(ConservedMoiety(name, MappingProxyType(dict(law)), lead, float(total)))
    if totals:
        raise NetworkError(f"no conserved moiety named {sorted(totals)[0]!r}; the network's "
                           f"moieties: {', '.join(m.name for m in out) or 'none'}")
    return tuple(out)


@derived
def network_sum_form(model):
    """Derive the sum form of a :class:`NetworkModel` (see the module docstring).

    Returns a Derivation whose ``expr`` is the output in aggregates and shared variables,
    with parts ``form`` (the SumForm), ``states`` (ligand states), ``shared`` (shared
    species), ``per_type`` (closed forms of the ligand states) and ``laws``."""
    net = model.network
    values = {sp.Symbol(k): exact_number(float(v)) for k, v in model.values_by_name.items()}
    states = ligand_states(net)
    shared = tuple(s for s in net.species if s not in states)
    # ligand states are solved away: bracketed names keep them apart from tau and L;
    # shared species keep their names unless those are taken by the package's symbols
    reserved = set(sy.BY_NAME)
    sym = {s: sp.Symbol(f"[{s}]" if s in states or s in reserved else s, positive=True)
           for s in net.species}
    plain = {sp.Symbol(s): sym[s] for s in net.species}
    time = net.off_rate or net.binding_time
    t_sub = {sp.Symbol(time): (1 / sy.tau if net.off_rate else sy.tau)}
    # numbers go in first: the linear solve stays small (only tau, L and shared species left)
    rates = [_exact(r.rate.subs(plain).subs(t_sub).subs(values)) for r in net.reactions]
    steps = [Step("ligand states (moiety tracing)", sp.Tuple(*[sym[s] for s in states])),
             Step("shared species", sp.Tuple(*[sym[s] for s in shared]))]

    # 2. the ligand states of one type, given the shared species
    unknowns = [sym[s] for s in states]
    eqs = [sum(r.net(s) * v for r, v in zip(net.reactions, rates)) for s in states
           if s != net.ligand]
    eqs.append(sum(unknowns) - sy.L)
    implicit = {}
    solution = _linear_solution(tuple(eqs), tuple(unknowns))
    if solution is None:
        # no closed form: the ligand states of each type are solved numerically
        # (Newton per type) and differentiated with the implicit-function theorem
        per_type = {s: sym[s] for s in states}
        implicit = {"type_states": tuple(unknowns), "type_equations": tuple(eqs),
                    "type_guess": tuple(sy.L if s == net.ligand else sp.S.Zero
                                        for s in states)}
        steps.append(Step("the ligand states' equations are not linear given the shared "
                          "species: solved numerically per type", sp.Tuple(*eqs)))
    else:
        per_type = dict(zip(states, solution))
        steps.append(Step("steady state of one type's ligand states, sum = L (linear solve)",
                          sp.Tuple(*[sp.Eq(sym[s], e) for s, e in per_type.items()])))

    # 3. shared species: conservation laws first, their own equations otherwise
    terms = {sp.Symbol(f"A_{s}", positive=True): e for s, e in per_type.items()}
    aggregate = {sym[s]: sp.Symbol(f"A_{s}", positive=True) for s in states}
    moieties = conserved_moieties(net, model.initial, model.totals)
    variables, bounds = [], {}
    for k, moiety in enumerate(moieties):
        law, q = moiety.coefficients, moiety.species
        total = exact_number(moiety.total)
        held = " + ".join(s if c == 1 else f"{c}*{s}" for s, c in law.items())
        if moiety.total < 0:
            raise NetworkError(f"the conserved total {moiety.name} = {held} is negative "
                               f"({moiety.total:g})")
        if moiety.total == 0 and any(s in states for s in law):
            raise NetworkError(
                f"the conserved total {moiety.name} = {held} is 0 in the initial amounts: "
                f"the ligand's states hold {moiety.name}, so every one of them would be 0; "
                f"set it by name (--param {moiety.name}=...) or give the species initial "
                "amounts")
        bound = sp.Symbol(f"B_{k}", positive=True)
        # the moiety held by one type's ligand states, summed directly (no free-ligand
        # term, whose weight is zero: L - [L] would cancel catastrophically at large L)
        terms[bound] = sp.cancel(sp.together(sp.Add(*[law[s] * per_type[s]
                                                      for s in states if s in law])))
        G = sum(c * sym[s] for s, c in law.items() if s in shared) + bound - total
        if all(c > 0 for c in law.values()):
            for s in law:
                if s in shared:
                    bounds[s] = min(bounds.get(s, sp.oo), total / law[s])
        variables.append((q, G, f"{q} (conservation of {moiety.name})"))
    paired = {q for q, _, _ in variables}
    variables = [SharedVariable(sym[q], G, sp.S.Zero, bounds.get(q, sp.oo), text)
                 for q, G, text in variables]
    solved = {sym[s]: e for s, e in per_type.items()}
    for q in shared:
        if q in paired:
            continue
        G = 0
        for r, v in zip(net.reactions, rates):
            if r.net(q) == 0:
                continue
            if v.free_symbols & set(unknowns):  # per type: a sum over the types
                A_r = sp.Symbol(f"v_{r.name or f'r{net.reactions.index(r)}'}", positive=True)
                terms[A_r] = sp.cancel(v.subs(solved))
                G += r.net(q) * A_r
            else:
                G += r.net(q) * v
        if G == 0:
            raise NetworkError(f"shared species {q} has no reaction and no conservation law "
                               "to fix it")
        variables.append(SharedVariable(sym[q], G, sp.S.Zero, bounds.get(q, sp.oo),
                                        f"{q} (steady state)"))
    out = read_expression(net.output, "output").subs(plain).subs(aggregate).subs(values)
    out = out.subs(t_sub)
    form = SumForm(terms=terms, output=out, shared=_order(variables, terms),
                   aliases={s: aggregate[sym[s]] for s in states}, **implicit,
                   amounts=(*aggregate.values(),
                            *(sp.Symbol(f"B_{k}", positive=True) for k in range(len(moieties))
                              if all(c > 0 for c in moieties[k].coefficients.values()))))
    steps.append(Step("shared species fixed by", sp.Tuple(*[sp.Eq(v.constraint, 0)
                                                           for v in form.shared])))
    steps.append(Step("output", out))
    return Derivation(f"sum form of {net.name}", out, tuple(steps), (),
                      {"form": form, "states": states, "shared": shared,
                       "per_type": per_type, "laws": [m.coefficients for m in moieties],
                       "moieties": moieties})


@lru_cache(maxsize=32)
def _linear_solution(equations, unknowns):
    """The unknowns of linear equations as cancelled rational functions (a tuple), or None
    when the equations are not linear in them.  Cached: models that differ only in their
    conserved totals or initial amounts share one type's closed form."""
    try:
        A, b = sp.linear_eq_to_matrix(list(equations), list(unknowns))
    except NonlinearError:
        return None
    return tuple(sp.cancel(sp.together(e)) for e in A.LUsolve(b))


def _exact(expr):
    """``expr`` with its floating-point numbers made exact (``exact_number``): rational
    arithmetic keeps the cancelled closed forms free of round-off terms (a file's volume 1.0
    would otherwise leave terms such as 1e-13 L tau^6 that dominate at large L)."""
    return expr.xreplace({f: exact_number(float(f)) for f in expr.atoms(sp.Float)})


def _order(variables, terms):
    """Order shared variables so that each constraint depends on as few later ones as
    possible (fewer nested root solves)."""
    def deps(v):
        own = v.constraint.free_symbols
        for A in (A for A in terms if A in own):
            own = own | terms[A].free_symbols
        return own
    ordered, left = [], list(variables)
    while left:
        solved = {v.symbol for v in ordered}
        best = min(left, key=lambda v: len((deps(v) & {w.symbol for w in left}) - {v.symbol}
                                           - solved))
        ordered.append(best)
        left.remove(best)
    return tuple(ordered)


class NetworkModel(CellModel):
    """A cell model defined by a :class:`ReactionNetwork` (see the module docstring).

    ``overrides`` replace values by name before anything is checked: a parameter's value,
    or a species' initial amount (``NetworkModel(net, phi=0.2, R=1e4)``).  ``tau_c`` is
    the network's unless given.  Then

    - reactions whose rate law is identically zero with these values drop out
      (``dropped_reactions`` names them; classification reports them);
    - every remaining rate law must be finite, and non-negative at positive amounts
      with its products absent (decided symbolically, or by sampling positive states
      when sympy cannot decide; see :func:`_check_rate`);
    - the reduced network is checked again (a ligand still bound, an output still
      reachable).

    Parameters live in their own namespace, ``parameters()`` (and ``values_by_name``):
    a model parameter named ``eps``, ``label`` or ``threshold`` is never an attribute.

    ``overrides`` may also set a conserved moiety's total by the moiety's name (``R_T``;
    see :func:`conserved_moieties`); ``moieties()`` reports the totals the steady states use.
    """

    name = "network"
    title = "a reaction network"

    def __init__(self, network, /, tau_c=None, **overrides):
        time = network.off_rate or network.binding_time
        names = {m.name for m in conserved_moieties(network)}
        totals = {k: overrides.pop(k) for k in list(overrides)
                  if k in names and k not in network.parameters and k not in network.species}
        unknown = set(overrides) - set(network.parameters) - set(network.species)
        if unknown:
            raise NetworkFileError(
                f"unknown parameter(s) {sorted(unknown)} for network {network.name!r}; "
                f"known: {', '.join(network.parameters)} (or a species' initial amount: "
                f"{', '.join(network.species)}; or a conserved total: "
                f"{', '.join(sorted(names)) or 'none'})")
        given = {k: v for k, v in overrides.items() if k in network.parameters}
        initial = {**network.initial, **{k: v for k, v in overrides.items()
                                         if k not in network.parameters}}
        for k, v in {**overrides, **totals}.items():
            _check_amount(v, f"{k}")
        values = {**network.parameters, **given}
        numbers = {sp.Symbol(k): exact_number(float(v)) for k, v in values.items()
                   if k != time}
        kept, dropped = [], []
        for r in network.reactions:
            rate = r.rate.xreplace(numbers)
            if rate.is_zero:
                dropped.append(r.name or r.describe())
                continue
            _check_rate(r, rate, network, time)
            kept.append(r)
        if not kept:
            raise NetworkFileError(f"every reaction of {network.name!r} has a zero rate "
                                   f"with these parameters ({', '.join(dropped)})")
        extra = dict(network.extra)
        if dropped:
            extra["dropped_reactions"] = tuple(dropped)
        # the reduced network is checked again by its constructor
        self.network = replace(network, reactions=tuple(kept), parameters=values,
                               initial=initial, extra=extra)
        self.dropped_reactions = tuple(dropped)
        self.initial = MappingProxyType({k: float(v) for k, v in overrides.items()
                                         if k in network.species})
        self.totals = MappingProxyType({k: float(v) for k, v in totals.items()})
        self.name = network.name
        self.reference_agonist = tuple(float(v) for v in network.agonist)
        self.values_by_name = MappingProxyType({k: v for k, v in values.items() if k != time})
        self._values = {k: exact_number(float(v)) for k, v in self.values_by_name.items()}
        self.tau_c = exact_number(float(network.tau_c if tau_c is None else tau_c))
        if not self.tau_c > 0:
            raise NetworkFileError(f"tau_c must be positive, got {self.tau_c}")

    def parameters(self):
        """Model parameter name -> exact value (the binding time excluded: it is each
        ligand's own), and ``tau_c``."""
        return {**self._values, "tau_c": self.tau_c}

    def regime_predictions(self):
        """What the reader changed, reported with the classification: reactions dropped
        for a zero rate, SBML assignment rules ignored because they only define readouts."""
        extra = self.network.extra
        return {"dropped_reactions": list(extra.get("dropped_reactions", ())),
                "ignored_rules": list(extra.get("ignored_rules", ()))}

    def moieties(self):
        """The conserved moieties and their totals (a tuple of :class:`ConservedMoiety`)."""
        return conserved_moieties(self.network, self.initial, self.totals)

    def label(self):
        return self.network.name

    def __repr__(self):
        args = ", ".join(f"{k}={v}" for k, v in self.parameters().items())
        return f"NetworkModel({self.network.name!r}, {args})"

    def sum_form(self):
        return network_sum_form(self).form

    def _key(self):
        return (type(self), self.network.name, repr(self.network.reactions),
                tuple(sorted(self.parameters().items(), key=lambda kv: kv[0])),
                tuple(sorted(((k, float(v)) for k, v in self.network.initial.items()),
                             key=lambda kv: kv[0])),
                tuple(sorted(self.totals.items())))


def _check_rate(reaction, rate, network, time, samples=24, seed=0):
    """Refuse a rate law that is not finite, or negative before the reaction has made
    anything: with the reaction's products at zero and every other species, and the binding
    time, positive, a rate law must be non-negative (a reaction cannot run backwards
    before its products exist; a negative sign in a mass-action law fails this).  Net rates
    of reversible reactions (kf*A - kr*B) and saturating forms (alpha*C1*(S_T - S)) pass.
    Decided by sympy with positive symbols when it can, otherwise by evaluating at
    log-uniformly sampled positive states (1e-3..1e4, fixed seed)."""
    if rate.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise NetworkFileError(f"the rate law of reaction {reaction.describe()} is not "
                               f"finite with these parameters: {rate}")
    made = {sp.Symbol(s): sp.S.Zero for s in reaction.products if reaction.net(s) > 0}
    start = rate.xreplace(made)
    if start.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        return  # singular without its products: leave it to the steady-state solver
    names = sorted(start.free_symbols, key=str)
    pos = {x: sp.Symbol(f"_{x}", positive=True) for x in names}
    positive_rate = start.xreplace(pos)
    if positive_rate.is_nonnegative:
        return
    witness = None
    if positive_rate.is_negative:
        witness = {}
    else:
        rng = np.random.default_rng(seed)
        for _ in range(samples):
            point = {x: sp.Float(10.0 ** rng.uniform(-3, 4)) for x in names}
            value = start.xreplace(point).evalf()
            if value.is_real is False or (value.is_number and value < 0):
                witness = point
                break
    if witness is not None:
        at = ", ".join([f"{x}={float(v):.3g}" for x, v in witness.items()]
                       + [f"{x}=0" for x in made])
        raise NetworkFileError(
            f"the rate law of reaction {reaction.describe()} is negative before the "
            f"reaction has made anything{f' ({at})' if at else ''}: {rate}.  A rate law "
            "must be non-negative there (check its sign; a reverse direction is written "
            "as its own reaction or as kf*A - kr*B)")
