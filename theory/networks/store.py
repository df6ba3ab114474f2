"""Model files read once: a reaction network as plain data, stored under a key of everything
that determines it, so that a second command on the same file skips Antimony and SBML.

:func:`load_model_cached` is :func:`antagonism.io.reaction_files.load_model_file` with a
*store*: any object with ``get(key) -> str or None`` and ``put(key, text)`` (the command
line passes one backed by the package's verified cache, ``antagonism.numerics.cache``; this
module never writes files itself).  The key is a SHA-256 of the file's bytes, the
overrides (``--param``), the designations (``--ligand``, ``--output``, ``--binding-time``,
``--off-rate``, ``--tau-c``...), the record format and the source code of the readers and
derivations (:func:`code_version`).  The record is JSON data, never code: reactions as
reactant and product stoichiometries with their rate laws as text, read back by the
package's whitelisted expression parser; a network whose rate laws do not read back to the
same expressions is not stored.  The numeric engine's compiled functions are rebuilt from
the network (a fraction of a second), never loaded.
"""
from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.expressions import parse_expression
from antagonism.derivations.network_model import NetworkModel
from antagonism.derivations.reactions import Reaction, ReactionNetwork
from antagonism.derivations.validation import exact_number

#: the record's format; a change makes older records unreachable
FORMAT = 1
_FIELDS = ("name", "ligand", "output", "binding_time", "off_rate", "tau_c", "description",
           "source")


@cache
def code_version():
    """SHA-256 (16 hex digits) of the source files that turn a model file into a network:
    the readers (``antagonism.io``), the derivations and this module."""
    import antagonism.io
    from antagonism import derivations

    files = [*Path(antagonism.io.__file__).parent.glob("*.py"),
             *Path(derivations.__file__).parent.glob("*.py"), Path(__file__)]
    h = hashlib.sha256()
    for f in sorted(files):
        h.update(str(f.name).encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:16]


def record_key(path, overrides, designations):
    """The store key of a model file read with these overrides and designations."""
    h = hashlib.sha256(Path(path).read_bytes())
    payload = {"format": FORMAT, "file": h.hexdigest(), "code": code_version(),
               "overrides": sorted((str(k), float(v)) for k, v in (overrides or {}).items()),
               "designations": sorted((k, str(v)) for k, v in designations.items()
                                      if v is not None)}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:32]


def network_record(network):
    """A ReactionNetwork as JSON-ready data, or None when a rate law or the output would not
    read back to the same expression."""
    reactions = []
    for r in network.reactions:
        text = str(r.rate)
        try:
            if parse_expression(text, "rate law") != r.rate:
                return None
        except NetworkFileError:
            return None
        reactions.append({"name": r.name, "rate": text,
                          "reactants": {s: float(c) for s, c in r.reactants.items()},
                          "products": {s: float(c) for s, c in r.products.items()}})
    extra = {k: (list(v) if isinstance(v, tuple) else v) for k, v in network.extra.items()}
    if not all(isinstance(v, (str, list)) for v in extra.values()):
        return None
    return {"format": FORMAT, "reactions": reactions,
            **{k: getattr(network, k) for k in _FIELDS},
            "parameters": {k: float(v) for k, v in network.parameters.items()},
            "initial": {k: float(v) for k, v in network.initial.items()},
            "agonist": [float(v) for v in network.agonist],
            "bound_states": None if network.bound_states is None else list(network.bound_states),
            "extra": extra}


def network_from_record(record):
    """The ReactionNetwork of :func:`network_record` (checked again on construction)."""
    if record.get("format") != FORMAT:
        raise NetworkFileError("a stored network of another format")
    reactions = tuple(
        Reaction({s: exact_number(c) for s, c in r["reactants"].items()},
                 {s: exact_number(c) for s, c in r["products"].items()},
                 parse_expression(r["rate"], f"rate law of reaction {r['name']}"), r["name"])
        for r in record["reactions"])
    extra = {k: (tuple(v) if isinstance(v, list) else v) for k, v in record["extra"].items()}
    return ReactionNetwork(reactions=reactions, parameters=record["parameters"],
                           initial=record["initial"], agonist=tuple(record["agonist"]),
                           bound_states=(None if record["bound_states"] is None
                                         else tuple(record["bound_states"])),
                           extra=extra, **{k: record[k] for k in _FIELDS})


def load_model_cached(path, overrides=None, store=None, **designations):
    """:func:`~antagonism.io.reaction_files.load_model_file` through ``store`` (see the
    module docstring): the model from the stored record when there is one, else read from
    the file and its record stored.  The model is the same either way (its reactions,
    values and designations; ``dropped_reactions`` too)."""
    from antagonism.io.file_limits import check_model_file_limits
    from antagonism.io.reaction_files import load_model_file

    overrides = dict(overrides or {})
    if store is None:
        return load_model_file(path, overrides, **designations)
    check_model_file_limits(Path(path))
    key = record_key(path, overrides, designations)
    text = store.get(key)
    if text is not None:
        try:
            network = network_from_record(json.loads(text))
        except Exception:  # an unreadable record, whatever the damage: read the file again
            network = None
        if network is not None:
            return _model(network, overrides)
    model = load_model_file(path, overrides, **designations)
    record = network_record(model.network)
    if record is not None:
        store.put(key, json.dumps(record))
    return model


def _model(network, overrides):
    """The NetworkModel of a stored (already reduced) network, with the overrides that are
    not the network's own names (conserved totals), as load_model_file builds it."""
    rest = {k: v for k, v in overrides.items()
            if k not in network.parameters and k not in network.species}
    model = NetworkModel(network, **rest)
    model.dropped_reactions = tuple(network.extra.get("dropped_reactions", ()))
    return model
