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

import re
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

import sympy as sp
from sympy.solvers.solveset import NonlinearError

from . import symbols as sy
from .derivation import Derivation, Step, derived
from .model import CellModel, SharedVariable, SumForm
from .validation import exact_number


class NetworkError(ValueError):
    """A reaction network the package cannot turn into a cell model (the message says why)."""


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


_REACTION = re.compile(r"^\s*(?:(?P<name>\w+)\s*:)?\s*(?P<lhs>[^-=>;]*?)\s*(?:->|=>)\s*"
                       r"(?P<rhs>[^;]*?)\s*;\s*(?P<rate>.+?)\s*;?\s*$")


def _side(text, where):
    out = {}
    for term in filter(None, (t.strip() for t in text.split("+"))):
        m = re.fullmatch(r"(?:(\d+(?:\.\d+)?)\s*\*?\s*)?([A-Za-z_]\w*)", term)
        if not m:
            raise NetworkError(f"cannot read {term!r} in reaction {where!r}")
        out[m.group(2)] = out.get(m.group(2), 0) + exact_number(float(m.group(1) or 1))
    return out


def parse_reaction(text):
    """Parse ``"name: A + 2 B -> C; k*A*B"`` (Antimony's reaction syntax)."""
    m = _REACTION.match(text)
    if not m:
        raise NetworkError(f"cannot read reaction {text!r}: expected 'A + B -> C; rate'")
    rate = read_expression(m.group("rate"), f"rate law of {text!r}")
    return Reaction(_side(m.group("lhs"), text), _side(m.group("rhs"), text), rate,
                    m.group("name") or "")


# names that sympify would otherwise read as functions or constants
_LOCALS = {name: sp.Symbol(name) for name in ("S", "N", "E", "I", "Q", "O", "beta", "gamma",
                                               "lambda", "zeta", "pi")}


def read_expression(text, what):
    """A rate law or output expression as sympy, every name a plain symbol (``S``, ``N``,
    ``gamma``... are species or parameters here, not sympy's objects)."""
    try:
        return sp.sympify(text, locals=_LOCALS)
    except (sp.SympifyError, SyntaxError, TypeError) as exc:
        raise NetworkError(f"cannot read the {what}: {text!r} ({exc})") from None


@dataclass(frozen=True)
class ReactionNetwork:
    """A reaction network with the designations that make it a cell model.

    Attributes
    ----------
    name : str
    reactions : tuple of Reaction
    parameters : mapping name -> number
    initial : mapping species -> initial amount (sets the totals of conserved moieties)
    ligand : str -- the free ligand species
    output : str -- a species or an expression of species (summed over ligand types)
    binding_time : str -- the parameter that is the ligand's binding time tau (s), or
    off_rate : str -- alternatively, the parameter that is 1/tau
    tau_c : float -- threshold binding time (s)
    agonist : (tau, L) -- the reference agonists for the numeric classification
    description, source : str
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

    def __post_init__(self):
        object.__setattr__(self, "reactions", tuple(self.reactions))
        object.__setattr__(self, "parameters", MappingProxyType(dict(self.parameters)))
        object.__setattr__(self, "initial", MappingProxyType(dict(self.initial)))
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
        """Reject what cannot be a cell model, with a message naming the problem."""
        if not self.reactions:
            raise NetworkError(f"network {self.name!r} has no reactions")
        species = set(self.species)
        known = species | set(self.parameters)
        for r in self.reactions:
            unknown = {str(s) for s in r.rate.free_symbols} - known
            if unknown:
                raise NetworkError(f"reaction {r.name or r}: unknown symbol(s) "
                                   f"{sorted(unknown)} in the rate law {r.rate}")
        for name, value in self.parameters.items():
            value = float(value)
            if not value > 0:
                raise NetworkError(f"parameter {name} = {value:g} must be positive (rates, "
                                   "totals and binding times are positive)")
        for s, value in self.initial.items():
            if float(value) < 0:
                raise NetworkError(f"initial amount of {s} = {float(value):g} is negative")
        if self.ligand not in species:
            raise NetworkError(f"the ligand species {self.ligand!r} is not in the network "
                               f"(species: {', '.join(sorted(species))})")
        out = read_expression(self.output, "output")
        missing = {str(s) for s in out.free_symbols} - known
        if missing:
            raise NetworkError(f"output species {sorted(missing)} not in the network "
                               f"(species: {', '.join(sorted(species))})")
        time = self.off_rate or self.binding_time
        if time is None or time not in self.parameters:
            raise NetworkError(f"the binding-time parameter {time!r} is not a parameter of "
                               f"the network (parameters: {', '.join(sorted(self.parameters))})")




def ligand_states(network):
    """The species that hold the ligand: moiety tracing from the free ligand (a reaction
    that consumes a ligand state passes the ligand on to its new products, unless one of
    them already holds it, as in unbinding C -> L + R).  Checks that their sum is conserved
    by every reaction."""
    states = {network.ligand}
    changed = True
    while changed:
        changed = False
        for r in network.reactions:
            if not any(r.net(s) < 0 for s in states):
                continue
            made = [p for p in r.products if r.net(p) > 0]
            if any(p in states for p in made):
                continue  # the moiety returns to a known state (unbinding: C -> L + R)
            states.update(made)
            changed = changed or bool(made)
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
        scale = sp.ilcm(*[sp.fraction(c)[1] for c in row if c != 0])
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

    ``overrides`` replace parameter values by name, a species' initial amount by the
    species' name, or a conserved moiety's total by the moiety's name (``R_T``; see
    :func:`conserved_moieties`); ``tau_c`` is the network's unless given.  ``moieties()``
    reports the conserved totals the steady states use.
    """

    name = "network"
    title = "a reaction network"

    def __init__(self, network, tau_c=None, **overrides):
        initial = {k: overrides.pop(k) for k in list(overrides) if k in network.species}
        names = {m.name for m in conserved_moieties(network)}
        totals = {k: overrides.pop(k) for k in list(overrides) if k in names}
        unknown = set(overrides) - set(network.parameters)
        if unknown:
            raise NetworkError(f"unknown parameter(s) {sorted(unknown)} for network "
                               f"{network.name!r}; known: {', '.join(network.parameters)}; "
                               f"species (initial amounts): {', '.join(network.species)}; "
                               f"conserved totals: {', '.join(sorted(names)) or 'none'}")
        for k, v in {**initial, **totals}.items():
            if not float(v) >= 0:
                raise NetworkError(f"{k} = {v} must be a non-negative amount")
        self.network = network
        self.initial = MappingProxyType({k: float(v) for k, v in initial.items()})
        self.totals = MappingProxyType({k: float(v) for k, v in totals.items()})
        self.name = network.name
        self.reference_agonist = tuple(float(v) for v in network.agonist)
        values = {**network.parameters, **overrides}
        values.pop(network.off_rate or network.binding_time)  # tau is the ligand's own
        self.values_by_name = MappingProxyType(values)
        self.set_parameters(**values, tau_c=network.tau_c if tau_c is None else tau_c)
        for k, v in self.parameters().items():
            if not v > 0:
                raise NetworkError(f"parameter {k} = {v} must be positive")

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
                tuple(sorted((k, sp.sympify(v)) for k, v in self.parameters().items())),
                tuple(sorted(self.initial.items())), tuple(sorted(self.totals.items())),
                tuple(sorted(self.network.initial.items())))
