"""Conservation laws of a reaction network and the totals of its conserved moieties.

The shared species of a network model (receptors, kinases...) are fixed by the conservation
laws of the network (receptors: R_T = R + sum of bound states over every type).  The laws
are the left null space of the stoichiometric matrix, and their totals come from every
species' initial amount, bound states included (:func:`conserved_moieties`), as in
roadrunner and COPASI.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from types import MappingProxyType

import sympy as sp

from antagonism._core.errors import NetworkFileError

from .ligand_states import ligand_states


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
        raise NetworkFileError(f"no conserved moiety named {sorted(totals)[0]!r}; the network's "
                               f"moieties: {', '.join(m.name for m in out) or 'none'}")
    return tuple(out)
