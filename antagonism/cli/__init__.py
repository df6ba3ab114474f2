"""The ``antagonism`` command line: parse, call the Python API, print.

Every sub-command prints human-readable text, or one JSON object with ``--json``.  Bad input
exits with status 2 and a one-line message naming the bad value, never a traceback.
Commands live in one module per topic (:mod:`.models`, :mod:`.cells`, :mod:`.networks`,
:mod:`.data`, :mod:`.figures`) and register themselves with :func:`command`.
"""
from __future__ import annotations

import argparse
import importlib
import sys
import traceback

from antagonism._core.errors import InputError
from antagonism._core.result import to_json

COMMANDS = {}
TOPICS = ("models", "cells", "networks", "data", "figures", "cache", "reproduce")


class CliError(InputError):
    """A user error found by the command line itself: one line, exit status 2."""


class _HelpFormatter(argparse.HelpFormatter):
    """Show an option's default in its help, unless it has none (None, False) or says it."""

    def _get_help_string(self, action):
        text = action.help or ""
        if (action.option_strings and "%(default)" not in text and "default:" not in text
                and action.default not in (None, False, [], argparse.SUPPRESS)):
            text += " (default: %(default)s)"
        return text


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage block
        raise CliError(message)


def command(name, help_text, arguments):
    """Register a sub-command: ``arguments(parser)`` declares its options."""
    def register(func):
        COMMANDS[name] = (func, help_text, arguments)
        return func
    return register


#: units of the keys the commands print (parameters take theirs from the model registry)
UNITS = {
    **dict.fromkeys(("tau", "tau1", "tau2", "tau_c", "tau_min", "tau_inflection", "tau_star",
                     "tau_star_predicted", "moved_tau_median", "moved_tau_iqr", "tau2_argmin",
                     "tau_s", "strongest_tau_s", "background_tau"), "s"),
    **dict.fromkeys(("L", "L1", "L2", "R", "background_L"), "molecules"),
    "gamma": "output/s/molecule",
}
#: steady-state names that are other names of an earlier quantity (printed once)
ALIASES = ("C_N", "C_m", "R_free")


def _number(v):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return str(v)
    return f"{v:.6g}"


def _value(v, unit=""):
    tail = f" {unit}" if unit else ""
    if isinstance(v, dict):
        return ", ".join(f"{k} = {_value(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        shown = [_number(x) for x in v[:8]]
        more = f", ... ({len(v)} values)" if len(v) > 8 else ""
        return "[" + ", ".join(shown) + more + "]" + tail
    if v is None:
        return "none"
    return _number(v) + tail


def format_text(payload, units=None):
    """``payload`` as aligned ``key (unit): value`` lines: numbers to 6 significant digits,
    dicts as ``k = v`` lists, no key printed twice (top-level copies of ``parameters`` are
    dropped; steady-state aliases such as C_N = C_5 are merged into one line)."""
    units = {**UNITS, **(units or {})}
    params = payload.get("parameters") if isinstance(payload.get("parameters"), dict) else {}
    lines, seen = [], {}
    for k, v in payload.items():
        if k in params and k != "parameters" and v == params[k]:
            continue
        if k == "parameters":
            v = {name: _value(x, units.get(name, "")) for name, x in v.items()}
            lines.append(["parameters", ", ".join(f"{n} = {x}" for n, x in v.items())])
            continue
        if k in ALIASES and isinstance(v, float) and v in seen:
            lines[seen[v]][0] += f" = {k}"
            continue
        if isinstance(v, float):
            seen[v] = len(lines)
        unit = units.get(k, "")
        lines.append([k, _value(v, unit)])
    width = max((len(k) for k, _ in lines), default=0)
    return "\n".join(f"{k:<{width}} : {v}" for k, v in lines)


def parameter_units(model):
    """{parameter name: unit} of a registered model (empty for others)."""
    from antagonism.derivations import model_spec

    try:
        return {k: p.unit for k, p in model_spec(model.name).parameters.items()}
    except Exception:  # a model outside the registry: no units known
        return {}


def emit(args, payload, text=None, units=None):
    """Print ``payload`` as strict JSON with --json (a non-finite number is null, with
    its reason in ``null_reasons``), else ``text`` (default: :func:`format_text`
    of the payload, with ``units`` added to the known ones)."""
    if getattr(args, "json", False):
        print(to_json(payload))
    else:
        print(format_text(payload, units) if text is None else text)


def build_parser():
    for topic in TOPICS:
        importlib.import_module(f".{topic}", __name__)
    from importlib.metadata import PackageNotFoundError, version

    parser = _Parser(prog="antagonism", description=__doc__.splitlines()[0])
    try:
        release = version("antagonism")
    except PackageNotFoundError:  # running from a source tree that is not installed
        release = "unknown"
    parser.add_argument("--version", action="version", version=f"antagonism {release}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (func, help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text,
                           formatter_class=_HelpFormatter)
        arguments(p)
        p.set_defaults(func=func)
    return parser


def main(argv=None):
    """Run the command line.  Exit status: 0 success; 2 bad input (:class:`InputError`, one
    line naming the value); 1 any other failure (one line and a hint); 130 interrupted.
    ``--debug`` (anywhere on the line) shows the traceback instead."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    if debug:
        argv = [a for a in argv if a != "--debug"]
    try:
        args = build_parser().parse_args(argv)
        from antagonism._core.budget import time_budget

        with time_budget(getattr(args, "time_budget", None), f"antagonism {args.command}"):
            args.func(args)
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader (head, less) closed the pipe: nothing to report
        sys.stderr.close()
        return 0
    except Exception as exc:  # not the user's fault: one line and a hint, or the traceback
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {type(exc).__name__}: {exc}\n"
              "antagonism: this is a failure of the computation, not of your input; "
              "run again with --debug for the traceback", file=sys.stderr)
        return 1
    return 0
