"""The species that hold the ligand, and their steady state for one ligand type.

*Ligand states* are found by tracing the ligand moiety through the reactions: a product
holds the ligand when its reaction consumes a ligand state.  Their sum must be conserved
(the ligand quantity L of a type); every other species is *shared* by all ligand types.
For a mixture, every ligand type i has its own copy of the ligand states.  Their steady
state, given the shared species y, solves the ligand states' own equations with sum = L;
where these are linear (chains, receptors as parameters) sympy solves them in closed form,
f_X(tau, L, y) (:func:`one_type_steady_state`); otherwise they are solved numerically per
type (Newton), with gradients by the implicit-function theorem.

The functions take a :class:`~antagonism.derivations.reactions.ReactionNetwork` (anything
with ``ligand``, ``reactions``, ``species`` and ``output``).
"""
from __future__ import annotations

from functools import lru_cache

import sympy as sp
from sympy.solvers.solveset import NonlinearError

from antagonism._core.errors import NetworkFileError

from . import symbols as sy
from .derivation import Step


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



def check_ligand(network):
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



def check_reachable(network, out, states):
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
            raise NetworkFileError(f"reaction {r.name or r} creates or destroys ligand states "
                                   f"({', '.join(sorted(states))}): the ligand is not conserved")
    return tuple(s for s in network.species if s in states)


def one_type_steady_state(network, states, sym, rates, solve=True):
    """The steady state of one ligand type's states given the shared species:
    d[X]/dt = sum_r n_{X,r} v_r = 0 for every ligand state X but the free ligand, and
    sum_X [X] = L (molecules).

    ``sym`` maps species to their symbols and ``rates`` are the reactions' rate laws in
    them (numbers substituted).  Returns ``(per_type, implicit, step)``: ``per_type`` maps
    each state to its closed form f_X(tau, L, y) when the equations are linear in the
    states, else to its own symbol, with ``implicit`` then holding the equations to solve
    numerically per type (``type_states``, ``type_equations``, ``type_guess``: the SumForm's
    fields); ``step`` records which.  ``solve=False`` skips the symbolic solve (a network
    too large for it, ``NetworkModel.derivation_method``): the states stay implicit.
    """
    unknowns = [sym[s] for s in states]
    eqs = [sum(r.net(s) * v for r, v in zip(network.reactions, rates)) for s in states
           if s != network.ligand]
    eqs.append(sum(unknowns) - sy.L)
    solution = _linear_solution(tuple(eqs), tuple(unknowns)) if solve else None
    if solution is None:
        # no closed form: the ligand states of each type are solved numerically
        # (Newton per type) and differentiated with the implicit-function theorem
        implicit = {"type_states": tuple(unknowns), "type_equations": tuple(eqs),
                    "type_guess": tuple(sy.L if s == network.ligand else sp.S.Zero
                                        for s in states)}
        return ({s: sym[s] for s in states}, implicit,
                Step("the ligand states' equations are " + (
                    "not linear given the shared species" if solve else
                    "too large to solve symbolically") + ": solved numerically",
                     sp.Tuple(*eqs)))
    per_type = dict(zip(states, solution))
    return (per_type, {},
            Step("steady state of one type's ligand states, sum = L (linear solve)",
                 sp.Tuple(*[sp.Eq(sym[s], e) for s, e in per_type.items()])))


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
