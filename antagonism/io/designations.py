"""Designations: which species is the free ligand, which is the output, which parameter is
the binding time, read from a file's directives and the caller's arguments.

A file designates with *directives*: lines ``antagonism: key = value`` in Antimony comments
(``// antagonism: ligand = L``) or in the SBML model's notes.  Keyword arguments override
them.  Keys (:data:`KEYS`): ``ligand``, ``output``, ``binding_time`` or ``off_rate``,
``bound_states``, ``tau_c``, ``agonist`` ("tau, L" of the reference agonists), ``name``,
``description``, ``source``, ``structure`` (the mechanism in words), ``paper`` (the source's
statement on antagonism) and ``check`` (how the literature table cross-checks the model:
``built-in NAME`` for a registered model that is the same model, ``kpr-closed-form``).
Values are read as names, expressions (by the safe parser) or numbers, never evaluated.
"""
from __future__ import annotations

import math
import re

from antagonism._core.errors import NetworkFileError
from antagonism.derivations.expressions import parse_expression, symbol

DIRECTIVE = re.compile(r"antagonism:\s*(\w+)\s*=\s*(.+?)\s*$")
KEYS = ("ligand", "output", "binding_time", "off_rate", "bound_states", "tau_c", "agonist",
        "name", "description", "source", "check", "structure", "paper")


def directives(text):
    """{key: value} from ``antagonism: key = value`` lines; repeated keys are joined.
    Values stay text here; :func:`check_designations` reads them (never evaluating)."""
    out = {}
    for line in text.splitlines():
        m = DIRECTIVE.search(line)
        if m:
            key, value = m.group(1), m.group(2)
            if key not in KEYS:
                raise NetworkFileError(f"unknown directive {key!r}; known: "
                                       f"{', '.join(KEYS)}")
            out[key] = f"{out[key]} {value}" if key in out else value
    return out


def merge_designations(found, designations):
    """Arguments override directives; a binding time given replaces an off rate and back.
    Updates and returns ``found``; arguments that are None are not given."""
    given = {k: v for k, v in designations.items() if v is not None}
    if "binding_time" in given:
        found.pop("off_rate", None)
    if "off_rate" in given:
        found.pop("binding_time", None)
    found.update(given)
    return found


def required_designations(found):
    """``found`` after checking that it names the ligand and the output."""
    for key in ("ligand", "output"):
        if key not in found:
            raise NetworkFileError(f"say which species is the {key}: a directive "
                                   f"'antagonism: {key} = ...' or the {key}= argument "
                                   f"(--{key} on the command line)")
    return found


def _finite(text, what):
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise NetworkFileError(f"{what} must be a number, got {str(text)[:80]!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise NetworkFileError(f"{what} must be a positive finite number, got {text!r}")
    return value


def check_designations(found):
    """Read the designations (directives or arguments) without evaluating anything:
    ``ligand``, ``binding_time``, ``off_rate`` are names, ``bound_states`` a comma-separated
    list of names, ``output`` an expression (safe parser), ``tau_c`` (s) and ``agonist``
    (tau in s, L in molecules) positive finite numbers.  Returns the keyword arguments of
    :class:`~antagonism.derivations.reactions.ReactionNetwork` (``check`` moves into
    ``extra``)."""
    out = dict(found)
    for key in ("ligand", "binding_time", "off_rate"):
        if out.get(key) is not None:
            out[key] = str(out[key]).strip()
            symbol(out[key], f"the {key} designation")
    if out.get("bound_states") is not None:
        value = out["bound_states"]
        names = (tuple(x.strip() for x in value.split(",") if x.strip())
                 if isinstance(value, str) else tuple(value))
        for name in names:
            symbol(name, "the bound_states designation")
        out["bound_states"] = names
    if out.get("output") is not None:
        out["output"] = str(out["output"]).strip()
        parse_expression(out["output"], "output designation")
    extra = {key: out.pop(key) for key in ("check", "structure", "paper") if key in out}
    if "tau_c" in out:
        out["tau_c"] = _finite(out["tau_c"], "tau_c")
    if "agonist" in out:
        parts = str(out["agonist"]).split(",")
        if len(parts) != 2:
            raise NetworkFileError(f"agonist must be 'tau, L', got {out['agonist']!r}")
        out["agonist"] = tuple(_finite(v, "agonist") for v in parts)
    if out.get("off_rate"):
        out["binding_time"] = None
    if extra:
        out["extra"] = extra
    return out


def file_designations(text, designations):
    """The checked designations of a file: the directives in ``text`` (Antimony comments
    or SBML notes), overridden by the arguments ``designations``; the ligand and the output
    must be named.  Returns the keyword arguments of ``ReactionNetwork``
    (:func:`check_designations`)."""
    found = merge_designations(directives(text), designations)
    return check_designations(required_designations(found))
