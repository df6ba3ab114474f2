"""The ``antagonism`` command line: parse, call the Python API, print.

Every sub-command prints human-readable text, or one JSON object with ``--json``.  Bad input
exits with status 2 and a one-line message naming the bad value, never a traceback.
Commands live in one module per topic (:mod:`.models`, :mod:`.cells`, :mod:`.networks`,
:mod:`.data`, :mod:`.figures`) and register themselves with :func:`command`.
"""
from __future__ import annotations

import argparse
import importlib
import json
import sys

COMMANDS = {}
TOPICS = ("models", "cells", "networks", "data", "figures")


class CliError(Exception):
    """A user error: printed as one line, exit status 2."""


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
    """Print ``payload`` as JSON with --json, else ``text``."""
    print(json.dumps(payload) if getattr(args, "json", False) else text)


def build_parser():
    for topic in TOPICS:
        importlib.import_module(f".{topic}", __name__)
    parser = _Parser(prog="antagonism", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, (func, help_text, arguments) in COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        arguments(p)
        p.set_defaults(func=func)
    return parser


def main(argv=None):
    try:
        args = build_parser().parse_args(argv)
        args.func(args)
    except (CliError, ValueError) as exc:
        print(f"antagonism: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for a user; say what failed in one line
        print(f"antagonism: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    return 0
