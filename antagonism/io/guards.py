"""Checks on a model file's text before the antimony or libsbml parser sees it.

Model files are untrusted input (docs/reliability.md).  The parsers are C++ libraries that
do more than read the text they are given, so four things are refused up front:

- **Antimony imports** (:func:`refuse_antimony_imports`): ``import "file"`` makes
  libantimony read any local file (whose content then leaks in its error messages) and gets
  around the size limits; the word ``import`` is refused anywhere in the text, comments
  included (a model file stands alone);
- **numbers beyond the float range** in Antimony (:func:`refuse_out_of_range_numbers`):
  libantimony reads ``1e400`` as 1 with the units "e400" and ``2e-400`` as 0;
- **SBML external model definitions** (:func:`refuse_external_models`): the ``comp``
  package's ``externalModelDefinition`` points libsbml at other files or URLs;
- **deep XML nesting** (:func:`check_xml`): libsbml builds math trees recursively and
  crashes the process on some thousands of nested ``<apply>``.  The text is first read by a
  streaming parser (the standard library's expat; no DTD or external entity is loaded)
  that stops at :data:`MAX_XML_DEPTH` levels, naming the element it was in.
"""
from __future__ import annotations

import math
import re

from antagonism._core.errors import NetworkFileError
from antagonism._core.text import printable

#: deepest XML element nesting handed to libsbml (an SBML document's own structure takes
#: about 8 levels; math is limited to 200 levels by the package's reader anyway)
MAX_XML_DEPTH = 256

_IMPORT = re.compile(r"\bimport\b")
_EXTERNAL = re.compile(r"<\s*(?:[\w.-]+:)?externalModelDefinition\b")


def refuse_antimony_imports(text):
    """Refuse Antimony text that holds the word ``import`` (libantimony would read the file
    it names); comments are not exempt.  Returns ``text``."""
    found = _IMPORT.search(text)
    if found:
        line = text.count("\n", 0, found.start()) + 1
        raise NetworkFileError(f"Antimony import statements are refused (line {line}): an "
                               "import makes libantimony read another file; put the whole "
                               "model in one file")
    return text


# a decimal number with an exponent, not part of a name (k1e5) or of another number
_EXPONENT_NUMBER = re.compile(r"(?<![\w.])(?:\d+\.?\d*|\.\d+)[eE][+-]?\d+(?![\w.])")


def refuse_out_of_range_numbers(text):
    """Refuse Antimony text holding a number beyond the float range: libantimony reads
    ``1e400`` as 1 with the units "e400" and ``2e-400`` as 0, silently.  Returns ``text``."""
    for found in _EXPONENT_NUMBER.finditer(text):
        number = found.group()
        value = float(number)  # inf beyond the range, 0.0 below it
        mantissa = number.lower().split("e")[0]
        if not math.isfinite(value) or (value == 0 and mantissa.strip("0.") != ""):
            line = text.count("\n", 0, found.start()) + 1
            raise NetworkFileError(f"the number {number} (line {line}) is beyond the float "
                                   "range (about 1e-308..1e308): libantimony would read it "
                                   "as another number")
    return text


def refuse_external_models(text):
    """Refuse SBML that holds a ``comp:externalModelDefinition`` (a reference to another
    file or URL that libsbml would read).  Returns ``text``."""
    if _EXTERNAL.search(text):
        raise NetworkFileError("SBML external model definitions (comp:externalModelDefinition)"
                               " are refused: they make libsbml read other files; flatten "
                               "the model into one file")
    return text


def _where(stack):
    """The innermost enclosing element that names itself: 'reaction J0', 'functionDefinition
    f'... (or the innermost element)."""
    for tag, attrs in reversed(stack):
        name = attrs.get("id") or attrs.get("variable") or attrs.get("symbol")
        if name:
            return f"{tag.rsplit(':', 1)[-1]} {printable(name)[:80]}"
    return stack[-1][0] if stack else "document"


def check_xml(text, max_depth=MAX_XML_DEPTH):
    """Read XML ``text`` with a streaming parser (expat, no DTD or external entity loaded)
    and refuse it, with a :class:`NetworkFileError`, if it is not well-formed or nests
    elements deeper than ``max_depth`` levels.  Returns ``text``."""
    import xml.parsers.expat as expat

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack = []

    class TooDeep(Exception):
        pass

    def start(tag, attrs):
        stack.append((tag, attrs))
        if len(stack) > max_depth:
            raise TooDeep

    def external(*args):
        raise NetworkFileError("SBML: external XML entities are refused")

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: stack.pop()
    parser.ExternalEntityRefHandler = external
    try:
        parser.Parse(text, True)
    except TooDeep:
        raise NetworkFileError(f"the SBML {_where(stack[:-1])}: math too large or nested too "
                               f"deeply (XML elements nested deeper than {max_depth} levels)"
                               ) from None
    except expat.ExpatError as exc:
        raise NetworkFileError(f"SBML: not well-formed XML ({printable(str(exc))[:200]})"
                               ) from None
    return text


__all__ = ["MAX_XML_DEPTH", "check_xml", "refuse_antimony_imports", "refuse_external_models",
           "refuse_out_of_range_numbers"]
