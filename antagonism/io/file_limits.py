"""Limits on reaction-network files, checked before any parser sees them.

A model file is read whole and every species becomes a sympy symbol in the derivations,
whose cost grows quickly with the network; without limits a 7 MB Antimony file took
4.8 GB of memory.  :func:`check_model_file_limits` refuses, with a
:class:`~antagonism._core.errors.LimitError`, a file larger than
``MAX_MODEL_FILE_BYTES`` or one that names more than ``MAX_SPECIES`` species or
``MAX_REACTIONS`` reactions (counted from the text with regular expressions; nothing is
parsed or evaluated).
"""
from __future__ import annotations

import re
from pathlib import Path

from antagonism._core.errors import LimitError

#: largest accepted model file (bytes); the shipped literature models are about 2 kB
MAX_MODEL_FILE_BYTES = 256 * 1024
#: most species a model file may name
MAX_SPECIES = 100
#: most reactions a model file may hold
MAX_REACTIONS = 400
#: longest text handed to the antimony and libsbml parsers (characters); a text that did
#: not come from a checked file (a string passed in Python) is held to this
MAX_MODEL_TEXT = 5_000_000

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STOICHIOMETRY = re.compile(r"^\s*\d+(?:\.\d*)?(?:[eE][+-]?\d+)?\s*")


def _antimony_counts(text):
    """(species, reactions) named by an Antimony text's reaction lines and species
    declarations."""
    species, reactions = set(), 0
    for line in text.splitlines():
        line = line.split("//", 1)[0].split("#", 1)[0]
        for decl in re.findall(r"\bspecies\s+([^;]*)", line):
            species.update(_IDENT.findall(re.sub(r"\$", "", decl)))
        if "->" not in line and "=>" not in line:
            continue
        reactions += 1
        equation = line.split(";", 1)[0]
        if ":" in equation:
            equation = equation.split(":", 1)[1]
        for side in re.split(r"-\>|=\>", equation):
            for term in side.split("+"):
                species.update(_IDENT.findall(_STOICHIOMETRY.sub("", term)))
    return len(species), reactions


def _sbml_counts(text):
    return (len(re.findall(r"<(?:\w+:)?species\b", text)),
            len(re.findall(r"<(?:\w+:)?reaction\b", text)))


def check_model_file_limits(path):
    """Refuse a model file beyond the stated limits (size, species, reactions); returns
    ``path``.  Raises :class:`~antagonism._core.errors.LimitError` naming the limit."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_MODEL_FILE_BYTES:
        raise LimitError(f"{path}: model files are limited to {MAX_MODEL_FILE_BYTES // 1024} "
                         f"kB, this one has {size // 1024} kB")
    text = path.read_text(errors="replace")
    xml = path.suffix.lower() in (".xml", ".sbml") or text.lstrip().startswith("<?xml")
    n_species, n_reactions = (_sbml_counts if xml else _antimony_counts)(text)
    if n_species > MAX_SPECIES:
        raise LimitError(f"{path}: names {n_species} species, more than the limit of "
                         f"{MAX_SPECIES}")
    if n_reactions > MAX_REACTIONS:
        raise LimitError(f"{path}: holds {n_reactions} reactions, more than the limit of "
                         f"{MAX_REACTIONS}")
    return path
