"""Cell models from reaction networks: from reactions to a sum form, for any ligand mixture.

:class:`NetworkModel` turns a :class:`~antagonism.derivations.reactions.ReactionNetwork`
into a cell model, and :func:`network_sum_form` derives its sum form:

1. *Ligand states* are found by tracing the ligand moiety through the reactions: a product
   holds the ligand when its reaction consumes a ligand state.  Their sum must be conserved
   (the ligand quantity L of a type); every other species is *shared* by all ligand types
   (:func:`~.ligand_states.ligand_states`).
2. For a mixture, every ligand type i has its own copy of the ligand states.  Their steady
   state, given the shared species y, solves the ligand states' own equations with
   sum = L; where these are linear (chains, receptors as parameters) sympy solves them in
   closed form, f_X(tau, L, y); otherwise they are solved numerically per type (Newton),
   with gradients by the implicit-function theorem
   (:func:`~.ligand_states.one_type_steady_state`).
3. The shared species are fixed by the conservation laws of the network (receptors:
   R_T = R + sum of bound states over every type) and by their own steady-state equations,
   in which every rate that involves ligand states becomes a sum over the types (a new
   aggregate whose per-type term is that rate).  The conservation laws are the left null
   space of the stoichiometric matrix, and their totals come from every species' initial
   amount, bound states included (:func:`~.conservation.conserved_moieties`), as in
   roadrunner and COPASI.

The result is a :class:`~antagonism.derivations.model.SumForm` with shared variables, so the
generic machinery derives gradients, critical points and the regime.  Rates are in units of
the network (s^-1 for first order); binding times in s.
"""
from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

import numpy as np
import sympy as sp

from antagonism._core.errors import NetworkFileError

from . import symbols as sy
from .conservation import conserved_moieties
from .derivation import Derivation, Step, derived
from .ligand_states import ligand_states, one_type_steady_state
from .model import CellModel, SharedVariable, SumForm
from .reactions import check_amount, read_expression
from .validation import exact_number


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
    # symbols for symbols and numbers: xreplace, as subs would do it but without its search
    rates = [_exact(r.rate.xreplace(plain).xreplace(t_sub).xreplace(values))
             for r in net.reactions]
    steps = [Step("ligand states (moiety tracing)", sp.Tuple(*[sym[s] for s in states])),
             Step("shared species", sp.Tuple(*[sym[s] for s in shared]))]

    # 2. the ligand states of one type, given the shared species
    unknowns = [sym[s] for s in states]
    per_type, implicit, step = one_type_steady_state(
        net, states, sym, rates, solve=model.derivation_method() == "symbolic")
    steps.append(step)

    # 3. shared species: conservation laws first, their own equations otherwise
    terms = {sp.Symbol(f"A_{s}", positive=True): e for s, e in per_type.items()}
    aggregate = {sym[s]: sp.Symbol(f"A_{s}", positive=True) for s in states}
    moieties = conserved_moieties(net, model.initial, model.totals)
    variables, bounds = [], {}
    for k, moiety in enumerate(moieties):
        law, q = moiety.coefficients, moiety.species
        total = exact_number(moiety.total)
        held = " + ".join(s if c == 1 else f"{c}*{s}" for s, c in law.items())
        # a law with coefficients of both signs (a difference of conserved quantities, as
        # the row-echelon basis makes them) may have any total; one of non-negative
        # coefficients cannot be negative, nor 0 where the ligand's states hold it
        signed = all(c >= 0 for c in law.values())
        if signed and moiety.total < 0:
            raise NetworkFileError(f"the conserved total {moiety.name} = {held} is negative "
                                   f"({moiety.total:g})")
        if signed and moiety.total == 0 and any(s in states for s in law):
            raise NetworkFileError(
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
            raise NetworkFileError(f"shared species {q} has no reaction and no conservation law "
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



#: the largest ligand-state problem solved symbolically, in ligand states x (1 + shared
#: species in their equations), chosen by measured cost: the symbolic path's classification
#: costs more than the numeric engine's beyond it.  CPU seconds of ``classify(model,
#: dose_response=False)`` on a loaded 2-core machine, a proofreading chain with SHP-1
#: feedback (shp1.ant with N steps): N = 5 (7 x 3 = 21) 4.4 symbolic, 7.6 numeric; N = 6
#: (8 x 3 = 24) 7.5 and 7.5; N = 7 (9 x 3 = 27, 11 species) 12.2 and 6.6.  Beyond it the
#: symbolic solve grows to minutes and hours (an 11-species TCR network, 5 x 7 = 35,
#: 11-20 s; 15 species, 849 s).  The shipped models are at most 7 x 3 = 21.
SYMBOLIC_LIMIT = 24


def symbolic_size(network):
    """(ligand states, shared species in the ligand states' equations): the size of the
    symbolic solve of one type's ligand states given the shared species."""
    states = set(ligand_states(network))
    coupled = set()
    for r in network.reactions:
        names = {*r.reactants, *r.products, *(str(x) for x in r.rate.free_symbols)}
        if names & states:
            coupled |= names - states
    return len(states), len(coupled & set(network.species))


def time_parameter_kind(network, name):
    """How the parameter ``name`` enters the rate laws of the ligand's unbinding reactions
    (a ligand state consumed, the free ligand released): "off_rate" when each such rate law
    that uses it is proportional to it (k_off C), "binding_time" when inversely
    proportional (C / tau), None when it is neither, mixed or absent from them."""
    p = sp.Symbol(name)
    states = set(ligand_states(network))
    kinds = set()
    for r in network.reactions:
        if r.net(network.ligand) <= 0 or not any(r.net(s) < 0 for s in states) \
                or p not in r.rate.free_symbols:
            continue
        exponent = sp.simplify(p * sp.diff(r.rate, p) / r.rate)
        kinds.add({1: "off_rate", -1: "binding_time"}.get(exponent) if exponent.is_number
                  else None)
    return kinds.pop() if len(kinds) == 1 else None


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
            check_amount(v, f"{k}")
        values = {**network.parameters, **given}
        numbers = {sp.Symbol(k): exact_number(float(v)) for k, v in values.items()
                   if k != time}
        kept, dropped, rates = [], [], []
        for r in network.reactions:
            rate = r.rate.xreplace(numbers)
            if rate.is_zero:
                dropped.append(r.name or r.describe())
                continue
            kept.append(r)
            rates.append(rate)
        if not kept:
            raise NetworkFileError(f"every reaction of {network.name!r} has a zero rate "
                                   f"with these parameters ({', '.join(dropped)})")
        extra = dict(network.extra)
        if dropped:
            extra["dropped_reactions"] = tuple(dropped)
        # the reduced network is checked again by its constructor
        self.network = replace(network, reactions=tuple(kept), parameters=values,
                               initial=initial, extra=extra)
        # the laws and the ligand's quantity, computed only if a rate law needs sampling
        sampler = ConservedStates(self.network, lambda: conserved_moieties(
            self.network, {k: v for k, v in overrides.items() if k in network.species},
            totals))
        for r, rate in zip(kept, rates):
            _check_rate(r, rate, network, time, sampler=sampler)
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

    def metadata(self):
        """The file's descriptive directives (``structure``, ``paper``, ``source``) and the
        conserved totals of the network, as roadrunner reports them (molecules)."""
        extra = self.network.extra
        out = {k: extra[k] for k in ("structure", "paper") if k in extra}
        if self.network.source:
            out["source"] = self.network.source
        if extra.get("species_units"):  # several compartments, or amounts (SBML files)
            out["species_units"] = list(extra["species_units"])
        out["conserved_totals"] = {m.name: m.total for m in self.moieties()}
        return out

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

    def derivation_method(self):
        """"symbolic" when one type's ligand states are solved in closed form (a problem
        of at most :data:`SYMBOLIC_LIMIT` = states x (1 + coupled shared species)),
        "numeric" otherwise: the sum form then keeps the states implicit and
        :func:`antagonism.theory.model_evaluator` solves the network numerically."""
        if self.__dict__.get("engine") == "numeric":
            return "numeric"
        states, coupled = symbolic_size(self.network)
        return "symbolic" if states * (1 + coupled) <= SYMBOLIC_LIMIT else "numeric"

    def use_numeric_engine(self, reason):
        """Have :func:`antagonism.theory.model_evaluator` solve this model with the numeric
        engine (the state reached from rest) whatever its size; ``reason`` is reported as
        ``engine_reason``.  Used where the closed-form path's root is not the state reached
        from rest (several steady states) or where it fails."""
        self.engine, self.engine_reason = "numeric", str(reason)
        self.__dict__.pop("_cached_key", None)

    def _key(self):
        # computed once: the reactions' text is long, and every cache lookup hashes the model
        if "_cached_key" not in self.__dict__:
            self._cached_key = self._compute_key()
        return self._cached_key

    def _compute_key(self):
        return (type(self), self.network.name, repr(self.network.reactions),
                tuple(sorted(self.parameters().items(), key=lambda kv: kv[0])),
                tuple(sorted(((k, float(v)) for k, v in self.network.initial.items()),
                             key=lambda kv: kv[0])),
                tuple(sorted(self.totals.items())), self.__dict__.get("engine"))


def _check_rate(reaction, rate, network, time, samples=24, seed=0, sampler=None):
    """Refuse a rate law that is not finite, or negative before the reaction has made
    anything: with the reaction's products at zero and every other species, and the binding
    time, positive, a rate law must be non-negative (a reaction cannot run backwards
    before its products exist; a negative sign in a mass-action law fails this).  Net rates
    of reversible reactions (kf*A - kr*B) and saturating forms (alpha*C1*(S_T - S)) pass.
    Decided by sympy with positive symbols when it can, otherwise by evaluating at
    sampled states (fixed seed): states that satisfy the network's conservation laws
    (``sampler``, a :class:`ConservedStates`: a rate negative only where no reachable
    state is, such as (1 - (P1 + P2)/(k L_T)) with P1 + P2 at most a total below k L_T,
    passes), other species and the binding time log-uniform in 1e-3..1e4, and the ends of
    that range for the species in no law.  Without a sampler, every symbol is drawn
    log-uniform in 1e-3..1e4, then every symbol at either end."""
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
        points = (sampler.samples(names, [str(x) for x in made], samples, rng)
                  if sampler is not None else
                  _log_uniform_points(names, samples, rng))
        for point in points:
            point = {x: sp.Float(v) for x, v in point.items()}
            value = start.xreplace(point).evalf()
            if value.is_real is False or (value.is_number and value.is_finite
                                          and value < 0):
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


def _log_uniform_points(names, n, rng):
    """``n`` points log-uniform in 1e-3..1e4, then every symbol at either end of it."""
    yield from ({x: 10.0 ** rng.uniform(-3, 4) for x in names} for _ in range(n))
    yield from (dict.fromkeys(names, end) for end in (1e4, 1e-3))


class ConservedStates:
    """Random states of a network that satisfy its conservation laws: c . x = total for
    every conserved moiety, the ligand's states summing to a quantity L, given species at
    zero, every amount non-negative; species in no law log-uniform in 1e-3..1e4.

    L takes values spread log-evenly from 1e-3 to ``dose`` (the file's own ligand
    quantity, or its reference agonist's if larger; 1e4 when the file has none), both
    ends included.  For each, the states of the laws form a polytope: its vertices in
    random directions come from linear programs (scipy's ``linprog``), and the samples
    are states near each vertex (0.9 vertex + 0.1 centroid: the extremes, where a linear
    combination of amounts is largest) and random convex combinations (Dirichlet
    weights), so every sample satisfies every law exactly."""

    def __init__(self, network, moieties, dose=None):
        self.network, self._moieties, self._dose = network, moieties, dose
        self.species = tuple(network.species)

    def _setup(self):
        """The ligand's states, the laws (``moieties``: a tuple, or a callable giving
        it) and the largest ligand quantity, once."""
        if hasattr(self, "laws"):
            return
        net = self.network
        self.states = set(ligand_states(net))
        moieties = self._moieties() if callable(self._moieties) else self._moieties
        self.laws = [(dict(m.coefficients), float(m.total)) for m in moieties]
        own = sum(float(net.initial.get(s, 0.0)) for s in self.states)
        self.dose = float(self._dose if self._dose is not None else
                          max(own, float(net.agonist[1])) if own > 0 else 1e4)

    def samples(self, names, zero, n, rng, vertices=6):
        """Up to ``n`` points {symbol: value} for the symbols ``names`` (species and
        parameters), the species ``zero`` at 0; none where no state satisfies the laws
        with those species at 0 (the situation never arises)."""
        from scipy.optimize import linprog

        self._setup()
        index = {s: k for k, s in enumerate(self.species)}
        held = set(self.states) | {s for law, _ in self.laws for s in law}
        rows, rhs = [], []
        for law, total in self.laws:
            rows.append([float(law.get(s, 0)) for s in self.species])
            rhs.append(total)
        rows.append([1.0 if s in self.states else 0.0 for s in self.species])
        rhs.append(0.0)  # the ligand quantity, per group of samples
        for s in zero:
            if s in index:
                rows.append([1.0 if t == s else 0.0 for t in self.species])
                rhs.append(0.0)
        A, b = np.array(rows), np.array(rhs)
        groups = max(1, -(-n // (2 * vertices)))
        doses = np.geomspace(1e-3, max(self.dose, 1e-3), groups)
        cap = 10.0 * max([abs(t) for t in rhs] + [self.dose, 1e4])
        free = [s for s in self.species if s not in held]
        count = 0
        for L in doses:
            b[len(self.laws)] = L
            corners = []
            for _ in range(vertices):
                res = linprog(rng.normal(size=len(self.species)), A_eq=A, b_eq=b,
                              bounds=[(0.0, cap)] * len(self.species), method="highs")
                if res.status != 0:
                    return
                corners.append(res.x)
            corners = np.array(corners)
            near = 0.9 * corners + 0.1 * corners.mean(axis=0)
            mixed = rng.dirichlet(np.full(vertices, 0.5), vertices) @ corners
            for x in np.vstack([near, mixed]):
                if count == n:
                    return
                count += 1
                value = {s: float(x[index[s]]) for s in self.species if s in held}
                value.update({s: 10.0 ** rng.uniform(-3, 4) for s in free})
                point = {x_: (value[str(x_)] if str(x_) in value
                              else 10.0 ** rng.uniform(-3, 4)) for x_ in names}
                yield point  # then, once, the free species at the ends of their range
                yield from (point | {x_: end for x_ in names if str(x_) in free}
                            for end in ((1e4, 1e-3) if count == 1 and free else ()))
