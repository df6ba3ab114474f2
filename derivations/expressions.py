"""Reading rate laws and output expressions without running them.

Model files are data, never code: this module turns the text of a rate law, an output
directive or an SBML ``<math>`` element into a sympy expression by walking a syntax tree and
accepting only a whitelist.  Nothing is handed to ``eval``, ``exec`` or ``sympy.sympify``.

Two entry points:

- :func:`parse_expression` reads infix text (rate laws written in Python, ``antagonism:``
  directives).  Python's :mod:`ast` *parses* the text (parsing runs nothing) and the tree
  is converted node by node.
- :func:`sbml_math` converts libsbml's math tree (``libsbml.ASTNode``) of an SBML rate law,
  rule, initial assignment or function definition.

What is accepted, in both:

=====================  =========================================================
numbers                integers, decimals, ``1e-4`` (made exact: 1e-4 -> 1/10000)
names                  every identifier is a plain positive-free ``sympy.Symbol``, so
                       ``S, I, E, N, Si, Ci, E1, ln, re, li, beta, gamma, lambda_`` are
                       species or parameters, never sympy's functions or constants
operators              ``+ - * /``, unary ``-`` and ``+``, powers ``**`` and ``^``,
                       parentheses
functions              ``exp(x)``, ``log(x)`` and ``ln(x)`` (natural), ``log10(x)``,
                       ``sqrt(x)``, ``pow(x, y)``; in SBML also ``root`` and
                       ``log(base, x)``, the constants e and pi, and calls of the
                       model's own function definitions (expanded)
=====================  =========================================================

Everything else is refused with a :class:`~.errors.NetworkFileError` that names the
construct and where it was found: attribute access, subscripts, lambdas, keywords,
comparisons, strings, calls of any other function (``__import__``, ``eval``, ``min``,
``abs``, ``sin``, ``piecewise``...), SBML's ``time``, ``delay`` and events.  A name is a
function only where it is called: ``ln*x`` is the product of the symbols ``ln`` and ``x``.

Limits (a model file is untrusted input): at most :data:`MAX_LENGTH` characters, nesting
depth :data:`MAX_DEPTH`, :data:`MAX_NODES` tree nodes, integer literals of at most
:data:`MAX_DIGITS` digits, and powers of two numbers with an exponent of magnitude at most
:data:`MAX_EXPONENT` (``9**9**9`` would otherwise be computed exactly).
"""
from __future__ import annotations

import ast
import keyword
import math
import re

import sympy as sp

from antagonism._core.errors import NetworkFileError

MAX_LENGTH = 20_000
MAX_DEPTH = 200
MAX_NODES = 5_000
MAX_DIGITS = 40
MAX_EXPONENT = 1_000

#: identifiers: letters, digits and underscores, not starting with a digit
IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Python keywords are valid SBML/Antimony names (``lambda``, ``in``, ``is``...): in text
# they are renamed to a placeholder before parsing and read back as symbols
_KEYWORDS = re.compile(r"(?<![\w.])(" + "|".join(keyword.kwlist) + r")(?!\w)")
_KW_PREFIX = "_antagonism_keyword_"


def _show(text, limit=80):
    """The text for an error message, shortened."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _pow(base, exponent, where):
    if base.is_number and exponent.is_number:
        if not exponent.is_real or abs(float(exponent)) > MAX_EXPONENT:
            raise NetworkFileError(f"cannot read {where}: the power {base}^{exponent} of two "
                                   f"numbers is beyond the limit (|exponent| <= "
                                   f"{MAX_EXPONENT})")
    return sp.Pow(base, exponent)


def _sqrt(x, where):
    return sp.sqrt(x)


def _log10(x, where):
    return sp.log(x, 10)


#: the functions of the text syntax: name -> (number of arguments, builder)
FUNCTIONS = {
    "exp": (1, lambda x, where: sp.exp(x)),
    "log": (1, lambda x, where: sp.log(x)),
    "ln": (1, lambda x, where: sp.log(x)),
    "log10": (1, _log10),
    "sqrt": (1, _sqrt),
    "pow": (2, _pow),
}


def symbol(name, where="expression"):
    """The plain sympy symbol of an identifier (checked: letters, digits, underscores)."""
    if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
        raise NetworkFileError(f"{where}: {name!r} is not a valid name (letters, digits and "
                               "underscores, not starting with a digit)")
    if name.startswith("__"):
        raise NetworkFileError(f"{where}: names starting with '__' are not accepted "
                               f"({name!r})")
    return sp.Symbol(name)


def number(value, where="expression"):
    """An exact sympy number from a Python int or finite float (bool refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise NetworkFileError(f"{where}: {value!r} is not a number")
    if isinstance(value, int):
        if len(str(abs(value))) > MAX_DIGITS:
            raise NetworkFileError(f"{where}: an integer of more than {MAX_DIGITS} digits")
        return sp.Integer(value)
    if not math.isfinite(value):
        raise NetworkFileError(f"{where}: the number {value!r} is not finite")
    from .validation import exact_number

    return exact_number(value)


class _TextReader:
    """Converts a parsed Python expression tree, accepting only the whitelist."""

    def __init__(self, where):
        self.where = where
        self.nodes = 0

    def refuse(self, what):
        raise NetworkFileError(f"cannot read the {self.where}: {what} is not allowed "
                               "(only numbers, names, + - * / ** ^, parentheses and "
                               f"the functions {', '.join(FUNCTIONS)})")

    def __call__(self, node, depth=0):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise NetworkFileError(f"cannot read the {self.where}: the expression is too "
                                   f"large or too deeply nested (limits: {MAX_NODES} "
                                   f"terms, depth {MAX_DEPTH})")
        where = f"the {self.where}"
        if isinstance(node, ast.Expression):
            return self(node.body, depth + 1)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
                self.refuse(f"the constant {node.value!r}")
            return number(node.value, where)
        if isinstance(node, ast.Name):
            name = node.id
            if name.startswith(_KW_PREFIX):
                name = name[len(_KW_PREFIX):]
            return symbol(name, where)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return self(node.operand, depth + 1)
            self.refuse(f"the operator {type(node.op).__name__}")
        if isinstance(node, ast.BinOp):
            a, b = self(node.left, depth + 1), self(node.right, depth + 1)
            op = node.op
            if isinstance(op, ast.Add):
                return a + b
            if isinstance(op, ast.Sub):
                return a - b
            if isinstance(op, ast.Mult):
                return a * b
            if isinstance(op, ast.Div):
                if b == 0:
                    raise NetworkFileError(f"cannot read {where}: division by zero")
                return a / b
            if isinstance(op, ast.Pow):
                return _pow(a, b, where)
            self.refuse(f"the operator {type(op).__name__}")
        if isinstance(node, ast.Call):
            if not isinstance(node.func, ast.Name):
                self.refuse("calling anything but a named function")
            name = node.func.id
            if name not in FUNCTIONS:
                self.refuse(f"the function {name!r}")
            if node.keywords or any(isinstance(a, ast.Starred) for a in node.args):
                self.refuse(f"keyword or starred arguments of {name}")
            arity, build = FUNCTIONS[name]
            if len(node.args) != arity:
                raise NetworkFileError(f"cannot read {where}: {name} takes {arity} "
                                       f"argument(s), got {len(node.args)}")
            return build(*(self(a, depth + 1) for a in node.args), where)
        if isinstance(node, ast.Attribute):
            self.refuse(f"attribute access ('.{node.attr}')")
        if isinstance(node, ast.Subscript):
            self.refuse("subscripting ('[...]')")
        if isinstance(node, ast.Lambda):
            self.refuse("lambda")
        self.refuse(f"the construct {type(node).__name__}")


def parse_expression(text, where="expression"):
    """A sympy expression from infix text, never evaluating it (see the module docstring).

    Parameters
    ----------
    text : str -- e.g. ``"kon*L*R"``, ``"C5 + Rs"``, ``"phi*C0^2/(K + C0)"``
    where : str -- what the text is, for error messages ("rate law of reaction J0")

    Raises
    ------
    NetworkFileError
        for anything outside the whitelist, syntax errors and inputs beyond the limits.
    """
    if not isinstance(text, str):
        raise NetworkFileError(f"the {where} must be text, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise NetworkFileError(f"the {where} is longer than {MAX_LENGTH} characters")
    stripped = text.strip().rstrip(";").strip()
    if not stripped:
        raise NetworkFileError(f"the {where} is empty")
    stripped = _KEYWORDS.sub(lambda m: _KW_PREFIX + m.group(1), stripped)
    # ^ is the power of SBML's and Antimony's infix syntax; Python's ** has its precedence
    # (above * and /, right-associative), while Python's ^ would bind more loosely
    stripped = stripped.replace("^", "**")
    try:
        tree = ast.parse(stripped, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        reason = exc.msg if isinstance(exc, SyntaxError) else type(exc).__name__
        raise NetworkFileError(f"cannot read the {where}: {_show(text)} ({reason})") from None
    try:
        return _TextReader(where)(tree)
    except RecursionError:
        raise NetworkFileError(f"cannot read the {where}: nested too deeply") from None


# -- SBML math: libsbml's AST -----------------------------------------------------------------

def _sbml_kinds(libsbml):
    return {
        libsbml.AST_PLUS: "plus", libsbml.AST_MINUS: "minus", libsbml.AST_TIMES: "times",
        libsbml.AST_DIVIDE: "divide", libsbml.AST_POWER: "power",
        libsbml.AST_FUNCTION_POWER: "power", libsbml.AST_INTEGER: "integer",
        libsbml.AST_REAL: "real", libsbml.AST_REAL_E: "real",
        libsbml.AST_RATIONAL: "rational", libsbml.AST_NAME: "name",
        libsbml.AST_CONSTANT_E: "e", libsbml.AST_CONSTANT_PI: "pi",
        libsbml.AST_FUNCTION_EXP: "exp", libsbml.AST_FUNCTION_LN: "ln",
        libsbml.AST_FUNCTION_LOG: "log", libsbml.AST_FUNCTION_ROOT: "root",
        libsbml.AST_FUNCTION: "call", libsbml.AST_NAME_TIME: "time",
        libsbml.AST_FUNCTION_DELAY: "delay",
    }


def sbml_math(node, where, *, functions=None, renames=None, libsbml=None):
    """A sympy expression from an SBML math tree (``libsbml.ASTNode``), whitelisted.

    Parameters
    ----------
    node : libsbml.ASTNode
    where : str -- the element, for error messages ("kinetic law of reaction J0")
    functions : dict name -> (argument names, body ASTNode), optional
        The model's function definitions; a call is expanded by substituting the
        converted arguments for the bound variables (recursion limited to
        :data:`MAX_DEPTH`).
    renames : dict name -> str, optional -- identifiers renamed (local parameters)
    """
    if libsbml is None:
        import libsbml
    if node is None:
        raise NetworkFileError(f"the {where} has no math")
    reader = _SbmlReader(libsbml, where, functions or {}, renames or {})
    try:
        return reader(node, {}, 0)
    except RecursionError:
        raise NetworkFileError(f"the {where}: math nested too deeply") from None


class _SbmlReader:
    def __init__(self, libsbml, where, functions, renames):
        self.kinds = _sbml_kinds(libsbml)
        self.libsbml = libsbml
        self.where = where
        self.functions = functions
        self.renames = renames
        self.nodes = 0

    def refuse(self, what):
        raise NetworkFileError(f"the {self.where}: {what} is not supported (accepted: "
                               "+ - * /, powers, exp, ln, log, root, numbers, names and "
                               "the model's function definitions)")

    def __call__(self, node, bound, depth):
        self.nodes += 1
        if self.nodes > MAX_NODES or depth > MAX_DEPTH:
            raise NetworkFileError(f"the {self.where}: math too large or nested too deeply "
                                   f"(limits: {MAX_NODES} terms, depth {MAX_DEPTH})")
        kind = self.kinds.get(node.getType())
        n = node.getNumChildren()
        kids = lambda: [self(node.getChild(i), bound, depth + 1) for i in range(n)]  # noqa: E731
        where = f"the {self.where}"
        if kind == "integer":
            return number(int(node.getInteger()), where)
        if kind == "real":
            return number(float(node.getReal()), where)
        if kind == "rational":
            return number(int(node.getNumerator()), where) / number(
                int(node.getDenominator()), where)
        if kind == "name":
            name = node.getName()
            if name in bound:
                return bound[name]
            return symbol(self.renames.get(name, name), where)
        if kind == "e":
            return sp.E
        if kind == "pi":
            return sp.pi
        if kind == "plus":
            return sp.Add(*kids())
        if kind == "times":
            return sp.Mul(*kids())
        if kind == "minus":
            args = kids()
            if len(args) == 1:
                return -args[0]
            if len(args) == 2:
                return args[0] - args[1]
        if kind == "divide" and n == 2:
            a, b = kids()
            if b == 0:
                raise NetworkFileError(f"{where}: division by zero")
            return a / b
        if kind == "power" and n == 2:
            return _pow(*kids(), where)
        if kind == "exp" and n == 1:
            return sp.exp(kids()[0])
        if kind == "ln" and n == 1:
            return sp.log(kids()[0])
        if kind == "log":
            args = kids()
            if len(args) == 1:  # SBML: log without a base is base 10
                return sp.log(args[0], 10)
            if len(args) == 2:
                return sp.log(args[1], args[0])
        if kind == "root":
            args = kids()
            if len(args) == 1:
                return sp.sqrt(args[0])
            if len(args) == 2:
                return _pow(args[1], 1 / args[0], where)
        if kind == "call":
            name = node.getName()
            symbol(name, f"{where}: function name")
            if name not in self.functions:
                self.refuse(f"the function {name!r} (not a function definition of the model)")
            params, body = self.functions[name]
            if len(params) != n:
                raise NetworkFileError(f"{where}: function {name} takes {len(params)} "
                                       f"argument(s), got {n}")
            args = kids()
            return self(body, dict(zip(params, args)), depth + 1)
        if kind == "time":
            self.refuse("the model time (a time-dependent rate)")
        if kind == "delay":
            self.refuse("delay")
        label = node.getName() or self.libsbml.formulaToL3String(node) or "this math"
        self.refuse(f"{label!r}")


def sbml_function_definitions(model, libsbml=None):
    """{id: (argument names, body ASTNode)} of an SBML model's function definitions."""
    out = {}
    for k in range(model.getNumFunctionDefinitions()):
        fd = model.getFunctionDefinition(k)
        math_ = fd.getMath()
        if math_ is None or fd.getBody() is None:
            raise NetworkFileError(f"function definition {fd.getId()} has no body")
        args = [fd.getArgument(i).getName() for i in range(fd.getNumArguments())]
        for name in (fd.getId(), *args):
            symbol(name, f"function definition {fd.getId()[:80]!r}")
        out[fd.getId()] = (args, fd.getBody())
    return out


__all__ = ["FUNCTIONS", "IDENTIFIER", "MAX_DEPTH", "MAX_LENGTH", "MAX_NODES", "number",
           "parse_expression", "sbml_function_definitions", "sbml_math", "symbol"]
