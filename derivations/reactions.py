"""Reaction networks: reactions with rate laws, and the designations that make a network a
cell model.

A :class:`ReactionNetwork` is a list of reactions with rate laws, parameter values, initial
amounts, and three designations: the free **ligand** species, the **output** (a species or
an expression of species), and the parameter that is the ligand's **binding time** (or its
inverse, the off rate).  It checks on construction that it can be a cell model (the ligand
is bound and conserved, the output is reachable from it; see :mod:`.ligand_states`).

The rest of the path to a cell model lives next door: :mod:`.ligand_states` (the species
that hold the ligand, and their steady state for one ligand type), :mod:`.conservation`
(the conserved moieties and their totals) and :mod:`.network_model` (:class:`NetworkModel`,
the cell model, and the derivation of its sum form).  Rates are in units of the network
(s^-1 for first order); binding times in s.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

from antagonism._core.errors import NetworkFileError

from .expressions import parse_expression, symbol
from .ligand_states import check_ligand, check_reachable
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
            check_amount(value, f"parameter {name}")
        for s, value in self.initial.items():
            check_amount(value, f"initial amount of {s}")
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
            which = "off-rate" if self.off_rate else "binding-time"
            raise NetworkFileError(
                f"the {which} parameter {time!r} is not a parameter of the network "
                f"(parameters: {', '.join(sorted(self.parameters))})")
        states = check_ligand(self)
        check_reachable(self, out, states)


def check_amount(value, what):
    """Refuse an amount (a rate constant, an initial amount, a binding time) that is not a
    finite number >= 0, naming it by ``what``."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise NetworkFileError(f"{what} = {value!r} is not a number") from None
    if not math.isfinite(x):
        raise NetworkFileError(f"{what} = {x!r} is not finite")
    if x < 0:
        raise NetworkFileError(f"{what} = {x:g} is negative (rates, amounts and binding "
                               "times are positive; zero is allowed)")

