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

from antagonism.derivations.errors import InputError
from antagonism.theory.result import to_json

COMMANDS = {}
TOPICS = ("models", "cells", "networks", "data", "figures", "cache")


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


def emit(args, payload, text):
    """Print ``payload`` as strict JSON with --json (a non-finite number is null, with
    its reason in ``null_reasons``), else ``text``."""
    print(to_json(payload) if getattr(args, "json", False) else text)


def build_parser():
    for topic in TOPICS:
        importlib.import_module(f".{topic}", __name__)
    parser = _Parser(prog="antagonism", description=__doc__.splitlines()[0])
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
        from antagonism.derivations.validation import time_budget

        with time_budget(getattr(args, "time_budget", None), f"antagonism {args.command}"):
            args.func(args)
    except InputError as exc:
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # not the user's fault: one line and a hint, or the traceback
        if debug:
            traceback.print_exc()
        print(f"antagonism: error: {type(exc).__name__}: {exc}\n"
              "antagonism: this is a failure of the computation, not of your input; "
              "run again with --debug for the traceback", file=sys.stderr)
        return 1
    return 0
