"""Limits on reaction-network files, on what the parsers build from them.

A model file is untrusted input, and what it costs is what the parsers build from it, not
its length: a 600-byte Antimony file nesting modules four levels deep, ten instances each,
makes libantimony build 10^4 copies (minutes, gigabytes), and a network written on one line
has one line however many reactions it holds.  So:

- before any parser sees it, a file is limited to :data:`MAX_MODEL_FILE_BYTES`
  (:func:`check_model_file_limits`);
- libantimony and libsbml, C++ code that neither an alarm nor Python can stop, run in a
  child process (:func:`~antagonism._core.capped.run_capped`) whose address space may grow
  by :data:`PARSER_MEMORY_BYTES` and which is killed after :data:`PARSER_SECONDS`; it
  sends back plain data (the SBML text, the counts);
- what they built is counted there, after parsing: module instances
  (:data:`MAX_MODULE_INSTANCES`, counted from the modules' definitions before Antimony
  flattens them), species (:data:`MAX_SPECIES`) and reactions (:data:`MAX_REACTIONS`)
  of the flattened model (:func:`antimony_to_sbml_capped`, :func:`check_sbml_counts`).
  The size of every expression once functions and rules are expanded is limited after
  libsbml has read it (:mod:`.expansion`).

Each limit is a :class:`~antagonism._core.errors.LimitError` (exit status 2) naming it.
"""
from __future__ import annotations

import math
import re
from pathlib import Path

from antagonism._core.capped import run_capped
from antagonism._core.errors import LimitError, NetworkFileError
from antagonism._core.text import printable

#: largest accepted model file (bytes); the shipped literature models are about 2 kB
MAX_MODEL_FILE_BYTES = 256 * 1024
#: most species a model may hold, counted after parsing (modules flattened)
MAX_SPECIES = 100
#: most reactions a model may hold, counted after parsing (modules flattened)
MAX_REACTIONS = 400
#: most module instances (submodels), counted over the whole nesting
MAX_MODULE_INSTANCES = 200
#: longest text handed to the antimony and libsbml parsers (characters); a text that did
#: not come from a checked file (a string passed in Python) is held to this
MAX_MODEL_TEXT = 5_000_000
#: how much the parsers' child process may grow its address space (bytes)
PARSER_MEMORY_BYTES = 512 * 1024**2
#: how long the parsers' child process may run (s) before it is killed
PARSER_SECONDS = 30.0


def check_model_file_limits(path):
    """Refuse a model file larger than :data:`MAX_MODEL_FILE_BYTES`; returns ``path``.
    (What the file builds is counted once it is parsed: :func:`check_sbml_counts`.)"""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_MODEL_FILE_BYTES:
        raise LimitError(f"{path}: model files are limited to {MAX_MODEL_FILE_BYTES // 1024} "
                         f"kB, this one has {size // 1024} kB")
    return path


def _instances(doc):
    """Module instances (comp submodels) of an SBML document over the whole nesting: each
    submodel counts once plus the instances of the model it instantiates (memoised; the
    count stops growing beyond the limit, and a model that contains itself counts as over
    it)."""
    comp = doc.getPlugin("comp")
    models = {}
    if comp is not None:
        for k in range(comp.getNumModelDefinitions()):
            m = comp.getModelDefinition(k)
            models[m.getId()] = m
    cap, done, busy = MAX_MODULE_INSTANCES + 1, {}, set()

    def total(model):
        key = model.getId()
        if key in done:
            return done[key]
        if key in busy:
            return cap
        busy.add(key)
        plugin = model.getPlugin("comp")
        count = 0
        for k in range(plugin.getNumSubmodels() if plugin is not None else 0):
            ref = models.get(plugin.getSubmodel(k).getModelRef())
            count = min(cap, count + 1 + (total(ref) if ref is not None else 0))
        busy.discard(key)
        done[key] = count
        return count

    return total(doc.getModel()) if doc.getModel() is not None else 0


def _refuse_instances(count, where):
    if count > MAX_MODULE_INSTANCES:
        raise LimitError(f"{where} makes more than {MAX_MODULE_INSTANCES} module instances "
                         "once its modules are expanded (the limit)")


def _antimony_child(text):
    """In the capped child: Antimony text -> flattened SBML text, once the module instances
    are within the limit."""
    import antimony
    import libsbml

    antimony.clearPreviousLoads()
    if antimony.loadAntimonyString(text) < 0:
        raise NetworkFileError(f"Antimony: {printable(antimony.getLastError().strip())[:500]}")
    main = antimony.getMainModuleName()
    comp = libsbml.readSBMLFromString(antimony.getCompSBMLString(main))
    _refuse_instances(_instances(comp), "the Antimony model")
    return antimony.getSBMLString(main)


def antimony_to_sbml_capped(text):
    """The SBML text of Antimony ``text``, made by libantimony in the capped child process
    (module instances counted there before the model is flattened)."""
    import antimony  # noqa: F401  (imported here, before the fork: the child imports nothing)
    import libsbml  # noqa: F401

    return run_capped(_antimony_child, (text,), memory_bytes=PARSER_MEMORY_BYTES,
                      seconds=PARSER_SECONDS, what="libantimony reading the model")


# what libantimony makes of the exponent of a number beyond the float range: 1e400 is the
# value 1 with the units "e400" (a unit defined empty; "e400_volume" for a species),
# 1e+400 has the units "e"
_EXPONENT_UNIT = re.compile(r"[eE][0-9]*(?:_\w*)?")


def _refuse_values(model):
    """Refuse a value beyond the float range, and units that are the exponent of a number
    beyond it: libantimony reads ``phi = 1e400`` as the value 1 with the units "e400", an
    empty unit definition (other undefined units, such as nM, are left to the reader)."""
    items = [("parameter", model.getParameter(k)) for k in range(model.getNumParameters())]
    items += [("species", model.getSpecies(k)) for k in range(model.getNumSpecies())]
    items += [("compartment", model.getCompartment(k))
              for k in range(model.getNumCompartments())]
    for kind, item in items:
        for getter in ("getValue", "getInitialAmount", "getInitialConcentration", "getSize"):
            value = getattr(item, getter, None)
            if value is not None and not math.isnan(value()) and not math.isfinite(value()):
                raise NetworkFileError(f"{kind} {printable(item.getId())}: value {value()} is "
                                       "beyond the float range")
        units = item.getUnits() if item.isSetUnits() else ""
        definition = model.getUnitDefinition(units) if units else None
        if _EXPONENT_UNIT.fullmatch(units) and (definition is None
                                                or definition.getNumUnits() == 0):
            raise NetworkFileError(
                f"{kind} {printable(item.getId())}: its units {printable(units)!r} are not a "
                "unit but the exponent of a number beyond the float range (libantimony "
                "reads 1e400 as 1 with the units 'e400'); write numbers within about "
                "1e-308..1e308")


def _sbml_child(sbml):
    """In the capped child: what libsbml builds from ``sbml``, counted; values beyond the
    float range and units that are not units refused."""
    import libsbml

    doc = libsbml.readSBMLFromString(sbml)
    model = doc.getModel()
    if model is None:
        return {"species": 0, "reactions": 0, "instances": 0}
    _refuse_values(model)
    return {"species": model.getNumSpecies(), "reactions": model.getNumReactions(),
            "instances": _instances(doc)}


def check_sbml_counts(sbml):
    """Refuse SBML text whose model, as libsbml builds it (in the capped child process),
    holds more species, reactions or module instances than the limits; returns the counts.
    The caller may then read the same text in this process: it is known to parse within
    the caps."""
    import libsbml  # noqa: F401  (imported before the fork)

    counts = run_capped(_sbml_child, (sbml,), memory_bytes=PARSER_MEMORY_BYTES,
                        seconds=PARSER_SECONDS, what="libsbml reading the model")
    for key, limit in (("species", MAX_SPECIES), ("reactions", MAX_REACTIONS)):
        if counts[key] > limit:
            raise LimitError(f"the model holds {counts[key]} {key} once parsed (modules "
                             f"flattened), more than the limit of {limit}")
    _refuse_instances(counts["instances"], "the SBML model")
    return counts


__all__ = ["MAX_MODEL_FILE_BYTES", "MAX_MODEL_TEXT", "MAX_MODULE_INSTANCES", "MAX_REACTIONS",
           "MAX_SPECIES", "PARSER_MEMORY_BYTES", "PARSER_SECONDS", "antimony_to_sbml_capped",
           "check_model_file_limits", "check_sbml_counts"]
